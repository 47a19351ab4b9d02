// CSV import of 5,000 participants through the real HTTP route (parse, validate, insert with
// invite links, one transaction), against PostgreSQL's own COPY of the same rows as the baseline.
// Run: npx tsx bench/import.ts   (needs PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { buildApp } from '../server/src/app.ts';
import { migrate } from '../server/src/db/migrate.ts';
import { makeCsv, makeEvent } from '../tests/factories/index.ts';
import { median, report, time } from './lib.ts';

const ADMIN = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = `constellation_bench_${process.pid}`;
const url = new URL(ADMIN);
url.pathname = `/${NAME}`;

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE "${NAME}"`);
try {
  await migrate(url.toString());
  const pool = new pg.Pool({ connectionString: url.toString() });
  pool.on('error', () => {});
  const app = await buildApp({ pool, publicUrl: 'http://bench', sessionSecret: 'bench-secret-bench-secret' });
  const signup = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: 'bench@example.com', name: 'B', password: 'bench password' } });
  const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');

  const ROWS = 5000;
  const runs = 5;
  const importMs: number[] = [];
  const copyMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const csv = makeCsv(ROWS, `run${run}`);
    const eventId = (await app.inject({ method: 'POST', url: '/api/events', headers: { cookie }, payload: makeEvent() })).json().id;
    const imported = await time(() =>
      app.inject({ method: 'POST', url: `/api/events/${eventId}/participants/import`, headers: { cookie, 'content-type': 'text/csv' }, payload: csv }),
    );
    if (imported.value.statusCode !== 201) throw new Error(imported.value.body);
    importMs.push(imported.ms);

    // Baseline: COPY the same file straight into a bare table (no validation, no invites, no HTTP).
    const client = await pool.connect();
    await client.query(`CREATE TEMP TABLE raw_${run} (role text, name text, email text, industry text, skills text, years_experience text,
      goals text, challenges text, working_style text, time_zone text, capacity text, constellation_size text)`);
    const copied = await time(
      () =>
        new Promise<void>((resolve, reject) => {
          const stream = client.query(copyFrom(`COPY raw_${run} FROM STDIN WITH (FORMAT csv, HEADER true)`));
          stream.on('finish', resolve).on('error', reject);
          stream.end(csv);
        }),
    );
    copyMs.push(copied.ms);
    client.release();
  }
  const ours = median(importMs);
  const base = median(copyMs);
  report({
    'rows per import': ROWS,
    'import via API, median ms (target < 2000)': ours,
    'import via API, best ms': Math.min(...importMs),
    'baseline: bare COPY of the same CSV, median ms': base,
    'ratio (import / COPY)': ours / base,
  });
  await app.close();
  await pool.end();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.end();
}
