import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockingEdges, readAssignment } from './assignment.ts';
import { circleInput, circleMatch, circlesOf, type CirclesInput } from './circles.ts';
import { checkAssignment, matchStats, stableMatch, MatchingInputError, type MatchInput, type MatchPair } from './index.ts';
import { arbitraryMatchInput } from './match-input.arbitrary.ts';
import { makeMatchInput, makePeerWishes } from './match-input.factory.ts';
import { buildModel, type Model } from './model.ts';
import { solveCirclesExactly } from './testing/circles-ilp.ts';

/** Peer wishes over an event's mentees: each listed pair is one-sided or mutual. */
function withWishes(events: fc.Arbitrary<MatchInput>): fc.Arbitrary<CirclesInput> {
  return events.chain((input) =>
    fc
      .array(fc.record({ a: fc.nat(), b: fc.nat(), mutual: fc.boolean() }), { maxLength: input.mentees.length * 2 })
      .map((list) => {
        const n = input.mentees.length;
        const peerWishes: Record<string, string[]> = {};
        const wish = (a: string, b: string) => {
          if (a !== b && !(peerWishes[a] ??= []).includes(b)) peerWishes[a]!.push(b);
        };
        for (const { a, b, mutual } of n ? list : []) {
          const x = input.mentees[a % n]!.id;
          const y = input.mentees[b % n]!.id;
          wish(x, y);
          if (mutual) wish(y, x);
        }
        return { ...input, peerWishes };
      }),
  );
}

const mutual = (input: CirclesInput, a: string, b: string): boolean =>
  (input.peerWishes?.[a] ?? []).includes(b) && (input.peerWishes?.[b] ?? []).includes(a);

/** Objective of any circles: (mutual wishes met, rank sum, positions in lottery order). */
function score(input: CirclesInput, model: Model, pairs: readonly MatchPair[]): { wishes: number; rankSum: number; key: number[] } {
  const mentorOf = new Map(pairs.map((p) => [p.menteeId, p.mentorId]));
  let wishes = 0;
  const ids = input.mentees.map((m) => m.id);
  for (let a = 0; a < ids.length; a++) {
    for (let b = a + 1; b < ids.length; b++) {
      const ja = mentorOf.get(ids[a]!);
      if (ja !== undefined && ja === mentorOf.get(ids[b]!) && mutual(input, ids[a]!, ids[b]!)) wishes++;
    }
  }
  const pos = new Map<string, number>();
  for (let e = 0; e < model.edgeCount; e++) pos.set(`${model.menteeIds[model.edgeMentee[e]!]}:${model.mentorIds[model.edgeMentor[e]!]}`, model.menteePos[e]!);
  let rankSum = 0;
  for (const p of pairs) rankSum += pos.get(`${p.menteeId}:${p.mentorId}`)!;
  const key = Array.from(model.menteeLotteryOrder, (i) => {
    const j = mentorOf.get(model.menteeIds[i]!);
    return j === undefined ? 0 : pos.get(`${model.menteeIds[i]}:${j}`)!;
  });
  return { wishes, rankSum, key };
}

const compare = (x: ReturnType<typeof score>, y: ReturnType<typeof score>): number => {
  if (x.wishes !== y.wishes) return y.wishes - x.wishes;
  if (x.rankSum !== y.rankSum) return x.rankSum - y.rankSum;
  for (let k = 0; k < x.key.length; k++) if (x.key[k] !== y.key[k]) return x.key[k]! - y.key[k]!;
  return 0;
};

/** Every stable circles assignment, by brute force over all assignments within capacity. */
function allStableCircles(model: Model): MatchPair[][] {
  const out: MatchPair[][] = [];
  const load = new Int32Array(model.m);
  const chosen: MatchPair[] = [];
  const visit = (i: number): void => {
    if (i === model.n) {
      if (blockingEdges(model, readAssignment(model, chosen), 'strict').length === 0) out.push([...chosen]);
      return;
    }
    visit(i + 1);
    if (model.quota[i] === 0) return;
    for (let p = model.menteeStart[i]!; p < model.menteeStart[i + 1]!; p++) {
      const j = model.edgeMentor[model.menteeEdges[p]!]!;
      if (load[j]! >= model.capacity[j]!) continue;
      load[j]!++;
      chosen.push({ menteeId: model.menteeIds[i]!, mentorId: model.mentorIds[j]! });
      visit(i + 1);
      chosen.pop();
      load[j]!--;
    }
  };
  visit(0);
  return out;
}

