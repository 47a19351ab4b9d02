import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockingEdges, readAssignment } from './assignment.ts';
import {
  checkAssignment,
  matchStats,
  pairWelfare,
  stableMatch,
  welfareMatch,
  type MatchInput,
  type MatchPair,
  type WelfareObjective,
} from './index.ts';
import { arbitraryMatchInput } from './match-input.arbitrary.ts';
import { makeMatchInput } from './match-input.factory.ts';
import { buildModel, metPairOf, type Model } from './model.ts';

type Highs = Awaited<ReturnType<(typeof import('highs'))['default']>>;
let highs: Highs;

beforeAll(async () => {
  highs = await (await import('highs')).default();
});

const events = arbitraryMatchInput();

const key = (p: MatchPair): string => `${p.menteeId}->${p.mentorId}`;
const pairSet = (pairs: MatchPair[]): string[] => pairs.map(key).sort();

function counts(pairs: MatchPair[]): { mentees: Record<string, number>; mentors: Record<string, number> } {
  const mentees: Record<string, number> = {};
  const mentors: Record<string, number> = {};
  for (const p of pairs) {
    mentees[p.menteeId] = (mentees[p.menteeId] ?? 0) + 1;
    mentors[p.mentorId] = (mentors[p.mentorId] ?? 0) + 1;
  }
  return { mentees, mentors };
}

function strictBlocking(input: MatchInput, pairs: MatchPair[]): number {
  const model = buildModel(input);
  return blockingEdges(model, readAssignment(model, pairs), 'strict').length;
}

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

/** The same event with every list in another order. */
function reorder(input: MatchInput, seed: number): MatchInput {
  return {
    ...input,
    mentees: shuffled(input.mentees, seed).map((m) => ({ ...m, notAFit: shuffled(m.notAFit ?? [], seed + 1) })),
    mentors: shuffled(input.mentors, seed + 2).map((m) => ({ ...m, ratings: shuffled(m.ratings, seed + 3) })),
  };
}

/** Exact LP optimum of the welfare proposal (the bipartite b-matching polytope is integral). */
function lpOptimum(model: Model, objective: WelfareObjective): { pairs: number; welfare: number } {
  const E = model.edgeCount;
  if (E === 0) return { pairs: 0, welfare: 0 };
  const vars = Array.from({ length: E }, (_, e) => `x${e}`);
  const rows: string[] = [];
  for (let i = 0; i < model.n; i++) {
    const from = model.menteeStart[i]!;
    const to = model.menteeStart[i + 1]!;
    if (to > from) {
      const terms = Array.from(model.menteeEdges.subarray(from, to), (e) => vars[e]).join(' + ');
      rows.push(` e${i}: ${terms} <= ${model.quota[i]}`);
    }
  }
  for (let j = 0; j < model.m; j++) {
    const from = model.mentorStart[j]!;
    const to = model.mentorStart[j + 1]!;
    if (to > from) {
      const terms = Array.from(model.mentorEdges.subarray(from, to), (e) => vars[e]).join(' + ');
      rows.push(` r${j}: ${terms} <= ${model.capacity[j]}`);
    }
  }
  const bounds = vars.map((v) => ` 0 <= ${v} <= 1`).join('\n');
  const solve = (objectiveTerms: string, extraRow = ''): number => {
    const lp = `Maximize\n obj: ${objectiveTerms}\nSubject To\n${rows.join('\n')}\n${extraRow}\nBounds\n${bounds}\nEnd`;
    const result = highs.solve(lp, { output_flag: false } as never);
    expect(result.Status).toBe('Optimal');
    return result.ObjectiveValue;
  };
  const welfareTerms = vars.map((v, e) => `${pairWelfare(model.edgeRank[e]!, model.edgeFit[e]!)} ${v}`).join(' + ');
  if (objective === 'welfare') {
    // Most pairs among the welfare optima: the optimal face of an integral polytope is integral.
    const best = Math.round(solve(welfareTerms));
    return { pairs: Math.round(solve(vars.join(' + '), ` best: ${welfareTerms} >= ${best}`)), welfare: best };
  }
  const most = Math.round(solve(vars.join(' + ')));
  return { pairs: most, welfare: solve(welfareTerms, ` card: ${vars.join(' + ')} >= ${most}`) };
}

