import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { buildTestApp, cookieFrom, type TestApp } from '../helpers/app.ts';
import { ownDatabase } from '../helpers/mail.ts';
import { organizerInvite } from '../helpers/organizers.ts';

// The zero-configuration mode: no SMTP_URL, so nobody can prove they own an address. The instance's
// first organizer owns it and approves the others; the answer to a sign-up never says whether the
// address has an account.

let db: { pool: pg.Pool; drop(): Promise<void> };
let t: TestApp;

beforeAll(async () => {
  db = await ownDatabase();
  t = await buildTestApp({ pool: db.pool });
});
afterAll(async () => {
  await t.close();
  await db.drop();
});

const PASSWORD = 'correct horse battery';
const signUp = (email: string, name = 'Nia', extra: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, name, password: PASSWORD, ...extra } });
const signIn = (email: string, password = PASSWORD) => t.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } });
const asOwner = (cookie: string, method: 'GET' | 'POST', url: string) => t.app.inject({ method, url: `/api/auth${url}`, headers: { cookie } });
const outboxFor = async (email: string) =>
  (await db.pool.query(`SELECT kind, status, event_id AS "eventId" FROM mail_outbox WHERE recipient = $1 ORDER BY id`, [email])).rows;
const requestIdOf = async (cookie: string, email: string): Promise<string> => {
  const list = await asOwner(cookie, 'GET', '/signup-requests');
  expect(list.statusCode).toBe(200);
  return list.json().requests.find((r: { email: string }) => r.email === email).id;
};

let owner: string;

