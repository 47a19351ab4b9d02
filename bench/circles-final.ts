/**
 * Circles as the final outcome (issue 13): prints numbers, asserts nothing.
 *
 *   npx tsx bench/circles-final.ts           circleMatch, then HiGHS's ILP on the same instances
 *   npx tsx bench/circles-final.ts --no-ilp  circleMatch only
 *
 * A realistic event: 100 mentors × 600 mentees, capacity 5 (500 seats), each mentee met 6 mentors
 * (the factory's correlated preferences), about 3 peer wishes per mentee, half returned: more
 * mentees than seats and agreeing sides leave one or two stable matchings. Then a hard event: 500
 * mentees for the 500 seats, 8 met each, and mentors who prefer the mentees who like them least,
 * which gives a lattice of a few hundred rotations. For each:
 * the first (cold) call and the median of 5 warm ones, the lattice size (rotations), branch-and-bound
 * nodes, mutual wishes met out of those possible, the proven bound and gap; then HiGHS's time on the
 * exact ILP (server/src/modules/matching/core/testing/circles-ilp.ts) and its optimum, with a
 * 2-minute limit; then the hard shape at 6 × 30 and 8 × 40, where HiGHS finishes (the stability
 * constraints make its branch-and-bound slow well before the lattice search notices the size).
 */
import { circleMatch, type CirclesInput } from '../server/src/modules/matching/core/circles.ts';
import { makeMatchInput, makePeerWishes } from '../server/src/modules/matching/core/match-input.factory.ts';
import { solveCirclesExactly } from '../server/src/modules/matching/core/testing/circles-ilp.ts';
import { median } from './lib.ts';

const withIlp = !process.argv.includes('--no-ilp');
const ILP_LIMIT_SECONDS = 120;

function realistic(generatorSeed: number): CirclesInput {
  const input = makeMatchInput({ mentees: 600, mentors: 100, metPerMentee: 6, capacity: [5, 5], generatorSeed, seed: generatorSeed });
  return { ...input, peerWishes: makePeerWishes(input, { perMentee: 3, generatorSeed }) };
}

/** As many mentees as seats, mentors' fit reversed against the mentee's ranking: a large lattice. */
function opposed(generatorSeed: number, mentors = 100): CirclesInput {
  const input = makeMatchInput({ mentees: 5 * mentors, mentors, metPerMentee: Math.min(8, mentors), capacity: [5, 5], notAFitRate: 0, unrankedRate: 0, wouldNotRate: 0.02, generatorSeed, seed: generatorSeed });
  const rankOf = new Map<string, number>();
  for (const m of input.mentees) m.ranking.forEach((j, k) => rankOf.set(`${m.id}:${j}`, k));
  return {
    ...input,
    mentors: input.mentors.map((mentor) => ({
      ...mentor,
      ratings: mentor.ratings.map((r) => ({ ...r, fit: Math.min(5, 1 + Math.floor((rankOf.get(`${r.menteeId}:${mentor.id}`) ?? 9) / 2)) })),
    })),
    peerWishes: makePeerWishes(input, { perMentee: 3, generatorSeed }),
  };
}

async function run(label: string, input: CirclesInput): Promise<void> {
  const t0 = performance.now();
  const result = circleMatch(input);
  const cold = performance.now() - t0;
  const warm: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    circleMatch(input);
    warm.push(performance.now() - t);
  }
  const o = result.optimality;
  console.log(`${label}`);
  console.log(`  circleMatch       cold ${cold.toFixed(0).padStart(6)} ms | warm median ${median(warm).toFixed(0).padStart(6)} ms`);
  console.log(
    `  lattice ${o.rotations} rotations, ${o.nodes} nodes; placed ${result.pairs.length}/${input.mentees.length}; ` +
      `mutual wishes met ${result.mutualWishes} of ${result.mutualWishPairs} | bound ${o.wishesBound}, gap ${o.gap} | ${o.exact ? 'EXACT' : 'NOT PROVEN'}; rank sum ${result.rankSum}`,
  );
  if (!withIlp) return;
  const ilp = await solveCirclesExactly(input, { timeLimitSeconds: ILP_LIMIT_SECONDS });
  console.log(
    `  HiGHS ILP         ${(ilp.solveSeconds * 1000).toFixed(0).padStart(6)} ms (${ilp.variables} binaries, ${ilp.status})` +
      (ilp.status === 'optimal' ? `: wishes ${ilp.wishes}, rank sum ${ilp.rankSum} | same optimum: ${ilp.wishes === result.mutualWishes && ilp.rankSum === result.rankSum}` : ''),
  );
}

await run('realistic: 100 mentors × 600 mentees, capacity 5, 6 met each, ~3 wishes each', realistic(1));
await run('hard: 100 mentors × 500 mentees, capacity 5, 8 met each, mentors prefer who likes them least', opposed(1));
await run('hard, smaller: 6 mentors × 30 mentees, same shape', opposed(1, 6));
await run('hard, smaller: 8 mentors × 40 mentees, same shape', opposed(1, 8));
