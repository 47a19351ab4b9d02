// Cold start of the server on embedded defaults until /healthz is green, in the same run:
//   - empty data folder (initdb included), plain Node as in production;
//   - existing data folder, plain Node (the Docker image's command: Node's own type stripping);
//   - existing data folder, the same server through the tsx loader (how it ran before Node 24);
//   - baseline: the embedded PostgreSQL alone starting on the same existing data (no app code can avoid it).
// Plain Node and tsx alternate which goes first, so neither always gets the warmer file cache.
// Run: node bench/cold-start.ts   (or npx tsx bench/cold-start.ts; RUNS=5 for more samples)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../server/src/db/embedded.ts';
import { freePort, productionCommand } from '../tests/helpers/server.ts';
import { median, report, time } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { args: PLAIN } = productionCommand();
const TSX = ['--import', 'tsx', ...PLAIN];

async function startUntilHealthy(nodeArgs: string[], dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', EMBEDDED_LIVEKIT: 'off' },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return performance.now() - started;
      } catch {
        // not yet
      }
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      if (performance.now() - started > 120_000) throw new Error('no healthy start within 120 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM'); // stops the embedded PostgreSQL cleanly
    await exited;
  }
}

const runs = Number(process.env.RUNS ?? 3);
const fresh: number[] = [];
const plain: number[] = [];
const tsx: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'constellation-cold-'));
  try {
    fresh.push(await startUntilHealthy(PLAIN, dataDir));
    for (const variant of i % 2 ? ['tsx', 'plain'] : ['plain', 'tsx']) {
      if (variant === 'plain') plain.push(await startUntilHealthy(PLAIN, dataDir));
      else tsx.push(await startUntilHealthy(TSX, dataDir));
    }
    const db = await time(() => startEmbeddedPostgres(dataDir, () => {}));
    baseline.push(db.ms);
    await db.value.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
report({
  [`node ${process.versions.node}, runs`]: runs,
  'empty data, plain node → /healthz, median ms': median(fresh),
  'existing data, plain node → /healthz, median ms': median(plain),
  'existing data, tsx loader → /healthz, median ms': median(tsx),
  'baseline: embedded PostgreSQL alone, existing data, median ms': median(baseline),
  'ratio plain node / tsx': median(plain) / median(tsx),
  'ratio plain node / PostgreSQL alone': median(plain) / median(baseline),
  'ratio tsx / PostgreSQL alone': median(tsx) / median(baseline),
});
