import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAdvice, planHealth } from './health.ts';
import { planRotation, replan } from './planner.ts';
import { spreadPeers } from './round-formats.ts';
import { ScoringContext } from './scoring.ts';
import { eventArbitrary, mixedEventArbitrary, mixedReplanArbitrary } from './testing/arbitraries.ts';
import { makeEvent } from './testing/factories.ts';
import { solveFormatsExactly, type FormatsSolution } from './testing/ilp-formats.ts';
import { brokenPromises } from './testing/invariants.ts';
import { objectiveOf } from './testing/lp-oracle.ts';
import type { Objective, Plan, PlanInput, ReplanInput, RoundFormat } from './types.ts';

const fresh = (input: PlanInput): ReplanInput => ({ ...input, heldRounds: [], absentIds: [] });

/** > 0 when a is better than b: more meetings, then a lower balance cost, then a higher score. */
function lexCompare(a: Objective, b: Objective): number {
  return a.meetings - b.meetings || b.balance - a.balance || a.score - b.score;
}

/** Mentee pairs sharing a circle in the planned circle rounds, recounted from the plan, with their affinity (scoring.ts). */
function peersOf(input: ReplanInput, plan: Plan): { peerPairs: number; repeatedPeerPairs: number; affinity: number } {
  const scoring = new ScoringContext([], input.mentees.map((p) => p.profile ?? {}));
  const index = new Map(input.mentees.map((p, k) => [p.id, k]));
  const together = new Map<string, number>();
  let affinity = 0;
  for (const round of plan.rounds) {
    if (round.held || input.formats?.[round.index]?.kind !== 'circle') continue;
    for (const table of round.tables) {
      const ids = [...table.menteeIds].sort();
      for (let a = 0; a < ids.length; a++) for (let b = a + 1; b < ids.length; b++) {
        const k = `${ids[a]}\u0000${ids[b]}`;
        together.set(k, (together.get(k) ?? 0) + 1);
        affinity += scoring.peerScore(index.get(ids[a]!)!, index.get(ids[b]!)!);
      }
      // The table says what its mentees share, two by two: exactly the pairs with some affinity.
      const stated = (table.peers ?? []).map((p) => `${[...p.menteeIds].sort().join('+')}:${p.score}`).sort();
      const expected: string[] = [];
      for (let a = 0; a < ids.length; a++) for (let b = a + 1; b < ids.length; b++) {
        const score = scoring.peerScore(index.get(ids[a]!)!, index.get(ids[b]!)!);
        if (score > 0) expected.push(`${ids[a]}+${ids[b]}:${score}`);
      }
      if (JSON.stringify(stated) !== JSON.stringify(expected.sort())) affinity = Number.NaN;
    }
  }
  const counts = [...together.values()];
  return { peerPairs: counts.length, repeatedPeerPairs: counts.filter((c) => c > 1).length, affinity };
}

/** What plan.optimality and plan.circlePeers must say about the plan itself. */
function optimalityProblems(input: ReplanInput, plan: Plan): string[] {
  const problems: string[] = [];
  const o = plan.optimality;
  if (!o) return ['no optimality'];
  const achieved = objectiveOf(input, plan);
  if (JSON.stringify(o.achieved) !== JSON.stringify(achieved)) problems.push(`achieved ${JSON.stringify(o.achieved)} is not the plan's ${JSON.stringify(achieved)}`);
  const gap = { meetings: o.bound.meetings - achieved.meetings, balance: achieved.balance - o.bound.balance, score: o.bound.score - achieved.score };
  if (JSON.stringify(o.gap) !== JSON.stringify(gap)) problems.push(`gap ${JSON.stringify(o.gap)} is not ${JSON.stringify(gap)}`);
  if (o.exact !== (gap.meetings === 0 && gap.balance === 0 && gap.score === 0)) problems.push('exact disagrees with the gap');
  if (lexCompare(achieved, o.bound) > 0) problems.push('the plan beats its own bound');
  if (!o.exact && !plan.warnings.some((w) => w.includes('round formats'))) problems.push('a gap without a warning');
  const peers = peersOf(input, plan);
  if (JSON.stringify(plan.circlePeers) !== JSON.stringify(peers)) problems.push(`circlePeers ${JSON.stringify(plan.circlePeers)} is not ${JSON.stringify(peers)}`);
  return problems;
}

