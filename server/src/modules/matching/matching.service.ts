import {
  checkAssignment,
  circleInput,
  circleMatch,
  circlesOf,
  compareProposals,
  matchStats,
  type MatchInput,
  type MatchPair,
  type MatchStats,
} from './core/index.ts';
import type { PairingStats } from '@constellation/shared/schemas/ratings';
import type { EventFeedback } from '../ratings/feedback.repository.ts';

/** The matching core's input from what participants submitted about people they met. */
export function matchInputOf(feedback: EventFeedback, seed: string): MatchInput {
  const metMentors = new Map<string, Set<string>>();
  for (const m of feedback.meetings) {
    if (!metMentors.has(m.menteeId)) metMentors.set(m.menteeId, new Set());
    metMentors.get(m.menteeId)!.add(m.mentorId);
  }
  const prefs = new Map(feedback.preferences.map((p) => [p.menteeId, p]));
  return {
    seed,
    mentees: feedback.people
      .filter((p) => p.role === 'mentee')
      .map((p) => {
        const met = metMentors.get(p.id) ?? new Set<string>();
        const pref = prefs.get(p.id);
        return {
          id: p.id,
          ranking: (pref?.ranking ?? []).filter((id) => met.has(id)),
          notAFit: (pref?.notAFit ?? []).filter((id) => met.has(id)),
          constellationSize: p.constellationSize,
        };
      }),
    mentors: feedback.people
      .filter((p) => p.role === 'mentor')
      .map((p) => ({
        id: p.id,
        capacity: p.capacity,
        ratings: feedback.ratings.filter((r) => r.mentorId === p.id).map(({ menteeId, fit, wouldMentor }) => ({ menteeId, fit, wouldMentor })),
      })),
  };
}

export function toPairingStats(stats: MatchStats): PairingStats {
  return {
    pairs: stats.pairs,
    matchedMentees: stats.menteesMatched,
    matchedMentors: stats.mentorsMatched,
    firstChoices: stats.firstChoice,
    averageRank: stats.averageRank,
    blockingPairs: stats.blockingPairs,
    welfare: stats.welfare,
    unmatchedMentees: stats.unmatchedMentees.map((u) => ({ id: u.id, reason: u.message })),
    unmatchedMentors: stats.unmatchedMentors.map((u) => ({ id: u.id, reason: u.message })),
  };
}

/** Each pair with the reasons behind it: the mentee's rank of the mentor and the mentor's fit rating. */
export function explainPairs(input: MatchInput, pairs: readonly MatchPair[]) {
  const rank = new Map<string, number>();
  for (const m of input.mentees) m.ranking.forEach((mentorId, i) => rank.set(`${m.id}:${mentorId}`, i + 1));
  const fit = new Map<string, number>();
  for (const m of input.mentors) for (const r of m.ratings) fit.set(`${r.menteeId}:${m.id}`, r.fit);
  return pairs.map((p) => ({ mentorId: p.mentorId, menteeId: p.menteeId, menteeRank: rank.get(`${p.menteeId}:${p.mentorId}`) ?? null, mentorFit: fit.get(`${p.menteeId}:${p.mentorId}`) ?? null }));
}

export function proposalsOf(input: MatchInput) {
  const { stable, welfare } = compareProposals(input);
  return {
    stable: { pairs: explainPairs(input, stable.proposal.pairs), stats: toPairingStats(stable.stats) },
    welfare: { pairs: explainPairs(input, welfare.proposal.pairs), stats: toPairingStats(welfare.stats) },
  };
}

/** Warnings for a pairing the organizer edited: capacity, invalid pairs, stability. */
export function warningsOf(input: MatchInput, pairs: readonly MatchPair[], names: (id: string) => string): string[] {
  const check = checkAssignment(input, pairs);
  const problems: Record<string, string> = {
    'unknown-mentee': 'is not a mentee of this event',
    'unknown-mentor': 'is not a mentor of this event',
    duplicate: 'appears twice',
    'not-met': 'never met',
    'mentee-not-a-fit': 'the mentee marked this mentor "not a fit"',
    'mentor-would-not-mentor': 'the mentor would not mentor this mentee',
    'mentor-did-not-rate': 'the mentor has not rated this mentee',
    'unranked-excluded': 'the mentee did not rank this mentor',
  };
  return [
    ...check.capacityViolations.map((v) => `${names(v.id)} has ${v.assigned} ${v.side === 'mentor' ? 'mentees' : 'mentors'}, more than ${v.side === 'mentor' ? 'their capacity' : 'their constellation size'} of ${v.limit}`),
    ...check.invalidPairs.map((p) => `${names(p.mentorId)} & ${names(p.menteeId)}: ${problems[p.problem] ?? p.problem}`),
    ...check.blockingPairs.map((p) => `Not stable: ${names(p.mentorId)} and ${names(p.menteeId)} would both rather be together`),
  ];
}

export { matchStats };

