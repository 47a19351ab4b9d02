import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClockActive } from '@constellation/shared/clock/state';
import {
  DIRECT_VIDEO_URL,
  type Ack,
  type VideoAssigned,
  type VideoConnection,
  type VideoJoined,
  type VideoPresence,
  type VideoRooms,
  type VideoSignalled,
} from '@constellation/shared/realtime/events';
import { roomNameFor } from '../../server/src/modules/video/room-name.ts';
import { buildTestApp, cookieFrom, type TestApp, listenTestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/livekit.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { setUpVideoEvent } from '../helpers/video-event.ts';

let t: TestApp;
let url: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  t = await buildTestApp({ video: 'direct', noShowAfterMs: 60_000 });
  url = await listenTestApp(t.app);
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await t?.close();
});

/** An event of two tables of one mentor and one mentee, planned, with everyone's session cookie. */
async function setUpEvent(app: FastifyInstance) {
  const { cookie, eventId, people, plan } = await setUpVideoEvent(url, {
    event: { rounds: 2, roundSeconds: 300, transitionSeconds: 10 },
    people: [['mentor', 'Ann Mentor'], ['mentor', 'Bo Mentor'], ['mentee', 'Cy Mentee'], ['mentee', 'Di Mentee']],
  });
  const cookies: Record<string, string> = {};
  for (const person of people.values()) {
    cookies[person.id] = cookieFrom(await app.inject({ method: 'POST', url: '/api/join', payload: { token: person.inviteUrl.split('#')[1] } }));
  }
  const tables = plan.plan!.rounds[0]!.tables.filter((tb) => tb.menteeIds.length === 1).map((tb) => ({
    mentorId: tb.mentorId,
    menteeId: tb.menteeIds[0]!,
    roomName: roomNameFor({ eventId, round: 1, tableId: tb.mentorId }),
  }));
  expect(tables).toHaveLength(2);
  return { organizer: { cookie }, eventId, people: [...people.values()], cookies, tables };
}

async function open(cookie: string, eventId?: string): Promise<ClientSocket> {
  const socket = connectSocket(url, { cookie, ...(eventId ? { eventId, as: 'organizer' as const } : {}) });
  sockets.push(socket);
  const snapshot = nextEvent(socket, 'event:snapshot');
  await connected(socket);
  await snapshot;
  return socket;
}

/** Every emission of `event` on a socket, from now on. */
function collect<T>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event as never, ((payload: T) => seen.push(payload)) as never);
  return seen;
}

const offer = { kind: 'description', type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } as const;

async function presenceKinds(eventId: string, participantId: string): Promise<string[]> {
  const { rows } = await t.pool.query<{ kind: string }>('SELECT kind FROM room_presence WHERE event_id = $1 AND participant_id = $2 ORDER BY at, id', [eventId, participantId]);
  return rows.map((r) => r.kind);
}

