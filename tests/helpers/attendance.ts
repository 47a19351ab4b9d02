import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AccessToken } from 'livekit-server-sdk';
import { DEV_VIDEO_CONFIG } from '../../server/src/modules/video/video.config.ts';

export interface LiveKitKeys {
  apiKey: string;
  apiSecret: string;
}

/** A webhook body and its `Authorization`, signed with LiveKit's key as LiveKit signs it (`sha256` over the exact body). */
export async function signedPresence(
  change: { event: 'participant_joined' | 'participant_left'; roomName: string; identity: string; name?: string; at: number },
  keys: LiveKitKeys = DEV_VIDEO_CONFIG,
): Promise<{ body: string; authorization: string }> {
  const body = JSON.stringify({
    event: change.event,
    id: `EV_${randomUUID()}`,
    createdAt: String(Math.floor(change.at / 1000)),
    room: { name: change.roomName },
    participant: { identity: change.identity, name: change.name ?? change.identity },
  });
  const token = new AccessToken(keys.apiKey, keys.apiSecret);
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return { body, authorization: await token.toJwt() };
}

/** Posts one presence change to the app's LiveKit webhook endpoint, signed; fails the test unless accepted. */
export async function postPresence(app: FastifyInstance, change: Parameters<typeof signedPresence>[0], keys?: LiveKitKeys): Promise<void> {
  const { body, authorization } = await signedPresence(change, keys);
  const response = await app.inject({ method: 'POST', url: '/api/livekit/webhook', headers: { 'content-type': 'application/webhook+json', authorization }, payload: body });
  if (response.statusCode >= 300) throw new Error(`webhook refused: ${response.statusCode} ${response.body}`);
}

/**
 * Everyone seated in `round` joins their room at `at` (the app's clock by default), as LiveKit's
 * webhooks would report it, except `absent`. For tests without a browser: the attendance record
 * then says they were there.
 */
export async function attendRound(app: FastifyInstance, eventId: string, round: number, { absent = [], at, keys }: { absent?: string[]; at?: number; keys?: LiveKitKeys } = {}): Promise<void> {
  const { rows } = await app.pg.query<{ mentor_id: string; mentee_id: string; room_name: string }>(
    'SELECT mentor_id, mentee_id, room_name FROM meetings WHERE event_id = $1 AND round = $2 AND replaced_at IS NULL',
    [eventId, round],
  );
  const joins = new Map<string, string>();
  for (const r of rows) for (const id of [r.mentor_id, r.mentee_id]) if (!absent.includes(id)) joins.set(id, r.room_name);
  for (const [identity, roomName] of joins) await postPresence(app, { event: 'participant_joined', roomName, identity, at: at ?? app.clock.now() }, keys);
}

/**
 * Over HTTP, against a running server (browser tests): everyone seated in the round running now
 * joins their room, as LiveKit's signed webhooks would say, and the call returns once the server
 * counts every seat of that round as held (the event's `heldAfterSeconds` should be short).
 */
export async function attendRoundOverHttp(baseUrl: string, organizerCookie: string, eventId: string, round: number, keys: LiveKitKeys = DEV_VIDEO_CONFIG): Promise<void> {
  type View = { rounds: { round: number; seats: { mentorId: string; menteeId: string; roomName: string; replacedAt: string | null; met: boolean }[] }[] };
  const view = async () => (await (await fetch(`${baseUrl}/api/events/${eventId}/attendance`, { headers: { cookie: organizerCookie } })).json()) as View;
  const seats = (await view()).rounds.find((r) => r.round === round)?.seats.filter((s) => s.replacedAt === null) ?? [];
  const joins = new Map<string, string>();
  for (const s of seats) for (const id of [s.mentorId, s.menteeId]) joins.set(id, s.roomName);
  for (const [identity, roomName] of joins) {
    const { body, authorization } = await signedPresence({ event: 'participant_joined', roomName, identity, at: Date.now() }, keys);
    const response = await fetch(`${baseUrl}/api/livekit/webhook`, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization }, body });
    if (!response.ok) throw new Error(`webhook refused: ${response.status} ${await response.text()}`);
  }
  const deadline = Date.now() + 30_000;
  while (!(await view()).rounds.find((r) => r.round === round)?.seats.every((s) => s.replacedAt !== null || s.met)) {
    if (Date.now() > deadline) throw new Error(`round ${round}'s meetings were never held`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
