import type { Queryable } from '../../plugins/db.ts';
import type { Announcement } from '@constellation/shared/realtime/events';
import type { ClockCommand, ClockLogEntry, ClockSettings } from './core/clock-machine.ts';

export async function loadClockLog(db: Queryable, eventId: string): Promise<ClockLogEntry[]> {
  const { rows } = await db.query<{ command: ClockCommand; at_ms: string }>(
    'SELECT command, at_ms FROM clock_commands WHERE event_id = $1 ORDER BY seq',
    [eventId],
  );
  return rows.map((r) => ({ ...r.command, at: Number(r.at_ms) }));
}

/** How many commands each event's stored log holds (events without any are left out). */
export async function clockLogLengths(db: Queryable, eventIds: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ event_id: string; n: number }>(
    'SELECT event_id, count(*)::int AS n FROM clock_commands WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
    [eventIds],
  );
  return new Map(rows.map((r) => [r.event_id, r.n]));
}

export async function loadClockSettings(db: Queryable, eventId: string): Promise<ClockSettings | null> {
  const { rows } = await db.query<ClockSettings>(
    `SELECT round_seconds AS "roundSeconds", transition_seconds AS "transitionSeconds", rounds, breaks FROM events WHERE id = $1`,
    [eventId],
  );
  return rows[0] ?? null;
}

/**
 * Appends a command at position `seq`. The primary key (event_id, seq) makes a concurrent append
 * at the same position fail instead of forking the log.
 */
export async function appendClockCommand(db: Queryable, eventId: string, seq: number, entry: ClockLogEntry, organizerId: string | null): Promise<void> {
  const { at, ...command } = entry;
  await db.query('INSERT INTO clock_commands (event_id, seq, command, at_ms, created_by) VALUES ($1, $2, $3, $4, $5)', [
    eventId,
    seq,
    JSON.stringify(command),
    at,
    organizerId,
  ]);
}

export async function setEventStatus(db: Queryable, eventId: string, status: 'draft' | 'live' | 'finished'): Promise<void> {
  await db.query('UPDATE events SET status = $2, updated_at = now() WHERE id = $1 AND status <> $2', [eventId, status]);
}

export async function liveEventIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM events WHERE status = 'live'`);
  return rows.map((r) => r.id);
}

export async function insertAnnouncement(db: Queryable, eventId: string, text: string, sentAt: number): Promise<Announcement> {
  const { rows } = await db.query<{ id: string }>('INSERT INTO announcements (event_id, text, sent_at_ms) VALUES ($1, $2, $3) RETURNING id', [eventId, text, sentAt]);
  return { id: rows[0]!.id, text, sentAt };
}

export async function listAnnouncements(db: Queryable, eventId: string): Promise<Announcement[]> {
  const { rows } = await db.query<{ id: string; text: string; sent_at_ms: string }>(
    'SELECT id, text, sent_at_ms FROM announcements WHERE event_id = $1 ORDER BY sent_at_ms, id',
    [eventId],
  );
  return rows.map((r) => ({ id: r.id, text: r.text, sentAt: Number(r.sent_at_ms) }));
}
