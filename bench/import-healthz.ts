// /healthz latency while a 20,000-row CSV import runs on the same server process (target: p99
// under 100 ms), against /healthz on the idle server in the same run as the baseline.
// Run: npx tsx bench/import-healthz.ts   (needs PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
import pg from 'pg';
import { makeCsv, makeEvent } from '../tests/factories/index.ts';
import { startServer } from '../tests/helpers/server.ts';
import { migrate } from '../server/src/db/migrate.ts';
import { report } from './lib.ts';

const ADMIN = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = `constellation_bench_${process.pid}`;
const url = new URL(ADMIN);
url.pathname = `/${NAME}`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** /healthz round trips, one after another 10 ms apart, while `busy()` says so. */
async function probe(base: string, busy: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (busy()) {
    const started = performance.now();
    await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  return latencies;
}

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE "${NAME}"`);
process.env.TEST_DATABASE_URL = url.toString();
try {
  await migrate(url.toString());
  const server = await startServer({ timeoutMs: 120_000 });
  try {
    const signup = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', name: 'B', password: 'bench password' }),
    });
    const cookie = signup.headers.get('set-cookie')!.split(';')[0]!;
    const csv = makeCsv(20_000);
    const runs = 3;
    const idle: number[] = [];
    const during: number[] = [];
    const importMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const idleUntil = Date.now() + 3000;
      idle.push(...(await probe(server.url, () => Date.now() < idleUntil)));
      const event = await fetch(`${server.url}/api/events`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(makeEvent()) });
      const eventId = ((await event.json()) as { id: string }).id;
      let importing = true;
      const started = performance.now();
      const probing = probe(server.url, () => importing);
      const response = await fetch(`${server.url}/api/events/${eventId}/participants/import`, { method: 'POST', headers: { cookie, 'content-type': 'text/csv' }, body: csv });
      importing = false;
      if (response.status !== 201) throw new Error(await response.text());
      importMs.push(performance.now() - started);
      during.push(...(await probing));
    }
    report({
      'imports of 20,000 rows': runs,
      'import time (median ms)': [...importMs].sort((a, b) => a - b)[1]!,
      'baseline: idle /healthz p50 ms': percentile(idle, 0.5),
      'baseline: idle /healthz p99 ms': percentile(idle, 0.99),
      '/healthz during import: probes': during.length,
      '/healthz during import p50 ms': percentile(during, 0.5),
      '/healthz during import p99 ms': percentile(during, 0.99),
      '/healthz during import max ms': Math.max(...during),
      'ratio p99 during / idle': `${(percentile(during, 0.99) / percentile(idle, 0.99)).toFixed(2)}`,
    });
  } finally {
    await server.stop();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.end();
}
