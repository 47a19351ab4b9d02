import type { Queryable } from '../../plugins/db.ts';
import type { MailKind, MailPayload } from './core/templates.ts';

export type MailStatus = 'queued' | 'sent' | 'failed' | 'held';

/** A message to queue: who gets it, and what it says (without their link). */
export interface MailDraft {
  /** Null for a sign-up's mail. */
  eventId: string | null;
  participantId: string | null;
  signupId?: string;
  recipient: string;
  kind: MailKind;
  subject: string;
  payload: MailPayload;
  /** Reminders: at most one row per participant and key. */
  dedupeKey?: string;
}

export interface OutboxRow {
  id: string;
  eventId: string;
  participantId: string;
  /** A sign-up's mail: its confirmation link is derived from this (eventId and participantId are then null). */
  signupId: string | null;
  kind: MailKind;
  recipient: string;
  subject: string;
  payload: MailPayload;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
  /** The participant's live invitation: their link is derived from it. */
  invitationId: string | null;
}

const OUTBOX_COLUMNS = `o.id::text AS id, o.event_id AS "eventId", o.participant_id AS "participantId", o.kind, o.recipient::text AS recipient,
  o.subject, o.payload, o.status, o.attempts, o.last_error AS "lastError", o.next_attempt_at AS "nextAttemptAt",
  o.created_at AS "createdAt", o.sent_at AS "sentAt", i.id AS "invitationId", o.signup_id AS "signupId"`;
const LIVE_INVITATION = `LEFT JOIN invitations i ON i.participant_id = o.participant_id AND i.revoked_at IS NULL`;

/** Queues (or holds) messages with one statement; a reminder already queued for its key is skipped. Returns how many rows were written. */
export async function insertMessages(db: Queryable, drafts: readonly MailDraft[], status: 'queued' | 'held', now: Date): Promise<number> {
  if (drafts.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO mail_outbox (event_id, participant_id, kind, recipient, subject, payload, dedupe_key, status, next_attempt_at, created_at, signup_id)
     SELECT event_id, participant_id, kind, recipient, subject, payload, dedupe_key, $8::text, CASE WHEN $8::text = 'queued' THEN $9::timestamptz END, $9, signup_id
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $10::uuid[])
         AS t(event_id, participant_id, kind, recipient, subject, payload, dedupe_key, signup_id)
     ON CONFLICT (participant_id, dedupe_key) DO NOTHING`,
    [
      drafts.map((d) => d.eventId),
      drafts.map((d) => d.participantId),
      drafts.map((d) => d.kind),
      drafts.map((d) => d.recipient),
      drafts.map((d) => d.subject),
      drafts.map((d) => JSON.stringify(d.payload)),
      drafts.map((d) => d.dedupeKey ?? null),
      status,
      now,
      drafts.map((d) => d.signupId ?? null),
    ],
  );
  return rowCount ?? 0;
}

/**
 * Claims up to `limit` due messages for this sender: each claimed row's next attempt moves to the
 * end of the lease and its attempt is counted, so no other sender takes it meanwhile, and a sender
 * that dies mid-send leaves it to be retried once the lease is over (at most one duplicate).
 */
export async function claimDue(db: Queryable, now: Date, leaseUntil: Date, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>(
    `WITH claimed AS (
       UPDATE mail_outbox SET next_attempt_at = $2, attempts = attempts + 1
        WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= $1
                      ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *)
     SELECT ${OUTBOX_COLUMNS} FROM claimed o ${LIVE_INVITATION} ORDER BY o.id`,
    [now, leaseUntil, limit],
  );
  return rows;
}

export async function markSent(db: Queryable, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`UPDATE mail_outbox SET status = 'sent', sent_at = $2, next_attempt_at = NULL, last_error = NULL WHERE id = ANY($1::bigint[])`, [ids, now]);
}

export async function markRetry(db: Queryable, id: string, nextAttemptAt: Date, error: string): Promise<void> {
  await db.query(`UPDATE mail_outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1 AND status = 'queued'`, [id, nextAttemptAt, error]);
}

export async function markFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE mail_outbox SET status = 'failed', next_attempt_at = NULL, last_error = $2 WHERE id = $1 AND status = 'queued'`, [id, error]);
}

/** The event's messages, newest first. */
export async function listOutbox(db: Queryable, eventId: string, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox o ${LIVE_INVITATION} WHERE o.event_id = $1 ORDER BY o.id DESC LIMIT $2`, [eventId, limit]);
  return rows;
}

export async function countOutbox(db: Queryable, eventId: string): Promise<Record<MailStatus, number>> {
  const { rows } = await db.query<{ status: MailStatus; n: number }>(`SELECT status, count(*)::int AS n FROM mail_outbox WHERE event_id = $1 GROUP BY status`, [eventId]);
  const counts: Record<MailStatus, number> = { queued: 0, sent: 0, failed: 0, held: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/** Puts a failed (or held) message back in the queue, due now, with a fresh count of attempts. */
export async function requeue(db: Queryable, eventId: string, id: string, now: Date): Promise<OutboxRow | null> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = $3 WHERE event_id = $1 AND id = $2 AND status IN ('failed', 'held') RETURNING id::text AS id`,
    [eventId, id, now],
  );
  if (!rows[0]) return null;
  const found = await db.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox o ${LIVE_INVITATION} WHERE o.id = $1`, [id]);
  return found.rows[0] ?? null;
}

export async function messageStatus(db: Queryable, eventId: string, id: string): Promise<MailStatus | null> {
  const { rows } = await db.query<{ status: MailStatus }>(`SELECT status FROM mail_outbox WHERE event_id = $1 AND id = $2`, [eventId, id]);
  return rows[0]?.status ?? null;
}

/** Events that have not started and whose earliest reminder time has come. */
export async function eventsInReminderWindow(db: Queryable, now: Date): Promise<{ id: string; title: string; startsAt: Date; timeZone: string; offsets: number[] }[]> {
  const { rows } = await db.query(
    `SELECT id, title, scheduled_start AS "startsAt", time_zone AS "timeZone", reminder_offsets_minutes AS offsets
       FROM events e
      WHERE status = 'draft' AND scheduled_start > $1 AND cardinality(reminder_offsets_minutes) > 0
        AND scheduled_start - make_interval(mins => (SELECT max(m) FROM unnest(e.reminder_offsets_minutes) m)) <= $1`,
    [now],
  );
  return rows;
}

export async function reminderKeys(db: Queryable, eventId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ key: string }>(`SELECT DISTINCT dedupe_key AS key FROM mail_outbox WHERE event_id = $1 AND kind = 'reminder'`, [eventId]);
  return new Set(rows.map((r) => r.key));
}

export interface Recipient {
  id: string;
  name: string;
  email: string;
  role: 'mentor' | 'mentee';
  timeZone: string | null;
}

/** The event's participants as mail recipients (all of them, or those listed). */
export async function recipientsOf(db: Queryable, eventId: string, participantIds: readonly string[] | null): Promise<Recipient[]> {
  const { rows } = await db.query<Recipient>(
    `SELECT id, name, email::text AS email, role, profile->>'timeZone' AS "timeZone" FROM participants
      WHERE event_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) ORDER BY role, name, id`,
    [eventId, participantIds],
  );
  return rows;
}
