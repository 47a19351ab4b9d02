import type { Queryable } from '../../plugins/db.ts';
import type { Organizer, SignupMessage, SignupRequest } from '@constellation/shared/schemas/auth';
import type { SignupPayload } from '../mail/core/templates.ts';

const ORGANIZER_COLUMNS = 'id, email::text, name, is_owner AS owner';

/** A new organizer, or null when the address has an account already. */
export async function insertOrganizer(db: Queryable, input: { email: string; name: string; passwordHash: string }): Promise<Organizer | null> {
  const { rows } = await db.query<Organizer>(
    `INSERT INTO organizers (email, name, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING
     RETURNING ${ORGANIZER_COLUMNS}`,
    [input.email, input.name, input.passwordHash],
  );
  return rows[0] ?? null;
}

/**
 * The instance's first organizer, its owner: null once the instance has an owner (or the address an
 * account). Two first sign-ups at once: the unique owner index lets exactly one through.
 */
export async function insertOwner(db: Queryable, input: { email: string; name: string; passwordHash: string }): Promise<Organizer | null> {
  const { rows } = await db.query<Organizer>(
    `INSERT INTO organizers (email, name, password_hash, is_owner)
     SELECT $1, $2, $3, true WHERE NOT EXISTS (SELECT 1 FROM organizers WHERE is_owner)
     ON CONFLICT DO NOTHING
     RETURNING ${ORGANIZER_COLUMNS}`,
    [input.email, input.name, input.passwordHash],
  );
  return rows[0] ?? null;
}

export async function findOrganizerByEmail(db: Queryable, email: string): Promise<(Organizer & { passwordHash: string }) | null> {
  const { rows } = await db.query<Organizer & { passwordHash: string }>(
    `SELECT ${ORGANIZER_COLUMNS}, password_hash AS "passwordHash" FROM organizers WHERE email = $1`,
    [email],
  );
  return rows[0] ?? null;
}

export async function insertSignup(db: Queryable, input: { email: string; name: string; passwordHash: string; expiresAt: Date }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO organizer_signups (email, name, password_hash, expires_at) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.email, input.name, input.passwordHash, input.expiresAt],
  );
  return rows[0]!.id;
}

/**
 * Marks a pending sign-up used, once (its emailed link, or the owner's approval): its details, or
 * null when it is unknown, used, declined or expired.
 */
export async function redeemSignup(db: Queryable, id: string, now: Date): Promise<{ email: string; name: string; passwordHash: string } | null> {
  const { rows } = await db.query<{ email: string; name: string; passwordHash: string }>(
    `UPDATE organizer_signups SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND declined_at IS NULL AND expires_at > $2
     RETURNING email::text AS email, name, password_hash AS "passwordHash"`,
    [id, now],
  );
  return rows[0] ?? null;
}

/** Declines a pending sign-up: false when it is unknown or no longer pending. */
export async function declineSignup(db: Queryable, id: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE organizer_signups SET declined_at = $2 WHERE id = $1 AND used_at IS NULL AND declined_at IS NULL AND expires_at > $2`,
    [id, now],
  );
  return (rowCount ?? 0) > 0;
}

/** Sign-ups still waiting, oldest first; one whose address has an account since is left out. */
export async function pendingSignups(db: Queryable, now: Date, limit: number): Promise<SignupRequest[]> {
  const { rows } = await db.query<{ id: string; email: string; name: string; createdAt: Date; expiresAt: Date }>(
    `SELECT s.id, s.email::text AS email, s.name, s.created_at AS "createdAt", s.expires_at AS "expiresAt"
       FROM organizer_signups s
      WHERE s.used_at IS NULL AND s.declined_at IS NULL AND s.expires_at > $1
        AND NOT EXISTS (SELECT 1 FROM organizers o WHERE o.email = s.email)
      ORDER BY s.created_at, s.id LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), expiresAt: r.expiresAt.toISOString() }));
}

/** The instance's sign-up mail, newest first (without its text: rendered by the mail service). */
export async function signupMessages(db: Queryable, limit: number): Promise<(Omit<SignupMessage, 'text' | 'createdAt'> & { createdAt: Date; signupId: string | null; payload: SignupPayload })[]> {
  const { rows } = await db.query(
    `SELECT id::text AS id, kind, recipient::text AS recipient, subject, status, created_at AS "createdAt", signup_id AS "signupId", payload
       FROM mail_outbox WHERE kind IN ('signup-confirm', 'signup-exists') ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** A new single-use organizer invitation. */
export async function insertOrganizerInvite(db: Queryable, invitedBy: string, expiresAt: Date): Promise<string> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO organizer_invites (invited_by, expires_at) VALUES ($1, $2) RETURNING id', [invitedBy, expiresAt]);
  return rows[0]!.id;
}

/** Locks a live (unused, unexpired) invitation for this transaction: false when there is none. */
export async function lockLiveInvite(db: Queryable, id: string, now: Date): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM organizer_invites WHERE id = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE', [id, now]);
  return rows.length > 0;
}

export async function useInvite(db: Queryable, id: string, organizerId: string, now: Date): Promise<void> {
  await db.query('UPDATE organizer_invites SET used_at = $2, used_by = $3 WHERE id = $1', [id, now, organizerId]);
}
