import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp, listenTestApp } from '../helpers/app.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { attendRound } from '../helpers/attendance.ts';

let t: TestApp;
let url: string;
/** The server clock is injectable: tests jump over transitions instead of waiting for them. */
let clockOffset = 0;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  t = await buildTestApp({ now: () => Date.now() + clockOffset });
  url = await listenTestApp(t.app);
});
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await t.close();
});

type Person = { id: string; role: 'mentor' | 'mentee'; name: string; cookie: string };

/** 2 mentors × 2 mentees over 2 rounds: each mentee meets each mentor once. */
async function liveEvent(app: FastifyInstance) {
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2 }) })).json();
  const people: Person[] = [];
  for (const role of ['mentor', 'mentor', 'mentee', 'mentee'] as const) {
    const p = (await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).json();
    people.push({ ...p, cookie: '' });
  }
  await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 5 } });
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  for (const invite of invites) {
    const join = await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } });
    people.find((p) => p.id === invite.participantId)!.cookie = cookieFrom(join);
  }
  const [mentorA, mentorB, menteeA, menteeB] = people as [Person, Person, Person, Person];
  const { rows } = await t.pool.query('SELECT round, mentor_id, mentee_id FROM meetings WHERE event_id = $1 ORDER BY round', [event.id]);
  const partnerIn = (round: number, mentorId: string) => rows.find((r) => r.round === round && r.mentor_id === mentorId)!.mentee_id as string;
  /**
   * Runs the clock; everyone seated comes to each round that starts (their rooms' webhooks say so),
   * and the server clock jumps past the time a meeting needs to count as held.
   */
  const command = async (type: 'start' | 'endRound' | 'endEvent') => {
    const result = await app.clock.command(event.id, { type }, organizer.id);
    if (!result.ok) throw new Error(result.reason);
    // jump over the transition that follows an ended round
    if (type === 'endRound') clockOffset += (event.transitionSeconds + 1) * 1000;
    const clock = await app.clock.state(event.id);
    if (clock?.phase === 'round') {
      await attendRound(app, event.id, clock.round);
      clockOffset += 61_000;
    }
    return result;
  };
  return { organizer, event, mentorA, mentorB, menteeA, menteeB, partnerIn, command };
}

const put = (cookie: string, url: string, payload: object) => t.app.inject({ method: 'PUT', url, headers: { cookie }, payload });
const get = (cookie: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });

