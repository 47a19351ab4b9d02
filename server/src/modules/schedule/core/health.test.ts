import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterfactualInput, planAdvice, planHealth, roundsForEveryone, type Advice } from './health.ts';
import { planRotation, replan } from './planner.ts';
import { eventArbitrary, replanArbitrary } from './testing/arbitraries.ts';
import type { PlanInput, ReplanInput } from './types.ts';

const people = (prefix: string, count: number) => Array.from({ length: count }, (_, k) => ({ id: `${prefix}${k + 1}` }));

/** The figures an advice claims, from an independent planner run on the input it describes. */
function rerun(input: PlanInput | ReplanInput, advice: Advice) {
  const changed = counterfactualInput(input, advice);
  const plan = replan(changed);
  const health = planHealth(changed, plan);
  return { meetingsPerMentee: health.meetingsPerMentee, sitOutShare: health.sitOutShare, sharedTables: plan.totals.sharedTables };
}

describe('plan health', () => {
  it('shows the 4 mentors × 8 mentees × 3 rounds plan as thin: half the mentees sit out each round, some meet one mentor', () => {
    const input = { mentors: people('m', 4), mentees: people('e', 8), rounds: 3 };
    const plan = planRotation(input);
    const health = planHealth(input, plan);
    expect(health).toMatchObject({
      level: 'thin',
      plannedRounds: 3,
      mentors: 4,
      mentees: 8,
      sitOutShare: 0.5,
      sitOutsPerRound: { min: 4, max: 4 },
      tableShortSitOuts: 12,
      meetingsPerMentee: { min: 1, max: 2 },
      mentorLoads: { min: 3, max: 3 },
      reach: 3,
    });
    // 12 meetings among 8 mentees: four meet two mentors, four meet one.
    expect(health.fewest).toHaveLength(4);
  });

  it('advises 4 rounds for two mentors each, 6 for three, and shared tables or 4 more mentors so that nobody sits out', () => {
    const input = { mentors: people('m', 4), mentees: people('e', 8), rounds: 3 };
    const advice = planAdvice(input, planRotation(input));
    expect(advice).toEqual([
      { kind: 'more-rounds', rounds: 4, meetingsPerMentee: { min: 2, max: 2 }, sitOutShare: 0.5, sharedTables: 0 },
      { kind: 'more-rounds', rounds: 6, meetingsPerMentee: { min: 3, max: 3 }, sitOutShare: 0.5, sharedTables: 0 },
      { kind: 'shared-tables', meetingsPerMentee: { min: 3, max: 3 }, sitOutShare: 0, sharedTables: 12 },
      { kind: 'more-mentors', mentors: 4, meetingsPerMentee: { min: 3, max: 3 }, sitOutShare: 0, sharedTables: 0 },
    ]);
  });

  it('calls a plan good, with no advice, when every mentee meets as many mentors as there are rounds', () => {
    const input = { mentors: people('m', 5), mentees: people('e', 4), rounds: 3 };
    const plan = planRotation(input);
    expect(planHealth(input, plan)).toMatchObject({ level: 'good', sitOutShare: 0, meetingsPerMentee: { min: 3, max: 3 }, fewest: [] });
    expect(planAdvice(input, plan)).toEqual([]);
  });

  it('calls a plan fair when a few sit out and everyone still meets more than half of what the rounds allow', () => {
    const input = { mentors: people('m', 10), mentees: people('e', 12), rounds: 5 };
    const plan = planRotation(input);
    const health = planHealth(input, plan);
    expect(health).toMatchObject({ level: 'fair', meetingsPerMentee: { min: 4, max: 5 }, sitOutsPerRound: { min: 2, max: 2 } });
    expect(health.sitOutShare).toBeCloseTo(10 / 60);
    // 60 meetings needed for 5 each at 10 seats a round: 6 rounds.
    expect(planAdvice(input, plan)[0]).toMatchObject({ kind: 'more-rounds', rounds: 6, meetingsPerMentee: { min: 5 } });
  });

  it('gives no rounds advice beyond the most rounds an event may have', () => {
    const input = { mentors: people('m', 1), mentees: people('e', 30), rounds: 19 };
    const advice = planAdvice(input, planRotation(input), { maxRounds: 20 });
    expect(advice.filter((a) => a.kind === 'more-rounds')).toEqual([]);
    expect(advice.map((a) => a.kind)).toEqual(['shared-tables', 'more-mentors']);
  });

  it('leaves absent people out of the shares and advises on the remaining rounds after some were held', () => {
    const event = { mentors: people('m', 3), mentees: people('e', 7), rounds: 4 };
    const first = planRotation(event);
    const input: ReplanInput = { ...event, heldRounds: [{ tables: first.rounds[0]!.tables }], absentIds: ['e7'] };
    const plan = replan(input);
    const health = planHealth(input, plan);
    expect(health.mentees).toBe(6);
    expect(health.plannedRounds).toBe(3);
    expect(health.sitOutShare).toBeCloseTo(9 / 18);
    const advice = planAdvice(input, plan);
    expect(advice.map((a) => a.kind)).toContain('more-rounds');
    for (const a of advice) expect(rerun(input, a)).toEqual(pick(a));
  });
});

