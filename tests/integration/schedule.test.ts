import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { attendRound } from '../helpers/attendance.ts';

let t: TestApp;
let clockOffset = 0;
beforeAll(async () => {
  t = await buildTestApp({ now: () => Date.now() + clockOffset });
});
afterAll(() => t.close());

type PlanRound = { index: number; held: boolean; tables: { mentorId: string; menteeIds: string[]; seats: { reasons: string[] }[] }[]; sitOuts: { participantId: string; reason: string }[] };

async function eventWith(mentors: number, mentees: number, overrides = {}) {
  const organizer = await signUpOrganizer(t.app);
  const headers = { cookie: organizer.cookie };
  const event = (await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 3, transitionSeconds: 10, ...overrides }) })).json();
  const ids: Record<'mentor' | 'mentee', string[]> = { mentor: [], mentee: [] };
  for (let i = 0; i < mentors + mentees; i++) {
    const role = i < mentors ? 'mentor' : 'mentee';
    const profile = role === 'mentor' ? { industry: 'fintech', skills: ['people management', 'python'], yearsExperience: 12 } : { industry: 'fintech', goals: ['people management'], yearsExperience: 2 };
    ids[role].push((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role, profile }) })).json().id);
  }
  return { organizer, headers, event, ids };
}

describe('the rotation plan', () => {
  it('plans every round with scores, reasons and sit-outs, and no pair meets twice', async () => {
    const { headers, event, ids } = await eventWith(2, 3);
    const response = await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 42 } });
    expect(response.statusCode).toBe(200);
    const view = response.json();
    expect(view).toMatchObject({ seed: 42, version: 1, heldRounds: 0, stale: false });
    const rounds = view.plan.rounds as PlanRound[];
    expect(rounds).toHaveLength(3);
    const pairs = rounds.flatMap((r) => r.tables.flatMap((tb) => tb.menteeIds.map((m) => `${tb.mentorId}:${m}`)));
    expect(new Set(pairs).size).toBe(pairs.length);
    // 3 mentees, 2 tables: someone sits out every round, with a reason
    for (const round of rounds) {
      expect(round.sitOuts.filter((s) => ids.mentee.includes(s.participantId))).toHaveLength(1);
      expect(round.sitOuts[0]!.reason).toMatch(/\w/);
    }
    expect(rounds[0]!.tables[0]!.seats[0]!.reasons.join(' ')).toMatch(/fintech/);
    expect(view.people[ids.mentor[0]!]).toMatchObject({ role: 'mentor' });
    // the same seed gives the same plan
    const again = (await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 42 } })).json();
    expect(again.plan.rounds).toEqual(view.plan.rounds);
    expect(again.version).toBe(2);
  });

  it('honours pins and forbids', async () => {
    const { headers, event, ids } = await eventWith(2, 2, { rounds: 1 });
    const [m1, m2] = ids.mentor as [string, string];
    const [e1] = ids.mentee as [string];
    expect((await t.app.inject({ method: 'PUT', url: `/api/events/${event.id}/constraints/${m2}/${e1}`, headers, payload: { kind: 'pin' } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'PUT', url: `/api/events/${event.id}/constraints/${m1}/${e1}`, headers, payload: { kind: 'forbid' } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'PUT', url: `/api/events/${event.id}/constraints/${e1}/${m1}`, headers, payload: { kind: 'pin' } })).statusCode).toBe(404);
    const view = (await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).json();
    const tables = (view.plan.rounds as PlanRound[])[0]!.tables;
    expect(tables.find((tb) => tb.mentorId === m2)!.menteeIds).toEqual([e1]);
    expect(view.constraints).toHaveLength(2);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/events/${event.id}/constraints/${m1}/${e1}`, headers })).statusCode).toBe(204);
  });

  it('re-plans the remaining rounds between rounds: held rounds never change, absentees get no more meetings', async () => {
    const { organizer, headers, event, ids } = await eventWith(3, 3);
    const first = (await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 7 } })).json();
    await t.app.clock.command(event.id, { type: 'start' }, organizer.id);
    // everyone came, and talked long enough for the meetings to count
    await attendRound(t.app, event.id, 1);
    clockOffset += 61_000;
    await t.app.clock.command(event.id, { type: 'endRound' }, organizer.id);
    // once the event has started, a fresh plan is refused: only the remaining rounds can change
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: {} })).statusCode).toBe(409);
    const absent = ids.mentee[0]!;
    const late = (await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role: 'mentee' }) })).json().id;
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json().stale).toBe(true);
    const replanned = await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan/replan`, headers, payload: { absentIds: [absent] } });
    expect(replanned.statusCode).toBe(200);
    const view = replanned.json();
    const rounds = view.plan.rounds as PlanRound[];
    expect(view.heldRounds).toBe(1);
    expect(rounds[0]!.tables).toEqual((first.plan.rounds as PlanRound[])[0]!.tables);
    const later = rounds.slice(1).flatMap((r) => r.tables.flatMap((tb) => tb.menteeIds));
    expect(later).not.toContain(absent);
    expect(later).toContain(late);
    const pairs = rounds.flatMap((r) => r.tables.flatMap((tb) => tb.menteeIds.map((m) => `${tb.mentorId}:${m}`)));
    expect(new Set(pairs).size).toBe(pairs.length);
    // the database agrees: one row per meeting, the held round untouched
    const { rows } = await t.pool.query('SELECT round, count(*)::int AS n FROM meetings WHERE event_id = $1 GROUP BY round ORDER BY round', [event.id]);
    expect(rows[0]).toEqual({ round: 1, n: 3 });
  });

  it('refuses to plan without mentors or mentees, and other organizers cannot see the plan', async () => {
    const { headers, event } = await eventWith(1, 0);
    const response = await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: {} });
    expect(response.statusCode).toBe(422);
    const stranger = await signUpOrganizer(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers: { cookie: stranger.cookie } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers: { cookie: stranger.cookie }, payload: {} })).statusCode).toBe(404);
  });

  it('freezes timing settings once the event has started', async () => {
    const { organizer, headers, event } = await eventWith(1, 1);
    await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: {} });
    await t.app.clock.command(event.id, { type: 'start' }, organizer.id);
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/events/${event.id}`, headers, payload: { roundSeconds: 900 } });
    expect(patch.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/events/${event.id}`, headers, payload: { title: 'Renamed live' } })).statusCode).toBe(200);
  });
});

