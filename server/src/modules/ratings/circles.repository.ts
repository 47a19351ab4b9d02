import type { Queryable } from '../../plugins/db.ts';
import type { RoundFormat } from '@constellation/shared/schemas/events';
import type { AttendanceService, SeatRecord } from '../attendance/attendance.service.ts';
import { findEventById } from '../events/events.repository.ts';
import { parseRoomName } from '../video/room-name.ts';

/** A circle as it happened: a table's room in a circle round, its host(s) and the mentees present (attendance). */
export interface HeldCircle {
  round: number;
  /** The host: the mentor the room is named after (else the first by id). */
  mentorId: string;
  /** A co-hosted circle's other mentor, when they met someone there. */
  coMentorId?: string;
  menteeIds: string[];
}

/**
 * The circles held, from the seats that count as met in the event's circle rounds, one per room. A
 * mentee moved during a circle round sits in the last circle they met in (one circle per mentee
 * and round); a co-hosted circle is one circle with both hosts.
 */
export function heldCircles(formats: readonly RoundFormat[] | null, seats: readonly SeatRecord[]): HeldCircle[] {
  if (!formats) return [];
  const roomOf = new Map<string, string>(); // `${round}:${menteeId}` → room
  const hostsOf = new Map<string, Set<string>>(); // `${round}:${room}` → mentors met there
  for (const seat of seats) {
    if (!seat.met || formats[seat.round - 1]?.kind !== 'circle') continue;
    roomOf.set(`${seat.round}:${seat.menteeId}`, seat.roomName);
    const key = `${seat.round}:${seat.roomName}`;
    hostsOf.set(key, (hostsOf.get(key) ?? new Set()).add(seat.mentorId));
  }
  const circles = new Map<string, HeldCircle>();
  for (const [key, room] of roomOf) {
    const [round, menteeId] = key.split(':') as [string, string];
    const circleKey = `${round}:${room}`;
    let circle = circles.get(circleKey);
    if (!circle) {
      const tableId = parseRoomName(room)?.tableId ?? '';
      const [mentorId, coMentorId] = [...(hostsOf.get(circleKey) ?? [])].sort((a, b) => Number(tableId.startsWith(b)) - Number(tableId.startsWith(a)) || a.localeCompare(b)) as [string, string?];
      circles.set(circleKey, (circle = { round: Number(round), mentorId, ...(coMentorId ? { coMentorId } : {}), menteeIds: [] }));
    }
    circle.menteeIds.push(menteeId);
  }
  return [...circles.values()].sort((a, b) => a.round - b.round || a.mentorId.localeCompare(b.mentorId));
}

/** The circles of an event as held now (every seat of its circle rounds that counts as met). */
export async function loadHeldCircles(db: Queryable, attendance: Pick<AttendanceService, 'seats'>, eventId: string): Promise<HeldCircle[]> {
  const event = await findEventById(db, eventId);
  if (!event?.roundFormats?.some((f) => f.kind === 'circle')) return [];
  return heldCircles(event.roundFormats, await attendance.seats(eventId));
}

export interface CircleFeedbackRow {
  round: number;
  menteeId: string;
  mentorId: string;
  rating: number;
  note: string;
  peerIds: string[];
}

/** Circle ratings and peer wishes of an event (of one mentee, when given). */
export async function loadCircleFeedback(db: Queryable, eventId: string, menteeId?: string): Promise<CircleFeedbackRow[]> {
  const { rows } = await db.query<CircleFeedbackRow>(
    `SELECT r.round, r.mentee_id AS "menteeId", r.mentor_id AS "mentorId", r.rating, r.note,
            coalesce(array_agg(w.peer_id ORDER BY w.peer_id) FILTER (WHERE w.peer_id IS NOT NULL), '{}')::text[] AS "peerIds"
       FROM circle_ratings r
       LEFT JOIN circle_peer_wishes w ON (w.event_id, w.round, w.mentee_id) = (r.event_id, r.round, r.mentee_id)
      WHERE r.event_id = $1 AND ($2::uuid IS NULL OR r.mentee_id = $2)
      GROUP BY r.event_id, r.round, r.mentee_id
      ORDER BY r.round, r.mentee_id`,
    [eventId, menteeId ?? null],
  );
  return rows;
}

/** Only what is about a circle as held now counts (a correction may have taken a seat back). */
export function aboutHeldCircles(rows: readonly CircleFeedbackRow[], circles: readonly HeldCircle[]): CircleFeedbackRow[] {
  const present = new Map(circles.map((c) => [`${c.round}:${c.mentorId}`, new Set(c.menteeIds)]));
  return rows.flatMap((r) => {
    const members = present.get(`${r.round}:${r.mentorId}`);
    if (!members?.has(r.menteeId)) return [];
    return [{ ...r, peerIds: r.peerIds.filter((id) => id !== r.menteeId && members.has(id)) }];
  });
}

/** Replaces a mentee's rating and peer wishes of one circle, in one transaction (the caller's client). */
export async function replaceCircleFeedback(db: Queryable, eventId: string, f: Omit<CircleFeedbackRow, 'peerIds'> & { peerIds: readonly string[] }): Promise<void> {
  await db.query(
    `INSERT INTO circle_ratings (event_id, round, mentee_id, mentor_id, rating, note) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id, round, mentee_id) DO UPDATE SET mentor_id = $4, rating = $5, note = $6, updated_at = now()`,
    [eventId, f.round, f.menteeId, f.mentorId, f.rating, f.note],
  );
  await db.query('DELETE FROM circle_peer_wishes WHERE event_id = $1 AND round = $2 AND mentee_id = $3', [eventId, f.round, f.menteeId]);
  if (f.peerIds.length > 0) {
    await db.query(
      `INSERT INTO circle_peer_wishes (event_id, round, mentee_id, peer_id) SELECT $1, $2, $3, unnest($4::uuid[])`,
      [eventId, f.round, f.menteeId, f.peerIds],
    );
  }
}
