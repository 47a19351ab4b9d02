// Cold start of `npm start` on embedded defaults until /healthz is green: once with an empty data
// folder (initdb included) and once with an existing one. Baseline in the same run: the embedded
// PostgreSQL alone starting on the same existing data folder (the part no app code can avoid).
// Run: npx tsx bench/cold-start.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../server/src/db/embedded.ts';
import { freePort } from '../tests/helpers/server.ts';
import { median, report, time } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function startUntilHealthy(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return performance.now() - started;
      } catch {
        // not yet
      }
      if (performance.now() - started > 120_000) throw new Error('no healthy start within 120 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

const runs = 3;
const fresh: number[] = [];
const warm: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'constellation-cold-'));
  try {
    fresh.push(await startUntilHealthy(dataDir));
    warm.push(await startUntilHealthy(dataDir));
    const db = await time(() => startEmbeddedPostgres(dataDir, () => {}));
    baseline.push(db.ms);
    await db.value.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
report({
  'npm start → /healthz green, empty ./data, median ms': median(fresh),
  'npm start → /healthz green, existing ./data, median ms (target < 10000)': median(warm),
  'baseline: embedded PostgreSQL alone, existing data, median ms': median(baseline),
  'ratio (existing-data start / PostgreSQL alone)': median(warm) / median(baseline),
});
