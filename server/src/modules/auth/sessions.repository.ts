import type { Queryable } from '../../plugins/db.ts';
import { randomToken, sha256 } from '../../lib/crypto.ts';
import type { Organizer } from '@constellation/shared/schemas/auth';

export type SessionSubject = { organizerId: string } | { participantId: string; eventId: string };

export interface ParticipantSession {
  participantId: string;
  eventId: string;
  role: 'mentor' | 'mentee';
}

/** Creates a session and returns the bearer token; only its hash is stored. */
export async function createSession(db: Queryable, subject: SessionSubject, ttlSeconds: number): Promise<string> {
  const token = randomToken();
  const organizerId = 'organizerId' in subject ? subject.organizerId : null;
  const participantId = 'participantId' in subject ? subject.participantId : null;
  const eventId = 'eventId' in subject ? subject.eventId : null;
  await db.query(
    `INSERT INTO sessions (token_hash, organizer_id, participant_id, event_id, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
    [sha256(token), organizerId, participantId, eventId, ttlSeconds],
  );
  return token;
}

export async function findOrganizerSession(db: Queryable, token: string): Promise<Organizer | null> {
  const { rows } = await db.query<Organizer>(
    `SELECT o.id, o.email::text AS email, o.name, o.is_owner AS owner FROM sessions s JOIN organizers o ON o.id = s.organizer_id
      WHERE s.token_hash = $1 AND s.expires_at > now()`,
    [sha256(token)],
  );
  return rows[0] ?? null;
}

export async function findParticipantSession(db: Queryable, token: string): Promise<ParticipantSession | null> {
  const { rows } = await db.query<ParticipantSession>(
    `SELECT p.id AS "participantId", p.event_id AS "eventId", p.role
       FROM sessions s JOIN participants p ON p.id = s.participant_id AND p.event_id = s.event_id
      WHERE s.token_hash = $1 AND s.expires_at > now()`,
    [sha256(token)],
  );
  return rows[0] ?? null;
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)]);
}
