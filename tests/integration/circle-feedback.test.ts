import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundFormat } from '@constellation/shared/schemas/events';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { attendRound } from '../helpers/attendance.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

/**
 * Issue 13, after a circle: a mentee rates a circle they sat in and names peers present in it, on
 * real PostgreSQL. Attendance comes from signed presence webhooks and the organizer's corrections.
 */
let t: TestApp;
/** The server clock is injectable: the test jumps over transitions instead of waiting for them. */
let clockOffset = 0;
beforeAll(async () => {
  t = await buildTestApp({ now: () => Date.now() + clockOffset });
});
afterAll(async () => {
  await t?.close();
});

const FORMATS: RoundFormat[] = [{ kind: 'pairs' }, { kind: 'circle', size: 3 }];
type Person = { id: string; name: string; role: 'mentor' | 'mentee'; cookie: string };

/** 2 mentors, 6 mentees: a one-to-one round, then two circles of three; everyone comes except `absent` of the circle round. */
async function circleEvent() {
  const organizer = await signUpOrganizer(t.app);
  const headers = { cookie: organizer.cookie };
  const event = (await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2, roundSeconds: 300, transitionSeconds: 10, heldAfterSeconds: 5, roundFormats: FORMATS }) })).json();
  const people: Person[] = [];
  const names = ['Ana Mentor', 'Bo Mentor', 'Zoë Ærø', 'José Núñez', 'Kim Lee', 'Lu Wei', 'Mo Salah', 'Nia Long'];
  for (const [k, role] of (['mentor', 'mentor', 'mentee', 'mentee', 'mentee', 'mentee', 'mentee', 'mentee'] as const).entries()) {
    const created = (await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role, name: names[k] }) })).json();
    people.push({ ...created, cookie: '' });
  }
  expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 2 } })).statusCode).toBe(200);
  const invites = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  for (const invite of invites) people.find((p) => p.id === invite.participantId)!.cookie = cookieFrom(await t.app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
  const { rows } = await t.pool.query<{ mentor_id: string; mentee_id: string }>('SELECT mentor_id, mentee_id FROM meetings WHERE event_id = $1 AND round = 2 ORDER BY mentor_id, mentee_id', [event.id]);
  const circles = [...new Set(rows.map((r) => r.mentor_id))].map((mentorId) => ({ mentorId, menteeIds: rows.filter((r) => r.mentor_id === mentorId).map((r) => r.mentee_id) }));
  expect(circles.map((c) => c.menteeIds.length)).toEqual([3, 3]);
  const command = async (type: 'start' | 'endRound') => {
    const result = await t.app.clock.command(event.id, { type }, organizer.id);
    if (!result.ok) throw new Error(result.reason);
    if (type === 'endRound') clockOffset += (event.transitionSeconds + 1) * 1000;
  };
  const person = (id: string) => people.find((p) => p.id === id)!;
  return { organizer, headers, event, people, circles, command, person };
}

const put = (cookie: string, url: string, payload: object) => t.app.inject({ method: 'PUT', url, headers: { cookie }, payload });
const get = (cookie: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });

