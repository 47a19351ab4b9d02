/**
 * Rotation planner benchmark: prints numbers, asserts nothing.
 *
 *   npx tsx bench/planner.ts             timings, then HiGHS on the plan, the re-plan and the two flat 200×2000 plans (≈ 30 min)
 *   npx tsx bench/planner.ts --no-lp     timings only
 *   npx tsx bench/planner.ts --all-lp    HiGHS on the shared-tables plan too
 *
 * 1. Plans 200 mentors × 2,000 mentees × 8 rounds (seeded random profiles, 20 pins, 200
 *    exclusions), one mentee per table and with shared tables. The first call in the process is
 *    "cold": the JIT is still compiling and Intl loads its time-zone data (~70 ms); a worker
 *    thread pays that once. Then the median of 5 warm calls.
 * 2. Re-plans after round 3 with 5% of participants gone (no-shows, leavers) and 100 late mentees.
 * 3. Flat and larger inputs, each in a fresh worker thread so that its first call is cold too:
 *    200 × 2,000 × 8 and 400 × 4,000 × 8 with empty profiles and with identical profiles (every
 *    score equal: nothing breaks ties but the seed), and 400 × 4,000 × 8 with random profiles.
 * 4. Solves the same problems as an LP with HiGHS and prints the gap (meetings, balance, score)
 *    and HiGHS's time next to the planner's (the 400 × 4,000 cases only with --all-lp).
 * Times are wall clock and process CPU time; on a shared machine the CPU time is the steadier one.
 *
 *   npx tsx bench/planner.ts --extra-only   only the cases of step 3
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { planRotation, replan } from '../server/src/modules/schedule/core/index.ts';
import type { Plan, PlanInput, ReplanInput } from '../server/src/modules/schedule/core/index.ts';
import { makeEvent, makeReplan } from '../server/src/modules/schedule/core/testing/factories.ts';
import { objectiveOf, solveWithLp, type Objective } from '../server/src/modules/schedule/core/testing/lp-oracle.ts';

const withLp = !process.argv.includes('--no-lp');
const allLp = process.argv.includes('--all-lp');
const extraOnly = process.argv.includes('--extra-only');

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timed<T>(run: () => T): { value: T; time: Timing } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { value, time: { wallMs, cpuMs: (used.user + used.system) / 1000 } };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function fmt(ms: number): string {
  return `${ms.toFixed(0).padStart(6)} ms`;
}

interface Measured {
  plan: Plan;
  cold: Timing;
  warm: Timing;
}

function measureQuietly(run: () => Plan, warmRuns: number): Measured {
  const first = timed(run);
  const warm: Timing[] = [];
  for (let k = 0; k < warmRuns; k++) warm.push(timed(run).time);
  return {
    plan: first.value,
    cold: first.time,
    warm: { wallMs: median(warm.map((t) => t.wallMs)), cpuMs: median(warm.map((t) => t.cpuMs)) },
  };
}

function printTimes(label: string, result: Measured): void {
  console.log(
    `${label.padEnd(44)} cold ${fmt(result.cold.wallMs)} wall ${fmt(result.cold.cpuMs)} cpu | warm median ${fmt(result.warm.wallMs)} wall ${fmt(result.warm.cpuMs)} cpu`,
  );
}

function measure(label: string, run: () => Plan, warmRuns: number): Measured {
  const result = measureQuietly(run, warmRuns);
  printTimes(label, result);
  return result;
}

/** Cases planned in a worker thread of their own, so that each first call is cold. */
interface ExtraCase {
  label: string;
  mentors: number;
  mentees: number;
  profiles: 'random' | 'empty' | 'identical';
  /** Compared with HiGHS by default; the others only with --all-lp. */
  lp: boolean;
}

const EXTRA_CASES: ExtraCase[] = [
  { label: 'plan 200×2000×8, empty profiles', mentors: 200, mentees: 2000, profiles: 'empty', lp: true },
  { label: 'plan 200×2000×8, identical profiles', mentors: 200, mentees: 2000, profiles: 'identical', lp: true },
  { label: 'plan 400×4000×8, random profiles', mentors: 400, mentees: 4000, profiles: 'random', lp: false },
  { label: 'plan 400×4000×8, empty profiles', mentors: 400, mentees: 4000, profiles: 'empty', lp: false },
  { label: 'plan 400×4000×8, identical profiles', mentors: 400, mentees: 4000, profiles: 'identical', lp: false },
];

/** Same pins and exclusions per head as the main case (1 pin and 10 exclusions per 10 mentors). */
function extraInput(c: ExtraCase): PlanInput {
  const input = makeEvent({ mentors: c.mentors, mentees: c.mentees, rounds: 8, pins: c.mentors / 10, forbidden: c.mentors, seed: 1 }, 2024);
  if (c.profiles === 'empty') {
    input.mentors = input.mentors.map(({ id }) => ({ id }));
    input.mentees = input.mentees.map(({ id }) => ({ id }));
  } else if (c.profiles === 'identical') {
    const mentorProfile = input.mentors[0]?.profile;
    const menteeProfile = input.mentees[0]?.profile;
    input.mentors = input.mentors.map(({ id }) => ({ id, profile: mentorProfile }));
    input.mentees = input.mentees.map(({ id }) => ({ id, profile: menteeProfile }));
  }
  return input;
}

