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
 * A Plan lists every round (held ones first) as tables { mentorId, menteeIds, score, seats } (with
 * coMentorId and coSeats in co-hosted circles, see below), one seat { menteeId, score, reasons } per
 * mentee, and sitOuts { participantId, role, code, reason }; totals give score, meetings,
 * meetingsPerMentee {min,max}, mentorLoads {min,max} and sharedTables.
 *
 * Round formats (mentoring circles). `formats` (optional, one per round, held ones included) makes
 * a round one-to-one ({ kind: 'pairs' }: a mentor hosts up to tableSize mentees, as without
 * formats) or a round of circles ({ kind: 'circle', size }: every mentor hosts up to `size`). The
 * hard rules and the objective order stay (no pair twice over all rounds, a mentee at one table a
 * round, forbids never, pins always or a warning naming the pin, held rounds as they were, each
 * held round checked against its own format); "rounds differ by at most one meeting" and "shares
 * a table only when needed" hold per format, not across formats. Without `formats` nothing changes
 * (same code path, the same plans byte for byte), and all-'pairs' formats give the same plan.
 * With per-round seats a mentor's copies are no longer interchangeable across rounds, and the
 * exact problem (a pair meets in at most one round, a mentee once a round, mentor i at most
 * c(i,r) in round r) is an integer program, not a flow. So, and never silently:
 *   1. Bound. The same min-cost flow solves a relaxation: mentor i's capacity is Σ_r c(i,r) over
 *      the rounds left, a mentee's is the rounds left, and at most Σ_r min(seats of round r,
 *      present mentees) meetings flow. Every real plan is feasible for it, so its lexicographic
 *      optimum (meetings, balance, score) is an upper bound on every plan: none has more meetings,
 *      none with as many has a lower balance cost, none with both has a higher score.
 *   2. Decomposition. Rounds are grouped by the seats they give each mentor. The relaxation's pairs
 *      are split between groups (./round-formats.ts): group g (k rounds, seats c_g(i)) takes a
 *      subgraph with each mentee's degree in [deg − rounds after g, min(k, deg)] and each mentor's
 *      in [deg − seats after g, k·c_g(i)], a bipartite degree-constrained subgraph that a min-cost
 *      flow finds when one exists; then König colours each group exactly (mentor copies of degree
 *      ≤ k). If every split succeeds, the plan IS the relaxation's optimum: provably optimal.
 *   3. Repair. Where a split cannot exist (e.g. two mentors seating 1 then 5, six mentees who all
 *      want both: the bound counts meetings no round order allows), a group drops its least
 *      valuable excess pairs (pins last), and each round's free seats are then filled by a
 *      min-cost flow (dropped pins first, then the least-met participants, then score), so no free
 *      seat and free mentee who may still meet are left apart.
 *   4. Peers (circles' second objective, below the three levels): moves that only change in which
 *      circle round a pair meets (./round-formats.ts spreadPeers: two mentees of one mentor trade
 *      rounds, or a mentee meets two mentors the other way round) cut the mentee pairs who share
 *      more than one circle; plan.circlePeers counts them. A local optimum, not a proven one: on
 *      the bench, 16 → 4 repeated pairs out of 2,000 circle pairs. Below that, the same moves raise
 *      the circles' mentee–mentee affinity (shared goals, same industry: the second points table
 *      in ./scoring.ts), also locally: plan.circlePeers.affinity is its total, and each circle's
 *      table lists its mentees with something in common, two by two, with the reasons (`peers`).
 *      Affinity never outweighs a meeting, balance or mentor–mentee compatibility.
 *   plan.optimality = { exact, bound, achieved, gap } reports it (gap: meetings and score below the
 *   bound, balance cost above it), and a warning says so whenever exact is false; pins that found
 *   no round get a warning naming them. Measured (planner.formats.test.ts, exact integer program by
 *   HiGHS on 60 small random mixed events and re-plans; 500 more in a one-off run): the true
 *   optimum never beat the bound; 95–98% of plans are proven exact; the others all had the optimal
 *   number of meetings, a balance cost at most 1 above the optimum and a score 6–27 points below
 *   it (of a few hundred), and in a few of them the plan was optimal but the bound loose.
 *   bench/planner-circles.ts plans 100 × 1,000 × 6 rounds (4 × 1:1, 2 × circles of 5), proven
 *   exact, in 0.1–0.3 s warm (a cold first call 0.3–1 s on a loaded 2-core machine); HiGHS does
 *   not finish the time-indexed LP relaxation of that event (600k variables) in 2 minutes, and
 *   agrees with the planner to the unit on 10 × 100 and 20 × 200 (0.5 s and 2.3 s against 5–10 ms).
 *
 * Co-hosted circles. { kind: 'circle', size, hosts: 2 } pairs the mentors present in that round
 * (one hosts alone when their number is odd, never otherwise); each circle seats up to `size`
 * mentees, and each of them meets every host: two meetings in one round, counted as two in the
 * objective, totals and balance. A mentee sits only where she may meet every host (no pair meets
 * twice, forbids never), still at one table a round; a mentor hosts or co-hosts one table at most.
 * Such a table is { mentorId, coMentorId, menteeIds, seats, coSeats, score = both hosts' fit }; a
 * mentor at no table sits out with the usual codes. Held rounds may record a co-hosted circle as
 * one table with coMentorId or as one table per host (a mentee then at both). What is exact:
 *   - the bound: the relaxation above stays valid with a mentee's capacity Σ hosts over the rounds
 *     left, a mentor's `size` seats in a co-hosted round, and at most 2·min(N, ⌊M/2⌋·size) (+ the
 *     lone host's min(size, mentees left)) meetings in it, so no plan beats it (./planner.ts 4);
 *   - the rules and the honesty of plan.optimality: `exact` only when the plan reaches the bound.
 * What is not: the co-hosted rounds themselves, a hypergraph problem planned first, one round at a
 * time, by a heuristic (./co-hosts.ts: a max-weight pairing of the mentors, then a seating flow,
 * then host swaps where seats are left free); the other rounds then follow steps 1–4 with those
 * meetings as history. The second objective leaves co-hosted circles as seated (a move would
 * change two pairs), but counts their mentee pairs in plan.circlePeers and lists their `peers`.
 * When a pin is left unmet (a warning names it), the bound is solved again without that pin, so
 * it bounds every plan that meets the pins this one meets. Measured (planner.formats.test.ts, an
 * exact integer program by HiGHS with co-host variables, on 80 small random events and re-plans
 * with co-hosted rounds): the optimum never beat the bound nor the plan the optimum; 61 plans
 * proven exact, 11 more optimal but unproven (the bound is loose: it cannot see that a co-hosted
 * seat gives one mentee two meetings), 8 short of the optimum (2 by a meeting, the others in
 * score). On nine medium events (3–12 mentors, 10–64 mentees, 2–6 rounds, one-off run) the plan
 * matched the optimum's meetings and balance every time and was 1–5% below its score, while the
 * bound was up to 3 meetings above. bench/planner-circles.ts: 100 × 1,000 × 6 rounds (4 × 1:1,
 * circles of 5, co-hosted circles of 8) in about 0.15 s warm, 1,700 meetings and the balance cost
 * at their bound, the score 3.2% below it (2,686 of 84,142).
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
 * round seating a mentor at two tables, a mentee twice (or with more than two hosts in a co-hosted
 * round), or more mentees than the table holds, a pair seated together in two held rounds, a
 * `hosts` other than 1 or 2 or outside a circle, and a coMentorId that is no mentor, the table's own
 * mentor, or outside a co-hosted round; the message names the culprit.
 *
 * How: ./planner.ts (min-cost flow by network simplex with column generation in ./min-cost-flow.ts,
 * then König edge colouring into rounds in ./edge-colouring.ts; round formats in ./round-formats.ts,
 * co-hosted circles in ./co-hosts.ts).
 * Optimality is checked against HiGHS in planner.lp.test.ts and planner.formats.test.ts, and timed
 * in bench/planner.ts and bench/planner-circles.ts.
 */
export { planRotation, replan } from './planner.ts';
export { planAdvice, planHealth, counterfactualInput, roundsForEveryone, type Advice, type Change, type HealthLevel, type PlanHealth } from './health.ts';
export { scorePair, ScoringContext, MAX_PAIR_SCORE, DEFAULT_SCORING_INSTANT, type PairScore, type ScoreOptions } from './scoring.ts';
export {
  PlanInputError,
  type HeldRound,
  type Objective,
  type Optimality,
  type PairRef,
  type Plan,
  type PlanInput,
  type PlanMentee,
  type PlanMentor,
  type PlanTotals,
  type Range,
  type ReplanInput,
  type Round,
  type RoundFormat,
  type Seat,
  type SitOut,
  type SitOutCode,
  type Table,
  type TableRef,
} from './types.ts';
