/**
 * Plan health benchmark: prints numbers, asserts nothing.
 *
 *   npx tsx bench/plan-health.ts
 *
 * The advice re-runs the planner (more rounds, shared tables, more mentors), so its cost is counted
 * in planner runs. For each event: the time of one planRotation (the baseline), then of planHealth
 * plus planAdvice on that plan, as the worker computes them for GET /plan/health; median of 3 after
 * one warm-up, CPU time of this process (the steadier figure on a shared machine), and the ratio.
 */
import { planAdvice, planHealth, planRotation, type PlanInput } from '../server/src/modules/schedule/core/index.ts';
import { makeEvent } from '../server/src/modules/schedule/core/testing/factories.ts';

function cpuMs<T>(run: () => T): { value: T; ms: number } {
  const before = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(before);
  return { value, ms: (used.user + used.system) / 1000 };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

const CASES: { label: string; input: PlanInput }[] = [
  { label: '4 × 8 × 3 (the thin plan of issue 11)', input: makeEvent({ mentors: 4, mentees: 8, rounds: 3 }, 1) },
  { label: '20 × 60 × 5', input: makeEvent({ mentors: 20, mentees: 60, rounds: 5 }, 2) },
  { label: '60 × 200 × 6, 20 exclusions', input: makeEvent({ mentors: 60, mentees: 200, rounds: 6, forbidden: 20 }, 3) },
  { label: '200 × 2,000 × 8, 20 pins, 200 exclusions', input: makeEvent({ mentors: 200, mentees: 2000, rounds: 8, pins: 20, forbidden: 200 }, 4) },
];

console.log('event                                       plan (CPU)   health + advice (CPU)   ratio   advice');
for (const { label, input } of CASES) {
  planRotation(input); // warm-up
  const plans: number[] = [];
  const health: number[] = [];
  let advice: ReturnType<typeof planAdvice> = [];
  for (let k = 0; k < 3; k++) {
    const planned = cpuMs(() => planRotation(input));
    plans.push(planned.ms);
    const checked = cpuMs(() => ({ health: planHealth(input, planned.value), advice: planAdvice(input, planned.value) }));
    health.push(checked.ms);
    advice = checked.value.advice;
  }
  const [p, h] = [median(plans), median(health)];
  const said = advice.map((a) => (a.kind === 'more-rounds' ? `${a.rounds} rounds→min ${a.meetingsPerMentee.min}` : a.kind === 'more-mentors' ? `+${a.mentors} mentors` : 'shared')).join(', ');
  console.log(`${label.padEnd(44)}${p.toFixed(0).padStart(6)} ms   ${h.toFixed(0).padStart(14)} ms   ${(h / Math.max(p, 0.001)).toFixed(1).padStart(6)}   ${said}`);
}
