// Cold start of the server on embedded defaults until /healthz is green, in the same run:
//   - empty data folder (initdb included), plain Node as in production;
//   - existing data folder, plain Node (the Docker image's command: Node's own type stripping);
//   - the same with Node's compile cache filled by the first start (NODE_COMPILE_CACHE, as the Docker
//     image and `npm start` have it);
//   - existing data folder, the same server through the tsx loader (how it ran before Node 24);
//   - baseline: the embedded PostgreSQL alone starting on the same existing data (no app code can avoid it).
// The three existing-data variants take turns going first, so none always gets the warmer file cache.
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

async function startUntilHealthy(nodeArgs: string[], dataDir: string, extraEnv: Record<string, string> = {}): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', EMBEDDED_LIVEKIT: 'off', ...extraEnv },
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
const cached: number[] = [];
const tsx: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'constellation-cold-'));
  const compileCache = { NODE_COMPILE_CACHE: join(dataDir, 'compile-cache') };
  try {
    fresh.push(await startUntilHealthy(PLAIN, dataDir, compileCache));
    const variants = [
      () => startUntilHealthy(PLAIN, dataDir).then((ms) => plain.push(ms)),
      () => startUntilHealthy(PLAIN, dataDir, compileCache).then((ms) => cached.push(ms)),
      () => startUntilHealthy(TSX, dataDir).then((ms) => tsx.push(ms)),
    ];
    for (let v = 0; v < variants.length; v++) await variants[(v + i) % variants.length]!();
    const db = await time(() => startEmbeddedPostgres(dataDir, () => {}));
    baseline.push(db.ms);
    await db.value.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
report({
  [`node ${process.versions.node}, runs`]: String(runs),
  'empty data, plain node → /healthz, median ms': median(fresh),
  'existing data, plain node → /healthz, median ms': median(plain),
  'existing data, plain node + compile cache, median ms': median(cached),
  'existing data, tsx loader → /healthz, median ms': median(tsx),
  'baseline: embedded PostgreSQL alone, existing data, median ms': median(baseline),
  'ratio plain node / tsx': median(plain) / median(tsx),
  'ratio plain node + compile cache / tsx': median(cached) / median(tsx),
  'ratio plain node / PostgreSQL alone': median(plain) / median(baseline),
  'ratio tsx / PostgreSQL alone': median(tsx) / median(baseline),
});
