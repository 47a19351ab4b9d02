import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

let t: TestApp;
let alice: { cookie: string };
let bob: { cookie: string };
let eventId: string;
beforeAll(async () => {
  t = await buildTestApp();
  alice = await signUpOrganizer(t.app, 'Alice');
  bob = await signUpOrganizer(t.app, 'Bob');
  eventId = (await t.app.inject({ method: 'POST', url: '/api/events', headers: { cookie: alice.cookie }, payload: makeEvent() })).json().id;
});
afterAll(() => t.close());

const inject = (cookie: string | undefined, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });

async function addParticipant(overrides = {}) {
  const response = await inject(alice.cookie, 'POST', `/api/events/${eventId}/participants`, makeParticipant(overrides));
  expect(response.statusCode).toBe(201);
  return response.json();
}

async function inviteUrl(participantId: string, event = eventId): Promise<string> {
  const invites = (await inject(alice.cookie, 'GET', `/api/events/${event}/invites`)).json().invites;
  return invites.find((i: { participantId: string }) => i.participantId === participantId).url;
}

const tokenOf = (url: string) => url.split('#')[1]!;

describe('participants', () => {
  it('adds, edits and removes one participant with defaults for capacity and constellation size', async () => {
    const mentor = await addParticipant({ role: 'mentor', name: 'Marta', profile: { industry: 'fintech', skills: ['people management'], yearsExperience: 12 } });
    expect(mentor).toMatchObject({ role: 'mentor', name: 'Marta', capacity: 1, constellationSize: 1, eventId });
    const edited = await inject(alice.cookie, 'PATCH', `/api/events/${eventId}/participants/${mentor.id}`, { capacity: 3 });
    expect(edited.json().capacity).toBe(3);
    expect((await inject(alice.cookie, 'GET', `/api/events/${eventId}/participants`)).json().participants.map((p: { id: string }) => p.id)).toContain(mentor.id);
    expect((await inject(alice.cookie, 'DELETE', `/api/events/${eventId}/participants/${mentor.id}`)).statusCode).toBe(204);
    expect((await inject(alice.cookie, 'DELETE', `/api/events/${eventId}/participants/${mentor.id}`)).statusCode).toBe(404);
  });

  it('refuses a duplicate email in the same event with 409, and a capacity below 1 with 400', async () => {
    const p = await addParticipant();
    const dup = await inject(alice.cookie, 'POST', `/api/events/${eventId}/participants`, makeParticipant({ email: p.email.toUpperCase() }));
    expect(dup.statusCode).toBe(409);
    const zero = await inject(alice.cookie, 'POST', `/api/events/${eventId}/participants`, makeParticipant({ role: 'mentor', capacity: 0 }));
    expect(zero.statusCode).toBe(400);
    expect(zero.json().message).toMatch(/capacity/);
    const other = await addParticipant();
    const clash = await inject(alice.cookie, 'PATCH', `/api/events/${eventId}/participants/${other.id}`, { email: p.email });
    expect(clash.statusCode).toBe(409);
  });

  it("does not let another organizer read or change this event's participants", async () => {
    const p = await addParticipant();
    expect((await inject(bob.cookie, 'GET', `/api/events/${eventId}/participants`)).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'POST', `/api/events/${eventId}/participants`, makeParticipant())).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'PATCH', `/api/events/${eventId}/participants/${p.id}`, { name: 'x' })).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'DELETE', `/api/events/${eventId}/participants/${p.id}`)).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'GET', `/api/events/${eventId}/invites`)).statusCode).toBe(404);
    expect((await inject(bob.cookie, 'POST', `/api/events/${eventId}/participants/${p.id}/invite`)).statusCode).toBe(404);
    const bobEvent = (await inject(bob.cookie, 'POST', '/api/events', makeEvent())).json();
    // a participant id from another event is not found through Bob's event
    expect((await inject(bob.cookie, 'PATCH', `/api/events/${bobEvent.id}/participants/${p.id}`, { name: 'x' })).statusCode).toBe(404);
    expect((await inject(alice.cookie, 'GET', `/api/events/${eventId}/participants`)).json().participants.find((x: { id: string }) => x.id === p.id).name).toBe(p.name);
  });
});