function measureInWorker(c: ExtraCase): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), {
      workerData: { module: import.meta.url, extraCase: c },
    });
    worker.once('message', (result: Measured) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`bench worker exited with code ${code}`)));
  });
}

async function compareWithLp(label: string, input: ReplanInput, plan: Plan, plannerMs: number): Promise<void> {
  const mine = objectiveOf(input, plan);
  const lp = await solveWithLp(input);
  const gap = (key: keyof Objective): number => (key === 'balance' ? mine[key] - lp[key] : lp[key] - mine[key]);
  console.log(
    `${label.padEnd(44)} LP vars ${lp.variables} | meetings ${mine.meetings}/${lp.meetings} balance ${mine.balance}/${lp.balance} score ${mine.score}/${lp.score}` +
      ` | gap meetings ${gap('meetings')} balance ${gap('balance')} score ${gap('score')}` +
      `\n${''.padEnd(44)} HiGHS ${fmt(lp.solveSeconds * 1000)} wall vs planner ${fmt(plannerMs)} wall (warm): planner ${(lp.solveSeconds * 1000 / plannerMs).toFixed(0)}× faster`,
  );
}

function describePlan(label: string, plan: Plan): void {
  const t = plan.totals;
  console.log(
    `${label.padEnd(44)} meetings ${t.plannedMeetings}, score ${t.plannedScore}, per mentee ${t.meetingsPerMentee.min}–${t.meetingsPerMentee.max}, ` +
      `mentor loads ${t.mentorLoads.min}–${t.mentorLoads.max}, shared table-rounds ${t.sharedTables}, sit-outs in round 1: ${plan.rounds[plan.rounds.findIndex((r) => !r.held)]?.sitOuts.length ?? 0}`,
  );
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const shape = { mentors: 200, mentees: 2000, rounds: 8, pins: 20, forbidden: 200, seed: 1 };
  const single: PlanInput = makeEvent(shape, 2024);
  const shared: PlanInput = makeEvent({ ...shape, allowSharedTables: true }, 2024);

  console.log('\n— planning (target ≤ 1.5 s, stretch 0.5 s) —');
  const a = measure('plan 200×2000×8, one mentee per table', () => planRotation(single), 5);
  const b = measure('plan 200×2000×8, shared tables', () => planRotation(shared), 5);

  // After round 3: held rounds as planned, 5% of everyone gone for good, 100 late mentees.
  const replanInput = makeReplan(single, a.plan, { held: 3, noShowRate: 0, absentRate: 0.05, lateMentors: 0, lateMentees: 100 }, 7);
  console.log('\n— re-planning after round 3 (target ≤ 0.5 s) —');
  const c = measure('re-plan: 5% gone, 100 late mentees', () => replan(replanInput), 5);

  describePlan('plan, one mentee per table', a.plan);
  describePlan('plan, shared tables', b.plan);
  describePlan('re-plan rounds 4–8', c.plan);

  if (!withLp) return;
  console.log('\n— exactness against HiGHS, default options, three lexicographic LP solves (gap must be 0) —');
  await compareWithLp('plan, one mentee per table', { ...single, heldRounds: [], absentIds: [] }, a.plan, a.warm.wallMs);
  await compareWithLp('re-plan after round 3', replanInput, c.plan, c.warm.wallMs);
  if (allLp) await compareWithLp('plan, shared tables', { ...shared, heldRounds: [], absentIds: [] }, b.plan, b.warm.wallMs);
}

async function extraCases(): Promise<void> {
  console.log('\n— flat and larger inputs, each in a fresh worker (target ≤ 0.5 s at 200×2000×8, ≤ 2 s at 400×4000×8, whatever the scores) —');
  const results: Measured[] = [];
  for (const c of EXTRA_CASES) {
    const result = await measureInWorker(c);
    printTimes(c.label, result);
    results.push(result);
  }
  EXTRA_CASES.forEach((c, k) => describePlan(c.label, (results[k] as Measured).plan));
  if (!withLp) return;
  console.log('\n— exactness of the flat and larger inputs against HiGHS —');
  for (const [k, c] of EXTRA_CASES.entries()) {
    if (!c.lp && !allLp) continue;
    const result = results[k] as Measured;
    await compareWithLp(c.label, { ...extraInput(c), heldRounds: [], absentIds: [] }, result.plan, result.warm.wallMs);
  }
}

if (isMainThread) {
  if (!extraOnly) await main();
  await extraCases();
} else {
  const c = (workerData as { extraCase: ExtraCase }).extraCase;
  const input = extraInput(c);
  parentPort?.postMessage(measureQuietly(() => planRotation(input), 5));
}
