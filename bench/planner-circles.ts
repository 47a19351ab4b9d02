/**
 * Rotation planner with round formats (one-to-one rounds and mentoring circles): prints numbers,
 * asserts nothing.
 *
 *   npx tsx bench/planner-circles.ts           timings, the planner's gap to its bound, then HiGHS
 *   npx tsx bench/planner-circles.ts --no-lp   timings and gaps only
 *
 * 1. Plans 100 mentors × 1,000 mentees × 6 rounds: 4 one-to-one rounds and 2 rounds of circles of 5
 *    (seeded random profiles, 10 pins, 100 exclusions). The first call is cold (JIT, Intl time-zone
 *    data), then the median of 5 warm calls. Prints plan.optimality: the bound (the relaxation of
 *    index.ts), what the plan reaches, the gap, and whether the plan is thereby proven optimal.
 * 2. The same with shared tables (a mentor hosts two at once in 1:1 rounds), and a re-plan after
 *    round 2 with 5% of participants gone and 50 late mentees.
 * 3. HiGHS on the LP relaxation of the exact time-indexed model (x[mentor, mentee, round], see
 *    server/src/modules/schedule/core/testing/ilp-formats.ts) of case 1, in the same run, with a
 *    2-minute limit (a note is printed when it does not finish): its optimum is another upper
 *    bound, so the planner's meetings can be compared with it.
 */
import { planRotation, replan } from '../server/src/modules/schedule/core/index.ts';
import type { Plan, PlanInput, ReplanInput, RoundFormat } from '../server/src/modules/schedule/core/index.ts';
import { makeEvent, makeReplan } from '../server/src/modules/schedule/core/testing/factories.ts';
import { solveFormatsExactly } from '../server/src/modules/schedule/core/testing/ilp-formats.ts';
import { median } from './lib.ts';

const withLp = !process.argv.includes('--no-lp');
const HIGHS_LIMIT_SECONDS = 120;

const FORMATS: RoundFormat[] = [
  { kind: 'pairs' },
  { kind: 'pairs' },
  { kind: 'circle', size: 5 },
  { kind: 'pairs' },
  { kind: 'pairs' },
  { kind: 'circle', size: 5 },
];

function fmt(ms: number): string {
  return `${ms.toFixed(0).padStart(6)} ms`;
}

function measure(label: string, run: () => Plan): { plan: Plan; warmMs: number } {
  const started = performance.now();
  const plan = run();
  const coldMs = performance.now() - started;
  const warm: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    run();
    warm.push(performance.now() - t);
  }
  const warmMs = median(warm);
  const o = plan.optimality;
  const perRound = plan.rounds.filter((r) => !r.held).map((r) => r.tables.reduce((sum, t) => sum + t.menteeIds.length, 0));
  console.log(`${label.padEnd(52)} cold ${fmt(coldMs)} | warm median ${fmt(warmMs)}`);
  console.log(`${''.padEnd(52)} meetings per round ${perRound.join('/')}, mentees meet ${plan.totals.meetingsPerMentee.min}–${plan.totals.meetingsPerMentee.max}`);
  if (o) {
    console.log(
      `${''.padEnd(52)} ${o.exact ? 'EXACT (reaches its bound)' : 'NOT PROVEN'}: meetings ${o.achieved.meetings}/${o.bound.meetings}` +
        ` balance ${o.achieved.balance}/${o.bound.balance} score ${o.achieved.score}/${o.bound.score}` +
        ` | gap meetings ${o.gap.meetings} balance ${o.gap.balance} score ${o.gap.score}`,
    );
  }
  return { plan, warmMs };
}

const event: PlanInput = { ...makeEvent({ mentors: 100, mentees: 1000, rounds: 6, pins: 10, forbidden: 100, seed: 1 }, 2026), formats: FORMATS };
const main = measure('plan 100×1000×6 (4 × 1:1, 2 × circles of 5)', () => planRotation(event));
const shared = { ...event, allowSharedTables: true };
measure('same, shared tables in 1:1 rounds', () => planRotation(shared));
const replanInput: ReplanInput = makeReplan(event, main.plan, { held: 2, noShowRate: 0.05, absentRate: 0.05, lateMentors: 0, lateMentees: 50 }, 7);
measure('re-plan after round 2 (5% gone, 50 late mentees)', () => replan(replanInput));

if (!withLp) {
  console.log('HiGHS skipped (--no-lp)');
} else {
  const input: ReplanInput = { ...event, heldRounds: [], absentIds: [] };
  const lp = await solveFormatsExactly(input, { relax: true, timeLimitSeconds: HIGHS_LIMIT_SECONDS });
  const o = main.plan.optimality!;
  if (lp.status !== 'optimal' && Number.isNaN(lp.meetings)) {
    console.log(`HiGHS LP relaxation (${lp.variables} variables): did not finish within ${HIGHS_LIMIT_SECONDS} s (${lp.status}); skipped`);
  } else {
    const levels = lp.status === 'optimal' ? 'all three levels' : `first level(s) only, ${lp.status} after ${lp.solveSeconds.toFixed(0)} s`;
    console.log(
      `HiGHS LP relaxation, time-indexed (${lp.variables} variables, ${levels}): meetings ≤ ${lp.meetings.toFixed(2)}` +
        ` balance ≥ ${lp.balance.toFixed(2)} score ≤ ${lp.score.toFixed(2)}` +
        `\n${''.padEnd(52)} planner: meetings ${o.achieved.meetings} balance ${o.achieved.balance} score ${o.achieved.score}` +
        ` | gap to the LP: meetings ${(lp.meetings - o.achieved.meetings).toFixed(2)} balance ${(o.achieved.balance - lp.balance).toFixed(2)} score ${(lp.score - o.achieved.score).toFixed(2)}` +
        `\n${''.padEnd(52)} HiGHS ${fmt(lp.solveSeconds * 1000)} wall vs planner ${fmt(main.warmMs)} wall (warm)`,
    );
  }
}