describe('ratings and rankings', () => {
  it('lets a mentor rate only mentees actually met, once their round has started', async () => {
    const e = await liveEvent(t.app);
    const round1 = e.partnerIn(1, e.mentorA.id);
    const round2 = e.partnerIn(2, e.mentorA.id);
    const rating = { fit: 4, wouldMentor: true, note: 'sharp questions' };
    expect((await put(e.mentorA.cookie, `/api/me/ratings/${round1}`, rating)).statusCode).toBe(403); // lobby: not met yet
    await e.command('start');
    expect((await put(e.mentorA.cookie, `/api/me/ratings/${round1}`, rating)).statusCode).toBe(204);
    const notYet = await put(e.mentorA.cookie, `/api/me/ratings/${round2}`, rating);
    expect(notYet.statusCode).toBe(403);
    expect(notYet.json().message).toMatch(/only mentees you met/);
    expect((await put(e.mentorA.cookie, `/api/me/ratings/${e.mentorB.id}`, rating)).statusCode).toBe(403);
    expect((await put(e.menteeA.cookie, `/api/me/ratings/${e.mentorA.id}`, rating)).statusCode).toBe(403);
    expect((await put(e.mentorA.cookie, `/api/me/ratings/${round1}`, { fit: 6, wouldMentor: true })).statusCode).toBe(400);
    const mine = (await get(e.mentorA.cookie, '/api/me/feedback')).json();
    expect(mine.met).toEqual([expect.objectContaining({ participantId: round1, round: 1, rating: { fit: 4, wouldMentor: true, note: 'sharp questions' } })]);
  });

  it('is idempotent and editable until submissions close, and every acknowledged write is stored', async () => {
    const e = await liveEvent(t.app);
    await e.command('start');
    const mentee = e.partnerIn(1, e.mentorA.id);
    await put(e.mentorA.cookie, `/api/me/ratings/${mentee}`, { fit: 3, wouldMentor: true });
    await put(e.mentorA.cookie, `/api/me/ratings/${mentee}`, { fit: 3, wouldMentor: true });
    await put(e.mentorA.cookie, `/api/me/ratings/${mentee}`, { fit: 5, wouldMentor: false, note: 'changed my mind' });
    const { rows } = await t.pool.query('SELECT fit, would_mentor, note FROM ratings WHERE event_id = $1', [e.event.id]);
    expect(rows).toEqual([{ fit: 5, would_mentor: false, note: 'changed my mind' }]);

    const close = await t.app.inject({ method: 'POST', url: `/api/events/${e.event.id}/submissions`, headers: { cookie: e.organizer.cookie }, payload: { open: false } });
    expect(close.statusCode).toBe(204);
    const refused = await put(e.mentorA.cookie, `/api/me/ratings/${mentee}`, { fit: 1, wouldMentor: false });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/closed/);
    expect((await put(e.mentorA.cookie, '/api/me/capacity', { capacity: 2 })).statusCode).toBe(409);
    expect((await t.pool.query('SELECT fit FROM ratings WHERE event_id = $1', [e.event.id])).rows).toEqual([{ fit: 5 }]);
    await t.app.inject({ method: 'POST', url: `/api/events/${e.event.id}/submissions`, headers: { cookie: e.organizer.cookie }, payload: { open: true } });
    expect((await put(e.mentorA.cookie, `/api/me/ratings/${mentee}`, { fit: 2, wouldMentor: true })).statusCode).toBe(204);
  });

  it('lets a mentee rank only mentors met, with "not a fit" marks, and never shows them what mentors said', async () => {
    const e = await liveEvent(t.app);
    await e.command('start');
    await e.command('endRound');
    await e.command('endRound'); // both rounds held; the event is over
    const rating = { fit: 2, wouldMentor: false, note: 'PRIVATE mentor note' };
    await put(e.mentorA.cookie, `/api/me/ratings/${e.menteeA.id}`, rating);
    expect((await put(e.menteeA.cookie, '/api/me/preferences', { ranking: [e.mentorB.id, e.menteeB.id], notAFit: [] })).statusCode).toBe(403);
    expect((await put(e.menteeA.cookie, '/api/me/preferences', { ranking: [e.mentorB.id], notAFit: [e.mentorB.id] })).statusCode).toBe(400);
    const ok = await put(e.menteeA.cookie, '/api/me/preferences', { ranking: [e.mentorB.id], notAFit: [e.mentorA.id] });
    expect(ok.statusCode).toBe(204);
    expect((await put(e.menteeA.cookie, '/api/me/preferences', { ranking: [e.mentorB.id], notAFit: [e.mentorA.id] })).statusCode).toBe(204);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM preferences WHERE event_id = $1', [e.event.id])).rows[0].n).toBe(1);

    const mine = await get(e.menteeA.cookie, '/api/me/feedback');
    expect(mine.json()).toMatchObject({ ranking: [e.mentorB.id], notAFit: [e.mentorA.id] });
    expect(mine.body).not.toContain('PRIVATE');
    expect(mine.json().met.every((m: { rating: unknown }) => m.rating === null)).toBe(true);
    // a mentee cannot read another mentee's ranking, nor the organizer's views
    const other = await get(e.menteeB.cookie, '/api/me/feedback');
    expect(other.json().ranking).toEqual([]);
    for (const path of ['feedback', 'matches', 'matching/proposals', 'export/ratings.csv', 'export/preferences.csv', 'report']) {
      expect((await get(e.menteeA.cookie, `/api/events/${e.event.id}/${path}`)).statusCode, path).toBe(401);
    }
    // the organizer sees it all
    const ratings = await get(e.organizer.cookie, `/api/events/${e.event.id}/export/ratings.csv`);
    expect(ratings.headers['content-type']).toMatch(/text\/csv/);
    expect(ratings.body).toContain('PRIVATE mentor note');
  });
});