const key = (p: MatchPair): string => `${p.menteeId}->${p.mentorId}`;
const pairSet = (pairs: readonly MatchPair[]): string[] => pairs.map(key).sort();

/**
 * Events whose lattice of stable matchings is rich: independent random preferences on both sides
 * (the shared generator's correlated ones mostly give a single stable matching) and dense wishes.
 */
export function arbitraryRichCircles(maxMentees: number, maxMentors: number): fc.Arbitrary<CirclesInput> {
  return fc
    .record({ n: fc.integer({ min: 2, max: maxMentees }), m: fc.integer({ min: 2, max: maxMentors }), opposed: fc.boolean() })
    .chain(({ n, m, opposed }) =>
      fc.record({
        met: fc.array(fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        rankKeys: fc.array(fc.array(fc.nat(1000), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        fits: fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        capacities: fc.array(fc.integer({ min: 1, max: Math.max(1, Math.round((1.3 * n) / m)) }), { minLength: m, maxLength: m }),
        opposed: fc.constant(opposed),
        wishes: fc.array(fc.array(fc.constantFrom('none', 'none', 'mutual', 'mutual', 'one-way'), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
        seed: fc.integer(),
      }),
    )
    .map(({ met, rankKeys, fits, capacities, wishes, seed, opposed }) => {
      const n = met.length;
      const m = capacities.length;
      const peerWishes: Record<string, string[]> = {};
      const add = (a: number, b: number) => (peerWishes[`e${a}`] ??= []).push(`e${b}`);
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) {
          if (wishes[a]![b] === 'mutual') add(a, b), add(b, a);
          if (wishes[a]![b] === 'one-way') add(a, b);
        }
      }
      return {
        seed,
        mentees: met.map((row, i) => ({
          id: `e${i}`,
          ranking: row
            .map((ok, j) => ({ ok, j, k: rankKeys[i]![j]! }))
            .filter((c) => c.ok)
            .sort((a, b) => a.k - b.k || a.j - b.j)
            .map((c) => `r${c.j}`),
        })),
        mentors: capacities.map((capacity, j) => ({
          id: `r${j}`,
          capacity,
          // Opposed: mentors like best the mentees who like them least, which makes many stable matchings.
          ratings: met.flatMap((row, i) => (row[j] ? [{ menteeId: `e${i}`, fit: opposed ? 1 + Math.floor(rankKeys[i]![j]! / 200.2) : fits[i]![j]!, wouldMentor: true }] : [])),
        })),
        peerWishes,
      };
    });
}

const small = fc.oneof(withWishes(arbitraryMatchInput({ maxMentees: 7, maxMentors: 4 })), arbitraryRichCircles(7, 4));

describe('circles as the final outcome', () => {
  it('puts each mentee in at most one circle, within the mentor capacity, only with acceptable mentors, stably', () => {
    fc.assert(
      fc.property(fc.oneof(withWishes(arbitraryMatchInput({ maxMentees: 12, maxMentors: 6 })), arbitraryRichCircles(12, 6)), (input) => {
        const result = circleMatch(input);
        const check = checkAssignment(circleInput(input), result.pairs);
        expect(check.capacityViolations).toEqual([]);
        expect(check.invalidPairs).toEqual([]);
        expect(check.blockingPairs).toEqual([]);
        const model = buildModel(circleInput(input));
        expect(blockingEdges(model, readAssignment(model, result.pairs), 'strict')).toEqual([]);
        expect(result.circles.flatMap((c) => c.menteeIds.map((menteeId) => key({ menteeId, mentorId: c.mentorId }))).sort()).toEqual(pairSet(result.pairs));
        for (const c of result.circles) {
          for (const [a, b] of c.mutualWishes) {
            expect(c.menteeIds).toContain(a);
            expect(c.menteeIds).toContain(b);
            expect(mutual(input, a, b)).toBe(true);
          }
        }
        expect(result.circles.reduce((n, c) => n + c.mutualWishes.length, 0)).toBe(result.mutualWishes);
        expect(result.optimality.exact).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('places exactly the people every stable matching places (rural hospitals), so no stable choice places more', () => {
    fc.assert(
      fc.property(small, (input) => {
        const placed = (pairs: readonly MatchPair[]) => pairs.map((p) => p.menteeId).sort();
        expect(placed(circleMatch(input).pairs)).toEqual(placed(stableMatch(circleInput(input)).pairs));
      }),
      { numRuns: 300 },
    );
  });

  it('finds the best stable circles a brute-force search finds: most mutual wishes, then best ranks, then the seed', () => {
    fc.assert(
      fc.property(small, (input) => {
        const model = buildModel(circleInput(input));
        fc.pre(model.edgeCount <= 16);
        const all = allStableCircles(model);
        expect(all.length).toBeGreaterThan(0);
        const best = all.map((pairs) => ({ pairs, s: score(input, model, pairs) })).sort((x, y) => compare(x.s, y.s))[0]!;
        const result = circleMatch(input);
        expect(pairSet(result.pairs)).toEqual(pairSet(best.pairs));
        expect([result.mutualWishes, result.rankSum]).toEqual([best.s.wishes, best.s.rankSum]);
        // The lattice holds every stable matching: as many rotations as it takes to walk it.
        expect(all.length === 1).toBe(result.optimality.rotations === 0);
      }),
      { numRuns: 600 },
    );
  });

  it('reaches the exact ILP optimum of mutual wishes, then rank sum, over stable circles (checked with HiGHS)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(withWishes(arbitraryMatchInput({ maxMentees: 14, maxMentors: 6 })), arbitraryRichCircles(14, 6)), async (input) => {
        const ours = circleMatch(input);
        const ilp = await solveCirclesExactly(input);
        expect(ilp.status).toBe('optimal');
        expect([ours.mutualWishes, ours.rankSum]).toEqual([ilp.wishes, ilp.rankSum]);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('stays exact against HiGHS on larger events with many mutual wishes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 20, max: 60 }), async (generatorSeed, mentees) => {
        const base = makeMatchInput({ generatorSeed, mentees, mentors: Math.ceil(mentees / 4), metPerMentee: 4, capacity: [2, 5] });
        const input = { ...base, peerWishes: makePeerWishes(base, { perMentee: 3, generatorSeed }) };
        const ours = circleMatch(input);
        const ilp = await solveCirclesExactly(input);
        expect(ours.optimality.exact).toBe(true);
        expect([ours.mutualWishes, ours.rankSum]).toEqual([ilp.wishes, ilp.rankSum]);
      }),
      { numRuns: 40 },
    );
  }, 300_000);

  it('gives the same circles for the same seed, whatever the input order', () => {
    fc.assert(
      fc.property(small, fc.integer(), (input, order) => {
        const again: CirclesInput = {
          ...input,
          mentees: shuffled(input.mentees, order),
          mentors: shuffled(input.mentors, order + 1).map((m) => ({ ...m, ratings: shuffled(m.ratings, order + 2) })),
          peerWishes: Object.fromEntries(shuffled(Object.entries(input.peerWishes ?? {}), order + 3).map(([k, v]) => [k, shuffled(v, order + 4)])),
        };
        expect(pairSet(circleMatch(again).pairs)).toEqual(pairSet(circleMatch(input).pairs));
      }),
      { numRuns: 300 },
    );
  });

  it('stops at its node budget with the best circles found and a proven bound on mutual wishes', () => {
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 4 }), (input, maxNodes) => {
        const exact = circleMatch(input);
        const cut = circleMatch(input, { maxNodes });
        const check = checkAssignment(circleInput(input), cut.pairs);
        expect(check.ok && check.blockingPairs.length === 0).toBe(true);
        expect(cut.optimality.wishesBound).toBeGreaterThanOrEqual(exact.mutualWishes);
        expect(cut.optimality.gap).toBe(cut.optimality.wishesBound - cut.mutualWishes);
        if (cut.optimality.exact) expect([cut.mutualWishes, cut.rankSum]).toEqual([exact.mutualWishes, exact.rankSum]);
      }),
      { numRuns: 300 },
    );
  });

  it('moves a mentee to their second choice when that seats two mutual peers together and stays stable', () => {
    // Mentor A prefers m1 over m2 and has one seat; B takes two. m1 and m2 rank A first, m3 ranks B.
    // Mentee-optimal: m1→A, m2→B. m2 and m3 wish for each other: still best, m2 is with B already.
    // m1 and m3 wish for each other, but A prefers m1 and m1 ranks A first: moving m1 would be unstable.
    const input: CirclesInput = {
      seed: 1,
      mentees: [
        { id: 'm1', ranking: ['A', 'B'] },
        { id: 'm2', ranking: ['A', 'B'] },
        { id: 'm3', ranking: ['B'] },
      ],
      mentors: [
        { id: 'A', capacity: 1, ratings: [{ menteeId: 'm1', fit: 5, wouldMentor: true }, { menteeId: 'm2', fit: 3, wouldMentor: true }] },
        { id: 'B', capacity: 2, ratings: ['m1', 'm2', 'm3'].map((menteeId) => ({ menteeId, fit: 4, wouldMentor: true })) },
      ],
      peerWishes: { m1: ['m3'], m3: ['m1', 'm2'], m2: ['m3'] },
    };
    const result = circleMatch(input);
    expect(result.circles).toEqual([
      { mentorId: 'A', menteeIds: ['m1'], mutualWishes: [] },
      { mentorId: 'B', menteeIds: expect.arrayContaining(['m2', 'm3']), mutualWishes: [['m2', 'm3']] },
    ]);
    expect(result.mutualWishPairs).toBe(2);
    expect(matchStats(circleInput(input), result.pairs).blockingPairs).toBe(0);
  });

  it('trades ranks for a mutual wish when two stable circles exist', () => {
    // Two stable matchings: mentee-optimal (x→P, y→Q) and mentor-optimal (x→Q, y→P).
    // z sits with Q either way. A wish between y and z is met by the mentee-optimal one already, so
    // ranks keep it; a wish between x and z is met only by the mentor-optimal one, which then wins.
    const input: CirclesInput = {
      seed: 'event',
      mentees: [
        { id: 'x', ranking: ['P', 'Q'] },
        { id: 'y', ranking: ['Q', 'P'] },
        { id: 'z', ranking: ['Q'] },
      ],
      mentors: [
        { id: 'P', capacity: 1, ratings: [{ menteeId: 'y', fit: 5, wouldMentor: true }, { menteeId: 'x', fit: 2, wouldMentor: true }] },
        { id: 'Q', capacity: 2, ratings: [{ menteeId: 'z', fit: 5, wouldMentor: true }, { menteeId: 'x', fit: 4, wouldMentor: true }, { menteeId: 'y', fit: 2, wouldMentor: true }] },
      ],
      peerWishes: { y: ['z'], z: ['y'] },
    };
    expect(pairSet(stableMatch(circleInput(input)).pairs)).toEqual(['x->P', 'y->Q', 'z->Q']);
    const result = circleMatch(input);
    expect(pairSet(result.pairs)).toEqual(['x->P', 'y->Q', 'z->Q']);
    expect(result.mutualWishes).toBe(1);
    const other = circleMatch({ ...input, peerWishes: { x: ['z'], z: ['x'] } });
    expect(pairSet(other.pairs)).toEqual(['x->Q', 'y->P', 'z->Q']);
    expect([other.mutualWishes, other.optimality.rotations, other.optimality.exact]).toEqual([1, 1, true]);
  });

  it('refuses peer wishes naming someone who is not a mentee, or the mentee themselves', () => {
    const input = makeMatchInput({ mentees: 4, mentors: 2 });
    expect(() => circleMatch({ ...input, peerWishes: { 'mentee-0': ['nobody'] } })).toThrow(MatchingInputError);
    expect(() => circleMatch({ ...input, peerWishes: { 'mentee-0': ['mentee-0'] } })).toThrow(/themselves/);
    expect(() => circleMatch({ ...input, peerWishes: { ghost: ['mentee-0'] } })).toThrow(/unknown mentee/);
  });
});

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let k = out.length - 1; k > 0; k--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s % (k + 1);
    [out[k], out[r]] = [out[r]!, out[k]!];
  }
  return out;
}

describe('circles of any pairing', () => {
  it('groups pairs by mentor and counts exactly the mutual wishes met, as the proposal does', () => {
    fc.assert(
      fc.property(small, (input) => {
        const result = circleMatch(input);
        const described = circlesOf(input, result.pairs);
        expect(described.mutualWishes).toBe(result.mutualWishes);
        const asSets = (circles: { mentorId: string; menteeIds: string[]; mutualWishes: [string, string][] }[]) =>
          circles.map((c) => ({ mentorId: c.mentorId, menteeIds: [...c.menteeIds].sort(), mutualWishes: c.mutualWishes.map((w) => [...w].sort().join('+')).sort() }));
        expect(asSets(described.circles)).toEqual(asSets(result.circles));
      }),
      { numRuns: 200 },
    );
  });
});
