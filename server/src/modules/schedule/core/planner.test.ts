import { describe, expect, it } from 'vitest';
import { planRotation, replan } from './planner.ts';
import { makeEvent } from './testing/factories.ts';
import { brokenPromises, counts } from './testing/invariants.ts';
import { PlanInputError, type PlanInput, type ReplanInput } from './types.ts';

const people = (prefix: string, count: number) => Array.from({ length: count }, (_, k) => ({ id: `${prefix}${k + 1}` }));
const fresh = (input: PlanInput): ReplanInput => ({ ...input, heldRounds: [], absentIds: [] });

describe('planRotation', () => {
  it('lets every mentee meet every mentor once when counts match', () => {
    const input = { mentors: people('m', 3), mentees: people('e', 3), rounds: 3 };
    const plan = planRotation(input);
    expect(brokenPromises(fresh(input), plan)).toEqual([]);
    expect(plan.totals.meetingsPerMentee).toEqual({ min: 3, max: 3 });
    expect(plan.totals.mentorLoads).toEqual({ min: 3, max: 3 });
    expect(plan.rounds.every((r) => r.sitOuts.length === 0)).toBe(true);
  });

  it('spreads sit-outs evenly when mentees outnumber tables, and says why', () => {
    const input = { mentors: people('m', 2), mentees: people('e', 5), rounds: 4 };
    const plan = planRotation(input);
    expect(brokenPromises(fresh(input), plan)).toEqual([]);
    expect(plan.totals.meetings).toBe(8);
    expect(plan.totals.meetingsPerMentee).toEqual({ min: 1, max: 2 });
    for (const round of plan.rounds) {
      expect(round.tables).toHaveLength(2);
      expect(round.sitOuts.map((s) => s.reason)).toEqual(Array(3).fill('more mentees than tables this round'));
    }
  });

  it('seats two mentees at a table when shared tables are allowed', () => {
    const input = { mentors: people('m', 2), mentees: people('e', 5), rounds: 2, allowSharedTables: true };
    const plan = planRotation(input);
    expect(brokenPromises(fresh(input), plan)).toEqual([]);
    expect(plan.totals.meetings).toBe(8);
    expect(plan.totals.meetingsPerMentee).toEqual({ min: 1, max: 2 });
    expect(plan.totals.sharedTables).toBe(4);
  });

  it('does not share a table when there are enough tables', () => {
    const input = { mentors: people('m', 4), mentees: people('e', 3), rounds: 3, allowSharedTables: true };
    const plan = planRotation(input);
    expect(plan.totals.sharedTables).toBe(0);
    expect(plan.totals.meetingsPerMentee).toEqual({ min: 3, max: 3 });
    expect(plan.totals.mentorLoads).toEqual({ min: 2, max: 3 });
  });

  it('lets mentors sit out with a reason when mentors outnumber mentees', () => {
    const plan = planRotation({ mentors: people('m', 3), mentees: people('e', 1), rounds: 2 });
    for (const round of plan.rounds) {
      expect(round.sitOuts.filter((s) => s.role === 'mentor').map((s) => s.code)).toEqual(['more-tables-than-mentees', 'more-tables-than-mentees']);
    }
  });

  it('explains a sit-out caused by having met everyone available', () => {
    const plan = planRotation({ mentors: people('m', 1), mentees: people('e', 1), rounds: 3 });
    expect(plan.totals.meetings).toBe(1);
    const sitOuts = plan.rounds.flatMap((r) => r.sitOuts);
    expect(sitOuts.map((s) => s.code)).toEqual(Array(4).fill('met-everyone-available'));
  });

  it('pairs people by compatibility', () => {
    const plan = planRotation({
      mentors: [
        { id: 'fin', profile: { industry: 'fintech', skills: ['people management'] } },
        { id: 'health', profile: { industry: 'healthcare', skills: ['research'] } },
      ],
      mentees: [
        { id: 'a', profile: { industry: 'healthcare', goals: ['research'] } },
        { id: 'b', profile: { industry: 'fintech', goals: ['people management'] } },
      ],
      rounds: 1,
    });
    const tables = plan.rounds[0]!.tables;
    expect(tables.map((t) => [t.mentorId, t.menteeIds[0]])).toEqual([
      ['fin', 'b'],
      ['health', 'a'],
    ]);
    expect(tables[0]!.seats[0]!.reasons).toEqual(['both in fintech', 'wants people management, which the mentor has']);
  });

  it('always seats pinned pairs and never forbidden ones', () => {
    const mentors = [
      { id: 'm1', profile: { industry: 'retail' } },
      { id: 'm2', profile: { industry: 'gaming' } },
    ];
    const mentees = [
      { id: 'e1', profile: { industry: 'retail' } },
      { id: 'e2', profile: { industry: 'gaming' } },
    ];
    const input = {
      mentors,
      mentees,
      rounds: 1,
      pinned: [{ mentorId: 'm1', menteeId: 'e2' }],
      forbidden: [{ mentorId: 'm2', menteeId: 'e2' }],
    };
    const plan = planRotation(input);
    expect(brokenPromises(fresh(input), plan)).toEqual([]);
    expect(plan.rounds[0]!.tables.map((t) => [t.mentorId, t.menteeIds])).toEqual([
      ['m1', ['e2']],
      ['m2', ['e1']],
    ]);
  });

  it('gives the same plan for the same input and seed, whatever the order of the rows', () => {
    const input = makeEvent({ mentors: 6, mentees: 15, rounds: 4, pins: 2, forbidden: 5 }, 7);
    const plan = planRotation(input);
    expect(planRotation(structuredClone(input))).toEqual(plan);
    expect(planRotation({ ...input, mentors: [...input.mentors].reverse(), mentees: [...input.mentees].reverse() })).toEqual(plan);
  });

  it('breaks ties differently with another seed, never the quality', () => {
    const input = { mentors: people('m', 4), mentees: people('e', 9), rounds: 3 };
    const a = planRotation({ ...input, seed: 1 });
    const b = planRotation({ ...input, seed: 2 });
    expect(a).not.toEqual(b);
    expect(a.totals).toEqual(b.totals);
  });

  it('rejects input it cannot plan, naming the culprit', () => {
    const base = { mentors: people('m', 2), mentees: people('e', 2), rounds: 2 };
    expect(() => planRotation({ ...base, rounds: 0 })).toThrow(PlanInputError);
    expect(() => planRotation({ ...base, mentees: [{ id: 'm1' }] })).toThrow(/m1 is listed twice/);
    expect(() => planRotation({ ...base, pinned: [{ mentorId: 'm9', menteeId: 'e1' }] })).toThrow(/m9 is not a mentor/);
    expect(() =>
      planRotation({ ...base, pinned: [{ mentorId: 'm1', menteeId: 'e1' }], forbidden: [{ mentorId: 'm1', menteeId: 'e1' }] }),
    ).toThrow(/both pinned and forbidden/);
    expect(() =>
      planRotation({
        ...base,
        rounds: 1,
        pinned: [
          { mentorId: 'm1', menteeId: 'e1' },
          { mentorId: 'm2', menteeId: 'e1' },
        ],
      }),
    ).toThrow(/e1 is pinned to 2 mentors but only 1 round/);
    expect(() => planRotation({ ...base, mentors: [{ id: 'm1', tableSize: 0 }] })).toThrow(/tableSize/);
  });

  it('is checked by a checker that does notice a repeated pair', () => {
    const input = { mentors: people('m', 2), mentees: people('e', 2), rounds: 2 };
    const plan = planRotation(input);
    const doctored = structuredClone(plan);
    doctored.rounds[1]!.tables = structuredClone(plan.rounds[0]!.tables);
    expect(brokenPromises(fresh(input), doctored)).toContain('pair m1–e1 meets twice'.replace('e1', plan.rounds[0]!.tables[0]!.menteeIds[0]!));
  });

  it('handles an event with nobody in it', () => {
    const plan = planRotation({ mentors: [], mentees: [], rounds: 2 });
    expect(plan.rounds).toHaveLength(2);
    expect(plan.totals.meetings).toBe(0);
  });
});

