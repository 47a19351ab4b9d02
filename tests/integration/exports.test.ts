import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { holdEveryRound } from '../helpers/held-event.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

let t: TestApp;
let clockOffset = 0;
beforeAll(async () => {
  t = await buildTestApp({ now: () => Date.now() + clockOffset });
});
afterAll(async () => {
  await t.close();
});

/** One mentor in Mexico City and one mentee in Berlin meet in a one-round event held in Mexico City's time, and are matched. */
async function matchedPair() {
  const { app } = t;
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  // 15:00 UTC on 1 December is 09:00 in Mexico City; the follow-up is a week later at 10:00 there.
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 1, scheduledStart: '2026-12-01T15:00:00.000Z', timeZone: 'America/Mexico_City', followUpDays: 7, followUpTime: '10:00' }) })).json();
  expect(event).toMatchObject({ followUpDays: 7, followUpTime: '10:00', reminderOffsetsMinutes: [1440, 60] });
  const add = async (payload: ReturnType<typeof makeParticipant>) => (await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload })).json();
  const mentor = await add(makeParticipant({ role: 'mentor', name: 'José Núñez', profile: { timeZone: 'America/Mexico_City' } }));
  const mentee = await add(makeParticipant({ role: 'mentee', name: 'Zoë Ærø-Łukasiewicz', profile: { timeZone: 'Europe/Berlin' } }));
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  const cookie = async (id: string) => cookieFrom(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invites.find((i) => i.participantId === id)!.url.split('#')[1] } }));
  const [mentorCookie, menteeCookie] = [await cookie(mentor.id), await cookie(mentee.id)];
  await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } });
  await holdEveryRound(app, event, organizer.id, (ms) => (clockOffset += ms));
  expect((await app.inject({ method: 'PUT', url: `/api/me/ratings/${mentee.id}`, headers: { cookie: mentorCookie }, payload: { fit: 5, wouldMentor: true, note: 'Ça va: très bien' } })).statusCode).toBe(204);
  expect((await app.inject({ method: 'PUT', url: '/api/me/preferences', headers: { cookie: menteeCookie }, payload: { ranking: [mentor.id], notAFit: [] } })).statusCode).toBe(204);
  expect((await app.inject({ method: 'PUT', url: `/api/events/${event.id}/matches`, headers, payload: { source: 'manual', pairs: [{ mentorId: mentor.id, menteeId: mentee.id }] } })).statusCode).toBe(200);
  expect((await app.inject({ method: 'POST', url: `/api/events/${event.id}/matches/confirm`, headers })).statusCode).toBe(200);
  return { organizer, event, mentor, mentee, mentorCookie, menteeCookie };
}

describe('exports and calendars people can open', () => {
  it('starts every CSV export with a UTF-8 byte-order mark, and accented names survive', async () => {
    const p = await matchedPair();
    for (const kind of ['matches', 'ratings', 'preferences', 'attendance']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/events/${p.event.id}/export/${kind}.csv`, headers: { cookie: p.organizer.cookie } });
      expect(response.statusCode, kind).toBe(200);
      const bytes = response.rawPayload;
      expect([...bytes.subarray(0, 3)], kind).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(3));
      expect(text, kind).toContain('"Zoë Ærø-Łukasiewicz"');
      expect(text, kind).toContain('"José Núñez"');
      // The BOM is only at the start; every cell still quoted.
      expect(text.charCodeAt(0), kind).toBe('"'.charCodeAt(0));
    }
    const ratings = await t.app.inject({ method: 'GET', url: `/api/events/${p.event.id}/export/ratings.csv`, headers: { cookie: p.organizer.cookie } });
    expect(ratings.rawPayload.includes(Buffer.from('Ça va: très bien', 'utf8'))).toBe(true);
  });

  it('puts the follow-up at the time the organizer chose, as one instant, shown in each participant\'s own time zone', async () => {
    const p = await matchedPair();
    // 10:00 in Mexico City (UTC−6) on 8 December is 16:00 UTC, whoever downloads it.
    for (const [cookie, partner] of [[p.menteeCookie, p.mentor.id], [p.mentorCookie, p.mentee.id]] as const) {
      const ics = await t.app.inject({ method: 'GET', url: `/api/me/match/${partner}/invite.ics`, headers: { cookie } });
      expect(ics.statusCode).toBe(200);
      expect(ics.body).toMatch(/DTSTART:20261208T160000Z/);
      expect(ics.body).toContain('DURATION:PT30M');
    }
    const menteeView = (await t.app.inject({ method: 'GET', url: '/api/me/match', headers: { cookie: p.menteeCookie } })).json();
    expect(menteeView.followUp).toEqual({ startsAt: '2026-12-08T16:00:00.000Z', timeZone: 'Europe/Berlin' });
    const mentorView = (await t.app.inject({ method: 'GET', url: '/api/me/match', headers: { cookie: p.mentorCookie } })).json();
    expect(mentorView.followUp).toEqual({ startsAt: '2026-12-08T16:00:00.000Z', timeZone: 'America/Mexico_City' });
    // On their own clocks: 17:00 in Berlin, 10:00 in Mexico City.
    const clock = (view: { followUp: { startsAt: string; timeZone: string } }) =>
      new Intl.DateTimeFormat('en-GB', { timeZone: view.followUp.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(view.followUp.startsAt));
    expect([clock(menteeView), clock(mentorView)]).toEqual(['17:00', '10:00']);

    // The organizer moves the follow-up: the calendar follows; a bad time is refused, naming the field.
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/events/${p.event.id}`, headers: { cookie: p.organizer.cookie }, payload: { followUpDays: 14, followUpTime: '18:30' } });
    expect(moved.statusCode).toBe(200);
    const ics = await t.app.inject({ method: 'GET', url: `/api/me/match/${p.mentor.id}/invite.ics`, headers: { cookie: p.menteeCookie } });
    expect(ics.body).toMatch(/DTSTART:20261216T003000Z/);
    const bad = await t.app.inject({ method: 'PATCH', url: `/api/events/${p.event.id}`, headers: { cookie: p.organizer.cookie }, payload: { followUpTime: '25:00' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/followUpTime/);
  });
});
