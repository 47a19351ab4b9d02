import type { Queryable } from '../../plugins/db.ts';

export interface StoredPair {
  mentorId: string;
  menteeId: string;
  status: 'proposed' | 'confirmed';
  source: 'stable' | 'welfare' | 'manual' | 'circles';
}

export async function loadPairing(db: Queryable, eventId: string): Promise<StoredPair[]> {
  const { rows } = await db.query<StoredPair>(
    'SELECT mentor_id AS "mentorId", mentee_id AS "menteeId", status, source FROM matches WHERE event_id = $1 ORDER BY mentee_id, mentor_id',
    [eventId],
  );
  return rows;
}

/** Replaces the proposed pairing whole. Call inside a transaction. */
export async function replacePairing(db: Queryable, eventId: string, source: StoredPair['source'], pairs: { mentorId: string; menteeId: string }[]): Promise<void> {
  await db.query('DELETE FROM matches WHERE event_id = $1', [eventId]);
  await db.query(
    `INSERT INTO matches (event_id, mentor_id, mentee_id, status, source)
     SELECT $1, mentor_id, mentee_id, 'proposed', $2 FROM unnest($3::uuid[], $4::uuid[]) AS t(mentor_id, mentee_id)`,
    [eventId, source, pairs.map((p) => p.mentorId), pairs.map((p) => p.menteeId)],
  );
}

export async function confirmPairing(db: Queryable, eventId: string): Promise<number> {
  const { rowCount } = await db.query(`UPDATE matches SET status = 'confirmed', confirmed_at = now() WHERE event_id = $1 AND status = 'proposed'`, [eventId]);
  return rowCount ?? 0;
}

export async function audit(db: Queryable, eventId: string, organizerId: string, action: string, detail: object): Promise<void> {
  await db.query('INSERT INTO match_audit (event_id, organizer_id, action, detail) VALUES ($1, $2, $3, $4)', [eventId, organizerId, action, JSON.stringify(detail)]);
}

/** A participant's own confirmed matches, and nothing else. */
export async function myConfirmedMatches(db: Queryable, eventId: string, participantId: string): Promise<{ participantId: string; name: string; role: string; email: string }[]> {
  const { rows } = await db.query(
    `SELECT p.id AS "participantId", p.name, p.role, p.email::text AS email
       FROM matches m JOIN participants p ON p.event_id = m.event_id AND p.id = CASE WHEN m.mentor_id = $2 THEN m.mentee_id ELSE m.mentor_id END
      WHERE m.event_id = $1 AND m.status = 'confirmed' AND (m.mentor_id = $2 OR m.mentee_id = $2)
      ORDER BY p.name`,
    [eventId, participantId],
  );
  return rows;
}

export interface CirclePerson {
  id: string;
  name: string;
  email: string;
}

/** The confirmed circle a participant is in (as its mentor or a member), or null. */
export async function myConfirmedCircle(db: Queryable, eventId: string, participantId: string): Promise<{ mentor: CirclePerson; members: CirclePerson[] } | null> {
  const { rows } = await db.query<CirclePerson & { role: string }>(
    `WITH mine AS (
       SELECT mentor_id FROM matches
        WHERE event_id = $1 AND status = 'confirmed' AND source = 'circles' AND (mentor_id = $2 OR mentee_id = $2)
        LIMIT 1)
     SELECT p.id, p.name, p.email::text AS email, p.role
       FROM mine JOIN participants p ON p.event_id = $1
      WHERE p.id = mine.mentor_id
         OR p.id IN (SELECT mentee_id FROM matches m WHERE m.event_id = $1 AND m.mentor_id = mine.mentor_id AND m.status = 'confirmed' AND m.source = 'circles')
      ORDER BY p.name, p.id`,
    [eventId, participantId],
  );
  const mentor = rows.find((r) => r.role === 'mentor');
  if (!mentor) return null;
  const person = ({ id, name, email }: CirclePerson): CirclePerson => ({ id, name, email });
  return { mentor: person(mentor), members: rows.filter((r) => r.role !== 'mentor').map(person) };
}
