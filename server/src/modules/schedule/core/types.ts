/** Plain, JSON-serialisable input and output of the rotation planner. */
import type { Profile } from '@constellation/shared/schemas/participants';

export interface PlanMentor {
  id: string;
  profile?: Profile;
  /**
   * Mentees this mentor hosts at once. Default 1, or 2 when the event allows
   * shared tables. Mentoring circles will use larger sizes.
   */
  tableSize?: number;
}

export interface PlanMentee {
  id: string;
  profile?: Profile;
}

export interface PairRef {
  mentorId: string;
  menteeId: string;
}

/**
 * How a round is held: one-to-one (a mentor hosts up to their tableSize mentees, as without
 * formats) or mentoring circles (every mentor hosts up to `size` mentees at once). With
 * `hosts: 2` two mentors co-host each circle of up to `size` mentees, and every mentee meets both
 * (two meetings in one round); with an odd number of mentors present one circle has one host.
 */
export type RoundFormat = { kind: 'pairs' } | { kind: 'circle'; size: number; hosts?: 1 | 2 };

export interface PlanInput {
  mentors: PlanMentor[];
  mentees: PlanMentee[];
  /** Total number of rounds in the event. */
  rounds: number;
  /**
   * One format per round, held rounds included (length = rounds). Absent: every round is
   * one-to-one, and the plan has no `optimality` (it is always exact then).
   */
  formats?: RoundFormat[];
  /** When true a mentor hosts up to two mentees at once (unless the mentor sets tableSize). */
  allowSharedTables?: boolean;
  /** Pairs that must meet. */
  pinned?: PairRef[];
  /** Pairs that must never meet. */
  forbidden?: PairRef[];
  /** Tie-breaking among equally good plans; the same input and seed give the same plan. Default 0. */
  seed?: number;
  /** ISO instant (the event's start) whose UTC offsets decide time-zone overlap. */
  scoringInstant?: string;
}

/** A table as it happened (or as planned): one mentor (two in a co-hosted circle) and the mentees who sat with them. */
export interface TableRef {
  mentorId: string;
  /** Co-hosted circle rounds only: the second mentor, who meets every mentee of the table too. */
  coMentorId?: string;
  menteeIds: string[];
}

export interface HeldRound {
  tables: TableRef[];
  /** Passed through unchanged when given. */
  sitOuts?: SitOut[];
}

export interface ReplanInput extends PlanInput {
  /** Rounds already held, in order; they never change. Participants who left stay listed and are marked absent. */
  heldRounds: HeldRound[];
  /** Participants (mentors or mentees) unavailable for the remaining rounds: leavers and no-shows. */
  absentIds?: string[];
}

export interface Seat {
  menteeId: string;
  score: number;
  reasons: string[];
}

export interface Table extends TableRef {
  /** Sum of the seats' scores (and the co-host's). */
  score: number;
  /** One per mentee at the table, in menteeIds order. */
  seats: Seat[];
  /** With a co-host: the co-host's fit with each mentee, in menteeIds order. */
  coSeats?: Seat[];
  /** A circle's mentees with something in common, two by two (affinity > 0, scoring.ts's second table). Circle rounds only. */
  peers?: { menteeIds: [string, string]; score: number; reasons: string[] }[];
}

/**
 * Why someone has no table in a round:
 * - more-mentees-than-tables: every seat of the round is taken;
 * - more-tables-than-mentees: every present mentee is seated (mentors only);
 * - met-everyone-available: seats are free, but only with people already met or excluded;
 * - absent: listed in absentIds;
 * - balancing: a fallback that an optimal plan never produces (a free seat and a free mentee who
 *   could still meet would mean one more meeting was possible); the property tests assert it.
 */
export type SitOutCode =
  | 'more-mentees-than-tables'
  | 'more-tables-than-mentees'
  | 'met-everyone-available'
  | 'balancing'
  | 'absent';

export interface SitOut {
  participantId: string;
  role: 'mentor' | 'mentee';
  code: SitOutCode;
  reason: string;
}

export interface Round {
  /** 0-based position in the event. */
  index: number;
  /** True for rounds that were already held when the plan was made. */
  held: boolean;
  tables: Table[];
  sitOuts: SitOut[];
}

export interface Range {
  min: number;
  max: number;
}

export interface PlanTotals {
  /** Compatibility summed over every meeting of every round, held ones included. */
  score: number;
  meetings: number;
  /** Over all rounds, among mentees present for the planned rounds. */
  meetingsPerMentee: Range;
  /** Mentees met over all rounds, among mentors present for the planned rounds. */
  mentorLoads: Range;
  /** Score and meetings of the rounds this call planned. */
  plannedScore: number;
  plannedMeetings: number;
  /** Planned table-rounds of one-to-one rounds hosting more than one mentee (circles are not counted). */
  sharedTables: number;
}

/** The three levels of the objective, for the rounds a call plans (pins included, held rounds not). */
export interface Objective {
  meetings: number;
  /** Σ over present participants of (history + 1) + … + (history + new meetings): lower is more even. */
  balance: number;
  score: number;
}

/**
 * How close a plan with round formats is to the optimum (see index.ts). `bound` is the
 * lexicographic optimum of a relaxation, so no plan beats it: none has more meetings, and none
 * with as many meetings has a lower balance cost, or then a higher score.
 */
export interface Optimality {
  /** The plan reaches the bound on all three levels, so it is optimal. */
  exact: boolean;
  bound: Objective;
  achieved: Objective;
  /** bound.meetings − achieved.meetings, achieved.balance − bound.balance, bound.score − achieved.score. */
  gap: Objective;
}

export interface Plan {
  rounds: Round[];
  totals: PlanTotals;
  /** Things the organizer should know: pins that cannot be honoured, uneven counts that could not be avoided. */
  warnings: string[];
  /** Only when the input has `formats`. */
  optimality?: Optimality;
  /**
   * Only when the input has `formats`: over the circle rounds planned, the pairs of mentees who
   * share a circle, and those who share more than one (the second objective keeps these few).
   */
  circlePeers?: { peerPairs: number; repeatedPeerPairs: number; affinity: number };
}

/** Invalid input, with a message that says what and where. */
export class PlanInputError extends Error {
  override readonly name = 'PlanInputError';
}
