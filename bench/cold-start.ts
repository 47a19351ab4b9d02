// Cold start of the server on embedded defaults until /healthz is green, in the same run:
//   - empty data folder (initdb included), plain Node as in production;
//   - existing data folder, plain Node (the Docker image's command: Node's own type stripping);
//   - the same with Node's compile cache filled by the first start (NODE_COMPILE_CACHE, as the Docker
//     image and `npm start` have it);
//   - existing data folder, the same server through the tsx loader (how it ran before Node 24);
//   - baseline: the embedded PostgreSQL alone starting on the same existing data (no app code can avoid it).
// The three existing-data variants take turns going first, so none always gets the warmer file cache.
// Besides the wall time, the server process's own CPU time until healthy (Linux /proc; the embedded
// PostgreSQL is a separate process) is printed: it is the steadier figure on a busy machine.
// Run: node bench/cold-start.ts   (or npx tsx bench/cold-start.ts; RUNS=5 for more samples)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../server/src/db/embedded.ts';
import { freePort, productionCommand } from '../tests/helpers/server.ts';
import { median, report, time } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { args: PLAIN } = productionCommand();
const TSX = ['--import', 'tsx', ...PLAIN];

/** User + system CPU time of a live process so far, in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Start {
  wall: number;
  cpu: number;
}

async function startUntilHealthy(nodeArgs: string[], dataDir: string, extraEnv: Record<string, string> = {}): Promise<Start> {
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
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { wall: performance.now() - started, cpu: cpuMs(child.pid!) };
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
const fresh: Start[] = [];
const plain: Start[] = [];
const cached: Start[] = [];
const tsx: Start[] = [];
const baseline: number[] = [];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'constellation-cold-'));
  const compileCache = { NODE_COMPILE_CACHE: join(dataDir, 'compile-cache') };
  try {
    fresh.push(await startUntilHealthy(PLAIN, dataDir, compileCache));
    const variants = [
      () => startUntilHealthy(PLAIN, dataDir).then((s) => plain.push(s)),
      () => startUntilHealthy(PLAIN, dataDir, compileCache).then((s) => cached.push(s)),
      () => startUntilHealthy(TSX, dataDir).then((s) => tsx.push(s)),
    ];
    for (let v = 0; v < variants.length; v++) await variants[(v + i) % variants.length]!();
    const db = await time(() => startEmbeddedPostgres(dataDir, () => {}));
    baseline.push(db.ms);
    await db.value.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const wall = (starts: Start[]) => median(starts.map((s) => s.wall));
const cpu = (starts: Start[]) => median(starts.map((s) => s.cpu));
const both = (starts: Start[]) => `${wall(starts).toFixed(0)} ms wall, ${cpu(starts).toFixed(0)} ms CPU`;
report({
  [`node ${process.versions.node}, runs (medians below)`]: String(runs),
  'empty data, plain node → /healthz': both(fresh),
  'existing data, plain node → /healthz': both(plain),
  'existing data, plain node + compile cache': both(cached),
  'existing data, tsx loader → /healthz': both(tsx),
  'baseline: embedded PostgreSQL alone, existing data, ms': median(baseline),
  'ratio plain node / tsx (wall, CPU)': `${(wall(plain) / wall(tsx)).toFixed(2)}, ${(cpu(plain) / cpu(tsx)).toFixed(2)}`,
  'ratio plain + compile cache / tsx (wall, CPU)': `${(wall(cached) / wall(tsx)).toFixed(2)}, ${(cpu(cached) / cpu(tsx)).toFixed(2)}`,
  'ratio plain node / PostgreSQL alone (wall)': wall(plain) / median(baseline),
  'ratio tsx / PostgreSQL alone (wall)': wall(tsx) / median(baseline),
});
