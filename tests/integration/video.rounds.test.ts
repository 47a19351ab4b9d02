import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClockActive } from '@constellation/shared/clock/state';
import type {
  EventSnapshot,
  PartnerNoShow,
  VideoAssigned,
  VideoConnection,
  VideoNoShow,
  VideoPresence,
  VideoRooms,
  VideoUpcoming,
} from '@constellation/shared/realtime/events';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { roomNameFor } from '../../server/src/modules/video/room-name.ts';
import { showedUpInRound } from '../../server/src/modules/video/video.repository.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.ts';
import { eventually, joinSignalOnly, liveKitAvailability, serveLiveKitPage, startLiveKit, validateJoin, type LiveKitServer } from '../helpers/livekit.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { freePort } from '../helpers/server.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

const livekit = liveKitAvailability();
const noBrowser = browserUnavailableReason();
/** Test-shortened (60 s in production). */
const NO_SHOW_AFTER_MS = 2_000;

const PARTICIPANT_GRANT = {
  roomJoin: true,
  canPublish: true,
  canPublishSources: ['camera', 'microphone', 'screen_share'],
  canSubscribe: true,
  canPublishData: false,
  canUpdateOwnMetadata: false,
};

let lk: LiveKitServer;
let t: TestApp;
let url: string;
let provider: LiveKitVideoProvider;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  if (!livekit.available) return;
  // LiveKit must know where to post its webhooks when it starts, and the app must know LiveKit's
  // keys when it is built: pick the app's port first, start LiveKit, then build and listen.
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  lk = await startLiveKit({ webhookUrl: `${url}/api/livekit/webhook` });
  provider = new LiveKitVideoProvider(lk);
  t = await buildTestApp({ video: new LiveKitVideoProvider(lk), livekit: lk, noShowAfterMs: NO_SHOW_AFTER_MS });
  await t.app.listen({ port, host: '127.0.0.1' });
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await t?.close();
  await lk?.stop();
});

/** Every `video:upcoming` a socket received, from before it connected (it may come before the snapshot). */
const upcomingOf = new WeakMap<ClientSocket, VideoUpcoming[]>();

function track(socket: ClientSocket): ClientSocket {
  sockets.push(socket);
  const seen: VideoUpcoming[] = [];
  socket.on('video:upcoming', (upcoming) => seen.push(upcoming));
  upcomingOf.set(socket, seen);
  return socket;
}

interface Person {
  id: string;
  name: string;
  role: 'mentor' | 'mentee';
}

/** An event with `mentors` mentors and `mentees` mentees, planned, with everyone's session cookie. */
async function setUpEvent(app: FastifyInstance, { mentors = 2, mentees = 2 } = {}) {
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2, roundSeconds: 300, transitionSeconds: 10 }) })).json();
  const people: Person[] = [];
  const roles = [...Array(mentors).fill('mentor'), ...Array(mentees).fill('mentee')] as ('mentor' | 'mentee')[];
  for (const role of roles) {
    people.push((await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).json());
  }
  expect((await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).statusCode).toBe(200);
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  const cookies: Record<string, string> = {};
  for (const invite of invites) {
    const join = await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } });
    cookies[invite.participantId] = cookieFrom(join);
  }
  const plan = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json().plan as {
    rounds: { tables: { mentorId: string; menteeIds: string[] }[]; sitOuts: { participantId: string; code: string }[] }[];
  };
  /** The room each seated participant should be in, per round. */
  const roomOf = (round: number, participantId: string): string | null => {
    const table = plan.rounds[round - 1]!.tables.find((tb) => tb.mentorId === participantId || tb.menteeIds.includes(participantId));
    return table ? roomNameFor({ eventId: event.id, round, tableId: table.mentorId }) : null;
  };
  const roomsOf = (round: number) => plan.rounds[round - 1]!.tables.filter((tb) => tb.menteeIds.length > 0).map((tb) => roomNameFor({ eventId: event.id, round, tableId: tb.mentorId }));
  return { organizer, eventId: event.id as string, people, cookies, plan, roomOf, roomsOf };
}

async function joinAs(cookie: string, eventId?: string): Promise<{ socket: ClientSocket; snapshot: EventSnapshot }> {
  const socket = track(connectSocket(url, { cookie, ...(eventId ? { eventId, as: 'organizer' as const } : {}) }));
  const snapshot = nextEvent(socket, 'event:snapshot');
  await connected(socket);
  return { socket, snapshot: await snapshot };
}