function pick(advice: Advice) {
  return { meetingsPerMentee: advice.meetingsPerMentee, sitOutShare: advice.sitOutShare, sharedTables: advice.sharedTables };
}

describe('plan advice, for every generated event', () => {
  it('claims only figures that a planner run on the changed event achieves', () => {
    fc.assert(
      fc.property(fc.oneof(eventArbitrary({ clean: false, maxMentors: 5, maxMentees: 9 }), replanArbitrary({ clean: false, maxMentors: 5, maxMentees: 9 })), (input) => {
        const plan = 'heldRounds' in input ? replan(input) : planRotation(input);
        const health = planHealth(input, plan);
        for (const advice of planAdvice(input, plan, { maxRounds: 8 })) {
          expect(rerun(input, advice)).toEqual(pick(advice));
          if (advice.kind === 'more-rounds') {
            expect(advice.rounds).toBeGreaterThan(input.rounds);
            expect(advice.rounds).toBeLessThanOrEqual(8);
            expect(advice.meetingsPerMentee.min).toBeGreaterThan(health.meetingsPerMentee.min);
          } else {
            expect(advice.sitOutShare < health.sitOutShare || advice.meetingsPerMentee.min > health.meetingsPerMentee.min).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('finds the fewest rounds for k mentors each by the closed form max(k, ⌈k·mentees / seats⌉) when nothing is pinned or excluded', () => {
    const clean = fc.record({
      mentors: fc.integer({ min: 1, max: 6 }),
      mentees: fc.integer({ min: 1, max: 12 }),
      shared: fc.boolean(),
      seed: fc.nat(1000),
    });
    fc.assert(
      fc.property(clean, ({ mentors, mentees, shared, seed }) => {
        const seats = mentors * (shared ? 2 : 1);
        for (let k = 1; k <= mentors; k++) {
          const rounds = roundsForEveryone(k, mentees, seats);
          const input = { mentors: people('m', mentors), mentees: people('e', mentees), rounds, allowSharedTables: shared, seed };
          expect(planRotation(input).totals.meetingsPerMentee.min).toBeGreaterThanOrEqual(k);
          if (rounds > 1) expect(planRotation({ ...input, rounds: rounds - 1 }).totals.meetingsPerMentee.min).toBeLessThan(k);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('finds the same fewest rounds by planner runs as the closed form, for events without pins or exclusions', () => {
    fc.assert(
      fc.property(eventArbitrary({ clean: true, maxMentors: 5, maxMentees: 9 }), (raw) => {
        const input = { ...raw, pinned: [] };
        const plan = planRotation(input);
        const health = planHealth(input, plan);
        const first = planAdvice(input, plan, { maxRounds: 20 }).find((a) => a.kind === 'more-rounds');
        if (!first || first.kind !== 'more-rounds') return;
        const seats = input.mentors.length * (input.allowSharedTables ? 2 : 1);
        const k = health.meetingsPerMentee.min + 1;
        expect(first.rounds).toBe(Math.max(input.rounds + 1, roundsForEveryone(k, health.mentees, seats)));
      }),
      { numRuns: 150 },
    );
  });
});
