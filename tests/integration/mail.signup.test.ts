import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { buildTestApp, cookieFrom, type TestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/livekit.ts';
import { ownDatabase, recipientOf, startSmtpServer, type TestSmtpServer } from '../helpers/mail.ts';

let db: { pool: pg.Pool; drop(): Promise<void> };
let smtp: TestSmtpServer;
let t: TestApp;

beforeAll(async () => {
  db = await ownDatabase();
  smtp = await startSmtpServer();
  t = await buildTestApp({ pool: db.pool, mail: { smtpUrl: smtp.url, pollMs: 100 } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
  await db.drop();
});

const signUp = (email: string, name = 'Olivia') => t.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, name, password: 'correct horse battery' } });
const confirm = (token: string) => t.app.inject({ method: 'POST', url: '/api/auth/signup/confirm', payload: { token } });
const mailTo = (email: string) => smtp.received.filter((m) => recipientOf(m) === email);

describe('sign-up without account enumeration (email configured)', () => {
  it('creates the first organizer of an instance directly, then answers the same for a new and a known address', async () => {
    const first = await signUp('first@example.com', 'First');
    expect(first.statusCode).toBe(201);

    const fresh = await signUp('new@example.com', 'Nia <New>');
    const known = await signUp('first@example.com', 'Someone');
    expect(fresh.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(fresh.body).toBe(known.body);
    expect(fresh.cookies).toEqual([]);
    expect(known.cookies).toEqual([]);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM organizers`)).rows[0].n).toBe(1);

    // Only the mailbox learns which it was.
    await eventually(() => mailTo('new@example.com').length === 1 && mailTo('first@example.com').length === 1, { what: 'both sign-up emails' });
    const exists = mailTo('first@example.com')[0]!;
    expect(exists.subject).toBe('You already have a Constellation account');
    expect(exists.text).toContain('http://constellation.test/signin');
    const welcome = mailTo('new@example.com')[0]!;
    expect(welcome.subject).toBe('Confirm your Constellation account');
    expect(welcome.html).toContain('Nia &lt;New&gt;');
    const link = /http:\/\/constellation\.test\/signup\/confirm#([\w.-]+)/.exec(welcome.text!)!;
    expect(welcome.html).toContain(`href="${link[0]}"`);

    // The link finishes the sign-up once, and signs in.
    const done = await confirm(link[1]!);
    expect(done.statusCode).toBe(201);
    expect(done.json()).toMatchObject({ email: 'new@example.com', name: 'Nia <New>' });
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: cookieFrom(done) } });
    expect(me.json().email).toBe('new@example.com');
    expect((await confirm(link[1]!)).statusCode).toBe(400);
    const signIn = await t.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: 'new@example.com', password: 'correct horse battery' } });
    expect(signIn.statusCode).toBe(200);
  });

  it('refuses a forged, truncated or foreign link with a clear 400, and nothing is created', async () => {
    expect((await signUp('forged@example.com')).statusCode).toBe(202);
    await eventually(() => mailTo('forged@example.com').length === 1, { what: 'the confirmation email' });
    const token = /signup\/confirm#([\w.-]+)/.exec(mailTo('forged@example.com')[0]!.text!)![1]!;
    const [id] = token.split('.');
    for (const bad of [`${id}.AAAA`, id!, 'not-a-token', `00000000-0000-4000-8000-000000000000.${token.split('.')[1]}`]) {
      const response = await confirm(bad);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().message).toMatch(/not valid or has expired/);
    }
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM organizers WHERE email = 'forged@example.com'`)).rows[0].n).toBe(0);
    expect((await confirm(token)).statusCode).toBe(201);
  });
});
