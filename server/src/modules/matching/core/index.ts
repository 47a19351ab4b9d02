/**
 * Final matching: pure functions over plain JSON data (no I/O, no clock, no Math.random).
 *
 * Input (`MatchInput`, see types.ts): mentees with an ordered `ranking` of mentor ids (rank 1
 * first), optional `notAFit` mentor ids and `constellationSize` (default 1); mentors with a
 * `capacity` (default 1) and `ratings` `{ menteeId, fit: 1-5, wouldMentor }` of mentees met; a
 * `seed`; an `unranked` policy (default `'last'`).
 *
 * Acceptable pair: met, not marked "not a fit" by the mentee, rated `wouldMentor: true` by the
 * mentor (no rating = no consent), and ranked by the mentee, or, with `unranked: 'last'`, met but
 * unranked (then below every ranked mentor, ties broken by the seed; `'exclude'` drops them).
 * Only acceptable pairs are ever proposed.
 *
 * Preferences: the mentee's by rank; the mentor's by fit, descending. Ties (equal fits, unranked
 * mentors) are broken by a lottery drawn from (seed, id): same seed and data, same result,
 * whatever the input order.
 *
 *   stableMatch(input, { proposer: 'mentee' | 'mentor' }): MatchProposal
 *     Deferred acceptance with capacities and constellation sizes (many-to-one, many-to-many).
 *     Default proposer 'mentee': the stable matching every mentee likes best (ties seed-broken). Both match
 *     the same people with the same counts (rural hospitals theorem); who gets whom may differ.
 *
 *   welfareMatch(input, { objective: 'welfare' | 'matched-then-welfare' }): MatchProposal
 *     Exact maximum total welfare (min-cost flow), `pairWelfare(rank, fit)` per pair (see
 *     welfare.ts: 11 - rank for the mentee, 0 if unranked, plus 2 x fit; always in [2, 20]). Ties
 *     favour more pairs. 'matched-then-welfare' first maximizes the number of pairs.
 *     May contain blocking pairs: that is the trade-off shown next to the stable proposal.
 *
 *   matchStats(input, pairs): MatchStats
 *     For any pairs (proposal or hand-edited): counts matched, first choices, average rank,
 *     welfare, blocking pairs, and every unmatched person with a reason (organizer-only).
 *
 *   blockingPairs(input, pairs): MatchPair[]
 *     Acceptable, unassigned pairs where both would strictly gain (stated preferences: ties never
 *     block); someone with free room gains from any acceptable partner.
 *
 *   checkAssignment(input, pairs): AssignmentCheck
 *     Warnings for manual assign/swap: capacity violations, invalid pairs (unknown, duplicate,
 *     not met, "not a fit", "would not mentor", ...), blocking pairs.
 *
 *   circleMatch(input & { peerWishes }, { maxNodes? }): CirclesProposal (circles.ts)
 *     Circles as the final outcome: each mentee in at most one mentor's circle (of at most its
 *     capacity), stable, then the most mutual peer wishes, then the best ranks, then the seed; exact
 *     branch-and-bound over the lattice of stable matchings, with a proven bound if its node budget
 *     runs out.
 *
 *   compareProposals(input, { proposer?, objective? }): { stable, welfare }, each
 *     { proposal, stats }, indexing the input once: what the organizer's side-by-side view needs.
 *
 * Unmatched reasons (MatchStats.unmatchedMentees / unmatchedMentors, codes in types.ts), checked in
 * this order: constellation size / capacity 0; met nobody; marked every mentor "not a fit"; not
 * rated "would mentor" by anyone met (mentor: rated nobody "would mentor"); no pair acceptable to
 * both; every acceptable partner is full with people they prefer (or equally liked, lost the
 * seeded draw); otherwise the proposal left them out although a partner had room or took someone
 * they like less (never the case for a stable proposal).
 *
 * Performance (bench/matching.ts): indexing is O(pairs); deferred acceptance is O(pairs log cap);
 * the flow runs at most MAX_PAIR_WELFARE + 1 primal-dual phases for 'welfare'.
 *
 * Invalid input (duplicate ids, unknown ids, a mentor both ranked and "not a fit", fit outside
 * 1-5, negative capacity) throws `MatchingInputError` naming the offending field.
 */
import { blockingEdges, checkModelAssignment, edgePair, readAssignment } from './assignment.ts';
import { deferredAcceptance } from './deferred-acceptance.ts';
import { buildModel, type Model } from './model.ts';
import { modelStats } from './stats.ts';
import type {
  AssignmentCheck,
  MatchInput,
  MatchPair,
  MatchProposal,
  MatchStats,
  Proposer,
  WelfareObjective,
} from './types.ts';
import { welfareEdges } from './welfare.ts';

export * from './types.ts';
export { circleInput, circleMatch, circlesOf, type Circle, type CirclesInput, type CirclesOptimality, type CirclesProposal } from './circles.ts';
export { pairWelfare, MAX_PAIR_WELFARE } from './welfare.ts';

/** Pairs ordered by mentee (input order), then by the mentee's preference. */
function toPairs(model: Model, edges: ArrayLike<number>): MatchPair[] {
  const chosen = new Uint8Array(model.edgeCount);
  for (let k = 0; k < edges.length; k++) chosen[edges[k]!] = 1;
  const pairs: MatchPair[] = [];
  for (let p = 0; p < model.edgeCount; p++) {
    const e = model.menteeEdges[p]!;
    if (chosen[e]) pairs.push(edgePair(model, e));
  }
  return pairs;
}

function stableOn(model: Model, proposer: Proposer): MatchProposal {
  return {
    algorithm: proposer === 'mentee' ? 'stable-mentee-proposing' : 'stable-mentor-proposing',
    pairs: toPairs(model, deferredAcceptance(model, proposer)),
  };
}

function welfareOn(model: Model, objective: WelfareObjective): MatchProposal {
  return { algorithm: objective, pairs: toPairs(model, welfareEdges(model, objective)) };
}

export function stableMatch(input: MatchInput, options: { proposer?: Proposer } = {}): MatchProposal {
  return stableOn(buildModel(input), options.proposer ?? 'mentee');
}

export function welfareMatch(input: MatchInput, options: { objective?: WelfareObjective } = {}): MatchProposal {
  return welfareOn(buildModel(input), options.objective ?? 'welfare');
}

export function matchStats(input: MatchInput, pairs: readonly MatchPair[]): MatchStats {
  return modelStats(buildModel(input), pairs);
}

export function blockingPairs(input: MatchInput, pairs: readonly MatchPair[]): MatchPair[] {
  const model = buildModel(input);
  return blockingEdges(model, readAssignment(model, pairs), 'stated').map((e) => edgePair(model, e));
}

export function checkAssignment(input: MatchInput, pairs: readonly MatchPair[]): AssignmentCheck {
  return checkModelAssignment(buildModel(input), pairs);
}

export interface ProposalWithStats {
  proposal: MatchProposal;
  stats: MatchStats;
}

export function compareProposals(
  input: MatchInput,
  options: { proposer?: Proposer; objective?: WelfareObjective } = {},
): { stable: ProposalWithStats; welfare: ProposalWithStats } {
  const model = buildModel(input);
  const stable = stableOn(model, options.proposer ?? 'mentee');
  const welfare = welfareOn(model, options.objective ?? 'welfare');
  return {
    stable: { proposal: stable, stats: modelStats(model, stable.pairs) },
    welfare: { proposal: welfare, stats: modelStats(model, welfare.pairs) },
  };
}
