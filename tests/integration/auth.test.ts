import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, cookieFrom, signUpOrganizer, uniqueEmail, type TestApp } from '../helpers/app.ts';
import { newOrganizer, organizerInvite } from '../helpers/organizers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('organizer accounts', () => {
  // The shared test database has an owner already: organizers join with a colleague's invitation (see signup.approval.test.ts for the rest).
  const signUp = (payload: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/auth/signup', payload });

  it('signs up, stays signed in with an httpOnly SameSite cookie, and signs out', async () => {
    const colleague = await signUpOrganizer(t.app, 'Colleague');
    const email = uniqueEmail();
    const signup = await signUp({ email, name: 'Grace', password: 'a long enough password', invite: await organizerInvite(t.app, colleague.cookie) });
    expect(signup.statusCode).toBe(201);
    expect(signup.json()).toMatchObject({ email, name: 'Grace', owner: false });
    const setCookie = String(signup.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = cookieFrom(signup);

    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().email).toBe(email);

    const signout = await t.app.inject({ method: 'POST', url: '/api/auth/signout', headers: { cookie } });
    expect(signout.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('stores the password only as a memory-hard scrypt hash', async () => {
    const { email } = await newOrganizer(t.app, { name: 'Hash', password: 'plain text never stored' });
    const { rows } = await t.pool.query('SELECT password_hash FROM organizers WHERE email = $1', [email]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$65536\$8\$1\$/);
    expect(rows[0].password_hash).not.toContain('plain text');
  });

  it('signs in with the right password and refuses a wrong one', async () => {
    const { email } = await newOrganizer(t.app, { name: 'Lin', password: 'right password 1' });
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password: 'wrong password 1' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('Wrong email or password');
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: uniqueEmail(), password: 'whatever' } });
    expect(unknown.statusCode).toBe(401);
    const right = await t.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: email.toUpperCase(), password: 'right password 1' } });
    expect(right.statusCode).toBe(200);
    expect(cookieFrom(right)).toMatch(/^cst_org=/);
  });

  it('never makes a second account with the same email, whatever its case, and answers as for a new address', async () => {
    const { email, cookie } = await newOrganizer(t.app, { name: 'A', password: 'password password' });
    const invite = await organizerInvite(t.app, cookie);
    const again = await signUp({ email: email.toUpperCase(), name: 'B', password: 'password password', invite });
    const fresh = await signUp({ email: uniqueEmail(), name: 'B', password: 'password password' });
    expect(again.statusCode).toBe(202);
    expect(again.body).toBe(fresh.body);
    expect(again.cookies).toEqual([]);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM organizers WHERE email = $1', [email])).rows[0].n).toBe(1);
    // The invitation was not spent on an address that has an account.
    expect((await signUp({ email: uniqueEmail(), name: 'C', password: 'password password', invite })).statusCode).toBe(201);
  });

  it('names the field that is wrong', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: 'not-an-email', name: 'X', password: 'short' } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.message).toMatch(/body\.(email|password)/);
    expect(body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['body.email', 'body.password']);
  });

  it('rate-limits sign-in attempts', async () => {
    const limited = await buildTestApp({ rateLimits: { signIn: { max: 3, timeWindow: 60_000 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await limited.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: 'nobody@example.com', password: 'guess' + i } });
        statuses.push(r.statusCode);
      }
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('answers /healthz with the database state', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('serves OpenAPI documentation generated from the schemas', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const spec = response.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/auth/signup', '/api/events/', '/api/events/{eventId}/participants/import', '/api/join', '/healthz']));
  });
});
