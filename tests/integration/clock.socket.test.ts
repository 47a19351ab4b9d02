import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ClockActive, ClockState } from '@constellation/shared/clock/state';
import type { EventSnapshot } from '@constellation/shared/realtime/events';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp, listenTestApp } from '../helpers/app.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';

let t: TestApp;
let url: string;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await buildTestApp();
  url = await listenTestApp(t.app);
});
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await t.close();
});

function track(socket: ClientSocket): ClientSocket {
  sockets.push(socket);
  return socket;
}

/** An event with 2 mentors and 2 mentees, planned, with everyone's session cookie. */
async function setUpEvent(app: FastifyInstance, overrides = {}) {
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2, roundSeconds: 300, transitionSeconds: 60, ...overrides }) })).json();
  const people = [];
  for (const role of ['mentor', 'mentor', 'mentee', 'mentee'] as const) {
    people.push((await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).json());
  }
  const plan = await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } });
  expect(plan.statusCode).toBe(200);
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  const cookies: Record<string, string> = {};
  for (const invite of invites) {
    const join = await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } });
    cookies[invite.participantId] = cookieFrom(join);
  }
  return { organizer, event, people, cookies };
}

async function joinAs(cookie: string, eventId?: string, as?: 'organizer'): Promise<{ socket: ClientSocket; snapshot: EventSnapshot }> {
  const socket = track(connectSocket(url, { cookie, ...(eventId ? { eventId } : {}), ...(as ? { as } : {}) }));
  const snapshot = nextEvent(socket, 'event:snapshot');
  await connected(socket);
  return { socket, snapshot: await snapshot };
}

