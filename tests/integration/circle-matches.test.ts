import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundFormat } from '@constellation/shared/schemas/events';
import { circleMatch, type CirclesInput } from '../../server/src/modules/matching/core/index.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { attendRound } from '../helpers/attendance.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

/**
 * Issue 13, circles as the final outcome, on real PostgreSQL: after two circle rounds the mentees
 * rank the mentors and name peers, the mentors rate; the organizer asks for circles, reviews,
 * confirms; each member sees their circle and downloads its group invite.
 */
let t: TestApp;
let clockOffset = 0;
beforeAll(async () => {
  t = await buildTestApp({ now: () => Date.now() + clockOffset });
});
afterAll(async () => {
  await t?.close();
});

const FORMATS: RoundFormat[] = [{ kind: 'circle', size: 3 }, { kind: 'circle', size: 3 }];
type Person = { id: string; name: string; email: string; role: 'mentor' | 'mentee'; cookie: string };

const put = (cookie: string, url: string, payload: object) => t.app.inject({ method: 'PUT', url, headers: { cookie }, payload });
const get = (cookie: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });

/**
 * 2 mentors (capacities 3 and 2: one mentee is left out), 6 mentees, two circle rounds in which
 * every mentee meets both mentors. Mentees m0-m2 prefer mentor A, m3-m5 mentor B; each mentor rates
 * the other group higher, so several stable circles exist and the peer wishes choose among them.
 */
async function heldCircleEvent() {
  const organizer = await signUpOrganizer(t.app);
  const headers = { cookie: organizer.cookie };
  const event = (await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2, roundSeconds: 300, transitionSeconds: 10, heldAfterSeconds: 5, roundFormats: FORMATS }) })).json();
  const names = ['Ana Mentor', 'Bo Mentor', 'Zoë Ærø', 'José Núñez', 'Kim Lee', 'Lu Wei', 'Mo Salah', 'Nia Long'];
  const people: Person[] = [];
  for (const [k, name] of names.entries()) {
    const role = k < 2 ? 'mentor' : 'mentee';
    const payload = makeParticipant({ role, name, ...(role === 'mentor' ? { capacity: k === 0 ? 3 : 2 } : {}) });
    const created = (await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload })).json();
    people.push({ ...created, email: payload.email, cookie: '' });
  }
  expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 2 } })).statusCode).toBe(200);
  const invites = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  for (const invite of invites) people.find((p) => p.id === invite.participantId)!.cookie = cookieFrom(await t.app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
  const [mentorA, mentorB, ...mentees] = people as [Person, Person, ...Person[]];
  const { rows } = await t.pool.query<{ round: number; mentor_id: string; mentee_id: string }>('SELECT round, mentor_id, mentee_id FROM meetings WHERE event_id = $1', [event.id]);
  for (const m of mentees) expect(new Set(rows.filter((r) => r.mentee_id === m.id).map((r) => r.mentor_id))).toEqual(new Set([mentorA.id, mentorB.id]));

  const command = async (type: 'start' | 'endRound') => {
    const result = await t.app.clock.command(event.id, { type }, organizer.id);
    if (!result.ok) throw new Error(result.reason);
    if (type === 'endRound') clockOffset += (event.transitionSeconds + 1) * 1000;
  };
  await command('start');
  await attendRound(t.app, event.id, 1);
  clockOffset += 6_000;
  await command('endRound');
  await attendRound(t.app, event.id, 2);
  clockOffset += 6_000;

  const circleIn = (round: number, menteeId: string) => {
    const mentorId = rows.find((r) => r.round === round && r.mentee_id === menteeId)!.mentor_id;
    return rows.filter((r) => r.round === round && r.mentor_id === mentorId).map((r) => r.mentee_id);
  };
  return { organizer, headers, event, mentorA, mentorB, mentees, circleIn, command };
}

