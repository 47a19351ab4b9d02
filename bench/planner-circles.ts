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
 *    index.ts), what the plan reaches, the gap, and whether the plan is thereby proven optimal;
 *    and plan.circlePeers (mentee pairs sharing a circle, and those sharing more than one).
 * 2. The same with shared tables (a mentor hosts two at once in 1:1 rounds), and a re-plan after
 *    round 2 with 5% of participants gone and 50 late mentees.
 * 3. Co-hosted circles: the same event with 4 one-to-one rounds, 1 round of circles of 5 and 1 round
 *    of co-hosted circles of 8 (two mentors a circle, every mentee meeting both), and its re-plan
 *    after round 2. The gap to the bound is the planner's own (co-hosted rounds are planned by a
 *    heuristic, see co-hosts.ts).
 * 4. HiGHS on the LP relaxation of the exact time-indexed model (x[mentor, mentee, round], see
 *    server/src/modules/schedule/core/testing/ilp-formats.ts) of case 1, in the same run, with a
 *    2-minute limit (a note is printed when it does not finish): its optimum is another upper
 *    bound, so the planner's meetings can be compared with it. Then the same formats, and the
 *    co-hosted formats of case 3, on 10×100 and 20×200 events, where HiGHS finishes (with
 *    co-hosted rounds its LP relaxation is weak: fractional co-host pairs).
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

/** Two decimals, without a "-0.00" for LP round-off. */
function num(x: number): string {
  return (Math.abs(x) < 0.005 ? 0 : x).toFixed(2);
}

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
  // A co-hosted circle's mentee meets both hosts: two meetings a seat.
  const perRound = plan.rounds.filter((r) => !r.held).map((r) => r.tables.reduce((sum, t) => sum + t.menteeIds.length * (t.coMentorId ? 2 : 1), 0));
  console.log(`${label.padEnd(52)} cold ${fmt(coldMs)} | warm median ${fmt(warmMs)}`);
  console.log(`${''.padEnd(52)} meetings per round ${perRound.join('/')}, mentees meet ${plan.totals.meetingsPerMentee.min}–${plan.totals.meetingsPerMentee.max}`);
  if (plan.circlePeers) {
    console.log(`${''.padEnd(52)} circle peers: ${plan.circlePeers.peerPairs} mentee pairs share a circle, ${plan.circlePeers.repeatedPeerPairs} of them more than one; mentee–mentee affinity in circles ${plan.circlePeers.affinity}`);
  }
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

const CO_HOSTED_FORMATS: RoundFormat[] = [
  { kind: 'pairs' },
  { kind: 'pairs' },
  { kind: 'circle', size: 5 },
  { kind: 'pairs' },
  { kind: 'pairs' },
  { kind: 'circle', size: 8, hosts: 2 },
];
const coHosted: PlanInput = { ...event, formats: CO_HOSTED_FORMATS };
const coHostedMain = measure('plan 100×1000×6 (4 × 1:1, circles of 5, co-hosted 8)', () => planRotation(coHosted));
const coHostedReplan: ReplanInput = makeReplan(coHosted, coHostedMain.plan, { held: 2, noShowRate: 0.05, absentRate: 0.05, lateMentors: 0, lateMentees: 50 }, 7);
measure('co-hosted: re-plan after round 2 (as above)', () => replan(coHostedReplan));

async function compareWithLp(label: string, input: ReplanInput, plan: Plan, plannerMs: number): Promise<void> {
  const lp = await solveFormatsExactly(input, { relax: true, timeLimitSeconds: HIGHS_LIMIT_SECONDS });
  const o = plan.optimality!;
  if (Number.isNaN(lp.meetings)) {
    console.log(`${label.padEnd(52)} HiGHS LP relaxation (${lp.variables} variables) did not finish within ${HIGHS_LIMIT_SECONDS} s: skipped`);
    return;
  }
  const levels = lp.status === 'optimal' ? 'all three levels' : `${lp.status} after ${lp.solveSeconds.toFixed(0)} s, later levels skipped`;
  console.log(
    `${label.padEnd(52)} HiGHS LP relaxation (${lp.variables} variables, ${levels}): meetings ≤ ${num(lp.meetings)}` +
      ` balance ≥ ${num(lp.balance)} score ≤ ${num(lp.score)}` +
      `\n${''.padEnd(52)} planner meetings ${o.achieved.meetings} balance ${o.achieved.balance} score ${o.achieved.score}` +
      ` | gap to the LP: meetings ${num(lp.meetings - o.achieved.meetings)} balance ${num(o.achieved.balance - lp.balance)} score ${num(lp.score - o.achieved.score)}` +
      `\n${''.padEnd(52)} HiGHS ${fmt(lp.solveSeconds * 1000)} wall vs planner ${fmt(plannerMs)} wall (warm)`,
  );
}

if (!withLp) {
  console.log('HiGHS skipped (--no-lp)');
} else {
  await compareWithLp('plan 100×1000×6', { ...event, heldRounds: [], absentIds: [] }, main.plan, main.warmMs);
  // Smaller events of the same shape, where HiGHS finishes.
  for (const [formats, name] of [
    [FORMATS, 'same formats'],
    [CO_HOSTED_FORMATS, 'co-hosted formats'],
  ] as const) {
    for (const [mentors, mentees] of [
      [10, 100],
      [20, 200],
    ] as const) {
      const small: PlanInput = { ...makeEvent({ mentors, mentees, rounds: 6, pins: mentors / 10, forbidden: mentors, seed: 1 }, 2026), formats };
      const label = `plan ${mentors}×${mentees}×6 (${name})`;
      const result = measure(label, () => planRotation(small));
      await compareWithLp(label, { ...small, heldRounds: [], absentIds: [] }, result.plan, result.warmMs);
    }
  }
}
