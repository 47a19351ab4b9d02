import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRotation, replan } from './planner.ts';
import { eventArbitrary, replanArbitrary } from './testing/arbitraries.ts';
import { brokenPromises, counts } from './testing/invariants.ts';
import type { PlanInput, ReplanInput } from './types.ts';

const fresh = (input: PlanInput): ReplanInput => ({ ...input, heldRounds: [], absentIds: [] });
const spread = (values: number[]): number => (values.length === 0 ? 0 : Math.max(...values) - Math.min(...values));

describe('rotation plans, for every generated event', () => {
  it('keep every rule: no repeats, one table per mentee per round, table sizes, pins, exclusions, reasons', () => {
    fc.assert(
      fc.property(eventArbitrary({ clean: false }), (input) => {
        expect(brokenPromises(fresh(input), planRotation(input))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('seat as many meetings as tables allow and keep counts within one of each other', () => {
    fc.assert(
      fc.property(eventArbitrary({ clean: true }), (input) => {
        const plan = planRotation(input);
        const c = counts(fresh(input), plan);
        const m = input.mentors.length;
        const n = input.mentees.length;
        const size = input.allowSharedTables ? 2 : 1;
        const possible = Math.min(n * Math.min(input.rounds, m), m * Math.min(input.rounds * size, n));
        expect(c.meetings).toBe(possible);
        expect(spread(c.mentees)).toBeLessThanOrEqual(1);
        expect(spread(c.mentors)).toBeLessThanOrEqual(1);
        // When tables suffice, every mentee meets min(R, mentors) distinct mentors.
        if (m * Math.min(input.rounds * size, n) >= n * Math.min(input.rounds, m)) {
          expect(c.mentees.every((k) => k === Math.min(input.rounds, m))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('are deterministic: same input and seed, same plan, whatever the order of the rows', () => {
    fc.assert(
      fc.property(eventArbitrary({ clean: false }), (input) => {
        const plan = planRotation(input);
        expect(planRotation(structuredClone(input))).toEqual(plan);
        expect(planRotation({ ...input, mentors: [...input.mentors].reverse(), mentees: [...input.mentees].reverse() })).toEqual(plan);
      }),
      { numRuns: 100 },
    );
  });
});

describe('pins, for every generated event', () => {
  it('never block planning: pins that do not fit are dropped with a warning naming them, and every rule still holds', () => {
    fc.assert(
      fc.property(eventArbitrary({ clean: false, overbookPins: true, maxMentors: 4, maxMentees: 5 }), (input) => {
        expect(brokenPromises(fresh(input), planRotation(input))).toEqual([]);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(replanArbitrary({ clean: false, overbookPins: true, maxMentors: 4, maxMentees: 5 }), (input) => {
        expect(brokenPromises(input, replan(input))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('re-plans between rounds, for every generated event', () => {
  it('keep held rounds as they were and every rule for the rounds left', () => {
    fc.assert(
      fc.property(replanArbitrary({ clean: false }), (input) => {
        expect(brokenPromises(input, replan(input))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('are deterministic', () => {
    fc.assert(
      fc.property(replanArbitrary({ clean: false }), (input) => {
        expect(replan(structuredClone(input))).toEqual(replan(input));
      }),
      { numRuns: 100 },
    );
  });
});