describe('the live event clock over Socket.IO', () => {
  it('refuses a socket without a session, and an organizer socket for an event they do not own', async () => {
    const anonymous = track(connectSocket(url, {}));
    await expect(connected(anonymous)).rejects.toThrow(/unauthorized/);
    const { event } = await setUpEvent(t.app);
    const stranger = await signUpOrganizer(t.app);
    const foreign = track(connectSocket(url, { cookie: stranger.cookie, eventId: event.id }));
    await expect(connected(foreign)).rejects.toThrow(/unauthorized/);
  });

  it('sends each participant a snapshot with their partner, what they share, and the prompt', async () => {
    const { event, people, cookies } = await setUpEvent(t.app);
    const mentee = people.find((p) => p.role === 'mentee')!;
    const { snapshot } = await joinAs(cookies[mentee.id]!);
    expect(snapshot.eventId).toBe(event.id);
    expect(snapshot.clock.phase).toBe('lobby');
    expect(snapshot.viewer).toMatchObject({ kind: 'participant', participantId: mentee.id, role: 'mentee' });
    expect(snapshot.seatRound).toBe(1);
    expect(snapshot.partners).toHaveLength(1);
    expect(snapshot.partners[0]!.role).toBe('mentor');
    expect(snapshot.prompt?.title).toBeTruthy();
    expect(snapshot.itinerary).toHaveLength(2);
    // over two rounds the mentee meets both mentors, never the same one twice
    const met = snapshot.itinerary.map((r) => r.partners[0]!.participantId);
    expect(new Set(met).size).toBe(2);
  });

  it('an organizer starts the event and two participants receive the same absolute end time', async () => {
    const { event, people, organizer, cookies } = await setUpEvent(t.app);
    const [a, b] = people.filter((p) => p.role === 'mentee');
    const alice = await joinAs(cookies[a.id]!);
    const bob = await joinAs(cookies[b.id]!);
    const org = await joinAs(organizer.cookie, event.id, 'organizer');
    expect(org.snapshot.viewer.kind).toBe('organizer');
    expect(org.snapshot.online.sort()).toEqual([a.id, b.id].sort());

    const aliceChange = nextEvent(alice.socket, 'clock:changed');
    const bobChange = nextEvent(bob.socket, 'clock:changed');
    const ack = await command<ClockState>(org.socket, 'clock:start');
    expect('data' in ack && ack.data.phase).toBe('round');
    const [fromAlice, fromBob] = await Promise.all([aliceChange, bobChange]);
    expect(fromAlice.cause).toEqual({ kind: 'started' });
    const endsAt = (fromAlice.clock as ClockActive).endsAt;
    expect((fromBob.clock as ClockActive).endsAt).toBe(endsAt);
    expect(endsAt - (fromAlice.clock as ClockActive).startsAt).toBe(300_000);
    // the command is durable before it is acknowledged
    const { rows } = await t.pool.query('SELECT command FROM clock_commands WHERE event_id = $1', [event.id]);
    expect(rows.map((r) => r.command.type)).toEqual(['start']);
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}`, headers: { cookie: organizer.cookie } })).json().status).toBe('live');
  });

  it('pauses, resumes with the remaining time kept, and extends the round for everyone', async () => {
    const { event, people, organizer, cookies } = await setUpEvent(t.app);
    const mentee = await joinAs(cookies[people[2].id]!);
    const org = await joinAs(organizer.cookie, event.id, 'organizer');
    await command(org.socket, 'clock:start');
    const paused = await command<ClockActive>(org.socket, 'clock:pause');
    expect('data' in paused && paused.data.paused).toBe(true);
    const remaining = 'data' in paused ? paused.data.remainingMs! : 0;
    await new Promise((r) => setTimeout(r, 150));
    const resumedEvent = nextEvent(mentee.socket, 'clock:changed');
    const resumed = await command<ClockActive>(org.socket, 'clock:resume');
    const state = 'data' in resumed ? resumed.data : null;
    expect(state!.paused).toBe(false);
    expect((await resumedEvent).cause).toEqual({ kind: 'resumed' });
    const resumedAt = state!.startsAt + (state!.endsAt - state!.startsAt) - remaining;
    expect(state!.endsAt - resumedAt).toBe(remaining);

    const extendedEvent = nextEvent(mentee.socket, 'clock:changed');
    const extended = await command<ClockActive>(org.socket, 'clock:extend', { seconds: 120 });
    expect('data' in extended && extended.data.endsAt).toBe(state!.endsAt + 120_000);
    const change = await extendedEvent;
    expect(change.cause).toEqual({ kind: 'extended', seconds: 120 });
    expect((change.clock as ClockActive).upcoming[0]!.startsAt).toBe(state!.upcoming[0]!.startsAt + 120_000);
  });

  it("refuses a participant's attempt at an organizer command, and broadcasts nothing", async () => {
    const { event, people, organizer, cookies } = await setUpEvent(t.app);
    const mentee = await joinAs(cookies[people[2].id]!);
    const other = await joinAs(cookies[people[3].id]!);
    let broadcasts = 0;
    other.socket.on('clock:changed', () => broadcasts++);
    other.socket.on('announcement:sent', () => broadcasts++);
    for (const cmd of ['clock:start', 'clock:pause', 'clock:end-event'] as const) {
      const ack = await command(mentee.socket, cmd);
      expect(ack).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(await command(mentee.socket, 'announcement:send', { text: 'hello all' })).toMatchObject({ error: { code: 'forbidden' } });
    // a participant cannot join another event's socket either
    const foreign = track(connectSocket(url, { cookie: cookies[people[2].id]!, eventId: '00000000-0000-4000-8000-000000000000' }));
    await expect(connected(foreign)).rejects.toThrow(/unauthorized/);
    await new Promise((r) => setTimeout(r, 200));
    expect(broadcasts).toBe(0);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM clock_commands WHERE event_id = $1', [event.id]);
    expect(rows[0].n).toBe(0);
    void organizer;
  });

  it('answers invalid commands with a reason and stores nothing', async () => {
    const { event, organizer } = await setUpEvent(t.app);
    const org = await joinAs(organizer.cookie, event.id, 'organizer');
    expect(await command(org.socket, 'clock:pause')).toMatchObject({ error: { code: 'not-started' } });
    await command(org.socket, 'clock:start');
    expect(await command(org.socket, 'clock:extend', { seconds: -5 })).toMatchObject({ error: { code: 'invalid-payload' } });
    expect(await command(org.socket, 'clock:extend', { seconds: 'ten' })).toMatchObject({ error: { code: 'invalid-payload' } });
    expect(await command(org.socket, 'clock:extend')).toMatchObject({ error: { code: 'invalid-payload' } });
    expect(await command(org.socket, 'clock:resume')).toMatchObject({ error: { code: 'not-paused' } });
    expect(await command(org.socket, 'announcement:send', { text: '' })).toMatchObject({ error: { code: 'invalid-payload' } });
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM clock_commands WHERE event_id = $1', [event.id]);
    expect(rows[0].n).toBe(1);
  });

  it('broadcasts announcements and keeps them in later snapshots', async () => {
    const { event, people, organizer, cookies } = await setUpEvent(t.app);
    const mentor = await joinAs(cookies[people[0].id]!);
    const org = await joinAs(organizer.cookie, event.id, 'organizer');
    const heard = nextEvent(mentor.socket, 'announcement:sent');
    const ack = await command(org.socket, 'announcement:send', { text: 'Two minutes to the break' });
    expect(ack).toMatchObject({ data: { text: 'Two minutes to the break' } });
    expect((await heard).text).toBe('Two minutes to the break');
    const later = await joinAs(cookies[people[1].id]!);
    expect(later.snapshot.announcements.map((a) => a.text)).toEqual(['Two minutes to the break']);
  });

  it('answers clock sync samples with the server time', async () => {
    const { cookies, people } = await setUpEvent(t.app);
    const { socket } = await joinAs(cookies[people[2].id]!);
    const before = Date.now();
    const ack = await command<{ t0: number; serverTime: number }>(socket, 'time:sync', { t0: 42 });
    expect('data' in ack && ack.data.t0).toBe(42);
    expect('data' in ack && ack.data.serverTime).toBeGreaterThanOrEqual(before);
    expect(await command(socket, 'time:sync', { t0: 'x' })).toMatchObject({ error: { code: 'invalid-payload' } });
  });

  it('tells the organizer who is connected', async () => {
    const { event, people, organizer, cookies } = await setUpEvent(t.app);
    const org = await joinAs(organizer.cookie, event.id, 'organizer');
    expect(org.snapshot.online).toEqual([]);
    const online = nextEvent(org.socket, 'presence:changed');
    const mentor = await joinAs(cookies[people[0].id]!);
    expect(await online).toEqual({ participantId: people[0].id, online: true });
    const offline = nextEvent(org.socket, 'presence:changed');
    mentor.socket.disconnect();
    expect(await offline).toEqual({ participantId: people[0].id, online: false });
  });
});
