import type { Queryable } from '../../plugins/db.ts';
import type { Organizer } from '@constellation/shared/schemas/auth';

export async function insertOrganizer(db: Queryable, input: { email: string; name: string; passwordHash: string }): Promise<Organizer | null> {
  const { rows } = await db.query<Organizer>(
    `INSERT INTO organizers (email, name, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING
     RETURNING id, email::text, name`,
    [input.email, input.name, input.passwordHash],
  );
  return rows[0] ?? null;
}

export async function findOrganizerByEmail(db: Queryable, email: string): Promise<(Organizer & { passwordHash: string }) | null> {
  const { rows } = await db.query<Organizer & { passwordHash: string }>(
    `SELECT id, email::text, name, password_hash AS "passwordHash" FROM organizers WHERE email = $1`,
    [email],
  );
  return rows[0] ?? null;
}

/** True once the instance has an organizer: the first one signs up directly. */
export async function anyOrganizer(db: Queryable): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM organizers LIMIT 1');
  return rows.length > 0;
}

export async function insertSignup(db: Queryable, input: { email: string; name: string; passwordHash: string; expiresAt: Date }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO organizer_signups (email, name, password_hash, expires_at) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.email, input.name, input.passwordHash, input.expiresAt],
  );
  return rows[0]!.id;
}

/** Marks a pending sign-up used, once: its details, or null when it is unknown, used or expired. */
export async function redeemSignup(db: Queryable, id: string, now: Date): Promise<{ email: string; name: string; passwordHash: string } | null> {
  const { rows } = await db.query<{ email: string; name: string; passwordHash: string }>(
    `UPDATE organizer_signups SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2
     RETURNING email::text AS email, name, password_hash AS "passwordHash"`,
    [id, now],
  );
  return rows[0] ?? null;
}
