import { describe, expect, it } from 'vitest';
import { planRotation, replan } from './planner.ts';
import { makeEvent } from './testing/factories.ts';
import { brokenPromises, counts } from './testing/invariants.ts';
import { objectiveOf, solveWithLp } from './testing/lp-oracle.ts';
import { PlanInputError, type Plan, type PlanInput, type ReplanInput } from './types.ts';

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

describe('pins never block planning', () => {
  const pin = (mentorId: string, menteeId: string) => ({ mentorId, menteeId });
  const seated = (plan: Plan, mentorId: string, menteeId: string): boolean =>
    plan.rounds.some((r) => r.tables.some((t) => t.mentorId === mentorId && t.menteeIds.includes(menteeId)));
  /** The same input with only the pins the plan kept, for the LP to check the rest of the plan. */
  const keptOnly = (input: ReplanInput, plan: Plan): ReplanInput => ({
    ...input,
    pinned: (input.pinned ?? []).filter((p) => !plan.warnings.some((w) => w.startsWith(`pinned pair ${p.mentorId}–${p.menteeId} `))),
  });

  it('drops the later pins of a mentee pinned to more mentors than rounds remain, with a warning naming each', async () => {
    const input = fresh({
      mentors: people('m', 3),
      mentees: people('e', 3),
      rounds: 2,
      pinned: [pin('m3', 'e1'), pin('m1', 'e1'), pin('m2', 'e1')],
    });
    const plan = replan(input);
    expect(plan.warnings).toEqual(['pinned pair m2–e1 is not planned: mentee e1 is pinned to 3 mentors but only 2 round(s) remain']);
    expect(seated(plan, 'm3', 'e1') && seated(plan, 'm1', 'e1')).toBe(true);
    expect(brokenPromises(input, plan)).toEqual([]);
    const lp = await solveWithLp(keptOnly(input, plan));
    expect(objectiveOf(input, plan)).toEqual({ meetings: lp.meetings, balance: lp.balance, score: lp.score });
  });

  it('drops pins of a mentor pinned to more mentees than seats remain', () => {
    const input = fresh({
      mentors: [{ id: 'm1', tableSize: 2 }, { id: 'm2' }],
      mentees: people('e', 4),
      rounds: 1,
      pinned: [pin('m1', 'e1'), pin('m1', 'e2'), pin('m1', 'e3')],
    });
    const plan = replan(input);
    expect(plan.warnings[0]).toBe('pinned pair m1–e3 is not planned: mentor m1 is pinned to 3 mentees but has only 2 seat(s) left');
    expect(seated(plan, 'm1', 'e1') && seated(plan, 'm1', 'e2')).toBe(true);
    expect(brokenPromises(input, plan)).toEqual([]);
  });

  it('keeps as many pins as possible rather than the first ones that fit', () => {
    // One round: honouring m1–e1 (listed first) would leave room for no other pin; m2–e1 and m1–e2 make two.
    const input = fresh({ mentors: people('m', 2), mentees: people('e', 2), rounds: 1, pinned: [pin('m1', 'e1'), pin('m2', 'e1'), pin('m1', 'e2')] });
    const plan = replan(input);
    expect(plan.warnings).toEqual(['pinned pair m1–e1 is not planned: mentee e1 is pinned to 2 mentors but only 1 round(s) remain']);
    expect(plan.rounds[0]!.tables.map((t) => [t.mentorId, t.menteeIds])).toEqual([
      ['m1', ['e2']],
      ['m2', ['e1']],
    ]);
  });

  it('chooses the dropped pins by the pins and their order alone, whatever the seed or the order of participants', () => {
    const input = { mentors: people('m', 4), mentees: people('e', 6), rounds: 2, pinned: [pin('m1', 'e1'), pin('m2', 'e1'), pin('m3', 'e1'), pin('m4', 'e1'), pin('m4', 'e2')] };
    const warnings = planRotation(input).warnings;
    expect(warnings).toEqual([
      'pinned pair m3–e1 is not planned: mentee e1 is pinned to 4 mentors but only 2 round(s) remain',
      'pinned pair m4–e1 is not planned: mentee e1 is pinned to 4 mentors but only 2 round(s) remain',
    ]);
    for (const seed of [1, 2, 3]) {
      expect(planRotation({ ...input, seed, mentors: [...input.mentors].reverse(), mentees: [...input.mentees].reverse() }).warnings).toEqual(warnings);
    }
  });

  it('counts a pin as honoured once the pair met in a held round, and never seats it again', () => {
    const input: ReplanInput = {
      mentors: people('m', 2),
      mentees: people('e', 2),
      rounds: 3,
      pinned: [pin('m1', 'e1')],
      heldRounds: [{ tables: [{ mentorId: 'm1', menteeIds: ['e1'] }, { mentorId: 'm2', menteeIds: ['e2'] }] }],
      absentIds: [],
    };
    const plan = replan(input);
    expect(plan.warnings).toEqual([]);
    expect(plan.rounds.slice(1).some((r) => r.tables.some((t) => t.mentorId === 'm1' && t.menteeIds.includes('e1')))).toBe(false);
    expect(brokenPromises(input, plan)).toEqual([]);
  });

  it('plans a pinned meeting again when a no-show made it miss held round 2', () => {
    const input = { mentors: people('m', 3), mentees: people('e', 3), rounds: 3, pinned: [pin('m1', 'e1')] };
    // As planned, m1 met e1 in round 2; e1 did not show up, so attendance records no meeting there.
    const heldRounds = [
      { tables: [{ mentorId: 'm1', menteeIds: ['e2'] }, { mentorId: 'm2', menteeIds: ['e3'] }, { mentorId: 'm3', menteeIds: ['e1'] }] },
      { tables: [{ mentorId: 'm2', menteeIds: ['e2'] }, { mentorId: 'm3', menteeIds: ['e3'] }] },
    ];
    const again: ReplanInput = { ...input, heldRounds, absentIds: [] };
    const plan = replan(again);
    expect(plan.warnings).toEqual([]);
    expect(plan.rounds[2]!.tables).toContainEqual(expect.objectContaining({ mentorId: 'm1', menteeIds: ['e1'] }));
    expect(brokenPromises(again, plan)).toEqual([]);

    // With no round left, the same miss is a warning, never an error.
    const late = replan({ ...input, rounds: 2, heldRounds, absentIds: [] });
    expect(late.warnings).toEqual(['pinned pair m1–e1 did not meet and no rounds remain']);
  });

  it('warns when a missed pin no longer fits the rounds that remain', () => {
    const input: ReplanInput = {
      mentors: people('m', 3),
      mentees: people('e', 3),
      rounds: 3,
      pinned: [pin('m1', 'e1'), pin('m2', 'e1')],
      // e1 missed both rounds so far; one round is left for two pins.
      heldRounds: [{ tables: [{ mentorId: 'm3', menteeIds: ['e2'] }] }, { tables: [{ mentorId: 'm1', menteeIds: ['e3'] }] }],
      absentIds: [],
    };
    const plan = replan(input);
    expect(plan.warnings).toEqual(['pinned pair m2–e1 is not planned: mentee e1 is pinned to 2 mentors but only 1 round(s) remain']);
    expect(seated(plan, 'm1', 'e1')).toBe(true);
    expect(brokenPromises(input, plan)).toEqual([]);
  });

  it('warns about a pin whose participant is absent instead of failing', () => {
    const input: ReplanInput = { ...fresh({ mentors: people('m', 2), mentees: people('e', 2), rounds: 2, pinned: [pin('m2', 'e2')] }), absentIds: ['m2'] };
    expect(replan(input).warnings).toEqual(['pinned pair m2–e2 cannot meet: m2 is absent']);
  });

  it('names the pins when they make meeting counts uneven', () => {
    const input = fresh({
      mentors: [{ id: 'm1', tableSize: 3 }, { id: 'm2' }, { id: 'm3' }],
      mentees: people('e', 3),
      rounds: 1,
      pinned: [pin('m1', 'e1'), pin('m1', 'e2'), pin('m1', 'e3')],
    });
    const plan = replan(input);
    expect(plan.warnings).toEqual([
      'mentors meet between 0 and 3 mentees: pins (pinned pair m1–e1, pinned pair m1–e2, pinned pair m1–e3), table sizes, late joiners, absences or excluded pairs prevent a more even spread',
    ]);
  });
});
