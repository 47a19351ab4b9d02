// Sign-in attempts per second one client gets through the rate limit, spoofing a different
// X-Forwarded-For on every attempt: with trustProxy: true (how the app was configured before) as
// the baseline, and with the app's default now (TRUST_PROXY unset: the TCP peer is the client).
// Run: npx tsx bench/signin-rate.ts   (needs PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
import pg from 'pg';
import { buildApp } from '../server/src/app.ts';
import { migrate } from '../server/src/db/migrate.ts';
import { report } from './lib.ts';

const ADMIN = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = `constellation_bench_${process.pid}`;
const url = new URL(ADMIN);
url.pathname = `/${NAME}`;
// One whole rate-limit window (a minute), so the limit rather than the first free attempts decides.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONCURRENCY = 4;

/** Attempts one client makes for SECONDS, CONCURRENCY at a time; returns how many were answered other than 429, per second. */
async function attemptsPerSecond(trustProxy: boolean): Promise<{ through: number; tried: number }> {
  const pool = new pg.Pool({ connectionString: url.toString() });
  pool.on('error', () => {});
  // The app's own default limit: 10 sign-ins a minute per client address.
  const app = await buildApp({ pool, publicUrl: 'http://bench', sessionSecret: 'bench-secret-bench-secret-bench-secret', trustProxy });
  await app.ready();
  let through = 0;
  let tried = 0;
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const n = tried++;
        const response = await app.inject({
          method: 'POST',
          url: '/api/auth/signin',
          remoteAddress: '192.0.2.10',
          headers: { 'x-forwarded-for': `198.51.${(n >> 8) & 255}.${n & 255}` },
          payload: { email: 'victim@example.com', password: `guess number ${n}` },
        });
        if (response.statusCode !== 429) through++;
      }
    }),
  );
  await app.close();
  await pool.end();
  return { through: through / SECONDS, tried: tried / SECONDS };
}

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE "${NAME}"`);
try {
  await migrate(url.toString());
  const before = await attemptsPerSecond(true);
  const after = await attemptsPerSecond(false);
  report({
    'attempts sent per second (trustProxy: true)': before.tried,
    'baseline: got through per second (trustProxy: true)': before.through,
    'attempts sent per second (default)': after.tried,
    'got through per second (default, TRUST_PROXY unset)': after.through,
    'ratio after / before': `${(after.through / before.through).toFixed(4)}`,
  });
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.end();
}
