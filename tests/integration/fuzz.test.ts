import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

let t: TestApp;
let cookie: string;
let eventId: string;
let participantId: string;
let participantCookie: string;
beforeAll(async () => {
  t = await buildTestApp();
  cookie = (await signUpOrganizer(t.app)).cookie;
  eventId = (await t.app.inject({ method: 'POST', url: '/api/events', headers: { cookie }, payload: makeEvent() })).json().id;
  participantId = (await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/participants`, headers: { cookie }, payload: makeParticipant() })).json().id;
  await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/participants`, headers: { cookie }, payload: makeParticipant({ role: 'mentor' }) });
  await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/plan`, headers: { cookie }, payload: { seed: 1 } });
  const invite = (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/invites`, headers: { cookie } })).json().invites[0];
  const join = await t.app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } });
  participantCookie = join.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const routes: [Method, (ids: { e: string; p: string }) => string][] = [
  ['POST', () => '/api/auth/signup'],
  ['POST', () => '/api/auth/signin'],
  ['POST', () => '/api/join'],
  ['POST', () => '/api/events'],
  ['GET', ({ e }) => `/api/events/${e}`],
  ['PATCH', ({ e }) => `/api/events/${e}`],
  ['POST', ({ e }) => `/api/events/${e}/participants`],
  ['PATCH', ({ e, p }) => `/api/events/${e}/participants/${p}`],
  ['POST', ({ e }) => `/api/events/${e}/participants/import`],
  ['POST', ({ e, p }) => `/api/events/${e}/participants/${p}/invite`],
  ['GET', ({ e }) => `/api/events/${e}/invites`],
  ['POST', ({ e }) => `/api/events/${e}/plan`],
  ['POST', ({ e }) => `/api/events/${e}/plan/replan`],
  ['GET', ({ e }) => `/api/events/${e}/plan/health`],
  ['GET', ({ e }) => `/api/events/${e}/start-checklist`],
  ['PUT', ({ e, p }) => `/api/events/${e}/constraints/${p}/${p}`],
  ['POST', ({ e }) => `/api/events/${e}/submissions`],
  ['PUT', ({ e }) => `/api/events/${e}/matches`],
  ['POST', ({ e }) => `/api/events/${e}/matches/confirm`],
  ['GET', ({ e }) => `/api/events/${e}/matching/proposals`],
  ['GET', ({ e }) => `/api/events/${e}/report`],
  ['PUT', ({ p }) => `/api/me/ratings/${p}`],
  ['PUT', ({ p }) => `/api/me/notes/${p}`],
  ['PUT', () => '/api/me/preferences'],
  ['PUT', () => '/api/me/capacity'],
  ['GET', ({ p }) => `/api/me/match/${p}/invite.ics`],
  ['POST', ({ e }) => `/api/events/${e}/mail/invitations`],
  ['GET', ({ e }) => `/api/events/${e}/mail`],
  ['POST', ({ e, p }) => `/api/events/${e}/mail/${p}/retry`],
];

/** Values that look almost right: valid payloads with one field replaced by something odd. */
const oddValue = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, '', ' ', '\u0000', 'NaN', -1, 0, 2 ** 31, -(2 ** 53), 1e308, '9999-99-99T99:99:99Z', "'; DROP TABLE events; --", 'Etc/GMT+99', []),
  fc.array(fc.anything(), { maxLength: 5 }),
);

const payload = fc.oneof(
  fc.anything(),
  fc.jsonValue(),
  fc.record({ key: fc.constantFrom(...Object.keys(makeEvent()), 'breaks', 'allowSharedTables', 'reminderOffsetsMinutes', 'followUpDays', 'followUpTime'), value: oddValue }).map(({ key, value }) => ({ ...makeEvent(), [key]: value })),
  fc.record({ key: fc.constantFrom('role', 'name', 'email', 'profile', 'capacity', 'constellationSize'), value: oddValue }).map(({ key, value }) => ({ ...makeParticipant(), [key]: value })),
  fc.record({ key: fc.constantFrom('industry', 'skills', 'yearsExperience', 'goals', 'timeZone'), value: oddValue }).map(({ key, value }) => ({ ...makeParticipant(), profile: { [key]: value } })),
  fc.record({ email: oddValue, password: oddValue, name: oddValue, token: oddValue }, { requiredKeys: [] }),
  fc.record(
    { seed: oddValue, absentIds: oddValue, kind: oddValue, open: oddValue, source: oddValue, pairs: oddValue, fit: oddValue, wouldMentor: oddValue, note: oddValue, ranking: oddValue, notAFit: oddValue, capacity: oddValue, participantIds: oddValue },
    { requiredKeys: [] },
  ),
);

const id = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.constant('00000000-0000-0000-0000-000000000000'));

describe('fuzzing the JSON routes', () => {
  it('never answers 5xx, whatever the payload, ids, content type or session', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        payload,
        fc.boolean(),
        fc.constantFrom('application/json', 'text/csv', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8'),
        fc.constantFrom('organizer', 'participant', 'none'),
        id,
        id,
        async ([method, path], body, realIds, contentType, session, e, p) => {
          const url = path(realIds ? { e: eventId, p: participantId } : { e, p });
          let raw: string;
          try {
            raw = contentType.startsWith('application/json') ? (JSON.stringify(body) ?? 'null') : String(body);
          } catch {
            raw = '{';
          }
          const response = await t.app.inject({
            method,
            url,
            headers: { 'content-type': contentType, ...(session === 'organizer' ? { cookie } : session === 'participant' ? { cookie: participantCookie } : {}) },
            ...(method === 'GET' ? {} : { payload: raw }),
          });
          expect(response.statusCode, `${method} ${url} ${contentType} ${raw.slice(0, 200)} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
          expect(response.json().statusCode ?? response.statusCode).toBe(response.statusCode);
        },
      ),
      { numRuns: 1500, seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
  });

  it('never answers 5xx for random CSV bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(fc.array(fc.string(), { maxLength: 6 }), { maxLength: 6 }).map((rows) => 'role,name,email\n' + rows.map((r) => r.join(',')).join('\n'))),
        async (csv) => {
          const response = await t.app.inject({
            method: 'POST',
            url: `/api/events/${eventId}/participants/import`,
            headers: { cookie, 'content-type': 'text/csv' },
            payload: csv,
          });
          expect(response.statusCode, csv.slice(0, 200)).toBeLessThan(500);
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});
