import type { Queryable } from '../../plugins/db.ts';
import type { MetPerson } from '@constellation/shared/schemas/ratings';
import type { MeetingRef } from '../attendance/attendance.service.ts';

/** The people a participant met (`held`: their meetings that were held), with their own rating or note of each. */
export async function listMet(db: Queryable, eventId: string, participantId: string, role: 'mentor' | 'mentee', held: readonly MeetingRef[]): Promise<MetPerson[]> {
  const mine = held.filter((m) => (role === 'mentor' ? m.mentorId : m.menteeId) === participantId);
  if (mine.length === 0) return [];
  const partnerIds = mine.map((m) => (role === 'mentor' ? m.menteeId : m.mentorId));
  const { rows } = await db.query<{
    id: string;
    name: string;
    role: 'mentor' | 'mentee';
    fit: number | null;
    would_mentor: boolean | null;
    rating_note: string | null;
    mentee_note: string | null;
  }>(
    `SELECT p.id, p.name, p.role, r.fit, r.would_mentor, r.note AS rating_note, n.note AS mentee_note
       FROM participants p
       LEFT JOIN ratings r ON $3 = 'mentor' AND r.event_id = p.event_id AND r.mentor_id = $2 AND r.mentee_id = p.id
       LEFT JOIN mentee_notes n ON $3 = 'mentee' AND n.event_id = p.event_id AND n.mentor_id = p.id AND n.mentee_id = $2
      WHERE p.event_id = $1 AND p.id = ANY($4::uuid[])`,
    [eventId, participantId, role, partnerIds],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return mine.flatMap((m) => {
    const r = byId.get(role === 'mentor' ? m.menteeId : m.mentorId);
    if (!r) return []; // removed from the event
    return [
      {
        participantId: r.id,
        name: r.name,
        role: r.role,
        round: m.round,
        rating: r.fit === null ? null : { fit: r.fit, wouldMentor: r.would_mentor!, note: r.rating_note ?? '' },
        note: role === 'mentee' ? (r.mentee_note ?? null) : null,
      },
    ];
  });
}

export async function upsertRating(db: Queryable, eventId: string, mentorId: string, menteeId: string, r: { fit: number; wouldMentor: boolean; note: string }): Promise<void> {
  await db.query(
    `INSERT INTO ratings (event_id, mentor_id, mentee_id, fit, would_mentor, note) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id, mentor_id, mentee_id) DO UPDATE SET fit = $4, would_mentor = $5, note = $6, updated_at = now()`,
    [eventId, mentorId, menteeId, r.fit, r.wouldMentor, r.note],
  );
}

export async function upsertMenteeNote(db: Queryable, eventId: string, mentorId: string, menteeId: string, note: string): Promise<void> {
  await db.query(
    `INSERT INTO mentee_notes (event_id, mentor_id, mentee_id, note) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id, mentor_id, mentee_id) DO UPDATE SET note = $4, updated_at = now()`,
    [eventId, mentorId, menteeId, note],
  );
}

export async function loadPreferences(db: Queryable, eventId: string, menteeId: string): Promise<{ ranking: string[]; notAFit: string[] } | null> {
  const { rows } = await db.query<{ ranking: string[]; not_a_fit: string[] }>('SELECT ranking, not_a_fit FROM preferences WHERE event_id = $1 AND mentee_id = $2', [eventId, menteeId]);
  return rows[0] ? { ranking: rows[0].ranking, notAFit: rows[0].not_a_fit } : null;
}

export async function upsertPreferences(db: Queryable, eventId: string, menteeId: string, ranking: string[], notAFit: string[]): Promise<void> {
  await db.query(
    `INSERT INTO preferences (event_id, mentee_id, ranking, not_a_fit) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id, mentee_id) DO UPDATE SET ranking = $3, not_a_fit = $4, updated_at = now()`,
    [eventId, menteeId, ranking, notAFit],
  );
}

export async function setCapacity(db: Queryable, eventId: string, mentorId: string, capacity: number): Promise<void> {
  await db.query('UPDATE participants SET capacity = $3, capacity_confirmed_at = now() WHERE event_id = $1 AND id = $2', [eventId, mentorId, capacity]);
}

export async function submissionsOpen(db: Queryable, eventId: string): Promise<boolean> {
  const { rows } = await db.query<{ closed: boolean }>('SELECT submissions_closed_at IS NOT NULL AS closed FROM events WHERE id = $1', [eventId]);
  return rows[0] ? !rows[0].closed : false;
}

export async function setSubmissionsOpen(db: Queryable, eventId: string, open: boolean): Promise<void> {
  await db.query(`UPDATE events SET submissions_closed_at = ${open ? 'NULL' : 'coalesce(submissions_closed_at, now())'} WHERE id = $1`, [eventId]);
}

export interface EventFeedback {
  people: { id: string; name: string; role: 'mentor' | 'mentee'; email: string; capacity: number; constellationSize: number; capacityConfirmed: boolean }[];
  meetings: { mentorId: string; menteeId: string; round: number }[];
  ratings: { mentorId: string; menteeId: string; fit: number; wouldMentor: boolean; note: string }[];
  notes: { mentorId: string; menteeId: string; note: string }[];
  preferences: { menteeId: string; ranking: string[]; notAFit: string[] }[];
}

/** Everything submitted for an event about the meetings that were held (`held`), for the organizer and the matching. */
export async function loadEventFeedback(db: Queryable, eventId: string, held: readonly MeetingRef[]): Promise<EventFeedback> {
  const [people, ratings, notes, preferences] = await Promise.all([
    db.query(
      `SELECT id, name, role, email::text AS email, capacity, constellation_size AS "constellationSize", capacity_confirmed_at IS NOT NULL AS "capacityConfirmed"
         FROM participants WHERE event_id = $1 ORDER BY role, name, id`,
      [eventId],
    ),
    db.query(`SELECT mentor_id AS "mentorId", mentee_id AS "menteeId", fit, would_mentor AS "wouldMentor", note FROM ratings WHERE event_id = $1`, [eventId]),
    db.query(`SELECT mentor_id AS "mentorId", mentee_id AS "menteeId", note FROM mentee_notes WHERE event_id = $1`, [eventId]),
    db.query(`SELECT mentee_id AS "menteeId", ranking, not_a_fit AS "notAFit" FROM preferences WHERE event_id = $1`, [eventId]),
  ]);
  // Only what is about a meeting that was held counts (a correction may have taken one back).
  const pairs = new Set(held.map((m) => `${m.mentorId}:${m.menteeId}`));
  const aboutHeld = (r: { mentorId: string; menteeId: string }) => pairs.has(`${r.mentorId}:${r.menteeId}`);
  return {
    people: people.rows,
    meetings: held.map(({ mentorId, menteeId, round }) => ({ mentorId, menteeId, round })),
    ratings: ratings.rows.filter(aboutHeld),
    notes: notes.rows.filter(aboutHeld),
    preferences: preferences.rows,
  } as EventFeedback;
}