describe('the final match', () => {
  it('proposes stable and welfare pairings, the organizer confirms, and each participant sees only their own match', async () => {
    const e = await liveEvent(t.app);
    await e.command('start');
    await e.command('endRound');
    await e.command('endRound');
    // mentors would mentor both; mentee A prefers mentor A, mentee B prefers mentor B
    for (const mentor of [e.mentorA, e.mentorB]) {
      for (const mentee of [e.menteeA, e.menteeB]) {
        expect((await put(mentor.cookie, `/api/me/ratings/${mentee.id}`, { fit: mentee === e.menteeA ? 5 : 3, wouldMentor: true })).statusCode).toBe(204);
      }
      expect((await put(mentor.cookie, '/api/me/capacity', { capacity: 1 })).statusCode).toBe(204);
    }
    await put(e.menteeA.cookie, '/api/me/preferences', { ranking: [e.mentorA.id, e.mentorB.id], notAFit: [] });
    await put(e.menteeB.cookie, '/api/me/preferences', { ranking: [e.mentorB.id, e.mentorA.id], notAFit: [] });

    const progress = (await get(e.organizer.cookie, `/api/events/${e.event.id}/feedback`)).json();
    expect(progress.mentors.map((m: { rated: number }) => m.rated)).toEqual([2, 2]);
    expect(progress.mentees.every((m: { ranked: boolean }) => m.ranked)).toBe(true);

    const proposals = (await get(e.organizer.cookie, `/api/events/${e.event.id}/matching/proposals`)).json();
    expect(proposals.stable.stats).toMatchObject({ pairs: 2, firstChoices: 2, blockingPairs: 0 });
    expect(proposals.welfare.stats.pairs).toBe(2);
    const pairs = proposals.stable.pairs.map(({ mentorId, menteeId }: { mentorId: string; menteeId: string }) => ({ mentorId, menteeId }));

    // a manual swap that breaks stability is allowed, with a warning
    const swapped = await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, {
      source: 'manual',
      pairs: [{ mentorId: e.mentorB.id, menteeId: e.menteeA.id }, { mentorId: e.mentorA.id, menteeId: e.menteeB.id }],
    });
    expect(swapped.statusCode).toBe(200);
    expect(swapped.json().warnings.join(' ')).toMatch(/Not stable/);
    const over = await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, {
      source: 'manual',
      pairs: [{ mentorId: e.mentorA.id, menteeId: e.menteeA.id }, { mentorId: e.mentorA.id, menteeId: e.menteeB.id }],
    });
    expect(over.json().warnings.join(' ')).toMatch(/more than their capacity/);

    const stable = await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, { source: 'stable', pairs });
    expect(stable.json()).toMatchObject({ status: 'proposed', source: 'stable', warnings: [] });
    const audit = await t.pool.query('SELECT action FROM match_audit WHERE event_id = $1 ORDER BY id', [e.event.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['propose', 'propose', 'propose']);

    // nothing is revealed before confirmation
    expect((await get(e.menteeA.cookie, '/api/me/match')).json()).toEqual({ status: 'pending', matches: [] });

    const socketA = connectSocket(url, { cookie: e.menteeA.cookie });
    const socketB = connectSocket(url, { cookie: e.menteeB.cookie });
    sockets.push(socketA, socketB);
    await Promise.all([connected(socketA), connected(socketB)]);
    const heardA = nextEvent(socketA, 'match:confirmed');
    const heardB = nextEvent(socketB, 'match:confirmed');
    const confirmed = await t.app.inject({ method: 'POST', url: `/api/events/${e.event.id}/matches/confirm`, headers: { cookie: e.organizer.cookie } });
    expect(confirmed.json().status).toBe('confirmed');
    const [a, b] = await Promise.all([heardA, heardB]);
    expect(a.matches.map((m) => m.participantId)).toEqual([e.mentorA.id]);
    expect(b.matches.map((m) => m.participantId)).toEqual([e.mentorB.id]);
    expect(JSON.stringify(a)).not.toContain(e.menteeB.id);

    const myMatch = (await get(e.menteeA.cookie, '/api/me/match')).json();
    expect(myMatch).toMatchObject({ status: 'confirmed', matches: [{ participantId: e.mentorA.id, role: 'mentor' }] });
    const mentorView = (await get(e.mentorA.cookie, '/api/me/match')).json();
    expect(mentorView.matches.map((m: { participantId: string }) => m.participantId)).toEqual([e.menteeA.id]);

    const ics = await get(e.menteeA.cookie, `/api/me/match/${e.mentorA.id}/invite.ics`);
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toMatch(/text\/calendar/);
    expect(ics.body).toContain('BEGIN:VEVENT');
    expect((await get(e.menteeA.cookie, `/api/me/match/${e.mentorB.id}/invite.ics`)).statusCode).toBe(404);

    expect((await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, { source: 'stable', pairs })).statusCode).toBe(409);
    const csv = await get(e.organizer.cookie, `/api/events/${e.event.id}/export/matches.csv`);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(3);
    const report = (await get(e.organizer.cookie, `/api/events/${e.event.id}/report`)).json();
    expect(report).toMatchObject({ roundsHeld: 2, meetingsHeld: 4, matches: 2, responseRates: { mentorsRated: 1, menteesRanked: 1 }, rankDistribution: [{ rank: 1, count: 2 }] });
  });
});
