import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { buildApp, type AppOptions } from '../../server/src/app.ts';
import { testPool } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The real app on the real test database, driven through `app.inject`. */
export async function buildTestApp(overrides: Partial<AppOptions> = {}): Promise<TestApp> {
  const pool = testPool();
  const app = await buildApp({
    pool,
    publicUrl: 'http://constellation.test',
    sessionSecret: 'test-secret-test-secret-test-secret',
    rateLimits: { signIn: { max: 10_000, timeWindow: 60_000 }, invite: { max: 10_000, timeWindow: 60_000 } },
    ...overrides,
  });
  await app.ready();
  return { app, pool, close: async () => { await app.close(); await pool.end(); } };
}

/** Reads `name=value` pairs from Set-Cookie headers into a Cookie header value. */
export function cookieFrom(response: LightMyRequestResponse): string {
  return response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

let counter = 0;
export function uniqueEmail(prefix = 'org'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${counter++}@example.com`;
}

/** Signs up a fresh organizer and returns their session cookie. */
export async function signUpOrganizer(app: FastifyInstance, name = 'Ada Organizer'): Promise<{ cookie: string; id: string; email: string }> {
  const email = uniqueEmail();
  const response = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, name, password: 'correct horse battery' } });
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.statusCode} ${response.body}`);
  return { cookie: cookieFrom(response), id: response.json().id, email };
}