describe('invite links', () => {
  it('gives each participant an unguessable personal link whose token is stored only as a hash', async () => {
    const p = await addParticipant();
    const url = await inviteUrl(p.id);
    expect(url).toMatch(/^http:\/\/constellation\.test\/join#[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(tokenOf(url), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    const { rows } = await t.pool.query(`SELECT encode(token_hash, 'hex') AS h FROM invitations WHERE participant_id = $1`, [p.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(tokenOf(url));
    // the same link is shown again later
    expect(await inviteUrl(p.id)).toBe(url);
  });

  it('opening the link starts a participant session scoped to that event and role', async () => {
    const p = await addParticipant({ role: 'mentor', name: 'Priya' });
    const join = await inject(undefined, 'POST', '/api/join', { token: tokenOf(await inviteUrl(p.id)) });
    expect(join.statusCode).toBe(200);
    expect(join.json()).toMatchObject({ participant: { id: p.id, role: 'mentor', name: 'Priya' }, event: { id: eventId } });
    const cookie = cookieFrom(join);
    expect(cookie).toMatch(/^cst_part=/);
    const me = await inject(cookie, 'GET', '/api/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().participant.id).toBe(p.id);
    // the participant session is not an organizer session
    expect((await inject(cookie, 'GET', '/api/events')).statusCode).toBe(401);
    expect((await inject(cookie, 'GET', `/api/events/${eventId}/participants`)).statusCode).toBe(401);
    expect((await inject(cookie, 'GET', '/api/auth/me')).statusCode).toBe(401);
  });

  it('regenerating a link revokes the old one and the sessions it opened', async () => {
    const p = await addParticipant();
    const oldUrl = await inviteUrl(p.id);
    const session = cookieFrom(await inject(undefined, 'POST', '/api/join', { token: tokenOf(oldUrl) }));
    const regenerated = await inject(alice.cookie, 'POST', `/api/events/${eventId}/participants/${p.id}/invite`);
    expect(regenerated.statusCode).toBe(200);
    const newUrl = regenerated.json().url;
    expect(newUrl).not.toBe(oldUrl);
    const refused = await inject(undefined, 'POST', '/api/join', { token: tokenOf(oldUrl) });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().message).toMatch(/no longer valid/);
    expect((await inject(session, 'GET', '/api/me')).statusCode).toBe(401);
    expect((await inject(undefined, 'POST', '/api/join', { token: tokenOf(newUrl) })).statusCode).toBe(200);
    expect(await inviteUrl(p.id)).toBe(newUrl);
  });

  it('refuses unknown tokens and rate-limits token guessing', async () => {
    expect((await inject(undefined, 'POST', '/api/join', { token: 'A'.repeat(43) })).statusCode).toBe(401);
    expect((await inject(undefined, 'POST', '/api/join', { token: 'short' })).statusCode).toBe(400);
    const limited = await buildTestApp({ rateLimits: { invite: { max: 2, timeWindow: 60_000 } } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.app.inject({ method: 'POST', url: '/api/join', payload: { token: `guess-${i}-`.padEnd(43, 'x') } })).statusCode);
      expect(statuses).toEqual([401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('ends a participant session when the participant is removed', async () => {
    const p = await addParticipant();
    const cookie = cookieFrom(await inject(undefined, 'POST', '/api/join', { token: tokenOf(await inviteUrl(p.id)) }));
    expect((await inject(cookie, 'GET', '/api/me')).statusCode).toBe(200);
    await inject(alice.cookie, 'DELETE', `/api/events/${eventId}/participants/${p.id}`);
    expect((await inject(cookie, 'GET', '/api/me')).statusCode).toBe(401);
  });
});