/** Every assignment of acceptable pairs within capacity that has no strict blocking pair. */
function allStableMatchings(model: Model): number[][] {
  const out: number[][] = [];
  const menteeLoad = new Int32Array(model.n);
  const mentorLoad = new Int32Array(model.m);
  const chosen: number[] = [];
  const ids = (edges: number[]): MatchPair[] =>
    edges.map((e) => ({ menteeId: model.menteeIds[model.edgeMentee[e]!]!, mentorId: model.mentorIds[model.edgeMentor[e]!]! }));
  const visit = (e: number): void => {
    if (e === model.edgeCount) {
      if (blockingEdges(model, readAssignment(model, ids(chosen)), 'strict').length === 0) out.push([...chosen]);
      return;
    }
    visit(e + 1);
    const i = model.edgeMentee[e]!;
    const j = model.edgeMentor[e]!;
    if (menteeLoad[i]! < model.quota[i]! && mentorLoad[j]! < model.capacity[j]!) {
      menteeLoad[i]!++;
      mentorLoad[j]!++;
      chosen.push(e);
      visit(e + 1);
      chosen.pop();
      menteeLoad[i]!--;
      mentorLoad[j]!--;
    }
  };
  visit(0);
  return out;
}

describe('final matching on generated events', () => {
  it('respects mentor capacity and mentee constellation size, and uses only acceptable pairs', () => {
    fc.assert(
      fc.property(events, (input) => {
        for (const proposal of [
          stableMatch(input),
          stableMatch(input, { proposer: 'mentor' }),
          welfareMatch(input),
          welfareMatch(input, { objective: 'matched-then-welfare' }),
        ]) {
          const check = checkAssignment(input, proposal.pairs);
          expect(check.capacityViolations).toEqual([]);
          expect(check.invalidPairs).toEqual([]);
          expect(check.ok).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('gives a stable proposal with no blocking pair, for stated and for seed-tie-broken preferences', () => {
    fc.assert(
      fc.property(events, (input) => {
        for (const proposer of ['mentee', 'mentor'] as const) {
          const { pairs } = stableMatch(input, { proposer });
          expect(matchStats(input, pairs).blockingPairs).toBe(0);
          expect(strictBlocking(input, pairs)).toBe(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('matches the same people, as many times each, whichever side proposes (rural hospitals)', () => {
    fc.assert(
      fc.property(arbitraryMatchInput({ maxMentees: 12, maxMentors: 6 }), (input) => {
        const byMentees = counts(stableMatch(input, { proposer: 'mentee' }).pairs);
        const byMentors = counts(stableMatch(input, { proposer: 'mentor' }).pairs);
        expect(byMentors).toEqual(byMentees);
      }),
      { numRuns: 500 },
    );
  });

  it('finds exactly the stable matchings a brute-force search finds, mentee-proposing best for each single-mentor mentee', () => {
    fc.assert(
      fc.property(arbitraryMatchInput({ maxMentees: 5, maxMentors: 4 }), (input) => {
        const model = buildModel(input);
        fc.pre(model.edgeCount <= 13);
        const all = allStableMatchings(model).map((edges) =>
          edges.map((e) => `${model.menteeIds[model.edgeMentee[e]!]}->${model.mentorIds[model.edgeMentor[e]!]}`).sort(),
        );
        const mentee = pairSet(stableMatch(input).pairs);
        const mentor = pairSet(stableMatch(input, { proposer: 'mentor' }).pairs);
        expect(all).toContainEqual(mentee);
        expect(all).toContainEqual(mentor);
        const matched = (pairs: string[]): Record<string, number> =>
          counts(pairs.map((p) => ({ menteeId: p.split('->')[0]!, mentorId: p.split('->')[1]! }))).mentees;
        for (const other of all) expect(matched(other)).toEqual(matched(mentee));
        // Mentee-optimality, where a mentee holds one mentor: no stable matching gives them better.
        for (let i = 0; i < model.n; i++) {
          if (model.quota[i] !== 1) continue;
          const id = model.menteeIds[i]!;
          const position = (pairs: string[]): number => {
            const mine = pairs.find((p) => p.startsWith(`${id}->`));
            if (mine === undefined) return Infinity;
            const j = model.mentorIndex.get(mine.split('->')[1]!)!;
            return model.menteePos[model.metEdge[metPairOf(model, i, j)]!]!;
          };
          for (const other of all) expect(position(mentee)).toBeLessThanOrEqual(position(other));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result for the same seed, whatever the input order', () => {
    fc.assert(
      fc.property(events, fc.integer(), (input, order) => {
        const again = reorder(input, order);
        expect(pairSet(stableMatch(again).pairs)).toEqual(pairSet(stableMatch(input).pairs));
        expect(pairSet(stableMatch(again, { proposer: 'mentor' }).pairs)).toEqual(
          pairSet(stableMatch(input, { proposer: 'mentor' }).pairs),
        );
        expect(pairSet(welfareMatch(again).pairs)).toEqual(pairSet(welfareMatch(input).pairs));
        expect(stableMatch(input)).toEqual(stableMatch(structuredClone(input)));
      }),
      { numRuns: 300 },
    );
  });

  it('reaches the exact LP optimum of total welfare, with the most pairs among optima (checked with HiGHS)', () => {
    fc.assert(
      fc.property(arbitraryMatchInput({ maxMentees: 10, maxMentors: 6 }), (input) => {
        const model = buildModel(input);
        const ours = matchStats(input, welfareMatch(input).pairs);
        const optimum = lpOptimum(model, 'welfare');
        expect(ours.welfare).toBe(optimum.welfare);
        expect(ours.pairs).toBe(optimum.pairs);
        const most = matchStats(input, welfareMatch(input, { objective: 'matched-then-welfare' }).pairs);
        const lp = lpOptimum(model, 'matched-then-welfare');
        expect(most.pairs).toBe(lp.pairs);
        expect(most.welfare).toBe(Math.round(lp.welfare));
      }),
      { numRuns: 150 },
    );
  });

  it('stays exact on larger events where supply and demand are close (long augmenting paths)', () => {
    fc.assert(
      fc.property(
        fc.record({
          generatorSeed: fc.integer(),
          mentees: fc.integer({ min: 60, max: 200 }),
          capacity: fc.constantFrom<[number, number]>([1, 1], [2, 3], [3, 3], [1, 5]),
          constellationSize: fc.constantFrom<[number, number]>([1, 1], [1, 3]),
        }),
        ({ mentees, ...shape }) => {
          const input = makeMatchInput({ ...shape, mentees, mentors: Math.ceil(mentees / 3), metPerMentee: 6 });
          const model = buildModel(input);
          for (const objective of ['welfare', 'matched-then-welfare'] as const) {
            const ours = matchStats(input, welfareMatch(input, { objective }).pairs);
            const lp = lpOptimum(model, objective);
            expect([ours.pairs, ours.welfare]).toEqual([lp.pairs, Math.round(lp.welfare)]);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('welfare proposals are never worse than the stable one on their own objective', () => {
    fc.assert(
      fc.property(events, (input) => {
        const stable = matchStats(input, stableMatch(input).pairs);
        const welfare = matchStats(input, welfareMatch(input).pairs);
        const most = matchStats(input, welfareMatch(input, { objective: 'matched-then-welfare' }).pairs);
        expect(welfare.welfare).toBeGreaterThanOrEqual(stable.welfare);
        expect(most.pairs).toBeGreaterThanOrEqual(Math.max(stable.pairs, welfare.pairs));
      }),
      { numRuns: 300 },
    );
  });

  it('explains every unmatched person, and never blames a stable proposal for leaving someone out', () => {
    fc.assert(
      fc.property(events, (input) => {
        const stats = matchStats(input, stableMatch(input).pairs);
        expect(stats.menteesMatched + stats.unmatchedMentees.length).toBe(input.mentees.length);
        expect(stats.mentorsMatched + stats.unmatchedMentors.length).toBe(input.mentors.length);
        for (const u of [...stats.unmatchedMentees, ...stats.unmatchedMentors]) {
          expect(u.reason).not.toBe('left-out-by-proposal');
          expect(u.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
