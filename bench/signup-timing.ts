// How long a sign-up takes to answer on an instance that has an owner, for an address that has an
// account and for one that has not, interleaved, with no SMTP (the default: the owner approves).
// The two must be alike within noise: the answer's timing must not tell them apart.
// Run: npx tsx bench/signup-timing.ts   (needs PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
import { performance } from 'node:perf_hooks';
import { buildBenchApp, createBenchDatabase } from './live-event.ts';
import { report } from './lib.ts';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 40);
const database = await createBenchDatabase('signup_timing');
const bench = await buildBenchApp(database.url);
const signUp = async (email: string): Promise<number> => {
  const started = performance.now();
  const response = await bench.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, name: 'Timing', password: 'timing password' } });
  const ms = performance.now() - started;
  if (email !== 'owner@example.com' && response.statusCode !== 202) throw new Error(`sign-up answered ${response.statusCode}`);
  return ms;
};
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;
try {
  await signUp('owner@example.com');
  for (let i = 0; i < 3; i++) await signUp(`warm-${i}@example.com`);
  const known: number[] = [];
  const fresh: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    // Alternate which goes first, so drift in the machine's load falls on both alike.
    if (i % 2) {
      known.push(await signUp('owner@example.com'));
      fresh.push(await signUp(`new-${i}@example.com`));
    } else {
      fresh.push(await signUp(`new-${i}@example.com`));
      known.push(await signUp('owner@example.com'));
    }
  }
  report({
    'trials (each kind)': TRIALS,
    'known address: p50 ms': quantile(known, 0.5),
    'new address: p50 ms': quantile(fresh, 0.5),
    'known address: p10 / p90 ms': `${quantile(known, 0.1).toFixed(1)} / ${quantile(known, 0.9).toFixed(1)}`,
    'new address: p10 / p90 ms': `${quantile(fresh, 0.1).toFixed(1)} / ${quantile(fresh, 0.9).toFixed(1)}`,
    'p50 difference (new - known) ms': quantile(fresh, 0.5) - quantile(known, 0.5),
  });
} finally {
  await bench.close();
  await database.drop();
}
