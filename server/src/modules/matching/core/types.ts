/** Plain, JSON-serialisable input and output of the final matching. */

export interface MenteeInput {
  id: string;
  /** Mentor ids the mentee met, best first (rank 1 = first element). */
  ranking: string[];
  /** Mentor ids the mentee marked "not a fit": never matched. Must not also be ranked. */
  notAFit?: string[];
  /** How many mentors the mentee may end with (integer >= 0). Default 1. */
  constellationSize?: number;
}

export interface MentorRating {
  menteeId: string;
  /** Integer 1 (poor) to 5 (excellent). */
  fit: number;
  wouldMentor: boolean;
}

export interface MentorInput {
  id: string;
  /** How many mentees the mentor can take on (integer >= 0). Default 1. */
  capacity?: number;
  /** One rating per mentee met. A mentee without a rating was not agreed to, so never matched. */
  ratings: MentorRating[];
}

/**
 * What to do with a mentor the mentee met but neither ranked nor marked "not a fit":
 * `last` (default) makes the mentor acceptable below every ranked one, ties broken by the seed;
 * `exclude` never matches the pair.
 */
export type UnrankedPolicy = 'last' | 'exclude';

export interface MatchInput {
  mentees: MenteeInput[];
  mentors: MentorInput[];
  /** Breaks ties (equal fit, unranked mentors). Same seed and data, same result. */
  seed: number | string;
  unranked?: UnrankedPolicy;
}

export interface MatchPair {
  menteeId: string;
  mentorId: string;
}

export type Proposer = 'mentee' | 'mentor';

/**
 * `welfare`: maximum total welfare (ties: the most pairs).
 * `matched-then-welfare`: the most pairs possible, then maximum welfare among those.
 */
export type WelfareObjective = 'welfare' | 'matched-then-welfare';

export interface MatchProposal {
  algorithm: 'stable-mentee-proposing' | 'stable-mentor-proposing' | 'welfare' | 'matched-then-welfare';
  /** Ordered by mentee (input order), then by the mentee's preference. */
  pairs: MatchPair[];
}

/** Why a pair can never be matched, or why an assigned pair is not valid. */
export type PairProblem =
  | 'unknown-mentee'
  | 'unknown-mentor'
  | 'duplicate'
  | 'not-met'
  | 'mentee-not-a-fit'
  | 'mentor-would-not-mentor'
  | 'mentor-did-not-rate'
  | 'unranked-excluded';

export interface InvalidPair extends MatchPair {
  problem: PairProblem;
}

export interface CapacityViolation {
  side: 'mentor' | 'mentee';
  id: string;
  /** Mentor capacity or mentee constellation size. */
  limit: number;
  assigned: number;
}

/** Warnings for a manual assignment or swap; none of them stops the organizer. */
export interface AssignmentCheck {
  /** True when no capacity is exceeded and every pair is valid (blocking pairs are only a warning). */
  ok: boolean;
  capacityViolations: CapacityViolation[];
  invalidPairs: InvalidPair[];
  /** Unmatched pairs who both strictly prefer each other to what they got (or have room). */
  blockingPairs: MatchPair[];
}

export type UnmatchedMenteeReason =
  | 'not-seeking-mentor'
  | 'no-meetings'
  | 'marked-all-not-a-fit'
  | 'no-mentor-would-mentor'
  | 'no-mutual-fit'
  | 'mentors-full-with-higher-rated'
  | 'mentors-full-lost-tie-break'
  | 'left-out-by-proposal';

export type UnmatchedMentorReason =
  | 'no-capacity'
  | 'no-meetings'
  | 'would-mentor-nobody'
  | 'no-mutual-fit'
  | 'mentees-taken-by-preferred-mentors'
  | 'mentees-taken-lost-tie-break'
  | 'left-out-by-proposal';

export interface Unmatched<Reason extends string> {
  id: string;
  reason: Reason;
  /** Organizer-facing sentence; it reveals ratings, so never show it to participants. */
  message: string;
}

export interface MatchStats {
  mentees: number;
  mentors: number;
  /** Valid pairs only (invalid ones are counted in `invalidPairs`). */
  pairs: number;
  /** Mentees with at least one mentor. */
  menteesMatched: number;
  /** Mentees with as many mentors as their constellation size. */
  menteesFullyMatched: number;
  mentorsMatched: number;
  /** Sum of mentor capacities. */
  seats: number;
  /** Mentees matched with the mentor they ranked first. */
  firstChoice: number;
  /** Mean rank over pairs whose mentor the mentee ranked; null when there are none. */
  averageRank: number | null;
  /** `rankCounts[r - 1]` = pairs where the mentee ranked the mentor r. */
  rankCounts: number[];
  /** Pairs with a met-but-unranked mentor (policy `last`). */
  unrankedPairs: number;
  averageFit: number | null;
  /** Sum of `pairWelfare` over valid pairs. */
  welfare: number;
  blockingPairs: number;
  invalidPairs: number;
  capacityViolations: number;
  unmatchedMentees: Unmatched<UnmatchedMenteeReason>[];
  unmatchedMentors: Unmatched<UnmatchedMentorReason>[];
}

export class MatchingInputError extends Error {
  override readonly name = 'MatchingInputError';
}
