/**
 * Rotation planner: a pure core (no I/O; JSON in, JSON out, so the adapter can run it in a worker).
 *
 *   scorePair(mentor: Profile, mentee: Profile, options?: { at?: ISO instant }) → { score, reasons }
 *     Integer compatibility, 0…MAX_PAIR_SCORE (107), every point explained by a human reason.
 *     The points table is at the top of ./scoring.ts. `at` (the event's start) fixes the UTC
 *     offsets, daylight saving time included, used for working-hours overlap.
 *
 *   planRotation(input: PlanInput) → Plan
 *     Plans all `rounds` rounds. Lexicographically optimal, in this order:
 *       1. the most meetings: every mentee meets min(R, mentors) distinct mentors when tables allow,
 *          and otherwise every table is used;
 *       2. the most even counts: mentee meeting counts and mentor loads each differ by at most one
 *          whenever that is achievable (pins, exclusions, table sizes and history can prevent it,
 *          and `warnings` then says so); formally, the least Σ over participants of 1 + 2 + … + count;
 *       3. the highest total compatibility.
 *     Hard rules: no pair meets twice; a mentee meets at most one mentor per round; a mentor hosts at
 *     most tableSize mentees per round (1, or 2 with allowSharedTables, and only in rounds where
 *     their load leaves no other way); forbidden pairs never meet; pinned pairs always do. Rounds
 *     differ by at most one meeting, so sit-outs spread evenly, and every participant who does not
 *     sit at a table in a round gets a SitOut with a code and a reason.
 *     Same input and seed → same plan, whatever order the participants are listed in; another seed
 *     picks another plan of equal quality.
 *
 *   replan(input: ReplanInput) → Plan
 *     Between rounds: `heldRounds` (what actually happened) come back unchanged, `absentIds`
 *     (leavers, no-shows) get no new meetings, late joiners are simply listed. The remaining rounds
 *     are optimal by the same three rules, with counts including meetings already held; a pair that
 *     already met never meets again.
 *
 *   planHealth(input, plan) → PlanHealth;  planAdvice(input, plan, options?) → Advice[]
 *     How thin a plan is (sit-out share, meetings per mentee, mentor load, a level good/fair/thin),
 *     and what would fix it: more rounds, shared tables, more mentors, each with the figures of an
 *     actual planner run on the changed input (./health.ts; counterfactualInput rebuilds that input).
 *
 * A Plan lists every round (held ones first) as tables { mentorId, menteeIds, score, seats }, one seat
 * { menteeId, score, reasons } per mentee, and sitOuts { participantId, role, code, reason }; totals
 * give score, meetings, meetingsPerMentee {min,max}, mentorLoads {min,max} and sharedTables.
 *
 * Group rounds (mentoring circles) fit the same shapes: a table holds up to `tableSize` mentees,
 * set per mentor. Sizes that vary by round would need the round colouring to respect per-round
 * capacities (today a mentor's copies are interchangeable across rounds).
 *
 * Pins never block planning: a pin that cannot be honoured (a participant absent, no round left
 * after a missed meeting, more pins than a mentee has rounds or a mentor has seats) becomes a
 * warning naming the pair ("pinned pair m1–e1 …"). When pins overbook someone the plan keeps as
 * many pins as possible, earlier-listed ones first (./pins.ts). A pinned pair that already met in
 * a held round is honoured and never planned again (a warning says so); one whose meeting was
 * missed (held rounds list only the meetings that happened) is planned again when it fits.
 *
 * Errors: PlanInputError for input that is malformed or contradictory, never for pins that no
 * longer fit: a field of the wrong type (ids, profiles checked against the shared Profile schema,
 * options; ./validation.ts), unknown or duplicate ids, a pair both pinned and forbidden, a held
 * round seating a mentor at two tables, a mentee twice, or more mentees than the table holds, and
 * a pair seated together in two held rounds; the message names the culprit.
 *
 * How: ./planner.ts (min-cost flow by network simplex with column generation in ./min-cost-flow.ts,
 * then König edge colouring into rounds in ./edge-colouring.ts). Optimality is checked against HiGHS
 * in planner.lp.test.ts and timed in bench/planner.ts.
 */
export { planRotation, replan } from './planner.ts';
export { planAdvice, planHealth, counterfactualInput, roundsForEveryone, type Advice, type Change, type HealthLevel, type PlanHealth } from './health.ts';
export { scorePair, ScoringContext, MAX_PAIR_SCORE, DEFAULT_SCORING_INSTANT, type PairScore, type ScoreOptions } from './scoring.ts';
export {
  PlanInputError,
  type HeldRound,
  type PairRef,
  type Plan,
  type PlanInput,
  type PlanMentee,
  type PlanMentor,
  type PlanTotals,
  type Range,
  type ReplanInput,
  type Round,
  type Seat,
  type SitOut,
  type SitOutCode,
  type Table,
  type TableRef,
} from './types.ts';