/** Every emission of `event` on a socket, from now on. */
function collect<T>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event as never, ((payload: T) => seen.push(payload)) as never);
  return seen;
}

const claimsOf = (token: string) => new TokenVerifier(lk.apiKey, lk.apiSecret).verify(token);
const roomNames = async (names: string[]) => (await provider.listRooms(names)).map((r) => r.name).sort();

/** Posts a webhook signed with LiveKit's key, as LiveKit would: `sha256` is over the exact body. */
async function signedWebhookHeader(body: string, secret = lk.apiSecret): Promise<string> {
  const token = new AccessToken(lk.apiKey, secret);
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

async function postWebhook(body: string, authorization?: string): Promise<Response> {
  return fetch(`${url}/api/livekit/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/webhook+json', ...(authorization ? { authorization } : {}) },
    body,
  });
}

const joinedWebhook = (roomName: string, person: { id: string; name: string }) =>
  JSON.stringify({
    event: 'participant_joined',
    id: `EV_${randomUUID()}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    room: { name: roomName },
    participant: { identity: person.id, name: person.name },
  });

describe.skipIf(!livekit.available)('video rounds on a real LiveKit server', () => {
  it('makes round 1 rooms ahead, then gives each seated participant a token for their own table only', async () => {
    const { organizer, eventId, people, cookies, roomOf, roomsOf } = await setUpEvent(t.app);
    const participants = await Promise.all(people.map(async (p) => ({ person: p, ...(await joinAs(cookies[p.id]!)) })));
    for (const p of participants) expect(p.snapshot.video).toBeUndefined();

    // The organizer opening the run screen in the lobby has round 1's rooms made before the start.
    const org = await joinAs(organizer.cookie, eventId);
    const round1 = roomsOf(1);
    expect(round1).toHaveLength(2);
    await eventually(async () => (await roomNames(round1)).length === 2, { what: "round 1's rooms to be made in the lobby" });

    const assigned = participants.map((p) => nextEvent(p.socket, 'video:assigned'));
    const opened = nextEvent(org.socket, 'video:opened');
    const started = await command<ClockActive>(org.socket, 'clock:start');
    if (!('data' in started)) throw new Error(JSON.stringify(started));
    const round = started.data;

    for (const [i, p] of participants.entries()) {
      const { round: r, connection } = await assigned[i]!;
      expect(r).toBe(1);
      expect(connection).toMatchObject({ serverUrl: lk.url, roomName: roomOf(1, p.person.id) });
      const claims = await claimsOf(connection!.token);
      // Exactly the participant grant, for exactly their table's room, under their own id and name.
      expect(claims).toMatchObject({ sub: p.person.id, name: p.person.name, iss: lk.apiKey });
      expect(claims.video).toEqual({ ...PARTICIPANT_GRANT, room: roomOf(1, p.person.id) });
      // Good to join at any moment of the round, and not for long after it.
      const lifetime = claims.exp! - claims.nbf!;
      expect(lifetime).toBeGreaterThanOrEqual((round.endsAt - round.startsAt) / 1000);
      expect(lifetime).toBeLessThanOrEqual((round.endsAt - round.startsAt) / 1000 + 10 * 60);
      expect(await validateJoin(lk, connection!.token)).toBe(200);
    }
    // Mentor and mentee of a table share its room; the two tables do not.
    const [mentorA, mentorB] = people.filter((p) => p.role === 'mentor');
    expect(roomOf(1, mentorA!.id)).not.toBe(roomOf(1, mentorB!.id));

    // The rooms exist on the LiveKit server, sized for the pair and the organizers' observers.
    const listed = await provider.listRooms(round1);
    expect(listed.map((r) => r.name).sort()).toEqual([...round1].sort());
    for (const room of listed) expect(room.maxParticipants).toBe(4);
    expect((await opened).rooms.map((r) => r.roomName).sort()).toEqual([...round1].sort());

    // A participant who reconnects gets a freshly minted token for the same room in their snapshot.
    const mentee = people.find((p) => p.role === 'mentee')!;
    const again = await joinAs(cookies[mentee.id]!);
    expect(again.snapshot.video?.roomName).toBe(roomOf(1, mentee.id));
    expect((await claimsOf(again.snapshot.video!.token)).video).toEqual({ ...PARTICIPANT_GRANT, room: roomOf(1, mentee.id) });

    const closed = nextEvent(org.socket, 'video:closed');
    await command(org.socket, 'clock:end-event');
    expect(await closed).toEqual({ round: 1 });
    expect(await roomNames(round1)).toEqual([]);
  });

  it('never gives a participant a token for a room that is not theirs, whatever they send', async () => {
    const a = await setUpEvent(t.app);
    const b = await setUpEvent(t.app);
    const orgA = await joinAs(a.organizer.cookie, a.eventId);
    const orgB = await joinAs(b.organizer.cookie, b.eventId);
    const mentee = a.people.find((p) => p.role === 'mentee')!;
    const own = await joinAs(a.cookies[mentee.id]!);
    const ownAssigned = nextEvent(own.socket, 'video:assigned');
    await command(orgA.socket, 'clock:start');
    await command(orgB.socket, 'clock:start');
    const ownRoom = a.roomOf(1, mentee.id)!;
    expect((await ownAssigned).connection?.roomName).toBe(ownRoom);

    const otherTable = a.roomsOf(1).find((name) => name !== ownRoom)!;
    const otherEvent = b.roomsOf(1)[0]!;
    const tokens: string[] = [];
    own.socket.onAny((_event: string, payload: unknown) => {
      const found = JSON.stringify(payload ?? null).match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g);
      if (found) tokens.push(...found);
    });
    // Asking to look into any room, their own included, with payloads of every shape.
    const attempts: unknown[] = [
      { roomName: ownRoom },
      { roomName: otherTable },
      { roomName: otherEvent },
      { roomName: otherTable, as: 'organizer', organizerId: a.organizer.id },
      { roomName: roomNameFor({ eventId: a.eventId, round: 2, tableId: mentee.id }) },
      { roomName: 'x'.repeat(10_000) },
      { roomName: ['a', 'b'] },
      'ev_x_r1_ty',
      null,
    ];
    for (const payload of attempts) {
      expect(await command(own.socket, 'video:observe', payload)).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(await command(own.socket, 'video:rooms')).toMatchObject({ error: { code: 'forbidden' } });
    // Server-to-client events sent the other way are not commands: nothing answers, nothing is minted.
    for (const name of ['video:assigned', 'event:snapshot', 'video:closed']) {
      (own.socket.emit as (e: string, p: unknown) => void)(name, { round: 1, connection: { roomName: otherTable } });
    }
    // A participant's socket cannot be pointed at another event either.
    const foreign = track(connectSocket(url, { cookie: a.cookies[mentee.id]!, eventId: b.eventId }));
    await expect(connected(foreign)).rejects.toThrow(/unauthorized/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const token of tokens) {
      const claims = await claimsOf(token);
      expect(claims.sub).toBe(mentee.id);
      expect(claims.video?.room).toBe(ownRoom);
    }

    // Organizers observe their own event's rooms of the running round, hidden and watch-only.
    const observed = await command<VideoConnection>(orgA.socket, 'video:observe', { roomName: otherTable });
    if (!('data' in observed)) throw new Error(JSON.stringify(observed));
    expect(observed.data).toMatchObject({ serverUrl: lk.url, roomName: otherTable });
    const claims = await claimsOf(observed.data.token);
    expect(claims.sub).toBe(`observer-${a.organizer.id}`);
    expect(claims.video).toEqual({
      room: otherTable,
      roomJoin: true,
      hidden: true,
      canPublish: false,
      canSubscribe: true,
      canPublishData: false,
      canUpdateOwnMetadata: false,
    });
    expect(await validateJoin(lk, observed.data.token)).toBe(200);
    // ...but not another organizer's event, a table that does not exist, or a round not running.
    expect(await command(orgB.socket, 'video:observe', { roomName: otherTable })).toMatchObject({ error: { code: 'not-found' } });
    expect(await command(orgA.socket, 'video:observe', { roomName: otherEvent })).toMatchObject({ error: { code: 'not-found' } });
    expect(await command(orgA.socket, 'video:observe', { roomName: roomNameFor({ eventId: a.eventId, round: 1, tableId: randomUUID() }) })).toMatchObject({ error: { code: 'not-found' } });
    expect(await command(orgA.socket, 'video:observe', { roomName: a.roomsOf(2)[0] })).toMatchObject({ error: { code: 'not-in-round' } });
    expect(await command(orgA.socket, 'video:observe', { roomName: 'lobby' })).toMatchObject({ error: { code: 'not-found' } });
    for (const payload of [undefined, {}, { roomName: 42 }, { roomName: '' }, { roomName: otherTable, extra: 1 }]) {
      expect(await command(orgA.socket, 'video:observe', payload ?? null)).toMatchObject({ error: { code: 'invalid-payload' } });
    }
    const roomsNow = await command<VideoRooms>(orgA.socket, 'video:rooms');
    expect('data' in roomsNow && roomsNow.data.round).toBe(1);
    expect('data' in roomsNow && roomsNow.data.rooms.map((r) => r.roomName).sort()).toEqual([...a.roomsOf(1)].sort());

    await command(orgA.socket, 'clock:end-event');
    await command(orgB.socket, 'clock:end-event');
  });

  it("closes a round's rooms when it ends, makes the next round's during the transition, and opens them on time", async () => {
    const { organizer, eventId, people, cookies, roomOf, roomsOf } = await setUpEvent(t.app);
    const org = await joinAs(organizer.cookie, eventId);
    const mentor = people.find((p) => p.role === 'mentor')!;
    const { socket } = await joinAs(cookies[mentor.id]!);
    const assigned = collect<VideoAssigned>(socket, 'video:assigned');
    const closedForParticipant = collect<{ round: number }>(socket, 'video:closed');

    await command(org.socket, 'clock:start');
    const first = await eventually(() => assigned[0], { what: 'round 1 assignment' });
    const inRoom = await joinSignalOnly(lk.url, first.connection!.token);
    await eventually(async () => (await provider.listParticipants(roomOf(1, mentor.id)!)).length === 1, { what: 'the mentor in the room' });
    const sentAway = new Promise<void>((resolve) => inRoom.once('close', () => resolve()));

    const closed = nextEvent(org.socket, 'video:closed');
    const ended = await command<ClockActive>(org.socket, 'clock:end-round');
    if (!('data' in ended)) throw new Error(JSON.stringify(ended));
    expect(ended.data.phase).toBe('transition');
    expect(await closed).toEqual({ round: 1 });
    // Closed on the real server: the participant was sent away and the rooms are gone.
    await sentAway;
    expect(await roomNames(roomsOf(1))).toEqual([]);
    expect(await validateJoin(lk, first.connection!.token)).toBe(404);
    await eventually(() => closedForParticipant.length === 1, { what: 'the participant to hear the round closed' });

    // Round 2's rooms are ready before round 2 starts.
    await eventually(async () => (await roomNames(roomsOf(2))).length === 2, { what: "round 2's rooms during the transition" });
    expect(Date.now()).toBeLessThan(ended.data.endsAt);
    expect(assigned).toHaveLength(1);

    // The transition runs out on its own and round 2 starts with its rooms.
    const second = await eventually(() => assigned[1], { what: 'round 2 assignment', timeoutMs: 30_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(ended.data.endsAt);
    expect(second.round).toBe(2);
    expect(second.connection?.roomName).toBe(roomOf(2, mentor.id));
    expect(await validateJoin(lk, second.connection!.token)).toBe(200);

    const closedAgain = nextEvent(org.socket, 'video:closed');
    await command(org.socket, 'clock:end-round'); // the last round: the event is over
    expect(await closedAgain).toEqual({ round: 2 });
    expect(await roomNames([...roomsOf(1), ...roomsOf(2)])).toEqual([]);
  }, 90_000);

  it("hands each seated participant their own next room to wait in on standby, in the lobby and between rounds", async () => {
    const { organizer, eventId, people, cookies, roomOf } = await setUpEvent(t.app);
    const participants = await Promise.all(
      people.map(async (p) => {
        const joined = await joinAs(cookies[p.id]!);
        return { person: p, ...joined, upcoming: upcomingOf.get(joined.socket)! };
      }),
    );
    // The first snapshots come before the rooms exist; making them hands everyone their standby room.
    const expectStandby = async (round: number, lifetime: { min: number; max: number }) => {
      for (const p of participants) {
        // A socket that connected after the rooms were made finds its room in its snapshot instead.
        const fromSnapshot = () => (p.snapshot.videoNext?.round === round ? p.snapshot.videoNext : undefined);
        const upcoming = await eventually(() => p.upcoming.find((u) => u.round === round) ?? fromSnapshot(), { what: `${p.person.name}'s standby room for round ${round}` });
        expect(upcoming.connection).toMatchObject({ serverUrl: lk.url, roomName: roomOf(round, p.person.id) });
        const claims = await claimsOf(upcoming.connection.token);
        expect(claims).toMatchObject({ sub: p.person.id, name: p.person.name });
        expect(claims.video).toEqual({ ...PARTICIPANT_GRANT, room: roomOf(round, p.person.id) });
        expect(claims.exp! - claims.nbf!).toBeGreaterThanOrEqual(lifetime.min);
        expect(claims.exp! - claims.nbf!).toBeLessThanOrEqual(lifetime.max);
        expect(await validateJoin(lk, upcoming.connection.token)).toBe(200);
      }
    };
    // In the lobby nobody knows when the start comes: the token lasts while the rooms are held (15 min) and a round.
    await expectStandby(1, { min: 15 * 60 + 300, max: 15 * 60 + 300 + 10 * 60 });
    // A reconnect in the lobby finds the standby room in its snapshot.
    const mentee = people.find((p) => p.role === 'mentee')!;
    const again = await joinAs(cookies[mentee.id]!);
    expect(again.snapshot.video).toBeUndefined();
    expect(again.snapshot.videoNext).toMatchObject({ round: 1, connection: { roomName: roomOf(1, mentee.id) } });

    // Someone on standby in round 1's room is in it when the round starts, and the organizer sees so.
    // (LiveKit reports the join once the media connects, which a browser does: here its webhook says so.)
    const body = joinedWebhook(roomOf(1, mentee.id)!, mentee);
    expect((await postWebhook(body, await signedWebhookHeader(body))).status).toBe(200);
    const org = await joinAs(organizer.cookie, eventId);
    const opened = nextEvent(org.socket, 'video:opened');
    await command(org.socket, 'clock:start');
    expect((await opened).rooms.find((r) => r.roomName === roomOf(1, mentee.id))?.present).toEqual([mentee.id]);

    // At the end of round 1, round 2's rooms are made and handed out for the transition, lasting until round 2 ends.
    const ended = await command<ClockActive>(org.socket, 'clock:end-round');
    if (!('data' in ended) || ended.data.phase !== 'transition') throw new Error(JSON.stringify(ended));
    const round2 = ended.data.upcoming.find((r) => r.round === 2)!;
    const untilEnd = Math.ceil((round2.endsAt - Date.now()) / 1000);
    await expectStandby(2, { min: untilEnd, max: untilEnd + 10 * 60 });
    await command(org.socket, 'clock:end-event');
  });

  it('sends away whoever a re-plan moved out of a standby room, and gives their seat to the one who takes it', async () => {
    const { organizer, eventId, people, cookies, plan, roomOf } = await setUpEvent(t.app, { mentors: 1, mentees: 2 });
    const headers = { cookie: organizer.cookie };
    const mentor = people.find((p) => p.role === 'mentor')!;
    const seated = plan.rounds[0]!.tables[0]!.menteeIds[0]!;
    const sitter = people.find((p) => p.role === 'mentee' && p.id !== seated)!.id;
    const room = roomOf(1, mentor.id)!;
    const sitterSide = await joinAs(cookies[sitter]!);
    const sitterUpcoming = collect<VideoUpcoming>(sitterSide.socket, 'video:upcoming');
    expect(sitterSide.snapshot.videoNext).toBeUndefined();
    const standby = await eventually(async () => (await joinAs(cookies[seated]!)).snapshot.videoNext, { what: "the seated mentee's standby room" });
    expect(standby.connection.roomName).toBe(room);
    const inRoom = await joinSignalOnly(lk.url, standby.connection.token);
    await eventually(async () => (await provider.listParticipants(room)).some((p) => p.identity === seated), { what: 'the mentee in the standby room' });
    const sentAway = new Promise<void>((resolve) => inRoom.once('close', () => resolve()));

    // The organizer takes the seated mentee out (say they wrote they cannot come): the other one gets the seat.
    const replanned = await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/plan/replan`, headers, payload: { absentIds: [seated] } });
    expect(replanned.statusCode).toBe(200);
    const moved = await eventually(() => sitterUpcoming.find((u) => u.round === 1), { what: 'the new seat holder on standby' });
    expect(moved.connection.roomName).toBe(room);
    expect((await claimsOf(moved.connection.token)).video?.room).toBe(room);
    // Sent away from a room that is no longer theirs, before the round ever starts.
    await sentAway;
    await eventually(async () => !(await provider.listParticipants(room)).some((p) => p.identity === seated), { what: 'the moved mentee out of the room' });
    const { socket: org } = await joinAs(organizer.cookie, eventId);
    await command(org, 'clock:end-event');
  });

  it('counts as showing up only those in the room at the start or who join after it, not a standby visit that ended before', async () => {
    const { eventId, people, roomOf } = await setUpEvent(t.app, { mentors: 2, mentees: 2 });
    const [stayed, left, late, never] = people;
    const start = new Date('2026-05-01T10:00:00Z');
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    const rows: [typeof stayed, 'joined' | 'left', Date][] = [
      [stayed, 'joined', at(-30)], // on standby, still there at the start
      [left, 'joined', at(-30)], // on standby, then closed the laptop before the start
      [left, 'left', at(-10)],
      [late, 'joined', at(20)], // joined after the start, then dropped: they came
      [late, 'left', at(40)],
    ];
    for (const [i, [person, kind, when]] of rows.entries()) {
      await t.pool.query(
        `INSERT INTO room_presence (event_id, participant_id, round, room_name, kind, at, webhook_id) VALUES ($1, $2, 1, $3, $4, $5, $6)`,
        [eventId, person!.id, roomOf(1, person!.id), kind, when, `test-${eventId}-${i}`],
      );
    }
    const showed = await showedUpInRound(t.pool, eventId, 1, start);
    expect([...showed].sort()).toEqual([stayed!.id, late!.id].sort());
    expect(showed.has(left!.id)).toBe(false);
    expect(showed.has(never!.id)).toBe(false);
  });

  it('flags someone whose signalling reached the room but whose media never did: their partner sees nothing', async () => {
    const { organizer, eventId, people, cookies, roomOf } = await setUpEvent(t.app, { mentors: 1, mentees: 1 });
    const mentee = people.find((p) => p.role === 'mentee')!;
    const org = await joinAs(organizer.cookie, eventId);
    const noShows = collect<VideoNoShow>(org.socket, 'video:no-show');
    const side = await joinAs(cookies[mentee.id]!);
    const assigned = nextEvent(side.socket, 'video:assigned');
    await command(org.socket, 'clock:start');
    const stuck = await joinSignalOnly(lk.url, (await assigned).connection!.token);
    await eventually(async () => (await provider.listParticipants(roomOf(1, mentee.id)!)).some((p) => p.identity === mentee.id), { what: 'the signalling-only join' });
    const flagged = await eventually(() => noShows.find((n) => n.participantId === mentee.id), { what: 'the stuck mentee flagged', timeoutMs: NO_SHOW_AFTER_MS + 10_000 });
    expect(flagged).toEqual({ round: 1, participantId: mentee.id, roomName: roomOf(1, mentee.id) });
    stuck.close();
    await command(org.socket, 'clock:end-event');
  });

  it('tells a participant who sits a round out that there is no room for them', async () => {
    const { organizer, eventId, people, cookies, plan } = await setUpEvent(t.app, { mentors: 1, mentees: 2 });
    const sitter = plan.rounds[0]!.sitOuts[0]!.participantId;
    const seated = people.find((p) => p.role === 'mentee' && p.id !== sitter)!;
    const org = await joinAs(organizer.cookie, eventId);
    const out = await joinAs(cookies[sitter]!);
    const sat = await joinAs(cookies[seated.id]!);
    const outAssigned = nextEvent(out.socket, 'video:assigned');
    const satAssigned = nextEvent(sat.socket, 'video:assigned');
    await command(org.socket, 'clock:start');
    expect(await outAssigned).toEqual({ round: 1, connection: null });
    expect((await satAssigned).connection).not.toBeNull();
    const again = await joinAs(cookies[sitter]!);
    expect(again.snapshot.sittingOut).toBe(true);
    expect(again.snapshot.video).toBeUndefined();
    await command(org.socket, 'clock:end-event');
  });

  it('answers 401 to webhooks LiveKit did not sign, and records only what it signed', async () => {
    const { organizer, eventId, people, roomOf } = await setUpEvent(t.app);
    const org = await joinAs(organizer.cookie, eventId);
    const presence = collect<VideoPresence>(org.socket, 'video:presence');
    const mentee = people.find((p) => p.role === 'mentee')!;
    const body = joinedWebhook(roomOf(1, mentee.id)!, mentee);
    const post = (authorization?: string) => postWebhook(body, authorization);
    const sign = (secret: string, payload: string) => signedWebhookHeader(payload, secret);

    const unsigned = await post();
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect((await post(await sign('x'.repeat(43), body))).status).toBe(401); // someone else's secret
    expect((await post(await sign(lk.apiSecret, `${body} `))).status).toBe(401); // signed, but for another body
    expect((await post('Bearer not-a-jwt')).status).toBe(401);
    // The same body signed with LiveKit's key is accepted: the route only trusts the signature.
    expect((await post(await sign(lk.apiSecret, body))).status).toBe(200);
    await eventually(() => presence.length === 1, { what: 'the signed presence' });
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM room_presence WHERE event_id = $1', [eventId]);
    expect(rows[0].n).toBe(1);
  });

  it('after a restart, adopts the round in progress: tokens on reconnect, and its rooms close when it ends', async () => {
    const { organizer, eventId, people, cookies, roomOf, roomsOf } = await setUpEvent(t.app);
    const listen = async (app: FastifyInstance) => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    };
    const first = await buildTestApp({ video: new LiveKitVideoProvider(lk), livekit: lk, noShowAfterMs: 60_000 });
    const firstUrl = await listen(first.app);
    const org = track(connectSocket(firstUrl, { cookie: organizer.cookie, eventId, as: 'organizer' }));
    await connected(org);
    await command(org, 'clock:start');
    await eventually(async () => (await roomNames(roomsOf(1))).length === 2, { what: "round 1's rooms" });
    await first.close(); // the rooms stay open on LiveKit

    const second = await buildTestApp({ video: new LiveKitVideoProvider(lk), livekit: lk, noShowAfterMs: 60_000 });
    try {
      const secondUrl = await listen(second.app);
      const mentee = people.find((p) => p.role === 'mentee')!;
      const socket = track(connectSocket(secondUrl, { cookie: cookies[mentee.id]! }));
      const snapshot = nextEvent(socket, 'event:snapshot');
      await connected(socket);
      const video = (await snapshot).video!;
      expect(video.roomName).toBe(roomOf(1, mentee.id));
      expect(await validateJoin(lk, video.token)).toBe(200);

      const orgAgain = track(connectSocket(secondUrl, { cookie: organizer.cookie, eventId, as: 'organizer' }));
      await connected(orgAgain);
      expect(await command(orgAgain, 'clock:end-round')).toMatchObject({ data: { phase: 'transition' } });
      await eventually(async () => (await roomNames(roomsOf(1))).length === 0, { what: 'the adopted rooms to close' });
      await eventually(async () => (await roomNames(roomsOf(2))).length === 2, { what: "round 2's rooms" });
      await command(orgAgain, 'clock:end-event');
    } finally {
      await second.close();
    }
  });

  describe.skipIf(noBrowser !== null)('in real browsers', () => {
    let browser: Browser;
    let pageServer: Server;
    let pageUrl: string;

    beforeAll(async () => {
      pageServer = await serveLiveKitPage(PAGE_SCRIPT);
      pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
    });

    const stateOf = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobal).lk.state());

    it('flags a partner who never joins to the organizer and to the partner left waiting, and re-plans without them', async () => {
      const { organizer, eventId, people, cookies, roomOf } = await setUpEvent(t.app);
      const headers = { cookie: organizer.cookie };
      const org = await joinAs(organizer.cookie, eventId);
      const presence = collect<VideoPresence>(org.socket, 'video:presence');
      const noShows = collect<VideoNoShow>(org.socket, 'video:no-show');
      const [mentorA, mentorB] = people.filter((p) => p.role === 'mentor') as [Person, Person];
      // Mentor A's table meets in full; at mentor B's table the mentee never comes.
      const absent = people.find((p) => p.role === 'mentee' && roomOf(1, p.id) === roomOf(1, mentorB.id))!;
      const partnerOfA = people.find((p) => p.role === 'mentee' && p.id !== absent.id)!;
      const present = [mentorA, partnerOfA, mentorB];
      const sockets = await Promise.all(present.map(async (p) => (await joinAs(cookies[p.id]!)).socket));
      const partnerNoShows = sockets.map((s) => collect<PartnerNoShow>(s, 'partner:no-show'));
      const pages = await Promise.all(present.map(async () => {
        const page = await browser.newPage();
        await page.goto(pageUrl);
        return page;
      }));

      const assigned = sockets.map((s) => nextEvent(s, 'video:assigned'));
      const started = await command<ClockActive>(org.socket, 'clock:start');
      if (!('data' in started)) throw new Error(JSON.stringify(started));
      // Browsers on a busy test machine can take longer than the shortened wait to connect: the
      // organizer pauses the round meanwhile, and a paused round's no-show clock stops with it.
      expect(await command(org.socket, 'clock:pause')).toMatchObject({ data: { paused: true } });
      await Promise.all(
        pages.map(async (page, i) => {
          const { connection } = await assigned[i]!;
          await page.evaluate(([u, token]) => (globalThis as unknown as PageGlobal).lk.join(u!, token!), [connection!.serverUrl, connection!.token]);
        }),
      );

      // LiveKit's webhooks tell the organizer who is in which room.
      await eventually(() => presence.filter((p) => p.joined).length === 3, { what: 'three joins', timeoutMs: 20_000 });
      expect(presence.map((p) => [p.participantId, p.roomName, p.round, p.joined]).sort()).toEqual(
        present.map((p) => [p.id, roomOf(1, p.id), 1, true]).sort(),
      );

      // Past the no-show wait, nobody is flagged while the round is paused.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started.data.startsAt + NO_SHOW_AFTER_MS + 300 - Date.now())));
      expect(noShows).toEqual([]);

      // Once the round runs again, the absent mentee is flagged when the (shortened) wait is over, and only they are.
      const resumed = await command<ClockActive>(org.socket, 'clock:resume');
      if (!('data' in resumed)) throw new Error(JSON.stringify(resumed));
      const flagged = await eventually(() => noShows[0], { what: 'the no-show', timeoutMs: NO_SHOW_AFTER_MS + 15_000 });
      expect(Date.now()).toBeGreaterThanOrEqual(resumed.data.startsAt + NO_SHOW_AFTER_MS);
      expect(flagged).toEqual({ round: 1, participantId: absent.id, roomName: roomOf(1, absent.id) });
      const waiting = await eventually(() => partnerNoShows[2]![0], { what: "mentor B's message" });
      expect(waiting).toMatchObject({ round: 1, partnerId: absent.id });
      expect(waiting.message).toContain(absent.name);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(noShows).toHaveLength(1);
      expect(partnerNoShows[0]).toEqual([]);
      expect(partnerNoShows[1]).toEqual([]);
      expect((await stateOf(pages[2]!)).others).toEqual([]);
      await eventually(async () => (await stateOf(pages[0]!)).others.join() === partnerOfA.id, { what: 'mentor A to see their mentee' });

      // Recorded, listed for the organizer, and used by the re-plan of the rounds still to come.
      const listed = await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/no-shows`, headers });
      expect(listed.statusCode).toBe(200);
      expect(listed.json().noShows).toEqual([
        { round: 1, participantId: absent.id, roomName: roomOf(1, absent.id), flaggedAt: expect.any(String), arrivedAt: null, absent: true },
      ]);
      expect((await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/no-shows` })).statusCode).toBe(401);
      const stranger = await signUpOrganizer(t.app);
      expect((await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/no-shows`, headers: { cookie: stranger.cookie } })).statusCode).toBe(404);
      const replanned = await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/plan/replan`, headers, payload: {} });
      expect(replanned.statusCode).toBe(200);
      const round2 = replanned.json().plan.rounds[1];
      expect(round2.sitOuts).toContainEqual(expect.objectContaining({ participantId: absent.id, code: 'absent' }));
      expect(round2.tables.flatMap((tb: { menteeIds: string[] }) => tb.menteeIds)).not.toContain(absent.id);

      // The end of the round sends everyone away, and the organizer hears them leave.
      await command(org.socket, 'clock:end-event');
      for (const page of pages) {
        const state = await eventually(async () => {
          const s = await stateOf(page);
          return s.disconnectReason !== null && s;
        }, { what: 'the browser to be sent away' });
        expect(state.disconnectReason).toBe('PARTICIPANT_REMOVED');
      }
      await eventually(() => presence.filter((p) => !p.joined).length === 3, { what: 'three leaves' });

      // The organizer can take a no-show back: they are seated again by the next re-plan.
      expect((await t.app.inject({ method: 'DELETE', url: `/api/events/${eventId}/no-shows/${absent.id}`, headers })).statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/no-shows`, headers })).json().noShows).toEqual([]);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/events/${eventId}/no-shows/${absent.id}`, headers })).statusCode).toBe(404);
      await Promise.all(pages.map((page) => page.close()));
    }, 120_000);
  });
});

/** Runs in the page: livekit-client joining as a browser does, without publishing (enough to be present). */
const PAGE_SCRIPT = `
const { Room, RoomEvent, DisconnectReason } = LivekitClient;
const state = { disconnectReason: null };
let room;
globalThis.lk = {
  async join(url, token) {
    room = new Room();
    room.on(RoomEvent.Disconnected, (reason) => {
      state.disconnectReason = DisconnectReason[reason] ?? String(reason);
    });
    await room.connect(url, token);
  },
  state() {
    return { ...state, connection: room ? room.state : 'none', others: room ? [...room.remoteParticipants.keys()].sort() : [] };
  },
};
`;

interface PageApi {
  join(url: string, token: string): Promise<void>;
  state(): { disconnectReason: string | null; connection: string; others: string[] };
}
type PageGlobal = { lk: PageApi };

