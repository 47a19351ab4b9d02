import type { NoShowRecord } from '@constellation/shared/realtime/events';
import type { Queryable } from '../../plugins/db.ts';

export interface PresenceRow {
  eventId: string;
  participantId: string;
  round: number;
  roomName: string;
  /** A join or a leave; `published`: a camera or microphone track reached the room (kept for the record). */
  kind: 'joined' | 'left' | 'published';
  at: Date;
  webhookId: string;
}

/**
 * Appends one join, leave or track publication. Returns false when the webhook was already recorded (LiveKit retried it),
 * so the caller tells the organizers only once.
 */
export async function recordPresence(db: Queryable, row: PresenceRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO room_presence (event_id, participant_id, round, room_name, kind, at, webhook_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (webhook_id) DO NOTHING`,
    [row.eventId, row.participantId, row.round, row.roomName, row.kind, row.at, row.webhookId],
  );
  return rowCount === 1;
}

/**
 * Participants who showed up for the round: in a room of it now, or joined one since `startedAt`.
 * Waiting on standby before the start and leaving before it does not count.
 */
export async function showedUpInRound(db: Queryable, eventId: string, round: number, startedAt: Date): Promise<Set<string>> {
  const { rows } = await db.query<{ participant_id: string }>(
    `SELECT participant_id FROM room_presence WHERE event_id = $1 AND round = $2 AND kind = 'joined' AND at >= $3
     UNION
     SELECT participant_id FROM (
       SELECT DISTINCT ON (participant_id) participant_id, kind
       FROM room_presence WHERE event_id = $1 AND round = $2 AND kind IN ('joined', 'left')
       ORDER BY participant_id, at DESC, id DESC
     ) last WHERE kind = 'joined'`,
    [eventId, round, startedAt],
  );
  return new Set(rows.map((r) => r.participant_id));
}

/** Who is in each room of the round now: the last thing heard of each participant was a join. */
export async function presentInRound(db: Queryable, eventId: string, round: number): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ room_name: string; participant_id: string }>(
    `SELECT room_name, participant_id FROM (
       SELECT DISTINCT ON (room_name, participant_id) room_name, participant_id, kind
       FROM room_presence WHERE event_id = $1 AND round = $2 AND kind IN ('joined', 'left')
       ORDER BY room_name, participant_id, at DESC, id DESC
     ) last WHERE kind = 'joined'`,
    [eventId, round],
  );
  const byRoom = new Map<string, string[]>();
  for (const r of rows) byRoom.set(r.room_name, [...(byRoom.get(r.room_name) ?? []), r.participant_id]);
  return byRoom;
}

/** Flags a no-show; false when they were already flagged for that round (nobody is told twice). */
export async function recordNoShow(
  db: Queryable,
  row: { eventId: string; round: number; participantId: string; roomName: string; at: Date },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO no_shows (event_id, round, participant_id, room_name, flagged_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id, round, participant_id) DO NOTHING`,
    [row.eventId, row.round, row.participantId, row.roomName, row.at],
  );
  return rowCount === 1;
}

/** A flagged participant joined their room after all. */
export async function markArrived(db: Queryable, eventId: string, round: number, participantId: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE no_shows SET arrived_at = GREATEST($4::timestamptz, flagged_at)
     WHERE event_id = $1 AND round = $2 AND participant_id = $3 AND arrived_at IS NULL`,
    [eventId, round, participantId, at],
  );
  return (rowCount ?? 0) > 0;
}

// A no-show counts as absent until they are seen again: late in that round, or in a later round's room.
const ABSENT = `(n.arrived_at IS NULL AND NOT EXISTS (
  SELECT 1 FROM room_presence p
  WHERE p.event_id = n.event_id AND p.participant_id = n.participant_id AND p.kind = 'joined' AND p.round > n.round
))`;

export async function listNoShows(db: Queryable, eventId: string): Promise<NoShowRecord[]> {
  const { rows } = await db.query<{ round: number; participant_id: string; room_name: string; flagged_at: Date; arrived_at: Date | null; absent: boolean }>(
    `SELECT n.round, n.participant_id, n.room_name, n.flagged_at, n.arrived_at, ${ABSENT} AS absent
     FROM no_shows n WHERE n.event_id = $1 ORDER BY n.round, n.flagged_at, n.participant_id`,
    [eventId],
  );
  return rows.map((r) => ({
    round: r.round,
    participantId: r.participant_id,
    roomName: r.room_name,
    flaggedAt: r.flagged_at.toISOString(),
    arrivedAt: r.arrived_at?.toISOString() ?? null,
    absent: r.absent,
  }));
}

/** Participants to treat as absent when re-planning the rounds not yet held. */
export async function absentNoShowIds(db: Queryable, eventId: string): Promise<string[]> {
  const { rows } = await db.query<{ participant_id: string }>(
    `SELECT DISTINCT n.participant_id FROM no_shows n WHERE n.event_id = $1 AND ${ABSENT}`,
    [eventId],
  );
  return rows.map((r) => r.participant_id);
}

/** The organizer says a participant is here after all; false when none was recorded. */
export async function clearNoShows(db: Queryable, eventId: string, participantId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM no_shows WHERE event_id = $1 AND participant_id = $2', [eventId, participantId]);
  return (rowCount ?? 0) > 0;
}

/** Participants flagged as no-shows in a round who have not arrived since. */
export async function absentInRound(db: Queryable, eventId: string, round: number): Promise<Set<string>> {
  const { rows } = await db.query<{ participant_id: string }>(
    'SELECT participant_id FROM no_shows WHERE event_id = $1 AND round = $2 AND arrived_at IS NULL',
    [eventId, round],
  );
  return new Set(rows.map((r) => r.participant_id));
}

/**
 * Records live seat changes of a round (call inside a transaction with the plan's new seating):
 * the seats the moved people held end at `at`, and each move's pair gets a seat from `at`, in its
 * fresh room. Attendance is then measured per seat, in its own room and time.
 */
export async function replaceSeats(
  db: Queryable,
  eventId: string,
  round: number,
  moves: readonly { mentorId: string; menteeId: string; roomName: string; score: number }[],
  at: Date,
  source: 'rescue' | 'move',
): Promise<void> {
  for (const move of moves) {
    await db.query(
      `UPDATE meetings SET replaced_at = $5
        WHERE event_id = $1 AND round = $2 AND replaced_at IS NULL AND (mentor_id = $3 OR mentee_id = $4)`,
      [eventId, round, move.mentorId, move.menteeId, at],
    );
    await db.query(
      `INSERT INTO meetings (event_id, round, mentor_id, mentee_id, score, room_name, seated_at, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (event_id, round, mentor_id, mentee_id)
       DO UPDATE SET score = $5, room_name = $6, seated_at = $7, replaced_at = NULL, source = $8, co_host = false`,
      [eventId, round, move.mentorId, move.menteeId, move.score, move.roomName, at, source],
    );
  }
}

