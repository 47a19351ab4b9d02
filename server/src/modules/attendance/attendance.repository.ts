import type { Queryable } from '../../plugins/db.ts';
import type { PresenceEvent } from '../video/core/attendance.ts';

/** A seat: a mentor and a mentee put together in a round, in one video room. */
export interface SeatRow {
  round: number;
  mentorId: string;
  menteeId: string;
  roomName: string | null;
  source: 'plan' | 'rescue' | 'move';
  /** When a live change seated them; null: from the round's start. */
  seatedAt: number | null;
  /** When a live change unseated them (a rescue, a move); null: they kept the seat. */
  replacedAt: number | null;
}

export interface CorrectionRow {
  round: number;
  mentorId: string;
  menteeId: string;
  met: boolean;
  reason: string;
  organizerId: string | null;
  at: string;
}

/** Seats of rounds 1..`upToRound`, of everyone or of one participant. */
export async function loadSeats(db: Queryable, eventId: string, upToRound: number, participantId?: string): Promise<SeatRow[]> {
  const { rows } = await db.query<{ round: number; mentor_id: string; mentee_id: string; room_name: string | null; source: SeatRow['source']; seated_at: Date | null; replaced_at: Date | null }>(
    `SELECT round, mentor_id, mentee_id, room_name, source, seated_at, replaced_at FROM meetings
      WHERE event_id = $1 AND round <= $2 AND ($3::uuid IS NULL OR $3 IN (mentor_id, mentee_id))
      ORDER BY round, mentor_id, seated_at NULLS FIRST, mentee_id`,
    [eventId, upToRound, participantId ?? null],
  );
  return rows.map((r) => ({
    round: r.round,
    mentorId: r.mentor_id,
    menteeId: r.mentee_id,
    roomName: r.room_name,
    source: r.source,
    seatedAt: r.seated_at?.getTime() ?? null,
    replacedAt: r.replaced_at?.getTime() ?? null,
  }));
}

/** The presence log of some rooms, by room, in arrival order. */
export async function loadPresence(db: Queryable, eventId: string, roomNames: readonly string[]): Promise<Map<string, PresenceEvent[]>> {
  const byRoom = new Map<string, PresenceEvent[]>();
  if (roomNames.length === 0) return byRoom;
  const { rows } = await db.query<{ room_name: string; participant_id: string; kind: 'joined' | 'left'; at: Date; id: string }>(
    `SELECT room_name, participant_id, kind, at, id FROM room_presence
      WHERE event_id = $1 AND room_name = ANY($2::text[]) AND kind IN ('joined', 'left') ORDER BY id`,
    [eventId, roomNames],
  );
  for (const r of rows) {
    let list = byRoom.get(r.room_name);
    if (!list) byRoom.set(r.room_name, (list = []));
    list.push({ participantId: r.participant_id, kind: r.kind, at: r.at.getTime(), seq: Number(r.id) });
  }
  return byRoom;
}

/** The organizer's latest word on each seat (the rows before it stay as the audit trail). */
export async function loadCorrections(db: Queryable, eventId: string, participantId?: string): Promise<CorrectionRow[]> {
  const { rows } = await db.query<CorrectionRow>(
    `SELECT DISTINCT ON (round, mentor_id, mentee_id) round, mentor_id AS "mentorId", mentee_id AS "menteeId", met, reason,
            organizer_id AS "organizerId", to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM attendance_corrections
      WHERE event_id = $1 AND ($2::uuid IS NULL OR $2 IN (mentor_id, mentee_id))
      ORDER BY round, mentor_id, mentee_id, id DESC`,
    [eventId, participantId ?? null],
  );
  return rows;
}

/** Every correction of an event, oldest first: the audit trail. */
export async function listCorrections(db: Queryable, eventId: string): Promise<CorrectionRow[]> {
  const { rows } = await db.query<CorrectionRow>(
    `SELECT round, mentor_id AS "mentorId", mentee_id AS "menteeId", met, reason, organizer_id AS "organizerId",
            to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM attendance_corrections WHERE event_id = $1 ORDER BY id`,
    [eventId],
  );
  return rows;
}

/** Appends a correction of a seat that exists; false when no such seat was ever made. */
export async function insertCorrection(
  db: Queryable,
  eventId: string,
  c: { round: number; mentorId: string; menteeId: string; met: boolean; reason: string; organizerId: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO attendance_corrections (event_id, round, mentor_id, mentee_id, met, reason, organizer_id)
     SELECT $1, $2, $3, $4, $5, $6, $7
      WHERE EXISTS (SELECT 1 FROM meetings WHERE event_id = $1 AND round = $2 AND mentor_id = $3 AND mentee_id = $4)`,
    [eventId, c.round, c.mentorId, c.menteeId, c.met, c.reason, c.organizerId],
  );
  return rowCount === 1;
}

/** The event's attendance settings, in seconds (null: the defaults). */
export async function loadAttendanceSettings(
  db: Queryable,
  eventId: string,
): Promise<{ roundSeconds: number; heldAfterSeconds: number | null; noShowAfterSeconds: number | null } | null> {
  const { rows } = await db.query<{ roundSeconds: number; heldAfterSeconds: number | null; noShowAfterSeconds: number | null }>(
    `SELECT round_seconds AS "roundSeconds", held_after_seconds AS "heldAfterSeconds", no_show_after_seconds AS "noShowAfterSeconds" FROM events WHERE id = $1`,
    [eventId],
  );
  return rows[0] ?? null;
}
