import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

let t: TestApp;
let alice: { cookie: string };
let bob: { cookie: string };
beforeAll(async () => {
  t = await buildTestApp();
  alice = await signUpOrganizer(t.app, 'Alice');
  bob = await signUpOrganizer(t.app, 'Bob');
});
afterAll(() => t.close());

const inject = (cookie: string | undefined, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });

describe('events', () => {
  it('creates an event with defaults, reads, lists, updates and deletes it', async () => {
    const created = await inject(alice.cookie, 'POST', '/api/events', makeEvent({ title: 'Winter circle', rounds: 6, breaks: [{ afterRound: 3, seconds: 300 }] }));
    expect(created.statusCode).toBe(201);
    const event = created.json();
    expect(event).toMatchObject({ title: 'Winter circle', rounds: 6, status: 'draft', allowSharedTables: false, participantCounts: { mentors: 0, mentees: 0 } });
    expect(event.breaks).toEqual([{ afterRound: 3, seconds: 300 }]);

    expect((await inject(alice.cookie, 'GET', `/api/events/${event.id}`)).json().title).toBe('Winter circle');
    expect((await inject(alice.cookie, 'GET', '/api/events')).json().events.map((e: { id: string }) => e.id)).toContain(event.id);

    const patched = await inject(alice.cookie, 'PATCH', `/api/events/${event.id}`, { roundSeconds: 600, allowSharedTables: true });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ roundSeconds: 600, allowSharedTables: true, title: 'Winter circle' });

    expect((await inject(alice.cookie, 'DELETE', `/api/events/${event.id}`)).statusCode).toBe(204);
    expect((await inject(alice.cookie, 'GET', `/api/events/${event.id}`)).statusCode).toBe(404);
  });

  it('warns participants one minute and ten seconds before a round ends unless the organizer sets other times', async () => {
    const event = (await inject(alice.cookie, 'POST', '/api/events', makeEvent())).json();
    expect(event.warnAtSeconds).toEqual([60, 10]);
    const patched = await inject(alice.cookie, 'PATCH', `/api/events/${event.id}`, { warnAtSeconds: [120, 30] });
    expect(patched.json().warnAtSeconds).toEqual([120, 30]);
    expect((await inject(alice.cookie, 'GET', `/api/events/${event.id}`)).json().warnAtSeconds).toEqual([120, 30]);
    // None at all is a choice too.
    expect((await inject(alice.cookie, 'PATCH', `/api/events/${event.id}`, { warnAtSeconds: [] })).json().warnAtSeconds).toEqual([]);
    // The participant's own session carries them, for their screen to chime at.
    const p = (await inject(alice.cookie, 'POST', `/api/events/${event.id}/participants`, makeParticipant())).json();
    const { invites } = (await inject(alice.cookie, 'GET', `/api/events/${event.id}/invites`)).json();
    const token = new URL(invites.find((i: { participantId: string }) => i.participantId === p.id).url).hash.slice(1);
    const join = await inject(undefined, 'POST', '/api/join', { token });
    expect(join.json().event.warnAtSeconds).toEqual([]);
  });

  it('counts mentors and mentees on the event', async () => {
    const event = (await inject(alice.cookie, 'POST', '/api/events', makeEvent())).json();
    await inject(alice.cookie, 'POST', `/api/events/${event.id}/participants`, makeParticipant({ role: 'mentor' }));
    await inject(alice.cookie, 'POST', `/api/events/${event.id}/participants`, makeParticipant({ role: 'mentee' }));
    await inject(alice.cookie, 'POST', `/api/events/${event.id}/participants`, makeParticipant({ role: 'mentee' }));
    expect((await inject(alice.cookie, 'GET', `/api/events/${event.id}`)).json().participantCounts).toEqual({ mentors: 1, mentees: 2 });
  });

  it("keeps each organizer's events private: another organizer's event answers 404", async () => {
    const event = (await inject(alice.cookie, 'POST', '/api/events', makeEvent({ title: 'Alice only' }))).json();
    expect((await inject(bob.cookie, 'GET', `/api/events/${event.id}`)).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'PATCH', `/api/events/${event.id}`, { title: 'hijacked' })).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'DELETE', `/api/events/${event.id}`)).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'GET', '/api/events')).json().events.map((e: { id: string }) => e.id)).not.toContain(event.id);
    expect((await inject(alice.cookie, 'GET', `/api/events/${event.id}`)).json().title).toBe('Alice only');
  });

  it('requires a signed-in organizer for every event route', async () => {
    const event = (await inject(alice.cookie, 'POST', '/api/events', makeEvent())).json();
    for (const [method, url] of [
      ['GET', '/api/events'],
      ['POST', '/api/events'],
      ['GET', `/api/events/${event.id}`],
      ['PATCH', `/api/events/${event.id}`],
      ['DELETE', `/api/events/${event.id}`],
    ] as const) {
      expect((await inject(undefined, method, url, method === 'POST' || method === 'PATCH' ? makeEvent() : undefined)).statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('rejects bad input with a 400 naming the field, and writes nothing', async () => {
    const before = (await inject(alice.cookie, 'GET', '/api/events')).json().events.length;
    const cases: [object, RegExp][] = [
      [makeEvent({ title: '' }), /title/],
      [makeEvent({ rounds: 0 }), /rounds/],
      [makeEvent({ roundSeconds: 5 }), /roundSeconds/],
      [makeEvent({ timeZone: 'Mars/Olympus' }), /timeZone/],
      [makeEvent({ scheduledStart: 'tomorrow' }), /scheduledStart/],
      [makeEvent({ rounds: 4, breaks: [{ afterRound: 4, seconds: 300 }] }), /breaks/],
      [{ ...makeEvent(), extra: 1 }, /additional|extra/i],
      [makeEvent({ warnAtSeconds: [0] }), /warnAtSeconds/],
      [makeEvent({ warnAtSeconds: [60, 60] }), /warnAtSeconds/],
      [makeEvent({ warnAtSeconds: [1, 2, 3, 4, 5, 6] }), /warnAtSeconds/],
      [{ ...makeEvent(), warnAtSeconds: '60' }, /warnAtSeconds/],
    ];
    for (const [payload, field] of cases) {
      const response = await inject(alice.cookie, 'POST', '/api/events', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().message + JSON.stringify(response.json().problems ?? [])).toMatch(field);
    }
    expect((await inject(alice.cookie, 'GET', '/api/events/not-a-uuid')).statusCode).toBe(400);
    expect((await inject(alice.cookie, 'GET', '/api/events')).json().events.length).toBe(before);
  });
});