describe('sign-up without email: the owner approves, the answer reveals nothing', () => {
  it('makes the first organizer the owner, then answers a new and a known address identically and holds their mail in the outbox', async () => {
    const first = await signUp('owner@example.com', 'Olga Owner');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ email: 'owner@example.com', owner: true });
    owner = cookieFrom(first);

    const fresh = await signUp('new@example.com', 'Nia <New>');
    const known = await signUp('owner@example.com', 'Someone');
    const knownOtherCase = await signUp('OWNER@example.com', 'Someone');
    for (const answer of [fresh, known, knownOtherCase]) {
      expect(answer.statusCode).toBe(202);
      expect(answer.body).toBe(fresh.body);
      expect(answer.cookies).toEqual([]);
      expect(answer.headers['content-length']).toBe(fresh.headers['content-length']);
    }
    expect(fresh.json()).toEqual({ status: 'awaiting-approval', message: expect.stringMatching(/owner approves new accounts/) });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM organizers')).rows[0].n).toBe(1);

    // Only the outbox, which the owner reads, tells the two apart.
    expect(await outboxFor('new@example.com')).toEqual([{ kind: 'signup-confirm', status: 'held', eventId: null }]);
    expect(await outboxFor('owner@example.com')).toEqual([
      { kind: 'signup-exists', status: 'held', eventId: null },
      { kind: 'signup-exists', status: 'held', eventId: null },
    ]);
    const view = (await asOwner(owner, 'GET', '/signup-requests')).json();
    expect(view.smtpConfigured).toBe(false);
    expect(view.requests).toEqual([expect.objectContaining({ email: 'new@example.com', name: 'Nia <New>' })]);
    expect(view.messages.map((m: { recipient: string; kind: string }) => `${m.kind} ${m.recipient}`)).toEqual([
      'signup-exists OWNER@example.com',
      'signup-exists owner@example.com',
      'signup-confirm new@example.com',
    ]);
    expect(view.messages[2].text).toContain('http://constellation.test/signup/confirm#');
    expect(view.messages[0].text).toContain('http://constellation.test/signin');
  });

  it('lets a pending request not sign in, and the owner approve it: the new organizer then signs in', async () => {
    expect((await signIn('new@example.com')).statusCode).toBe(401);
    const id = await requestIdOf(owner, 'new@example.com');
    const approved = await asOwner(owner, 'POST', `/signup-requests/${id}/approve`);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ email: 'new@example.com', name: 'Nia <New>', owner: false });
    expect(approved.cookies).toEqual([]); // the owner stays the owner in their browser

    const signedIn = await signIn('new@example.com');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toMatchObject({ email: 'new@example.com', owner: false });
    expect((await asOwner(owner, 'POST', `/signup-requests/${id}/approve`)).statusCode).toBe(404);
    expect((await asOwner(owner, 'GET', '/signup-requests')).json().requests).toEqual([]);
  });

  it('lets the owner decline a request: it cannot sign in, nor be approved or confirmed later', async () => {
    expect((await signUp('spam@example.com', 'Spam')).statusCode).toBe(202);
    const id = await requestIdOf(owner, 'spam@example.com');
    const declined = await asOwner(owner, 'POST', `/signup-requests/${id}/decline`);
    expect(declined.statusCode).toBe(204);
    expect((await signIn('spam@example.com')).statusCode).toBe(401);
    expect((await asOwner(owner, 'POST', `/signup-requests/${id}/approve`)).statusCode).toBe(404);
    expect((await asOwner(owner, 'POST', `/signup-requests/${id}/decline`)).statusCode).toBe(404);
    const view = (await asOwner(owner, 'GET', '/signup-requests')).json();
    expect(view.requests).toEqual([]);
    const token = /signup\/confirm#([\w.-]+)/.exec(view.messages.find((m: { recipient: string }) => m.recipient === 'spam@example.com').text)![1]!;
    const confirm = await t.app.inject({ method: 'POST', url: '/api/auth/signup/confirm', payload: { token } });
    expect(confirm.statusCode).toBe(400);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM organizers WHERE email = 'spam@example.com'`)).rows[0].n).toBe(0);
  });

  it('keeps approval to the owner', async () => {
    expect((await signUp('later@example.com')).statusCode).toBe(202);
    const id = await requestIdOf(owner, 'later@example.com');
    const colleague = cookieFrom(await signIn('new@example.com'));
    for (const [method, url] of [['GET', '/signup-requests'], ['POST', `/signup-requests/${id}/approve`], ['POST', `/signup-requests/${id}/decline`]] as const) {
      const asColleague = await asOwner(colleague, method, url);
      expect(asColleague.statusCode, url).toBe(403);
      expect(asColleague.json().message).toMatch(/owner/);
      expect((await asOwner('', method, url)).statusCode, url).toBe(401);
    }
    expect((await asOwner(owner, 'POST', '/signup-requests/00000000-0000-4000-8000-000000000000/approve')).statusCode).toBe(404);
    expect((await asOwner(owner, 'POST', '/signup-requests/not-a-uuid/approve')).statusCode).toBe(400);
    expect((await signIn('later@example.com')).statusCode).toBe(401);
  });

  it("lets any organizer invite a colleague by a single-use link that needs no approval", async () => {
    const colleague = cookieFrom(await signIn('new@example.com'));
    const invite = await organizerInvite(t.app, colleague);
    const joined = await signUp('teammate@example.com', 'Tess', { invite });
    expect(joined.statusCode).toBe(201);
    expect(joined.json()).toMatchObject({ email: 'teammate@example.com', owner: false });
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: cookieFrom(joined) } });
    expect(me.json().email).toBe('teammate@example.com');

    const reused = await signUp('other@example.com', 'Otto', { invite });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().message).toMatch(/invitation link is not valid, has expired or was used/);
    const [id, mac] = invite.split('.');
    for (const forged of [`${id}.AAAA`, id!, 'nonsense', `00000000-0000-4000-8000-000000000000.${mac}`]) {
      expect((await signUp('other@example.com', 'Otto', { invite: forged })).statusCode, forged).toBe(400);
    }
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM organizers WHERE email = 'other@example.com'`)).rows[0].n).toBe(0);
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/auth/organizer-invites' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the first organizer of an instance', () => {
  it('is exactly one, however many sign up at the same moment', async () => {
    const fresh = await ownDatabase();
    const app = await buildTestApp({ pool: fresh.pool });
    try {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => app.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: `first-${i}@example.com`, name: `F${i}`, password: PASSWORD } })),
      );
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 202, 202, 202, 202, 202]);
      const { rows } = await fresh.pool.query('SELECT count(*)::int AS organizers, count(*) FILTER (WHERE is_owner)::int AS owners FROM organizers');
      expect(rows[0]).toEqual({ organizers: 1, owners: 1 });
    } finally {
      await app.app.close();
      await fresh.drop();
    }
  });
});
