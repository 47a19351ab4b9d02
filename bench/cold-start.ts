// Cold start of the server on embedded defaults until /healthz is green, in the same run:
//   - empty data folder (initdb included), the production command (the Docker image's CMD);
//   - existing data folder, the server bundle as in production (`node server/dist/server.js`, esbuild,
//     npm packages inside; scripts/build-server.mjs), with and without Node's compile cache filled by the
//     first start (NODE_COMPILE_CACHE, as the Docker image and `npm start` have it);
//   - existing data folder, a bundle of the server's own code only, the npm packages loaded from
//     node_modules (the alternative not taken);
//   - existing data folder, the TypeScript sources through Node's own type stripping
//     (`node server/src/server.ts`, development and how production ran before), with and without the compile cache;
//   - existing data folder, the sources through the tsx loader (how it ran before Node 24);
//   - baseline: the embedded PostgreSQL alone starting on the same existing data (no app code can avoid it).
// The existing-data variants take turns going first, so none always gets the warmer file cache.
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
// @ts-expect-error plain ESM script without types
import { buildServer } from '../scripts/build-server.mjs';
import { median, report, time } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { args: PRODUCTION } = productionCommand();
const BUNDLE = ['server/dist/server.js'];
// Two folders below the repository like server/dist, so the bundle finds db/migrations the same way.
const OWN_CODE_DIR = join(ROOT, 'server/dist-bench-own-code');
const OWN_CODE = ['server/dist-bench-own-code/server.js'];
const SOURCE = ['server/src/server.ts'];
const TSX = ['--import', 'tsx', ...SOURCE];

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

const build = async (opts: { outdir?: string; packages?: 'external' | 'bundle' }) => (await time(() => (buildServer as (o: typeof opts) => Promise<void>)(opts))).ms;
const buildMs = await build({});
const ownCodeBuildMs = await build({ outdir: OWN_CODE_DIR, packages: 'external' });

const runs = Number(process.env.RUNS ?? 3);
const fresh: Start[] = [];
const bundle: Start[] = [];
const bundleCached: Start[] = [];
const ownCode: Start[] = [];
const source: Start[] = [];
const sourceCached: Start[] = [];
const tsx: Start[] = [];
const baseline: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'constellation-cold-'));
    // One compile cache per variant: the bundle's and the sources' compiled code differ.
    const cache = (name: string) => ({ NODE_COMPILE_CACHE: join(dataDir, `compile-cache-${name}`) });
    try {
      fresh.push(await startUntilHealthy(PRODUCTION, dataDir));
      await startUntilHealthy(BUNDLE, dataDir, cache('bundle')); // fills the compile caches
      await startUntilHealthy(SOURCE, dataDir, cache('source'));
      const variants = [
        () => startUntilHealthy(BUNDLE, dataDir).then((s) => bundle.push(s)),
        () => startUntilHealthy(BUNDLE, dataDir, cache('bundle')).then((s) => bundleCached.push(s)),
        () => startUntilHealthy(OWN_CODE, dataDir).then((s) => ownCode.push(s)),
        () => startUntilHealthy(SOURCE, dataDir).then((s) => source.push(s)),
        () => startUntilHealthy(SOURCE, dataDir, cache('source')).then((s) => sourceCached.push(s)),
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
} finally {
  rmSync(OWN_CODE_DIR, { recursive: true, force: true });
}
const wall = (starts: Start[]) => median(starts.map((s) => s.wall));
const cpu = (starts: Start[]) => median(starts.map((s) => s.cpu));
const both = (starts: Start[]) => `${wall(starts).toFixed(0)} ms wall, ${cpu(starts).toFixed(0)} ms CPU`;
const ratio = (a: Start[], b: Start[]) => `${(wall(a) / wall(b)).toFixed(2)}, ${(cpu(a) / cpu(b)).toFixed(2)}`;
report({
  [`node ${process.versions.node}, runs (medians below)`]: String(runs),
  'server bundle build (esbuild), ms': buildMs,
  'bundle of the own code only, build ms': ownCodeBuildMs,
  [`empty data, production (${PRODUCTION.join(' ')})`]: both(fresh),
  'existing data, bundle → /healthz': both(bundle),
  'existing data, bundle + compile cache': both(bundleCached),
  'existing data, bundle of the own code only': both(ownCode),
  'existing data, type stripping → /healthz': both(source),
  'existing data, type stripping + compile cache': both(sourceCached),
  'existing data, tsx loader → /healthz': both(tsx),
  'baseline: embedded PostgreSQL alone, existing data, ms': median(baseline),
  'ratio bundle / type stripping (wall, CPU)': ratio(bundle, source),
  'ratio bundle / type stripping, both cached': ratio(bundleCached, sourceCached),
  'ratio bundle / bundle of the own code only': ratio(bundle, ownCode),
  'ratio type stripping / tsx (wall, CPU)': ratio(source, tsx),
  'ratio bundle / tsx (wall, CPU)': ratio(bundle, tsx),
  'ratio bundle / PostgreSQL alone (wall)': wall(bundle) / median(baseline),
  'ratio type stripping / PostgreSQL alone (wall)': wall(source) / median(baseline),
});