describe('direct video: signalling relayed over the participants\' sockets', () => {
  it('relays offers, answers and candidates only between the two people of one table, and records their presence', async () => {
    const { organizer, eventId, people, cookies, tables } = await setUpEvent(t.app);
    const [one, two] = tables as [(typeof tables)[number], (typeof tables)[number]];
    const socketOf: Record<string, ClientSocket> = {};
    for (const p of people) socketOf[p.id] = await open(cookies[p.id]!);
    const org = await open(organizer.cookie, eventId);

    const assigned = Object.fromEntries(people.map((p) => [p.id, nextEvent(socketOf[p.id]!, 'video:assigned')]));
    const started = await command<ClockActive>(org, 'clock:start');
    expect('data' in started).toBe(true);
    const connectionOf: Record<string, VideoConnection> = {};
    for (const p of people) {
      const a = (await assigned[p.id]!) as VideoAssigned;
      expect(a.connection).toMatchObject({ serverUrl: DIRECT_VIDEO_URL, roomName: tables.find((tb) => tb.mentorId === p.id || tb.menteeId === p.id)!.roomName });
      connectionOf[p.id] = a.connection!;
    }
    const rooms = await command<VideoRooms>(org, 'video:rooms');
    expect(rooms).toMatchObject({ data: { mode: 'direct', round: 1 } });

    const join = (id: string, connection = connectionOf[id]!) =>
      command<VideoJoined>(socketOf[id]!, 'video:join', { roomName: connection.roomName, token: connection.token });
    const presence = collect<VideoPresence>(org, 'video:presence');
    const heard = Object.fromEntries(people.map((p) => [p.id, collect<VideoSignalled>(socketOf[p.id]!, 'video:signalled')]));

    // The mentor enters first and finds nobody; the mentee finds the mentor, who hears of the mentee.
    expect(await join(one.mentorId)).toEqual({ data: { roomName: one.roomName, identity: one.mentorId, peers: [] } });
    const peerJoined = nextEvent(socketOf[one.mentorId]!, 'video:peer-joined');
    const menteeJoin = await join(one.menteeId);
    expect(menteeJoin).toMatchObject({ data: { roomName: one.roomName, peers: [{ identity: one.mentorId }] } });
    expect((await peerJoined).peer.identity).toBe(one.menteeId);
    expect(await join(two.mentorId)).toMatchObject({ data: { peers: [] } });
    expect(await join(two.menteeId)).toMatchObject({ data: { peers: [{ identity: two.mentorId }] } });

    // Offer, answer and a candidate go to the partner, marked as from the sender.
    expect(await command(socketOf[one.menteeId]!, 'video:signal', { roomName: one.roomName, to: one.mentorId, signal: offer })).toEqual({ data: { delivered: true } });
    const candidate = { kind: 'candidate', candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } as const;
    expect(await command(socketOf[one.mentorId]!, 'video:signal', { roomName: one.roomName, to: one.menteeId, signal: candidate })).toEqual({ data: { delivered: true } });
    await eventually(() => heard[one.mentorId]!.length === 1 && heard[one.menteeId]!.length === 1, { what: 'both signals to arrive' });
    expect(heard[one.mentorId]).toEqual([{ roomName: one.roomName, from: one.menteeId, signal: offer }]);
    expect(heard[one.menteeId]).toEqual([{ roomName: one.roomName, from: one.mentorId, signal: candidate }]);

    // Never to anyone at another table: naming them, or signalling in their room without having joined it.
    expect(await command(socketOf[one.mentorId]!, 'video:signal', { roomName: one.roomName, to: two.menteeId, signal: offer })).toMatchObject({ error: { code: 'not-in-room' } });
    expect(await command(socketOf[one.mentorId]!, 'video:signal', { roomName: two.roomName, to: two.menteeId, signal: offer })).toMatchObject({ error: { code: 'not-in-room' } });
    // Nor into another table's room with a token of one's own, or with someone else's token.
    expect(await command(socketOf[one.mentorId]!, 'video:join', { roomName: two.roomName, token: connectionOf[one.mentorId]!.token })).toMatchObject({ error: { code: 'invalid-token' } });
    expect(await command(socketOf[one.mentorId]!, 'video:join', { roomName: two.roomName, token: connectionOf[two.menteeId]!.token })).toMatchObject({ error: { code: 'forbidden' } });
    // Another room's claims under a signature of this token: refused.
    const forged = `${Buffer.from(JSON.stringify({ r: two.roomName, i: one.mentorId, n: 'x', e: 9e9 })).toString('base64url')}.${connectionOf[one.mentorId]!.token.split('.')[1]}`;
    expect(await command(socketOf[one.mentorId]!, 'video:join', { roomName: two.roomName, token: forged })).toMatchObject({ error: { code: 'invalid-token' } });
    // The organizer has no call, and cannot watch one without LiveKit.
    expect(await command(org, 'video:join', { roomName: one.roomName, token: connectionOf[one.mentorId]!.token })).toMatchObject({ error: { code: 'forbidden' } });
    expect(await command(org, 'video:observe', { roomName: one.roomName })).toMatchObject({ error: { code: 'livekit-required' } });
    expect(await command(org, 'video:signal', { roomName: one.roomName, to: one.mentorId, signal: offer })).toMatchObject({ error: { code: 'not-in-room' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard[two.menteeId]).toEqual([]);
    expect(heard[two.mentorId]).toEqual([]);
    expect(heard[one.mentorId]).toHaveLength(1);

    // Media reaching the partner is recorded once; leaving (a closed page) is recorded as LiveKit's webhooks are.
    expect(await command(socketOf[one.menteeId]!, 'video:media', { roomName: one.roomName, state: 'flowing' })).toEqual({ data: { recorded: true } });
    expect(await command(socketOf[one.menteeId]!, 'video:media', { roomName: one.roomName, state: 'flowing' })).toEqual({ data: { recorded: false } });
    const peerLeft = nextEvent(socketOf[one.mentorId]!, 'video:peer-left');
    socketOf[one.menteeId]!.disconnect();
    expect(await peerLeft).toEqual({ roomName: one.roomName, identity: one.menteeId });
    await eventually(async () => (await presenceKinds(eventId, one.menteeId)).join() === 'joined,published,left', { what: "the mentee's join, media and leave" });
    expect(await presenceKinds(eventId, one.mentorId)).toEqual(['joined']);
    await eventually(() => presence.some((p) => p.participantId === one.menteeId && !p.joined), { what: 'the organizer to hear the mentee left' });
    const roomsNow = await command<VideoRooms>(org, 'video:rooms');
    if (!('data' in roomsNow)) throw new Error(JSON.stringify(roomsNow));
    expect(roomsNow.data.rooms.find((r) => r.roomName === one.roomName)?.present).toEqual([one.mentorId]);
    expect(roomsNow.data.rooms.find((r) => r.roomName === two.roomName)?.present.sort()).toEqual([two.mentorId, two.menteeId].sort());

    // A second page of the same person takes over their place (the older one is told it was removed).
    const again = await open(cookies[two.menteeId]!);
    const removed = nextEvent(socketOf[two.menteeId]!, 'video:removed');
    const rejoined = nextEvent(socketOf[two.mentorId]!, 'video:peer-joined');
    const snapshot = await command<VideoJoined>(again, 'video:join', { roomName: two.roomName, token: connectionOf[two.menteeId]!.token });
    expect(snapshot).toMatchObject({ data: { peers: [{ identity: two.mentorId }] } });
    expect(await removed).toEqual({ roomName: two.roomName });
    expect((await rejoined).peer.identity).toBe(two.menteeId);

    // The round ending closes the rooms: whoever is still in one is removed.
    const closed = nextEvent(socketOf[one.mentorId]!, 'video:removed');
    expect('data' in (await command(org, 'clock:end-round'))).toBe(true);
    expect(await closed).toEqual({ roomName: one.roomName });
    expect(await command(socketOf[one.mentorId]!, 'video:signal', { roomName: one.roomName, to: one.menteeId, signal: offer })).toMatchObject({ error: { code: 'not-in-room' } });
  });

  it('answers bad payloads with a clear error and keeps serving', async () => {
    const { eventId, cookies, tables } = await setUpEvent(t.app);
    const me = await open(cookies[tables[0]!.mentorId]!);
    const bad: [string, unknown][] = [
      ['video:join', undefined],
      ['video:join', 'room'],
      ['video:join', { roomName: 'r' }],
      ['video:join', { roomName: 'r', token: 't', extra: 1 }],
      ['video:join', { roomName: 'r', token: 'no-dot' }],
      ['video:join', { roomName: 'r', token: 'a.b.c' }],
      ['video:join', { roomName: 'r', token: `${Buffer.from('{not json').toString('base64url')}.x` }],
      ['video:signal', { roomName: 'r', to: 'x' }],
      ['video:signal', { roomName: 'r', to: 'x', signal: { kind: 'description', type: 'pranswer', sdp: 'v=0' } }],
      ['video:signal', { roomName: 'r', to: 'x', signal: { kind: 'description', type: 'offer', sdp: 'x'.repeat(100_001) } }],
      ['video:signal', { roomName: 'r', to: 'x', signal: { kind: 'candidate', candidate: 1, sdpMid: null, sdpMLineIndex: null } }],
      ['video:signal', { roomName: 'r', to: 'x', signal: { kind: 'media', cameraOff: 'yes', micMuted: false } }],
      ['video:signal', null],
      ['video:media', undefined],
      ['video:media', { roomName: 'r', state: 'stopped' }],
      ['video:join', { roomName: 'r', token: 'a.b', resume: 'yes' }],
      ['video:links', { roomName: 'r' }],
      ['video:links', { roomName: 'r', connected: 'x' }],
      ['video:links', { roomName: 'r', connected: Array.from({ length: 33 }, (_, i) => `p${i}`) }],
      ['video:links', { roomName: 'r', connected: [] }],
      ['video:leave', {}],
      ['video:leave', { roomName: 'x'.repeat(201) }],
    ];
    for (const [event, payload] of bad) {
      const ack = (await command(me, event as never, payload)) as Ack<unknown>;
      expect('error' in ack, `${event} ${JSON.stringify(payload)?.slice(0, 80)}`).toBe(true);
      if ('error' in ack) expect(['invalid-payload', 'invalid-token', 'not-in-room']).toContain(ack.error.code);
      if ('error' in ack) expect(ack.error.message.length).toBeGreaterThan(5);
    }
    // Without an acknowledgement callback at all: nothing to answer, nothing crashes.
    (me.emit as (e: string, p: unknown) => void)('video:signal', { roomName: 'r' });
    (me.emit as (e: string, p: unknown) => void)('video:join', { roomName: 'r', token: 'a.b' });
    expect(await command(me, 'video:leave', { roomName: 'nowhere' })).toEqual({ data: { left: false } });
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(await presenceKinds(eventId, tables[0]!.mentorId)).toEqual([]);
  });

  it("keeps someone whose socket dropped in the call while their partner's connection reaches them, until it does not", async () => {
    const { organizer, eventId, people, cookies, tables } = await setUpEvent(t.app);
    const [one, two] = tables as [(typeof tables)[number], (typeof tables)[number]];
    const socketOf: Record<string, ClientSocket> = {};
    for (const p of people) socketOf[p.id] = await open(cookies[p.id]!);
    const org = await open(organizer.cookie, eventId);
    const assigned = Object.fromEntries(people.map((p) => [p.id, nextEvent(socketOf[p.id]!, 'video:assigned')]));
    expect('data' in (await command<ClockActive>(org, 'clock:start'))).toBe(true);
    const connectionOf: Record<string, VideoConnection> = {};
    for (const p of people) connectionOf[p.id] = ((await assigned[p.id]!) as VideoAssigned).connection!;
    const join = (socket: ClientSocket, id: string, resume?: boolean) =>
      command<VideoJoined>(socket, 'video:join', { roomName: connectionOf[id]!.roomName, token: connectionOf[id]!.token, ...(resume === undefined ? {} : { resume }) });
    for (const p of people) expect('data' in (await join(socketOf[p.id]!, p.id))).toBe(true);
    const left = collect<{ identity: string }>(socketOf[one.mentorId]!, 'video:peer-left');
    const joinedAgain = collect<{ peer: { identity: string }; resumed?: boolean }>(socketOf[one.mentorId]!, 'video:peer-joined');

    // The mentor's call reaches the mentee; the mentee's socket drops: still in the room, nobody told otherwise.
    expect(await command(socketOf[one.mentorId]!, 'video:links', { roomName: one.roomName, connected: [one.menteeId, 'someone-else'] })).toEqual({ data: { recorded: true } });
    socketOf[one.menteeId]!.disconnect();
    await eventually(async () => {
      const rooms = await command<VideoRooms>(org, 'video:rooms');
      return 'data' in rooms && rooms.data.rooms.find((r) => r.roomName === one.roomName)?.present.length === 2;
    }, { what: 'the room to still count both' });
    // Signals wait for the socket: the sender hears why.
    expect(await command(socketOf[one.mentorId]!, 'video:signal', { roomName: one.roomName, to: one.menteeId, signal: offer })).toMatchObject({ error: { code: 'offline' } });

    // Back on a new socket, the same page resumes: the partner keeps the call, nothing is recorded again.
    const back = await open(cookies[one.menteeId]!);
    const mentorName = people.find((p) => p.id === one.mentorId)!.name;
    expect(await join(back, one.menteeId, true)).toEqual({ data: { roomName: one.roomName, identity: one.menteeId, peers: [{ identity: one.mentorId, name: mentorName }], resumed: true } });
    await eventually(() => joinedAgain.length === 1, { what: 'the partner to hear the page is back' });
    expect(joinedAgain[0]).toMatchObject({ peer: { identity: one.menteeId }, resumed: true });
    expect(await command(socketOf[one.mentorId]!, 'video:signal', { roomName: one.roomName, to: one.menteeId, signal: offer })).toEqual({ data: { delivered: true } });
    expect(await presenceKinds(eventId, one.menteeId)).toEqual(['joined']);

    // It drops again, and this time the partner's connection to it goes down too: it has left.
    back.disconnect();
    await eventually(async () => {
      const ack = await command(socketOf[one.mentorId]!, 'video:signal', { roomName: one.roomName, to: one.menteeId, signal: offer });
      return 'error' in ack && ack.error.code === 'offline';
    }, { what: 'the server to hold the mentee as reconnecting' });
    expect(left).toEqual([]);
    expect(await command(socketOf[one.mentorId]!, 'video:links', { roomName: one.roomName, connected: [] })).toEqual({ data: { recorded: true } });
    await eventually(() => left.length === 1, { what: 'the partner to hear the mentee left' });
    await eventually(async () => (await presenceKinds(eventId, one.menteeId)).join() === 'joined,left', { what: 'the leave to be recorded' });
    // A resume that comes too late is an ordinary join: the partner is told to expect a new call.
    const late = await open(cookies[one.menteeId]!);
    const lateJoin = await join(late, one.menteeId, true);
    expect(lateJoin).toEqual({ data: { roomName: one.roomName, identity: one.menteeId, peers: [{ identity: one.mentorId, name: mentorName }] } });
    await eventually(() => joinedAgain.length === 2, { what: 'the partner to hear of a new page' });
    expect(joinedAgain[1]).toEqual({ roomName: one.roomName, peer: { identity: one.menteeId, name: expect.any(String) } });

    // Someone whose socket drops with no partner reaching them leaves at once, as before.
    const peerLeft = nextEvent(socketOf[two.mentorId]!, 'video:peer-left');
    socketOf[two.menteeId]!.disconnect();
    expect(await peerLeft).toEqual({ roomName: two.roomName, identity: two.menteeId });
  });
});