describe('the plan never traps the organizer', () => {
  it('refuses to start without a plan, or with a stale one, and says what to do', async () => {
    const { organizer, headers, event, ids } = await eventWith(2, 2);
    const start = () => t.app.clock.command(event.id, { type: 'start' }, organizer.id);
    expect(await start()).toMatchObject({ ok: false, code: 'no-plan', reason: expect.stringMatching(/generate the plan/) });
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json()).toMatchObject({ plan: null, stale: false });
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).json().stale).toBe(false);

    // Each change of what the plan depends on makes it stale, visibly, until re-planned.
    const stale = async () => (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json().stale as boolean;
    const replan = async () => expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan/replan`, headers, payload: {} })).json().stale).toBe(false);
    const [m1, m2] = ids.mentor as [string, string];
    const [e1, e2] = ids.mentee as [string, string];
    const changes: [string, () => Promise<unknown>][] = [
      ['a pin', () => t.app.inject({ method: 'PUT', url: `/api/events/${event.id}/constraints/${m1}/${e2}`, headers, payload: { kind: 'pin' } })],
      ['a forbid', () => t.app.inject({ method: 'PUT', url: `/api/events/${event.id}/constraints/${m2}/${e2}`, headers, payload: { kind: 'forbid' } })],
      ['a removed constraint', () => t.app.inject({ method: 'DELETE', url: `/api/events/${event.id}/constraints/${m2}/${e2}`, headers })],
      ['a new participant', () => t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role: 'mentee' }) })],
      ['fewer rounds', () => t.app.inject({ method: 'PATCH', url: `/api/events/${event.id}`, headers, payload: { rounds: 2 } })],
    ];
    for (const [what, change] of changes) {
      await change();
      expect(await stale(), what).toBe(true);
      expect(await start(), what).toMatchObject({ ok: false, code: 'plan-stale', reason: expect.stringMatching(/Re-plan/) });
      await replan();
    }
    // The pin holds in the plan: any pair can be pinned, planned together before or not.
    const plan = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json().plan;
    const pairs = (plan.rounds as PlanRound[]).flatMap((r) => r.tables.flatMap((tb) => tb.menteeIds.map((m) => `${tb.mentorId}:${m}`)));
    expect(pairs).toContain(`${m1}:${e2}`);
    expect(await start()).toMatchObject({ ok: true });
    void e1;
  });

  it('turns a pin that can no longer be honoured into a warning naming it, never an error', async () => {
    const { organizer, headers, event, ids } = await eventWith(2, 2, { rounds: 2 });
    const [m1] = ids.mentor as [string];
    const [e1] = ids.mentee as [string];
    await t.app.inject({ method: 'PUT', url: `/api/events/${event.id}/constraints/${m1}/${e1}`, headers, payload: { kind: 'pin' } });
    await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 2 } });
    const pinnedRound = ((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json().plan.rounds as PlanRound[]).findIndex((r) =>
      r.tables.some((tb) => tb.mentorId === m1 && tb.menteeIds.includes(e1)),
    );
    expect(await t.app.clock.command(event.id, { type: 'start' }, organizer.id)).toMatchObject({ ok: true });
    // Everyone but the pinned mentee comes to every round: the pinned meeting is missed.
    for (let round = 1; round <= 2; round++) {
      await attendRound(t.app, event.id, round, { absent: [e1] });
      clockOffset += 61_000;
      await t.app.clock.command(event.id, { type: 'endRound' }, organizer.id);
      clockOffset += 11_000;
    }
    expect(pinnedRound).toBeGreaterThanOrEqual(0);
    const replanned = await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan/replan`, headers, payload: {} });
    expect(replanned.statusCode).toBe(200);
    const names = replanned.json().people as Record<string, { name: string }>;
    expect(replanned.json().plan.warnings.join(' ')).toContain(`${names[m1]!.name}–${names[e1]!.name}`);
    // The attendance record says the pinned pair never met.
    const attendance = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/attendance`, headers })).json();
    const seat = attendance.rounds.flatMap((r: { seats: { mentorId: string; menteeId: string; outcome: string }[] }) => r.seats).find((s: { mentorId: string; menteeId: string }) => s.mentorId === m1 && s.menteeId === e1);
    expect(seat.outcome).toBe('no-show');
  });
});