describe('replan', () => {
  const base = { mentors: people('m', 3), mentees: people('e', 6), rounds: 4 };

  it('keeps held rounds, never repeats a pair, and lets a late joiner catch up', () => {
    const first = planRotation(base);
    const input: ReplanInput = {
      ...base,
      mentees: [...base.mentees, { id: 'late' }],
      heldRounds: first.rounds.slice(0, 2).map((r) => ({ tables: r.tables.map(({ mentorId, menteeIds }) => ({ mentorId, menteeIds })) })),
      absentIds: [],
    };
    const plan = replan(input);
    expect(brokenPromises(input, plan)).toEqual([]);
    const late = plan.rounds.slice(2).filter((r) => r.tables.some((t) => t.menteeIds.includes('late')));
    expect(late).toHaveLength(2); // the late joiner never sits out: the others already had their share
  });

  it('seats nobody who is absent and says who is missing', () => {
    const first = planRotation({ ...base, pinned: [{ mentorId: 'm1', menteeId: 'e6' }] });
    const pinnedRound = first.rounds.findIndex((r) => r.tables.some((t) => t.mentorId === 'm1' && t.menteeIds.includes('e6')));
    const held = Math.min(pinnedRound, 1);
    const input: ReplanInput = {
      ...base,
      pinned: [{ mentorId: 'm1', menteeId: 'e6' }],
      heldRounds: first.rounds.slice(0, held).map((r) => ({ tables: r.tables.filter((t) => !t.menteeIds.includes('e6')) })),
      absentIds: ['e6', 'm3'],
    };
    const plan = replan(input);
    expect(brokenPromises(input, plan)).toEqual([]);
    expect(plan.warnings).toContain('pinned pair m1–e6 cannot meet: e6 is absent');
    for (const round of plan.rounds.slice(held)) {
      expect(round.sitOuts).toContainEqual({ participantId: 'm3', role: 'mentor', code: 'absent', reason: 'absent' });
    }
  });

  it('counts held meetings when evening out the rest', () => {
    const input: ReplanInput = {
      mentors: people('m', 2),
      mentees: people('e', 4),
      rounds: 3,
      heldRounds: [{ tables: [{ mentorId: 'm1', menteeIds: ['e1'] }, { mentorId: 'm2', menteeIds: ['e2'] }] }],
      absentIds: [],
    };
    const plan = replan(input);
    expect(brokenPromises(input, plan)).toEqual([]);
    // Six meetings in all: every mentee ends with one or two, whoever had the first round.
    expect(counts(input, plan).mentees.sort()).toEqual([1, 1, 2, 2]);
    expect(plan.totals.meetingsPerMentee).toEqual({ min: 1, max: 2 });
  });

  it('returns only the held rounds when none remain', () => {
    const input: ReplanInput = {
      mentors: people('m', 1),
      mentees: people('e', 1),
      rounds: 1,
      heldRounds: [{ tables: [{ mentorId: 'm1', menteeIds: ['e1'] }] }],
    };
    const plan = replan(input);
    expect(plan.rounds).toHaveLength(1);
    expect(plan.rounds[0]!.held).toBe(true);
    expect(plan.totals).toMatchObject({ meetings: 1, plannedMeetings: 0 });
  });

  it('rejects a held round that seats a mentee twice', () => {
    const input: ReplanInput = {
      ...base,
      heldRounds: [{ tables: [{ mentorId: 'm1', menteeIds: ['e1'] }, { mentorId: 'm2', menteeIds: ['e1'] }] }],
    };
    expect(() => replan(input)).toThrow(/held round 1 seats mentee e1 twice/);
  });
});
