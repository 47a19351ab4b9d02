import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../plugins/db.ts';
import type { Participant, ParticipantCreateBody, ParticipantUpdateBody } from '@constellation/shared/schemas/participants';
import { inviteToken, sameToken, sha256 } from '../../lib/crypto.ts';

const COLUMNS = `id, event_id, role, name, email::text AS email, profile, capacity, constellation_size, created_at`;

interface ParticipantRow {
  id: string;
  event_id: string;
  role: Participant['role'];
  name: string;
  email: string;
  profile: Participant['profile'];
  capacity: number;
  constellation_size: number;
  created_at: Date;
}

export function toParticipant(row: ParticipantRow): Participant {
  return {
    id: row.id,
    eventId: row.event_id,
    role: row.role,
    name: row.name,
    email: row.email,
    profile: row.profile,
    capacity: row.capacity,
    constellationSize: row.constellation_size,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listParticipants(db: Queryable, eventId: string): Promise<Participant[]> {
  const { rows } = await db.query<ParticipantRow>(`SELECT ${COLUMNS} FROM participants WHERE event_id = $1 ORDER BY role, name, id`, [eventId]);
  return rows.map(toParticipant);
}

export async function findParticipant(db: Queryable, eventId: string, participantId: string): Promise<Participant | null> {
  const { rows } = await db.query<ParticipantRow>(`SELECT ${COLUMNS} FROM participants WHERE event_id = $1 AND id = $2`, [eventId, participantId]);
  return rows[0] ? toParticipant(rows[0]) : null;
}

export async function existingEmails(db: Queryable, eventId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ email: string }>(`SELECT lower(email::text) AS email FROM participants WHERE event_id = $1`, [eventId]);
  return new Set(rows.map((r) => r.email));
}

/**
 * Inserts participants and one live invitation each, with two set-based statements (5,000 rows
 * in a few tens of milliseconds). Call inside a transaction.
 */
export async function insertParticipants(db: Queryable, eventId: string, inputs: ParticipantCreateBody[], secret: string): Promise<string[]> {
  const ids = inputs.map(() => randomUUID());
  await db.query(
    `INSERT INTO participants (id, event_id, role, name, email, profile, capacity, constellation_size)
     SELECT id, $1, role, name, email, profile, capacity, constellation_size
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::int[], $8::int[])
         AS t(id, role, name, email, profile, capacity, constellation_size)`,
    [
      eventId,
      ids,
      inputs.map((p) => p.role),
      inputs.map((p) => p.name),
      inputs.map((p) => p.email),
      inputs.map((p) => JSON.stringify(p.profile ?? {})),
      inputs.map((p) => p.capacity ?? 1),
      inputs.map((p) => p.constellationSize ?? 1),
    ],
  );
  await insertInvitations(db, eventId, ids, secret);
  return ids;
}

async function insertInvitations(db: Queryable, eventId: string, participantIds: string[], secret: string): Promise<void> {
  const invitationIds = participantIds.map(() => randomUUID());
  await db.query(
    `INSERT INTO invitations (id, event_id, participant_id, token_hash)
     SELECT id, $1, participant_id, token_hash FROM unnest($2::uuid[], $3::uuid[], $4::bytea[]) AS t(id, participant_id, token_hash)`,
    [eventId, invitationIds, participantIds, invitationIds.map((id) => sha256(inviteToken(secret, id)))],
  );
}

const UPDATABLE = {
  role: 'role',
  name: 'name',
  email: 'email',
  profile: 'profile',
  capacity: 'capacity',
  constellationSize: 'constellation_size',
} as const satisfies Record<keyof ParticipantUpdateBody, string>;

export async function updateParticipant(db: Queryable, eventId: string, participantId: string, patch: ParticipantUpdateBody): Promise<Participant | null> {
  const sets: string[] = [];
  const params: unknown[] = [eventId, participantId];
  for (const [key, column] of Object.entries(UPDATABLE) as [keyof ParticipantUpdateBody, string][]) {
    const value = patch[key];
    if (value === undefined) continue;
    params.push(key === 'profile' ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}`);
  }
  const { rows } = await db.query<ParticipantRow>(
    `UPDATE participants SET ${sets.join(', ')} WHERE event_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    params,
  );
  return rows[0] ? toParticipant(rows[0]) : null;
}

export async function deleteParticipant(db: Queryable, eventId: string, participantId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM participants WHERE event_id = $1 AND id = $2', [eventId, participantId]);
  return (rowCount ?? 0) > 0;
}

export interface LiveInvitation {
  id: string;
  participantId: string;
  createdAt: Date;
}

export async function listLiveInvitations(db: Queryable, eventId: string): Promise<LiveInvitation[]> {
  const { rows } = await db.query<LiveInvitation>(
    `SELECT i.id, i.participant_id AS "participantId", i.created_at AS "createdAt"
       FROM invitations i JOIN participants p ON p.id = i.participant_id
      WHERE i.event_id = $1 AND i.revoked_at IS NULL ORDER BY p.role, p.name, p.id`,
    [eventId],
  );
  return rows;
}

/** Revokes the participant's live invitation and issues a new one. Call inside a transaction. */
export async function regenerateInvitation(db: Queryable, eventId: string, participantId: string, secret: string): Promise<LiveInvitation> {
  await db.query(`UPDATE invitations SET revoked_at = now() WHERE event_id = $1 AND participant_id = $2 AND revoked_at IS NULL`, [eventId, participantId]);
  // Whoever holds the old link may have used it already: their sessions end too.
  await db.query(`DELETE FROM sessions WHERE participant_id = $1`, [participantId]);
  await insertInvitations(db, eventId, [participantId], secret);
  const { rows } = await db.query<LiveInvitation>(
    `SELECT id, participant_id AS "participantId", created_at AS "createdAt" FROM invitations WHERE participant_id = $1 AND revoked_at IS NULL`,
    [participantId],
  );
  return rows[0]!;
}

/**
 * The participant a live invite token belongs to, marking the invitation used. The token must be
 * the one the current secret derives from the invitation's id, so rotating SESSION_SECRET revokes
 * every link issued before.
 */
export async function redeemInviteToken(db: Queryable, token: string, secret: string): Promise<{ participantId: string; eventId: string } | null> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM invitations WHERE token_hash = $1 AND revoked_at IS NULL`, [sha256(token)]);
  const id = rows[0]?.id;
  if (!id || !sameToken(inviteToken(secret, id), token)) return null;
  const updated = await db.query<{ participantId: string; eventId: string }>(
    `UPDATE invitations SET last_used_at = now() WHERE id = $1 AND revoked_at IS NULL
     RETURNING participant_id AS "participantId", event_id AS "eventId"`,
    [id],
  );
  return updated.rows[0] ?? null;
}
