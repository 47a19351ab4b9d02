/** Side-by-side statistics for any proposal, and why each unmatched person is unmatched. */
import { blockingEdges, capacityViolations, readAssignment, worstAssigned, type Assignment } from './assignment.ts';
import type { Model } from './model.ts';
import type {
  MatchPair,
  MatchStats,
  Unmatched,
  UnmatchedMenteeReason,
  UnmatchedMentorReason,
} from './types.ts';
import { pairWelfare } from './welfare.ts';

const MENTEE_MESSAGES: Record<UnmatchedMenteeReason, string> = {
  'not-seeking-mentor': 'Constellation size is 0: not looking for a mentor.',
  'no-meetings': 'Met no mentor.',
  'marked-all-not-a-fit': 'Marked every mentor met "not a fit".',
  'no-mentor-would-mentor': 'Not rated "would mentor" by anyone met.',
  'no-mutual-fit':
    'No mentor met is acceptable on both sides: each one was marked "not a fit", left unranked, or did not agree to mentor.',
  'mentors-full-with-higher-rated': 'All acceptable mentors are full with mentees they rated higher.',
  'mentors-full-lost-tie-break':
    'All acceptable mentors are full with mentees they rated just as high; a fixed random draw (the seeded tie-break, the same every time for this event) decided the tie.',
  'left-out-by-proposal': 'An acceptable mentor still has room or took a mentee rated lower; this proposal left them out.',
};

const MENTOR_MESSAGES: Record<UnmatchedMentorReason, string> = {
  'no-capacity': 'Capacity is 0.',
  'no-meetings': 'Met no mentee.',
  'would-mentor-nobody': 'Rated no mentee met "would mentor".',
  'no-mutual-fit': 'Every mentee they would mentor marked them "not a fit" or left them unranked.',
  'mentees-taken-by-preferred-mentors': 'Every acceptable mentee is full with mentors they ranked higher.',
  'mentees-taken-lost-tie-break':
    'Every acceptable mentee is full with mentors they ranked just as high; a fixed random draw (the seeded tie-break, the same every time for this event) decided the tie.',
  'left-out-by-proposal': 'An acceptable mentee still has room or got a mentor ranked lower; this proposal left them out.',
};

type Verdict = 'higher' | 'tie';

function menteeReason(
  model: Model,
  a: Assignment,
  worst: ReturnType<typeof worstAssigned>,
  i: number,
): UnmatchedMenteeReason {
  if (model.quota[i] === 0) return 'not-seeking-mentor';
  if (model.metCountOfMentee[i] === 0) return 'no-meetings';
  if (model.notAFitCountOfMentee[i] === model.metCountOfMentee[i]) return 'marked-all-not-a-fit';
  if (model.wouldCountOfMentee[i] === 0) return 'no-mentor-would-mentor';
  if (model.menteeStart[i] === model.menteeStart[i + 1]) return 'no-mutual-fit';
  let verdict: Verdict = 'higher';
  for (let p = model.menteeStart[i]!; p < model.menteeStart[i + 1]!; p++) {
    const e = model.menteeEdges[p]!;
    const j = model.edgeMentor[e]!;
    const full = a.mentorLoad[j]! >= model.capacity[j]!;
    const w = worst.mentor[j]!;
    const mine = worst.values.mentor[e]!;
    if (!full || w > mine) return 'left-out-by-proposal';
    if (w === mine) verdict = 'tie';
  }
  return verdict === 'tie' ? 'mentors-full-lost-tie-break' : 'mentors-full-with-higher-rated';
}

function mentorReason(
  model: Model,
  a: Assignment,
  worst: ReturnType<typeof worstAssigned>,
  j: number,
): UnmatchedMentorReason {
  if (model.capacity[j] === 0) return 'no-capacity';
  if (model.metCountOfMentor[j] === 0) return 'no-meetings';
  if (model.wouldCountOfMentor[j] === 0) return 'would-mentor-nobody';
  if (model.mentorStart[j] === model.mentorStart[j + 1]) return 'no-mutual-fit';
  let verdict: Verdict = 'higher';
  for (let p = model.mentorStart[j]!; p < model.mentorStart[j + 1]!; p++) {
    const e = model.mentorEdges[p]!;
    const i = model.edgeMentee[e]!;
    const full = a.menteeLoad[i]! >= model.quota[i]!;
    const w = worst.mentee[i]!;
    const mine = worst.values.mentee[e]!;
    if (!full || w > mine) return 'left-out-by-proposal';
    if (w === mine) verdict = 'tie';
  }
  return verdict === 'tie' ? 'mentees-taken-lost-tie-break' : 'mentees-taken-by-preferred-mentors';
}

export function modelStats(model: Model, pairs: readonly MatchPair[]): MatchStats {
  const a = readAssignment(model, pairs);
  const menteeValid = new Int32Array(model.n);
  const mentorValid = new Int32Array(model.m);
  const rankCounts: number[] = [];
  let rankSum = 0;
  let ranked = 0;
  let fitSum = 0;
  let welfare = 0;
  let firstChoice = 0;
  for (const e of a.edges) {
    const i = model.edgeMentee[e]!;
    const j = model.edgeMentor[e]!;
    menteeValid[i]!++;
    mentorValid[j]!++;
    const rank = model.edgeRank[e]!;
    if (rank > 0) {
      ranked++;
      rankSum += rank;
      while (rankCounts.length < rank) rankCounts.push(0);
      rankCounts[rank - 1]!++;
    }
    if (model.firstChoice[i] === j) firstChoice++;
    fitSum += model.edgeFit[e]!;
    welfare += pairWelfare(rank, model.edgeFit[e]!);
  }

  const worst = worstAssigned(model, a, 'stated');
  const unmatchedMentees: Unmatched<UnmatchedMenteeReason>[] = [];
  let menteesMatched = 0;
  let menteesFullyMatched = 0;
  for (let i = 0; i < model.n; i++) {
    if (menteeValid[i]! > 0) menteesMatched++;
    if (model.quota[i]! > 0 && menteeValid[i]! >= model.quota[i]!) menteesFullyMatched++;
    if (menteeValid[i] === 0) {
      const reason = menteeReason(model, a, worst, i);
      unmatchedMentees.push({ id: model.menteeIds[i]!, reason, message: MENTEE_MESSAGES[reason] });
    }
  }
  const unmatchedMentors: Unmatched<UnmatchedMentorReason>[] = [];
  let mentorsMatched = 0;
  let seats = 0;
  for (let j = 0; j < model.m; j++) {
    seats += model.capacity[j]!;
    if (mentorValid[j]! > 0) mentorsMatched++;
    else {
      const reason = mentorReason(model, a, worst, j);
      unmatchedMentors.push({ id: model.mentorIds[j]!, reason, message: MENTOR_MESSAGES[reason] });
    }
  }

  const count = a.edges.length;
  return {
    mentees: model.n,
    mentors: model.m,
    pairs: count,
    menteesMatched,
    menteesFullyMatched,
    mentorsMatched,
    seats,
    firstChoice,
    averageRank: ranked === 0 ? null : rankSum / ranked,
    rankCounts,
    unrankedPairs: count - ranked,
    averageFit: count === 0 ? null : fitSum / count,
    welfare,
    blockingPairs: blockingEdges(model, a, 'stated').length,
    invalidPairs: a.invalidPairs.length,
    capacityViolations: capacityViolations(model, a).length,
    unmatchedMentees,
    unmatchedMentors,
  };
}
