import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import { buildApp, type AppOptions } from '../../server/src/app.ts';
import { testPool } from './db.ts';
import { newOrganizer } from './organizers.ts';

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

export { uniqueEmail } from './organizers.ts';

/** Signs up a fresh organizer (through a colleague's invitation, see organizers.ts) and returns their session cookie. */
export function signUpOrganizer(app: FastifyInstance, name = 'Ada Organizer'): Promise<{ cookie: string; id: string; email: string }> {
  return newOrganizer(app, { name });
}

/** Listens on a free loopback port (for sockets and real HTTP clients) and returns the app's base URL. */
export async function listenTestApp(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('the test app is not listening on a TCP port');
  return `http://127.0.0.1:${address.port}`;
}