describe('circle ratings and peer wishes', () => {
  it('lets a mentee rate only a circle they sat in, naming only peers present there, while submissions are open', async () => {
    const e = await circleEvent();
    const [circle, other] = e.circles as [(typeof e.circles)[0], (typeof e.circles)[0]];
    const [me, peer, absent] = circle.menteeIds as [string, string, string];
    const cookie = e.person(me).cookie;
    // Before the circle round: nothing to rate.
    const early = await put(cookie, '/api/me/circles/2', { rating: 4, peerIds: [] });
    expect(early.statusCode, early.body).toBe(403);

    await e.command('start');
    await attendRound(t.app, e.event.id, 1);
    clockOffset += 6_000;
    await e.command('endRound');
    await attendRound(t.app, e.event.id, 2, { absent: [absent] });
    clockOffset += 6_000;

    // The round-1 meeting was one-to-one: not a circle.
    const pairs = await put(cookie, '/api/me/circles/1', { rating: 4, peerIds: [] });
    expect(pairs.statusCode).toBe(403);
    expect(pairs.json().message).toMatch(/no circle in round 1/);

    // The mentee sees their circle, its mentor, and the peers present (not the absent one, not themself).
    const listed = (await get(cookie, '/api/me/circles')).json();
    expect(listed).toEqual({
      submissionsOpen: true,
      circles: [{ round: 2, mentor: { id: circle.mentorId, name: e.person(circle.mentorId).name }, peers: [{ id: peer, name: e.person(peer).name }], feedback: null }],
    });

    // Validation: a mentee of the other circle, the absent one, a mentor, yourself, twice, a bad rating, a bad round.
    for (const [bad, naming] of [
      [other.menteeIds[0]!, other.menteeIds[0]!],
      [absent, absent],
      [circle.mentorId, circle.mentorId],
    ] as const) {
      const response = await put(cookie, '/api/me/circles/2', { rating: 5, peerIds: [peer, bad] });
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().message).toContain(naming);
    }
    const self = await put(cookie, '/api/me/circles/2', { rating: 5, peerIds: [me] });
    expect(self.statusCode).toBe(400);
    expect(self.json().message).toMatch(/yourself/);
    expect((await put(cookie, '/api/me/circles/2', { rating: 5, peerIds: [peer, peer] })).statusCode).toBe(400);
    for (const body of [{ rating: 0, peerIds: [] }, { rating: 6, peerIds: [] }, { rating: 3 }, { rating: 3, peerIds: ['nope'] }, { rating: 3, peerIds: [], extra: 1 }, { rating: 3, peerIds: [], note: 'x'.repeat(2001) }]) {
      expect((await put(cookie, '/api/me/circles/2', body)).statusCode, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await put(cookie, '/api/me/circles/0', { rating: 3, peerIds: [] })).statusCode).toBe(400);
    expect((await put(cookie, '/api/me/circles/two', { rating: 3, peerIds: [] })).statusCode).toBe(400);
    // The absent mentee sat in no circle; a mentor rates mentees, not circles.
    expect((await put(e.person(absent).cookie, '/api/me/circles/2', { rating: 3, peerIds: [] })).statusCode).toBe(403);
    expect((await put(e.person(circle.mentorId).cookie, '/api/me/circles/2', { rating: 3, peerIds: [] })).statusCode).toBe(403);
    expect((await t.pool.query('SELECT 1 FROM circle_ratings WHERE event_id = $1', [e.event.id])).rowCount).toBe(0);

    // Saving, then changing: the last answer wins, durably (read back from the database).
    expect((await put(cookie, '/api/me/circles/2', { rating: 2, note: 'first', peerIds: [] })).statusCode).toBe(204);
    expect((await put(cookie, '/api/me/circles/2', { rating: 5, note: 'Ça va: très bien', peerIds: [peer] })).statusCode).toBe(204);
    expect((await get(cookie, '/api/me/circles')).json().circles[0].feedback).toEqual({ rating: 5, note: 'Ça va: très bien', peerIds: [peer] });
    const stored = await t.pool.query('SELECT r.rating, r.note, w.peer_id FROM circle_ratings r JOIN circle_peer_wishes w USING (event_id, round, mentee_id) WHERE r.event_id = $1', [e.event.id]);
    expect(stored.rows).toEqual([{ rating: 5, note: 'Ça va: très bien', peer_id: peer }]);

    // Participants never see others' answers: the peer sees their own circle with no feedback of theirs.
    const peerView = (await get(e.person(peer).cookie, '/api/me/circles')).json();
    expect(peerView.circles[0].feedback).toBeNull();
    expect(JSON.stringify(peerView)).not.toContain('très bien');
    expect((await get(e.person(circle.mentorId).cookie, '/api/me/circles')).json().circles).toEqual([]);

    // A peer of the other circle rates theirs with two wishes: the organizer's counts, not the contents.
    const [o1, o2, o3] = other.menteeIds as [string, string, string];
    expect((await put(e.person(o1).cookie, '/api/me/circles/2', { rating: 3, peerIds: [o2, o3] })).statusCode).toBe(204);
    const progress = (await t.app.inject({ method: 'GET', url: `/api/events/${e.event.id}/feedback`, headers: e.headers })).json();
    expect(progress.circles).toEqual({ seats: 5, rated: 2, peerWishes: 3 });
    const row = (id: string) => progress.mentees.find((m: { id: string }) => m.id === id);
    expect([row(me), row(absent), row(o1)].map((m) => [m.circles, m.circlesRated])).toEqual([[1, 1], [0, 0], [1, 1]]);

    // The export: a BOM, every cell quoted, one row per circle rating with the wishes by name.
    const exported = await t.app.inject({ method: 'GET', url: `/api/events/${e.event.id}/export/circles.csv`, headers: e.headers });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/text\/csv; charset=utf-8/);
    expect(exported.headers['content-disposition']).toBe(`attachment; filename="circles-${e.event.id.slice(0, 8)}.csv"`);
    expect([...exported.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(exported.rawPayload.subarray(3));
    const line = (...cells: (string | number)[]) => cells.map((c) => `"${c}"`).join(',');
    const p = e.person;
    const byRow = [
      line(2, p(circle.mentorId).name, await email(circle.mentorId), p(me).name, await email(me), 5, 'Ça va: très bien', p(peer).name, await email(peer)),
      line(2, p(other.mentorId).name, await email(other.mentorId), p(o1).name, await email(o1), 3, '', [o2, o3].sort().map((id) => p(id).name).join('; '), (await Promise.all([o2, o3].sort().map(email))).join('; ')),
    ];
    // Rows by round, then mentee id.
    const expectedRows = me < o1 ? byRow : [...byRow].reverse();
    expect(text).toBe(['"round","mentor_name","mentor_email","mentee_name","mentee_email","circle_rating","note","peer_wishes","peer_wish_emails"', ...expectedRows, ''].join('\r\n'));

    // The organizer takes back the peer's seat: the wish no longer counts (kept until then, not shown).
    const corrected = await put(e.organizer.cookie, `/api/events/${e.event.id}/attendance/2/${circle.mentorId}/${peer}`, { met: false, reason: 'Camera only, never spoke' });
    expect(corrected.statusCode).toBe(200);
    expect((await get(cookie, '/api/me/circles')).json().circles[0]).toMatchObject({ peers: [], feedback: { rating: 5, peerIds: [] } });
    const after = (await t.app.inject({ method: 'GET', url: `/api/events/${e.event.id}/feedback`, headers: e.headers })).json();
    expect(after.circles).toEqual({ seats: 4, rated: 2, peerWishes: 2 });
    // …and marking the absent mentee met makes them a peer one can name.
    expect((await put(e.organizer.cookie, `/api/events/${e.event.id}/attendance/2/${circle.mentorId}/${absent}`, { met: true, reason: 'Joined by phone' })).statusCode).toBe(200);
    expect((await put(cookie, '/api/me/circles/2', { rating: 4, peerIds: [absent] })).statusCode).toBe(204);

    // Closed submissions: 409, and nothing changes.
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${e.event.id}/submissions`, headers: e.headers, payload: { open: false } })).statusCode).toBe(204);
    const closed = await put(cookie, '/api/me/circles/2', { rating: 1, peerIds: [] });
    expect(closed.statusCode).toBe(409);
    expect((await get(cookie, '/api/me/circles')).json()).toMatchObject({ submissionsOpen: false, circles: [{ feedback: { rating: 4, peerIds: [absent] } }] });
    await e.command('endRound');

    async function email(id: string): Promise<string> {
      return (await t.pool.query<{ email: string }>('SELECT email::text AS email FROM participants WHERE id = $1', [id])).rows[0]!.email;
    }
  }, 60_000);
});