describe('plans with round formats (one-to-one and circles), for every generated event', () => {
  it('keep every rule: no repeats, one table per mentee per round, seats of each round, pins, exclusions, reasons', () => {
    fc.assert(
      fc.property(mixedEventArbitrary({ clean: false }), (input) => {
        const plan = planRotation(input);
        expect(brokenPromises(fresh(input), plan)).toEqual([]);
        expect(optimalityProblems(fresh(input), plan)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keep every rule when re-planned between rounds, held rounds unchanged', () => {
    fc.assert(
      fc.property(mixedReplanArbitrary({ clean: false }), (input) => {
        const plan = replan(input);
        expect(brokenPromises(input, plan)).toEqual([]);
        expect(optimalityProblems(input, plan)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keep every rule when pins overbook people', () => {
    fc.assert(
      fc.property(mixedReplanArbitrary({ clean: false, overbookPins: true, maxMentors: 4, maxMentees: 5 }), (input) => {
        expect(brokenPromises(input, replan(input))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('are deterministic: same input and seed, same plan, whatever the order of the rows', () => {
    fc.assert(
      fc.property(mixedEventArbitrary({ clean: false }), (input) => {
        const plan = planRotation(input);
        expect(planRotation(structuredClone(input))).toEqual(plan);
        expect(planRotation({ ...input, mentors: [...input.mentors].reverse(), mentees: [...input.mentees].reverse() })).toEqual(plan);
      }),
      { numRuns: 100 },
    );
  });

  it('are the plans without formats when every round is one-to-one, and say they are exact', () => {
    fc.assert(
      fc.property(eventArbitrary({ clean: false }), (input) => {
        const formats: RoundFormat[] = Array.from({ length: input.rounds }, () => ({ kind: 'pairs' }));
        const { optimality, circlePeers, ...plan } = planRotation({ ...input, formats });
        expect(circlePeers).toEqual({ peerPairs: 0, repeatedPeerPairs: 0, affinity: 0 });
        expect(plan).toEqual(planRotation(input));
        expect(optimality?.exact).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('round formats, examples', () => {
  it('plans 4 one-to-one rounds and 2 circle rounds of 5 exactly: every seat taken, circles of 5', () => {
    const event = makeEvent({ mentors: 10, mentees: 100, rounds: 6, pins: 3, forbidden: 10, seed: 1 }, 7);
    const formats: RoundFormat[] = [{ kind: 'pairs' }, { kind: 'circle', size: 5 }, { kind: 'pairs' }, { kind: 'pairs' }, { kind: 'circle', size: 5 }, { kind: 'pairs' }];
    const plan = planRotation({ ...event, formats });
    expect(brokenPromises(fresh({ ...event, formats }), plan)).toEqual([]);
    expect(plan.rounds.map((r) => r.tables.reduce((sum, t) => sum + t.menteeIds.length, 0))).toEqual([10, 50, 10, 10, 50, 10]);
    expect(plan.rounds[1]!.tables.every((t) => t.menteeIds.length === 5)).toBe(true);
    expect(plan.optimality?.exact).toBe(true);
  });

  it('does not count circles as shared tables: only one-to-one rounds with two mentees at a table', () => {
    const mentees = Array.from({ length: 6 }, (_, e) => ({ id: `e${e}` }));
    const circles = planRotation({ mentors: [{ id: 'a' }, { id: 'b' }], mentees, rounds: 2, formats: [{ kind: 'circle', size: 3 }, { kind: 'circle', size: 3 }] });
    expect(circles.rounds.every((r) => r.tables.every((t) => t.menteeIds.length === 3))).toBe(true);
    expect(circles.totals.sharedTables).toBe(0);
    const mixed = planRotation({ mentors: [{ id: 'a' }, { id: 'b' }], mentees, rounds: 2, allowSharedTables: true, formats: [{ kind: 'pairs' }, { kind: 'circle', size: 3 }] });
    expect(mixed.totals.sharedTables).toBe(mixed.rounds[0]!.tables.filter((t) => t.menteeIds.length > 1).length);
    expect(mixed.totals.sharedTables).toBe(2);
  });

  it('bounds meetings by the seats of each round: 2 mentors, 6 mentees, a 1:1 round then circles of 5', () => {
    const event: PlanInput = {
      mentors: [{ id: 'a' }, { id: 'b' }],
      mentees: Array.from({ length: 6 }, (_, e) => ({ id: `e${e}` })),
      rounds: 2,
      formats: [{ kind: 'pairs' }, { kind: 'circle', size: 5 }],
    };
    const plan = planRotation(event);
    expect(plan.optimality).toMatchObject({ exact: true, bound: { meetings: 8 } });
    expect(plan.rounds.map((r) => r.tables.length)).toEqual([2, 2]);
  });

  it('rejects formats that do not match the rounds, with a message naming the field', () => {
    const event: PlanInput = { mentors: [{ id: 'a' }], mentees: [{ id: 'e' }], rounds: 2 };
    expect(() => planRotation({ ...event, formats: [{ kind: 'pairs' }] })).toThrow(/formats must give one format per round/);
    expect(() => planRotation({ ...event, formats: [{ kind: 'pairs' }, { kind: 'circle', size: 0 }] })).toThrow(/formats\[1\]: circle size/);
    expect(() => planRotation({ ...event, formats: [{ kind: 'pairs' }, { kind: 'group' } as unknown as RoundFormat] })).toThrow(/formats\[1\]/);
  });

  it('gives advice for a thin mixed event: more rounds are one-to-one rounds', () => {
    const event: PlanInput = { ...makeEvent({ mentors: 3, mentees: 20, rounds: 2, seed: 2 }, 9), formats: [{ kind: 'pairs' }, { kind: 'circle', size: 3 }] };
    const advice = planAdvice(event, planRotation(event));
    expect(advice[0]).toMatchObject({ kind: 'more-rounds' });
    expect(advice[0]!.meetingsPerMentee.min).toBeGreaterThan(0);
  });

  it('checks held rounds against their own format', () => {
    const event: ReplanInput = {
      mentors: [{ id: 'a' }],
      mentees: [{ id: 'e1' }, { id: 'e2' }, { id: 'e3' }],
      rounds: 2,
      formats: [{ kind: 'circle', size: 3 }, { kind: 'pairs' }],
      heldRounds: [{ tables: [{ mentorId: 'a', menteeIds: ['e1', 'e2', 'e3'] }] }],
    };
    expect(replan(event).rounds[1]!.tables).toEqual([]);
    expect(() => replan({ ...event, formats: [{ kind: 'pairs' }, { kind: 'pairs' }] })).toThrow(/which holds 1/);
  });
});

describe('spreading circle peers (the second objective)', () => {
  const pairsOf = (rounds: Map<number, number[]>[]): string[] =>
    rounds.flatMap((tables) => [...tables].flatMap(([i, seats]) => seats.map((e) => `${i}-${e}`))).sort();

  it('lets a mentee meet two mentors the other way round when that ends a repeated peer, keeping every pair', () => {
    // Mentees 0 and 1 share a circle in both rounds: with mentor 0, then with mentor 1.
    const rounds = [
      new Map([[0, [0, 1]], [1, [2, 3]]]),
      new Map([[1, [0, 1]], [0, [4, 5]]]),
    ];
    const before = pairsOf(rounds);
    expect(spreadPeers(6, rounds, ['circle', 'circle'], () => true)).toEqual({ peerPairs: 4, repeatedPeerPairs: 0, affinity: 0 });
    expect(pairsOf(rounds)).toEqual(before);
    for (const tables of rounds) expect(new Set([...tables.values()].flat()).size).toBe([...tables.values()].flat().length);
  });

  it('leaves circles alone when a move would idle a mentee who could take a free seat', () => {
    const rounds = [
      new Map([[0, [0, 1]], [1, [2, 3]]]),
      new Map([[1, [0, 1]], [0, [4, 5]]]),
    ];
    expect(spreadPeers(6, rounds, ['circle', 'circle'], () => false)).toEqual({ peerPairs: 3, repeatedPeerPairs: 1, affinity: 0 });
  });

  it('puts mentees with something in common in one circle when no peer repeats more for it, keeping every pair', () => {
    // One mentor's circles of two in two rounds: 0 and 1, then 2 and 3. Mentees 0 and 2 share goals.
    const rounds = [new Map([[0, [0, 1]]]), new Map([[0, [2, 3]]])];
    const before = pairsOf(rounds);
    const affinity = (a: number, b: number) => (Math.min(a, b) === 0 && Math.max(a, b) === 2 ? 8 : 0);
    expect(spreadPeers(4, rounds, ['circle', 'circle'], () => true, affinity)).toEqual({ peerPairs: 2, repeatedPeerPairs: 0, affinity: 8 });
    expect(pairsOf(rounds)).toEqual(before);
    expect(rounds.map((tables) => [...(tables.get(0) as number[])].sort())).toContainEqual([0, 2]);
  });
});

/** Small mixed-format events and re-plans for the exact integer program. */
function ilpInstances(): { name: string; input: ReplanInput }[] {
  const list: { name: string; input: ReplanInput }[] = [];
  const small = { clean: false, maxMentors: 4, maxMentees: 6, maxRounds: 4 };
  fc.sample(mixedEventArbitrary(small), { numRuns: 30, seed: 21 }).forEach((event, k) =>
    list.push({ name: `generated event ${k}`, input: fresh(event) }),
  );
  fc.sample(mixedReplanArbitrary(small), { numRuns: 20, seed: 22 }).forEach((input, k) => list.push({ name: `generated re-plan ${k}`, input }));
  for (let k = 0; k < 10; k++) {
    const rounds = 2 + (k % 3);
    const event = makeEvent({ mentors: 2 + (k % 3), mentees: 4 + k, rounds, allowSharedTables: k % 2 === 0, pins: k % 2, forbidden: k % 4, seed: k }, 500 + k);
    const formats: RoundFormat[] = Array.from({ length: rounds }, (_, r) => ((r + k) % 3 === 0 ? { kind: 'circle', size: 2 + ((r + k) % 4) } : { kind: 'pairs' }));
    list.push({ name: `random event ${k}`, input: fresh({ ...event, formats }) });
  }
  return list;
}

/**
 * The ILP's optimum must lie between the plan and its claimed bound, and agree with the plan when
 * the plan says it is exact; counts the plan in `tally` as exact, optimal but unproven, or short.
 */
function compareWithIlp(input: ReplanInput, plan: Plan, ilp: FormatsSolution, tally: { exactAndOptimal: number; optimalNotProven: number; gap: number }) {
  expect(ilp.status).toBe('optimal');
  const achieved = objectiveOf(input, plan);
  const o = plan.optimality!;
  expect(lexCompare(ilp, achieved)).toBeGreaterThanOrEqual(0);
  expect(lexCompare(o.bound, ilp)).toBeGreaterThanOrEqual(0);
  const optimal = lexCompare(ilp, achieved) === 0;
  if (o.exact) expect(optimal).toBe(true);
  if (o.exact) tally.exactAndOptimal++;
  else if (optimal) tally.optimalNotProven++;
  else tally.gap++;
  return { achieved, optimal };
}

describe('plans with round formats against the exact integer program (HiGHS)', () => {
  const tally = { exactAndOptimal: 0, optimalNotProven: 0, gap: 0 };
  it.each(ilpInstances())('are feasible for it, never beaten by it, and claim a bound it never beats ($name)', async ({ input }) => {
    const plan = replan(input);
    const ilp = await solveFormatsExactly(input);
    compareWithIlp(input, plan, ilp, tally);
  });

  it('tallies how often the plan is the ILP optimum', () => {
    // Printed for the report: proven exact, optimal without proof, or short of the ILP optimum.
    console.info(`round formats vs ILP: ${JSON.stringify(tally)}`);
    expect(tally.exactAndOptimal + tally.optimalNotProven + tally.gap).toBe(ilpInstances().length);
  });
});

describe('co-hosted circles (two mentors per circle), for every generated event', () => {
  const coHosted = { clean: false, coHosts: true };

  it('keep every rule: a co-host meets every mentee of the circle, each pair once, a mentor at one table, pins, exclusions, reasons', () => {
    fc.assert(
      fc.property(mixedEventArbitrary(coHosted), (input) => {
        const plan = planRotation(input);
        expect(brokenPromises(fresh(input), plan)).toEqual([]);
        expect(optimalityProblems(fresh(input), plan)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keep every rule when re-planned between rounds, held co-hosted circles (whole or one table per host) unchanged', () => {
    fc.assert(
      fc.property(mixedReplanArbitrary(coHosted), (input) => {
        const plan = replan(input);
        expect(brokenPromises(input, plan)).toEqual([]);
        expect(optimalityProblems(input, plan)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keep every rule when pins overbook people', () => {
    fc.assert(
      fc.property(mixedReplanArbitrary({ ...coHosted, overbookPins: true, maxMentors: 4, maxMentees: 5 }), (input) => {
        expect(brokenPromises(input, replan(input))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('are deterministic: same input and seed, same plan, whatever the order of the rows', () => {
    fc.assert(
      fc.property(mixedEventArbitrary(coHosted), (input) => {
        const plan = planRotation(input);
        expect(planRotation({ ...input, mentors: [...input.mentors].reverse(), mentees: [...input.mentees].reverse() })).toEqual(plan);
      }),
      { numRuns: 100 },
    );
  });
});

describe('co-hosted circles, examples', () => {
  const people = (prefix: string, count: number) => Array.from({ length: count }, (_, k) => ({ id: `${prefix}${k + 1}` }));

  it('seats 4 mentors in 2 co-hosted circles of 4: 16 meetings, every mentee meets both hosts, exact', () => {
    const event: PlanInput = { mentors: people('m', 4), mentees: people('e', 8), rounds: 1, formats: [{ kind: 'circle', size: 4, hosts: 2 }] };
    const plan = planRotation(event);
    expect(brokenPromises(fresh(event), plan)).toEqual([]);
    const tables = plan.rounds[0]!.tables;
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table.coMentorId).toBeDefined();
      expect(table.menteeIds).toHaveLength(4);
      expect(table.coSeats!.map((s) => s.menteeId)).toEqual(table.menteeIds);
    }
    expect(plan.totals).toMatchObject({ meetings: 16, meetingsPerMentee: { min: 2, max: 2 }, mentorLoads: { min: 4, max: 4 } });
    expect(plan.optimality).toMatchObject({ exact: true, bound: { meetings: 16 }, achieved: { meetings: 16 } });
    expect(plan.rounds[0]!.sitOuts).toEqual([]);
    // Health counts both meetings too: every mentee met as many mentors as one co-hosted round allows.
    expect(planHealth(event, plan)).toMatchObject({ level: 'good', reach: 2, meetingsPerMentee: { min: 2, max: 2 }, fewest: [] });
  });

  it('lets one mentor host alone when an odd number is present, and leaves absent mentors out of the pairing', () => {
    const event: ReplanInput = { ...fresh({ mentors: people('m', 4), mentees: people('e', 6), rounds: 1, formats: [{ kind: 'circle', size: 3, hosts: 2 }] }), absentIds: ['m4'] };
    const plan = replan(event);
    expect(brokenPromises(event, plan)).toEqual([]);
    const tables = plan.rounds[0]!.tables;
    expect(tables.filter((t) => t.coMentorId === undefined)).toHaveLength(1);
    expect(tables.flatMap((t) => [t.mentorId, t.coMentorId ?? []].flat()).sort()).toEqual(['m1', 'm2', 'm3']);
    // A pair's circle of 3 (6 meetings) and a circle of 3 with one host (3 meetings).
    expect(plan.optimality).toMatchObject({ exact: true, bound: { meetings: 9 }, achieved: { meetings: 9 } });
    expect(plan.rounds[0]!.sitOuts).toEqual([{ participantId: 'm4', role: 'mentor', code: 'absent', reason: 'absent' }]);
  });

  it('scores a co-hosted table with both hosts, held ones included, and counts the co-host in totals', () => {
    const mentors = [
      { id: 'm1', profile: { industry: 'fintech' } },
      { id: 'm2', profile: { industry: 'health' } },
    ];
    const mentees = [{ id: 'e1', profile: { industry: 'fintech' } }, { id: 'e2', profile: { industry: 'health' } }];
    const event: ReplanInput = {
      mentors,
      mentees,
      rounds: 2,
      formats: [{ kind: 'circle', size: 2, hosts: 2 }, { kind: 'pairs' }],
      heldRounds: [{ tables: [{ mentorId: 'm1', coMentorId: 'm2', menteeIds: ['e1'] }] }],
    };
    const plan = replan(event);
    expect(brokenPromises(event, plan)).toEqual([]);
    const held = plan.rounds[0]!.tables[0]!;
    expect(held.seats.map((s) => s.score)).toEqual([20]);
    expect(held.coSeats!.map((s) => s.score)).toEqual([0]);
    expect(held.score).toBe(20);
    // Round 2 can only seat e2 (e1 met both): with m1 or m2, one meeting.
    expect(plan.totals).toMatchObject({ meetings: 3, plannedMeetings: 1 });
    expect(plan.rounds[1]!.tables.flatMap((t) => t.menteeIds)).toEqual(['e2']);
  });

  it('reads a held co-hosted circle recorded as one table per host, and never repeats its pairs', () => {
    const event: ReplanInput = {
      mentors: people('m', 2),
      mentees: people('e', 2),
      rounds: 2,
      formats: [{ kind: 'circle', size: 2, hosts: 2 }, { kind: 'circle', size: 2, hosts: 2 }],
      heldRounds: [{ tables: [{ mentorId: 'm1', menteeIds: ['e1'] }, { mentorId: 'm2', menteeIds: ['e1'] }] }],
    };
    const plan = replan(event);
    expect(brokenPromises(event, plan)).toEqual([]);
    expect(plan.rounds[1]!.tables).toEqual([expect.objectContaining({ mentorId: 'm1', coMentorId: 'm2', menteeIds: ['e2'] })]);
    expect(plan.rounds[1]!.sitOuts).toEqual([
      { participantId: 'e1', role: 'mentee', code: 'met-everyone-available', reason: expect.any(String) },
    ]);
  });

  it('rejects co-hosts where they cannot be, with a message naming the table', () => {
    const base: ReplanInput = {
      mentors: people('m', 3),
      mentees: people('e', 3),
      rounds: 2,
      formats: [{ kind: 'circle', size: 2, hosts: 2 }, { kind: 'pairs' }],
      heldRounds: [],
    };
    const held = (...tables: ReplanInput['heldRounds'][number]['tables']): ReplanInput => ({ ...base, heldRounds: [{ tables }] });
    const twoRounds = (...tables: ReplanInput['heldRounds'][number]['tables']): ReplanInput => ({ ...base, heldRounds: [{ tables: [] }, { tables }] });
    expect(() => replan(held({ mentorId: 'm1', coMentorId: 'm2', menteeIds: ['e1'] }))).not.toThrow();
    expect(() => replan({ ...base, formats: [{ kind: 'pairs', hosts: 2 } as unknown as RoundFormat, { kind: 'pairs' }] })).toThrow(/formats\[0\]: hosts is only for circles/);
    expect(() => replan({ ...base, formats: [{ kind: 'circle', size: 2, hosts: 3 } as unknown as RoundFormat, { kind: 'pairs' }] })).toThrow(/formats\[0\]: hosts must be 1 or 2, got 3/);
    expect(() => replan(twoRounds({ mentorId: 'm1', coMentorId: 'm2', menteeIds: ['e1'] }))).toThrow(
      "held round 2: mentor m1's table has a co-host (m2), but the round is not a circle with two hosts",
    );
    expect(() => replan(held({ mentorId: 'm1', coMentorId: 'e2', menteeIds: ['e1'] }))).toThrow('held round 1: e2 is not a mentor of this event');
    expect(() => replan(held({ mentorId: 'm1', coMentorId: 'm1', menteeIds: ['e1'] }))).toThrow('held round 1: mentor m1 is their own co-host');
    expect(() => replan(held({ mentorId: 'm1', coMentorId: 'm2', menteeIds: ['e1'] }, { mentorId: 'm2', menteeIds: ['e2'] }))).toThrow(
      'held round 1 seats mentor m2 at two tables',
    );
    expect(() => replan(held({ mentorId: 'm1', coMentorId: 'm2', menteeIds: ['e1'] }, { mentorId: 'm3', menteeIds: ['e1'] }))).toThrow(
      'held round 1 seats mentee e1 with more than two hosts',
    );
    expect(() => replan(held({ mentorId: 'm1', coMentorId: 2 as unknown as string, menteeIds: ['e1'] }))).toThrow(/tables\[0\]\.coMentorId must be a non-empty string/);
    const repeated: ReplanInput = {
      ...base,
      formats: [{ kind: 'circle', size: 2, hosts: 2 }, { kind: 'circle', size: 2, hosts: 2 }],
      heldRounds: [{ tables: [{ mentorId: 'm1', coMentorId: 'm2', menteeIds: ['e1'] }] }, { tables: [{ mentorId: 'm2', coMentorId: 'm3', menteeIds: ['e1'] }] }],
    };
    expect(() => replan(repeated)).toThrow('pair m2–e1 meets in held round 1 and again in held round 2');
  });
});

/** Small events and re-plans with co-hosted circle rounds still to plan, for the exact integer program. */
function coHostedIlpInstances(): { name: string; input: ReplanInput }[] {
  const list: { name: string; input: ReplanInput }[] = [];
  const coHostedLeft = (input: ReplanInput): boolean => (input.formats ?? []).slice(input.heldRounds.length).some((f) => f.kind === 'circle' && f.hosts === 2);
  const small = { clean: false, coHosts: true, maxMentors: 5, maxMentees: 6, maxRounds: 3 };
  fc.sample(mixedEventArbitrary(small), { numRuns: 150, seed: 41 })
    .map(fresh)
    .filter(coHostedLeft)
    .slice(0, 40)
    .forEach((input, k) => list.push({ name: `generated event ${k}`, input }));
  fc.sample(mixedReplanArbitrary(small), { numRuns: 150, seed: 42 })
    .filter(coHostedLeft)
    .slice(0, 25)
    .forEach((input, k) => list.push({ name: `generated re-plan ${k}`, input }));
  for (let k = 0; k < 15; k++) {
    const rounds = 1 + (k % 3);
    const event = makeEvent({ mentors: 2 + (k % 4), mentees: 3 + (k % 5), rounds, allowSharedTables: k % 2 === 0, pins: k % 3, forbidden: k % 4, seed: k }, 700 + k);
    const formats: RoundFormat[] = Array.from({ length: rounds }, (_, r): RoundFormat =>
      r === k % rounds ? { kind: 'circle', size: 1 + ((r + k) % 3), hosts: 2 } : (r + k) % 2 === 0 ? { kind: 'pairs' } : { kind: 'circle', size: 2 },
    );
    list.push({ name: `random event ${k}`, input: fresh({ ...event, formats }) });
  }
  return list;
}

/**
 * `input` with only the pins the plan meets (held rounds included). The integer program fixes
 * every pin to meet, and so does the planner's bound, which is solved again without the pins the
 * formats left unmet (see replan): both then describe the plans that meet the same pins as this one.
 */
function withPinsMet(input: ReplanInput, plan: Plan): { input: ReplanInput; dropped: number } {
  const met = new Set<string>();
  for (const round of plan.rounds) {
    for (const table of round.tables) {
      for (const mentorId of [table.mentorId, ...(table.coMentorId ? [table.coMentorId] : [])]) for (const id of table.menteeIds) met.add(`${mentorId}\u0000${id}`);
    }
  }
  const pinned = (input.pinned ?? []).filter((p) => met.has(`${p.mentorId}\u0000${p.menteeId}`));
  return { input: { ...input, pinned }, dropped: (input.pinned ?? []).length - pinned.length };
}

describe('co-hosted circles against the exact integer program (HiGHS)', () => {
  const tally = { exactAndOptimal: 0, optimalNotProven: 0, gap: 0, gapInMeetings: 0, withPinsUnmet: 0 };
  it.each(coHostedIlpInstances())(
    'are feasible for it, never beaten by it, and claim a bound it never beats ($name)',
    async ({ input }) => {
      const plan = replan(input);
      const exact = withPinsMet(input, plan);
      if (exact.dropped > 0) tally.withPinsUnmet++;
      const ilp = await solveFormatsExactly(exact.input);
      const { achieved } = compareWithIlp(input, plan, ilp, tally);
      if (ilp.meetings > achieved.meetings) tally.gapInMeetings++;
    },
    30_000,
  );

  it('tallies how often the plan is the ILP optimum', () => {
    // Printed for the report: proven exact, optimal without proof, or short of the ILP optimum (and
    // of those, how many in meetings); and plans that left a pin unmet.
    console.info(`co-hosted circles vs ILP: ${JSON.stringify(tally)}`);
    expect(tally.exactAndOptimal + tally.optimalNotProven + tally.gap).toBe(coHostedIlpInstances().length);
  });
});
