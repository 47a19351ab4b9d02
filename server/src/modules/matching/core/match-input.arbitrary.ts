/** fast-check generator of small events with many ties, for the property tests. */
import fc from 'fast-check';
import type { MatchInput, MenteeInput, MentorInput } from './types.ts';

interface Cell {
  mentee: 'ranked' | 'unranked' | 'not-a-fit';
  rankKey: number;
  rated: boolean;
  fit: number;
  wouldMentor: boolean;
}

const cell: fc.Arbitrary<Cell | null> = fc.option(
  fc.record({
    mentee: fc.constantFrom<Cell['mentee']>('ranked', 'ranked', 'ranked', 'ranked', 'unranked', 'not-a-fit'),
    rankKey: fc.nat(20),
    rated: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    // Few distinct fits, so mentors' ties (and the seed) matter.
    fit: fc.integer({ min: 3, max: 5 }),
    wouldMentor: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  }),
  { freq: 4 },
);

const quota = fc.oneof(
  { weight: 6, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.integer({ min: 2, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);

export function arbitraryMatchInput(
  options: { maxMentees?: number; maxMentors?: number; manyToMany?: boolean } = {},
): fc.Arbitrary<MatchInput> {
  const { maxMentees = 7, maxMentors = 5, manyToMany = true } = options;
  return fc
    .record({ n: fc.integer({ min: 0, max: maxMentees }), m: fc.integer({ min: 0, max: maxMentors }) })
    .chain(({ n, m }) =>
      fc.record({
        cells: fc.array(fc.array(cell, { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        capacities: fc.array(quota, { minLength: m, maxLength: m }),
        sizes: fc.array(manyToMany ? quota : fc.constant(1), { minLength: n, maxLength: n }),
        seed: fc.oneof(fc.integer(), fc.string({ maxLength: 6 })),
        unranked: fc.constantFrom<'last' | 'exclude'>('last', 'exclude'),
      }),
    )
    .map(({ cells, capacities, sizes, seed, unranked }) => {
      const mentors: MentorInput[] = capacities.map((capacity, j) => ({ id: `r${j}`, capacity, ratings: [] }));
      const mentees: MenteeInput[] = cells.map((row, i) => {
        const id = `e${i}`;
        const ranked: { j: number; key: number }[] = [];
        const notAFit: string[] = [];
        row.forEach((c, j) => {
          if (c === null) return;
          if (c.mentee === 'ranked') ranked.push({ j, key: c.rankKey });
          if (c.mentee === 'not-a-fit') notAFit.push(`r${j}`);
          if (c.rated) mentors[j]!.ratings.push({ menteeId: id, fit: c.fit, wouldMentor: c.wouldMentor });
        });
        ranked.sort((a, b) => a.key - b.key || a.j - b.j);
        return { id, ranking: ranked.map(({ j }) => `r${j}`), notAFit, constellationSize: sizes[i]! };
      });
      return { mentees, mentors, seed, unranked };
    });
}
