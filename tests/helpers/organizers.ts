import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { hashPassword } from '../../server/src/lib/crypto.ts';

/**
 * Organizers for tests, made as a team would make them. Only an instance's first organizer (its
 * owner) signs up at once; everyone after needs the owner's approval, an emailed link, or a
 * colleague's invitation link. The helpers keep one inviter per instance, the owner of the run's
 * shared database (seeded by global-setup, so no test's first sign-up can take its place), signed up
 * first on a database of a test's own, and give each new organizer that inviter's single-use link.
 */
export const TEST_INVITER = { email: 'inviter@constellation.test', name: 'Ivy Inviter', password: 'inviter password, tests only' };

/** An app driven through `app.inject`, or the base URL of a running server. */
export type Instance = FastifyInstance | string;

interface Answer {
  status: number;
  body: string;
  cookie: string;
}

let counter = 0;
export function uniqueEmail(prefix = 'org'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${counter++}@example.com`;
}

async function send(instance: Instance, path: string, json?: unknown, cookie?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (cookie) headers.cookie = cookie;
  const payload = json === undefined ? undefined : JSON.stringify(json);
  if (typeof instance === 'string') {
    const response = await fetch(`${instance}${path}`, { method: 'POST', headers, body: payload });
    return { status: response.status, body: await response.text(), cookie: response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  }
  const response = await instance.inject({ method: 'POST', url: path, headers, payload });
  return { status: response.statusCode, body: response.body, cookie: response.cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
}

const inviters = new Map<Instance, Promise<string>>();

/** The inviter's session cookie on this instance: signed in, or signed up when the instance has no organizer yet. */
export function ensureInviter(instance: Instance): Promise<string> {
  let cookie = inviters.get(instance);
  if (!cookie) {
    cookie = signInInviter(instance);
    cookie.catch(() => inviters.delete(instance));
    inviters.set(instance, cookie);
  }
  return cookie;
}

async function signInInviter(instance: Instance): Promise<string> {
  const { email, name, password } = TEST_INVITER;
  // A second round covers another test file making the inviter between our sign-in and our sign-up.
  for (let round = 0; round < 2; round++) {
    const signIn = await send(instance, '/api/auth/signin', { email, password });
    if (signIn.status === 200) return signIn.cookie;
    if (signIn.status !== 401) throw new Error(`inviter sign-in answered ${signIn.status} ${signIn.body}`);
    const signUp = await send(instance, '/api/auth/signup', { email, name, password });
    if (signUp.status === 201) return signUp.cookie;
    if (signUp.status !== 202) throw new Error(`inviter sign-up answered ${signUp.status} ${signUp.body}`);
  }
  throw new Error(`${email} cannot sign in: this instance's owner is someone else; make its organizers with newOrganizer from the start`);
}

/** A single-use organizer invitation token (what follows `#invite=` in its link). */
export async function organizerInvite(instance: Instance, cookie: string): Promise<string> {
  const invite = await send(instance, '/api/auth/organizer-invites', undefined, cookie);
  if (invite.status !== 201) throw new Error(`organizer invite answered ${invite.status} ${invite.body}`);
  return new URL((JSON.parse(invite.body) as { url: string }).url).hash.replace(/^#invite=/, '');
}

/** A new organizer, signed in through a colleague's invitation link: their id, email and session cookie. */
export async function newOrganizer(instance: Instance, options: { name?: string; email?: string; password?: string } = {}): Promise<{ cookie: string; id: string; email: string }> {
  const email = options.email ?? uniqueEmail();
  const invite = await organizerInvite(instance, await ensureInviter(instance));
  const signUp = await send(instance, '/api/auth/signup', { email, name: options.name ?? 'Ada Organizer', password: options.password ?? 'correct horse battery', invite });
  if (signUp.status !== 201) throw new Error(`sign-up answered ${signUp.status} ${signUp.body}`);
  return { cookie: signUp.cookie, id: (JSON.parse(signUp.body) as { id: string }).id, email };
}

/** Makes the inviter the owner of a new, empty database (global-setup does it for the run's shared one). */
export async function seedInviter(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { email, name, password } = TEST_INVITER;
    await client.query('INSERT INTO organizers (email, name, password_hash, is_owner) VALUES ($1, $2, $3, true)', [email, name, await hashPassword(password)]);
  } finally {
    await client.end();
  }
}
