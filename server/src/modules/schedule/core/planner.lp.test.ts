import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRotation, replan } from './planner.ts';
import { eventArbitrary, replanArbitrary } from './testing/arbitraries.ts';
import { makeEvent, makeReplan } from './testing/factories.ts';
import { objectiveOf, solveWithLp } from './testing/lp-oracle.ts';
import type { PlanInput, ReplanInput } from './types.ts';

/** 70 instances: generated small events and re-plans, plus medium random events. */
function instances(): { name: string; input: ReplanInput }[] {
  const list: { name: string; input: ReplanInput }[] = [];
  fc.sample(eventArbitrary({ clean: false }), { numRuns: 25, seed: 11 }).forEach((event, k) =>
    list.push({ name: `generated event ${k}`, input: { ...event, heldRounds: [], absentIds: [] } }),
  );
  fc.sample(replanArbitrary({ clean: false }), { numRuns: 25, seed: 12 }).forEach((input, k) =>
    list.push({ name: `generated re-plan ${k}`, input }),
  );
  for (let k = 0; k < 20; k++) {
    const shape = {
      mentors: 3 + (k % 5) * 2,
      mentees: 5 + ((k * 7) % 25),
      rounds: 2 + (k % 5),
      allowSharedTables: k % 3 === 0,
      pins: k % 4,
      forbidden: (k % 3) * 6,
      seed: k,
    };
    const event = makeEvent(shape, 100 + k);
    if (k % 2 === 0) {
      list.push({ name: `random event ${JSON.stringify(shape)}`, input: { ...event, heldRounds: [], absentIds: [] } });
    } else {
      const input = makeReplan(event, planRotation(event), { held: 1 + (k % 3), noShowRate: 0.1, absentRate: 0.1, lateMentors: k % 2, lateMentees: 2 }, k);
      list.push({ name: `random re-plan ${JSON.stringify(shape)}`, input });
    }
  }
  return list;
}

/** Every score equal: empty profiles, or one profile for every mentor and one for every mentee. */
function flat(input: PlanInput, profiles: 'empty' | 'identical'): PlanInput {
  const mentor = profiles === 'empty' ? undefined : input.mentors[0]?.profile;
  const mentee = profiles === 'empty' ? undefined : input.mentees[0]?.profile;
  return {
    ...input,
    mentors: input.mentors.map(({ id, tableSize }) => ({ id, ...(tableSize === undefined ? {} : { tableSize }), ...(mentor ? { profile: mentor } : {}) })),
    mentees: input.mentees.map(({ id }) => ({ id, ...(mentee ? { profile: mentee } : {}) })),
  };
}

/** Flat inputs, where nothing but the seed breaks ties: plans, shared tables and re-plans. */
function flatInstances(): { name: string; input: ReplanInput }[] {
  const list: { name: string; input: ReplanInput }[] = [];
  for (const profiles of ['empty', 'identical'] as const) {
    for (const [k, shape] of [
      { mentors: 8, mentees: 40, rounds: 5, pins: 2, forbidden: 10, seed: 3 },
      { mentors: 7, mentees: 9, rounds: 6, pins: 1, forbidden: 4, seed: 4, allowSharedTables: true },
      { mentors: 12, mentees: 10, rounds: 4, pins: 3, forbidden: 6, seed: 5 },
    ].entries()) {
      const event = flat(makeEvent(shape, 300 + k), profiles);
      list.push({ name: `${profiles} profiles ${JSON.stringify(shape)}`, input: { ...event, heldRounds: [], absentIds: [] } });
      const input = makeReplan(event, planRotation(event), { held: 2, noShowRate: 0.1, absentRate: 0.1, lateMentors: 1, lateMentees: 2 }, k);
      list.push({ name: `${profiles} profiles, re-plan after round 2 ${JSON.stringify(shape)}`, input: flat(input, profiles) as ReplanInput });
    }
  }
  return list;
}

describe('the planner against an exact LP (HiGHS)', () => {
  it.each(flatInstances())('reaches the LP optimum when every score is equal ($name)', async ({ input }) => {
    const plan = replan(input);
    const lp = await solveWithLp(input);
    expect(objectiveOf(input, plan)).toEqual({ meetings: lp.meetings, balance: lp.balance, score: lp.score });
  });

  it.each(instances())('reaches the LP optimum: most meetings, then most even, then best score ($name)', async ({ input }) => {
    const plan = replan(input);
    const lp = await solveWithLp(input);
    expect(objectiveOf(input, plan)).toEqual({ meetings: lp.meetings, balance: lp.balance, score: lp.score });
  });
});