/**
 * Node budget of the circles search in a request: the hard bench shape (500 mentees, a lattice of
 * ~180 rotations) needs ~1,400 nodes at ~0.25 ms each; past the budget the answer says how far from
 * proven it is instead of keeping the organizer waiting.
 */
export const CIRCLES_MAX_NODES = 20_000;

/** Peer wishes, all circle rounds together: mentee id → peers named, mentees of this event only. */
export function peerWishesOf(rows: readonly { menteeId: string; peerIds: readonly string[] }[], input: MatchInput): Record<string, string[]> {
  const mentees = new Set(input.mentees.map((m) => m.id));
  const wishes = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!mentees.has(row.menteeId)) continue;
    const peers = wishes.get(row.menteeId) ?? wishes.set(row.menteeId, new Set()).get(row.menteeId)!;
    for (const peer of row.peerIds) if (peer !== row.menteeId && mentees.has(peer)) peers.add(peer);
  }
  return Object.fromEntries([...wishes].map(([id, peers]) => [id, [...peers].sort()]));
}

/** The circles proposal with what the organizer reviews: circles, mutual wishes met, statistics, optimality. */
export function circlesProposalOf(input: MatchInput, peerWishes: Record<string, string[]>) {
  const circled = circleInput(input);
  const result = circleMatch({ ...circled, peerWishes }, { maxNodes: CIRCLES_MAX_NODES });
  return {
    pairs: explainPairs(circled, result.pairs),
    circles: result.circles,
    mutualWishes: result.mutualWishes,
    mutualWishPairs: result.mutualWishPairs,
    stats: toPairingStats(matchStats(circled, result.pairs)),
    optimality: result.optimality,
  };
}

/** A stored circles pairing, read as circles with the mutual wishes each meets. */
export function storedCirclesOf(input: MatchInput, peerWishes: Record<string, string[]>, pairs: readonly MatchPair[]) {
  return circlesOf({ ...input, peerWishes }, pairs);
}

type Outcome = { reasonCode: string; reason: string };

const NEXT = 'The organizer has your details and may follow up with you; you are warmly welcome at the next event.';

/**
 * A participant's final answer once the pairing is confirmed: their matches, or the plain reason
 * they have none. Reasons never reveal what anyone else said about them (no ratings, no rankings).
 */
export function outcomesOf(input: MatchInput, confirmed: readonly MatchPair[], submittedRanking: ReadonlySet<string>): Map<string, Outcome> {
  const stats = matchStats(input, confirmed);
  const out = new Map<string, Outcome>();
  for (const u of stats.unmatchedMentees) {
    if (u.reason === 'not-seeking-mentor') out.set(u.id, { reasonCode: 'not-seeking', reason: 'You said you were not looking for a mentor this time.' });
    else if (u.reason === 'no-meetings') out.set(u.id, { reasonCode: 'not-met', reason: 'You did not get to meet a mentor during the event, so there was nobody to match you with.' });
    else if (!submittedRanking.has(u.id)) out.set(u.id, { reasonCode: 'not-ranked', reason: 'You did not rank the mentors you met before the organizer closed submissions, so the matching could not include you.' });
    else if (u.reason === 'marked-all-not-a-fit') out.set(u.id, { reasonCode: 'not-a-fit', reason: 'You marked every mentor you met as not a fit.' });
    else if (u.reason === 'mentors-full-with-higher-rated' || u.reason === 'mentors-full-lost-tie-break') out.set(u.id, { reasonCode: 'capacity', reason: 'The mentors you ranked had no places left: each can take only a few mentees.' });
    else if (u.reason === 'left-out-by-proposal') out.set(u.id, { reasonCode: 'left-out', reason: "The organizer's final pairing did not include you this time." });
    else out.set(u.id, { reasonCode: 'capacity', reason: 'None of the mentors you met could take you on as a mentee this time.' });
  }
  for (const u of stats.unmatchedMentors) {
    if (u.reason === 'no-capacity') out.set(u.id, { reasonCode: 'capacity', reason: 'You set your capacity to 0: no mentees this time.' });
    else if (u.reason === 'no-meetings') out.set(u.id, { reasonCode: 'not-met', reason: 'You did not get to meet a mentee during the event, so there was nobody to match you with.' });
    else if (u.reason === 'would-mentor-nobody') out.set(u.id, { reasonCode: 'not-a-fit', reason: 'You did not say "would mentor" for any mentee you met.' });
    else if (u.reason === 'left-out-by-proposal') out.set(u.id, { reasonCode: 'left-out', reason: "The organizer's final pairing did not include you this time." });
    else out.set(u.id, { reasonCode: 'capacity', reason: 'The mentees you met were matched with other mentors this time.' });
  }
  return out;
}

export function notMatched(outcome: Outcome | undefined): { status: 'not-matched'; matches: []; reasonCode: string; reason: string; next: string } {
  return { status: 'not-matched', matches: [], ...(outcome ?? { reasonCode: 'left-out', reason: "The organizer's final pairing did not include you this time." }), next: NEXT };
}
