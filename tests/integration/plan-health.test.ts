import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp, listenTestApp } from '../helpers/app.ts';
import { eventually, liveKitAvailability, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';
import { attendRound } from '../helpers/attendance.ts';
import { connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';

const livekit = liveKitAvailability();

let t: TestApp;
let clockOffset = 0;
beforeAll(async () => {
  t = await buildTestApp({ now: () => Date.now() + clockOffset });
});
afterAll(() => t.close());

/** 4 mentors, 8 mentees, 3 rounds: the thin plan from issue 11. */
async function thinEvent(app = t.app) {
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 3 }) })).json();
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const role = i < 4 ? 'mentor' : 'mentee';
    ids.push((await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).json().id);
  }
  return { organizer, headers, event, ids };
}

describe('plan health', () => {
  it('serves the thin plan\'s health: half the mentees sit out each round, and what more rounds, shared tables or mentors would give', async () => {
    const { headers, event } = await thinEvent();
    const before = await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan/health`, headers });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ health: null, advice: [], version: 0, stale: false });

    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 3 } })).statusCode).toBe(200);
    const response = await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan/health`, headers });
    expect(response.statusCode).toBe(200);
    const view = response.json();
    expect(view).toMatchObject({
      version: 1,
      stale: false,
      health: { level: 'thin', sitOutShare: 0.5, sitOutsPerRound: { min: 4, max: 4 }, meetingsPerMentee: { min: 1, max: 2 }, mentorLoads: { min: 3, max: 3 }, reach: 3 },
    });
    expect(view.health.fewest).toHaveLength(4);
    expect(view.advice).toEqual([
      { kind: 'more-rounds', rounds: 4, meetingsPerMentee: { min: 2, max: 2 }, sitOutShare: 0.5, sharedTables: 0 },
      { kind: 'more-rounds', rounds: 6, meetingsPerMentee: { min: 3, max: 3 }, sitOutShare: 0.5, sharedTables: 0 },
      { kind: 'shared-tables', meetingsPerMentee: { min: 3, max: 3 }, sitOutShare: 0, sharedTables: 12 },
      { kind: 'more-mentors', mentors: 4, meetingsPerMentee: { min: 3, max: 3 }, sitOutShare: 0, sharedTables: 0 },
    ]);

    // Taking the advice: 4 rounds, planned again, and every mentee meets two mentors.
    expect((await t.app.inject({ method: 'PATCH', url: `/api/events/${event.id}`, headers, payload: { rounds: 4 } })).statusCode).toBe(200);
    const stale = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan/health`, headers })).json();
    expect(stale).toEqual({ health: null, advice: [], version: 1, stale: true });
    await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 3 } });
    const after = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan/health`, headers })).json();
    expect(after.health.meetingsPerMentee).toEqual({ min: 2, max: 2 });
    expect(after.version).toBe(2);
  });

  it('serves the health of a re-plan after a round was held: absentees left out, advice on the rounds still to come', async () => {
    const { organizer, headers, event, ids } = await thinEvent();
    await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 5 } });
    await t.app.clock.command(event.id, { type: 'start' }, organizer.id);
    await attendRound(t.app, event.id, 1);
    clockOffset += 61_000;
    await t.app.clock.command(event.id, { type: 'endRound' }, organizer.id);
    const leaver = ids[11]!;
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan/replan`, headers, payload: { absentIds: [leaver] } })).statusCode).toBe(200);

    const view = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan/health`, headers })).json();
    expect(view.stale).toBe(false);
    // 7 mentees present, 4 seats in each of the 2 rounds left: 3 sit out each round.
    expect(view.health).toMatchObject({ plannedRounds: 2, mentees: 7, mentors: 4, sitOutsPerRound: { min: 3, max: 3 } });
    expect(view.health.sitOutShare).toBeCloseTo(6 / 14);
    expect(view.health.fewest).not.toContain(leaver);
    const rounds = view.advice.filter((a: { kind: string }) => a.kind === 'more-rounds');
    expect(rounds.length).toBeGreaterThan(0);
    for (const a of rounds) expect(a.meetingsPerMentee.min).toBeGreaterThan(view.health.meetingsPerMentee.min);
  });

  it('keeps plan health to the event\'s organizer and answers 400 for a malformed id', async () => {
    const { event } = await thinEvent();
    const stranger = await signUpOrganizer(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan/health`, headers: { cookie: stranger.cookie } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan/health` })).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'GET', url: '/api/events/not-an-id/plan/health', headers: { cookie: stranger.cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/eventId/);
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/start-checklist`, headers: { cookie: stranger.cookie } })).statusCode).toBe(404);
  });

});

describe.skipIf(!livekit.available)('the start checklist, with a real LiveKit', () => {
  let live: TestApp;
  let lk: LiveKitServer;
  let url: string;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    lk = await startLiveKit();
    live = await buildTestApp({ video: new LiveKitVideoProvider(lk), livekit: lk });
    url = await listenTestApp(live.app);
  }, 60_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await live?.close();
    await lk?.stop();
  });

  it('lists before the start whether the plan is up to date, the video server answers, and who is connected', async () => {
    const { headers, event, ids } = await thinEvent(live.app);
    const first = (await live.app.inject({ method: 'GET', url: `/api/events/${event.id}/start-checklist`, headers })).json();
    expect(first.plan).toMatchObject({ ok: false, detail: expect.stringMatching(/no rotation plan/) });
    expect(first.video).toMatchObject({ ok: true, serverUrl: lk.url });
    expect(first.connected).toMatchObject({ ok: false, mentors: { online: 0, total: 4 }, mentees: { online: 0, total: 8 } });

    await live.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } });
    const invites = (await live.app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
    const mentor = invites.find((i) => i.participantId === ids[0])!;
    const join = await live.app.inject({ method: 'POST', url: '/api/join', payload: { token: mentor.url.split('#')[1] } });
    const socket = connectSocket(url, { cookie: cookieFrom(join) });
    sockets.push(socket);
    await connected(socket);

    const ready = await eventually(async () => {
      const list = (await live.app.inject({ method: 'GET', url: `/api/events/${event.id}/start-checklist`, headers })).json();
      return list.connected.mentors.online === 1 ? list : undefined;
    });
    expect(ready.plan).toEqual({ ok: true, detail: 'The plan is up to date.' });
    expect(ready.connected).toMatchObject({ detail: '1 of 4 mentors and 0 of 8 mentees are connected.' });
  });

  it('says the video server does not answer when it is down', async () => {
    const down = await startLiveKit();
    await down.stop();
    const app = await buildTestApp({ video: new LiveKitVideoProvider(down), livekit: down });
    try {
      const organizer = await signUpOrganizer(app.app);
      const headers = { cookie: organizer.cookie };
      const own = (await app.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent() })).json();
      const list = (await app.app.inject({ method: 'GET', url: `/api/events/${own.id}/start-checklist`, headers })).json();
      expect(list.video).toMatchObject({ ok: false, detail: expect.stringMatching(/does not answer/) });
    } finally {
      await app.close();
    }
  });
});