describe('circles as the final outcome', () => {
  it('proposes stable circles with the most mutual peer wishes, confirms them durably, and shows each member their circle', async () => {
    const e = await heldCircleEvent();
    const { mentorA, mentorB, mentees } = e;
    const groupA = mentees.slice(0, 3);
    // Rankings, ratings and wishes as the participants submit them.
    const ranking = (m: Person) => (groupA.includes(m) ? [mentorA.id, mentorB.id] : [mentorB.id, mentorA.id]);
    for (const m of mentees) expect((await put(m.cookie, '/api/me/preferences', { ranking: ranking(m), notAFit: [] })).statusCode).toBe(204);
    const fit = (mentor: Person, m: Person) => ((mentor === mentorA) === groupA.includes(m) ? 2 : 5);
    for (const mentor of [mentorA, mentorB]) {
      for (const m of mentees) expect((await put(mentor.cookie, `/api/me/ratings/${m.id}`, { fit: fit(mentor, m), wouldMentor: true })).statusCode).toBe(204);
    }
    // Each mentee names every peer of their round-1 circle whose index has the same parity: mutual wishes.
    const wishes: Record<string, string[]> = {};
    for (const [k, m] of mentees.entries()) {
      const peers = e.circleIn(1, m.id).filter((id) => id !== m.id && mentees.findIndex((p) => p.id === id) % 2 === k % 2);
      wishes[m.id] = peers;
      expect((await put(m.cookie, '/api/me/circles/1', { rating: 4, peerIds: peers })).statusCode).toBe(204);
    }

    // Only organizers; unknown event.
    expect((await get(mentees[0]!.cookie, `/api/events/${e.event.id}/matching/circles`)).statusCode).toBe(401);
    expect((await get(e.organizer.cookie, `/api/events/00000000-0000-4000-8000-000000000000/matching/circles`)).statusCode).toBe(404);

    const proposal = (await get(e.organizer.cookie, `/api/events/${e.event.id}/matching/circles`)).json();
    // The same reading of the event, stated by the test: everyone met both mentors, the event id is the seed.
    const input: CirclesInput = {
      seed: e.event.id,
      mentees: mentees.map((m) => ({ id: m.id, ranking: ranking(m), notAFit: [] })),
      mentors: [mentorA, mentorB].map((mentor) => ({ id: mentor.id, capacity: mentor === mentorA ? 3 : 2, ratings: mentees.map((m) => ({ menteeId: m.id, fit: fit(mentor, m), wouldMentor: true })) })),
      peerWishes: wishes,
    };
    const expected = circleMatch(input);
    const asSets = (circles: { mentorId: string; menteeIds: string[] }[]) => circles.map((c) => ({ mentorId: c.mentorId, menteeIds: [...c.menteeIds].sort() }));
    expect(asSets(proposal.circles)).toEqual(asSets(expected.circles));
    expect(proposal).toMatchObject({ mutualWishes: expected.mutualWishes, mutualWishPairs: expected.mutualWishPairs, optimality: { exact: true, gap: 0 } });
    expect(proposal.mutualWishPairs).toBeGreaterThan(0);
    expect(proposal.stats).toMatchObject({ blockingPairs: 0, matchedMentees: 5, pairs: 5 });
    expect(proposal.stats.unmatchedMentees).toHaveLength(1);
    expect(proposal.stats.unmatchedMentees[0].reason).toMatch(/full/);
    expect(proposal.people[mentorA.id]).toEqual({ name: 'Ana Mentor', role: 'mentor' });

    // Bad proposals: a mentee in two circles, a stranger, an unknown source.
    const pairs = proposal.pairs.map(({ mentorId, menteeId }: { mentorId: string; menteeId: string }) => ({ mentorId, menteeId }));
    const twice = [...pairs.filter((p: { mentorId: string }) => p.mentorId === mentorA.id), { mentorId: mentorB.id, menteeId: pairs.find((p: { mentorId: string }) => p.mentorId === mentorA.id).menteeId }];
    const refused = await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, { source: 'circles', pairs: twice });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toMatch(/only one circle/);
    expect((await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, { source: 'circles', pairs: [{ mentorId: mentorA.id, menteeId: mentorB.id }] })).statusCode).toBe(422);
    expect((await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, { source: 'groups', pairs })).statusCode).toBe(400);

    const proposed = await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, { source: 'circles', pairs });
    expect(proposed.statusCode, proposed.body).toBe(200);
    expect(proposed.json()).toMatchObject({ status: 'proposed', source: 'circles', mutualWishes: expected.mutualWishes, warnings: [] });
    expect(asSets(proposed.json().circles)).toEqual(asSets(expected.circles));

    const confirmed = await t.app.inject({ method: 'POST', url: `/api/events/${e.event.id}/matches/confirm`, headers: e.headers });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    // Durable: the stored rows, and a fresh read of the pairing.
    const stored = await t.pool.query('SELECT mentor_id, mentee_id FROM matches WHERE event_id = $1 AND status = $2 AND source = $3', [e.event.id, 'confirmed', 'circles']);
    expect(stored.rowCount).toBe(5);
    expect((await get(e.organizer.cookie, `/api/events/${e.event.id}/matches`)).json()).toMatchObject({ status: 'confirmed', source: 'circles', mutualWishes: expected.mutualWishes });
    expect((await put(e.organizer.cookie, `/api/events/${e.event.id}/matches`, { source: 'circles', pairs })).statusCode).toBe(409);
    // Everyone placed in a circle is told so by email (in the outbox with no SMTP server): the circle, not a 1:1 match.
    const outbox = (await get(e.organizer.cookie, `/api/events/${e.event.id}/mail`)).json() as { messages: { participantId: string; kind: string; subject: string }[] };
    const circled = new Set(stored.rows.flatMap((r: { mentor_id: string; mentee_id: string }) => [r.mentor_id, r.mentee_id]));
    const outcomes = outbox.messages.filter((m) => m.kind === 'outcome' && circled.has(m.participantId));
    expect(outcomes.length).toBe(circled.size);
    for (const m of outcomes) expect(m.subject).toMatch(/^Your mentoring circle from /);

    // Each member sees their mentor and the other members by name; never anyone's wishes or ratings.
    const circleOf = new Map(expected.circles.flatMap((c) => c.menteeIds.map((id) => [id, c] as const)));
    const nameOf = (id: string) => [mentorA, mentorB, ...mentees].find((p) => p.id === id)!.name;
    for (const m of mentees) {
      const mine = (await get(m.cookie, '/api/me/match')).json();
      const circle = circleOf.get(m.id);
      if (!circle) {
        expect(mine).toMatchObject({ status: 'not-matched', reasonCode: 'capacity' });
        expect(mine.circle).toBeUndefined();
        expect((await get(m.cookie, '/api/me/match/circle/invite.ics')).statusCode).toBe(404);
        continue;
      }
      expect(mine.status).toBe('confirmed');
      expect(mine.matches.map((p: { participantId: string }) => p.participantId)).toEqual([circle.mentorId]);
      expect(mine.circle.mentor).toEqual({ id: circle.mentorId, name: nameOf(circle.mentorId) });
      expect(mine.circle.members.map((p: { id: string }) => p.id).sort()).toEqual(circle.menteeIds.filter((id) => id !== m.id).sort());
      expect(mine.circle.members.every((p: { name: string }) => p.name === nameOf((p as unknown as { id: string }).id))).toBe(true);
      expect(JSON.stringify(mine)).not.toMatch(/wish|fit|rank/i);
    }
    const mentorView = (await get(mentorA.cookie, '/api/me/match')).json();
    const circleA = expected.circles.find((c) => c.mentorId === mentorA.id)!;
    expect(mentorView.circle.members.map((p: { id: string }) => p.id).sort()).toEqual([...circleA.menteeIds].sort());

    // One group invite for the circle's first meeting: the same UID for everyone, every member an attendee.
    const [first, second] = circleA.menteeIds.map((id) => mentees.find((p) => p.id === id)!);
    const ics = await get(first!.cookie, '/api/me/match/circle/invite.ics');
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toMatch(/text\/calendar/);
    const unfolded = ics.body.replace(/\r\n[ \t]/g, '');
    expect(unfolded).toContain(`UID:${e.event.id}-circle-${mentorA.id}@constellation`);
    for (const id of [mentorA.id, ...circleA.menteeIds]) expect(unfolded).toContain([mentorA, ...mentees].find((p) => p.id === id)!.email);
    const uid = (body: string) => body.replace(/\r\n[ \t]/g, '').match(/UID:(.*)/)![1];
    expect(uid((await get(second!.cookie, '/api/me/match/circle/invite.ics')).body)).toBe(uid(ics.body));
    expect(uid((await get(mentorA.cookie, '/api/me/match/circle/invite.ics')).body)).toBe(uid(ics.body));

    // The export lists each member with their circle and the mutual wishes met in it.
    const csv = await get(e.organizer.cookie, `/api/events/${e.event.id}/export/matches.csv`);
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('"mentor_name","mentor_email","mentee_name","mentee_email","status","mentee_rank","mentor_fit","source","circle_size","circle_mutual_wishes"');
    expect(lines).toHaveLength(6);
    for (const [a, b] of expected.circles.flatMap((c) => c.mutualWishes)) {
      expect(lines.find((l) => l.includes(`"${nameOf(a)}"`))).toContain(nameOf(b));
    }
    expect(lines.slice(1).every((l) => l.includes('"confirmed"') && l.includes('"circles"'))).toBe(true);
    await e.command('endRound');
  }, 60_000);
});
