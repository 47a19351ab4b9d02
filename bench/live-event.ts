/**
 * Shared by the realtime benches: a throwaway database with the real app on it, and a live event
 * set up the way an organizer does it (CSV import, plan, participants opening their invites).
 */
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../server/src/app.ts';
import { migrate } from '../server/src/db/migrate.ts';
import { createSession } from '../server/src/modules/auth/sessions.repository.ts';
import { PARTICIPANT_COOKIE, PARTICIPANT_SESSION_TTL } from '../server/src/plugins/auth.ts';
import { inTransaction } from '../server/src/plugins/db.ts';
import { makeCsv, makeEvent } from '../tests/factories/index.ts';
import { pool } from './realtime-lib.ts';

const ADMIN = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A freshly migrated database of its own (`constellation_bench_<tag>_<pid>`). */
export async function createBenchDatabase(tag: string): Promise<BenchDatabase> {
  const name = `constellation_bench_${tag}_${process.pid}`;
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  const drop = async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  };
  try {
    await migrate(url.toString());
  } catch (error) {
    await drop();
    throw error;
  }
  return { url: url.toString(), drop };
}

export interface BenchApp {
  app: FastifyInstance;
  pool: pg.Pool;
  /** Closes the app and its pool (the database stays). */
  close(): Promise<void>;
}

/** The real app on a bench database, ready but not listening. */
export async function buildBenchApp(databaseUrl: string, overrides: Partial<AppOptions> = {}): Promise<BenchApp> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 }); // as server.ts
  pool.on('error', () => {});
  const app = await buildApp({
    pool,
    publicUrl: 'http://bench',
    sessionSecret: 'bench-secret-bench-secret-bench',
    rateLimits: { signIn: { max: 100_000, timeWindow: 60_000 }, invite: { max: 100_000, timeWindow: 60_000 } },
    ...overrides,
  });
  await app.ready();
  return {
    app,
    pool,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

export interface LiveEvent {
  eventId: string;
  organizerCookie: string;
  /** One `cst_part=…` Cookie header per participant. */
  participantCookies: string[];
  /** How many of those came from `POST /api/join`; the rest are sessions created directly. */
  joinedViaRoute: number;
  timings: Record<string, number>;
}

const cookieOf = (response: { cookies: { name: string; value: string }[] }) => response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');

/**
 * An organizer, an event, `participants` imported by CSV, a plan, and a participant session for
 * everyone: the first `joinViaRoute` open their invite through `POST /api/join`; the rest get the
 * same session from `createSession` in one transaction, because each join commits twice and
 * thousands of them would dominate the bench's run time.
 */
export async function setUpLiveEvent(
  app: FastifyInstance,
  participants: number,
  options: {
    event?: Parameters<typeof makeEvent>[0];
    joinViaRoute?: number;
    /** Who the CSV makes mentors, and their seats. */
    csv?: Parameters<typeof makeCsv>[2];
    /** An organizer already signed up (for several events in one database); a new one otherwise. */
    organizerCookie?: string;
  } = {},
): Promise<LiveEvent> {
  const joinViaRoute = Math.min(participants, options.joinViaRoute ?? participants);
  const timings: Record<string, number> = {};
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await fn();
    timings[label] = performance.now() - started;
    return value;
  };
  const expect = <R extends { statusCode: number; body: string }>(response: R, status: number, what: string): R => {
    if (response.statusCode !== status) throw new Error(`${what}: ${response.statusCode} ${response.body.slice(0, 500)}`);
    return response;
  };

  const organizerCookie =
    options.organizerCookie ??
    cookieOf(
      expect(
        await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: `bench-${process.pid}@example.com`, name: 'Bench Organizer', password: 'bench password' } }),
        201,
        'signup',
      ),
    );
  const headers = { cookie: organizerCookie };
  const eventId: string = expect(await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent(options.event) }), 201, 'create event').json().id;
  await step('import', async () =>
    expect(
      await app.inject({ method: 'POST', url: `/api/events/${eventId}/participants/import`, headers: { ...headers, 'content-type': 'text/csv' }, payload: makeCsv(participants, undefined, options.csv) }),
      201,
      'import',
    ),
  );
  await step('plan', async () => expect(await app.inject({ method: 'POST', url: `/api/events/${eventId}/plan`, headers, payload: { seed: 1 } }), 200, 'plan'));
  const invites = expect(await app.inject({ method: 'GET', url: `/api/events/${eventId}/invites`, headers }), 200, 'invites').json().invites as {
    participantId: string;
    url: string;
  }[];
  if (invites.length !== participants) throw new Error(`expected ${participants} invites, got ${invites.length}`);
  const viaRoute = await step('join', () =>
    pool(invites.slice(0, joinViaRoute), 8, async (invite) =>
      cookieOf(expect(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }), 200, 'join')),
    ),
  );
  const direct = await step('sessions', () =>
    inTransaction(app.pg, async (client) => {
      const cookies: string[] = [];
      for (const invite of invites.slice(joinViaRoute)) {
        const token = await createSession(client, { participantId: invite.participantId, eventId }, PARTICIPANT_SESSION_TTL);
        cookies.push(`${PARTICIPANT_COOKIE}=${token}`);
      }
      return cookies;
    }),
  );
  return { eventId, organizerCookie, participantCookies: [...viaRoute, ...direct], joinedViaRoute: viaRoute.length, timings };
}
