/**
 * The rotation planner: which mentor meets which mentee in which round.
 *
 * 1. Pairs: one minimum-cost flow (source → mentee → mentor → sink) chooses all
 *    meetings of the remaining rounds at once. Its cost is lexicographic, with
 *    weights large enough that each level strictly dominates the next:
 *      a. as many meetings as possible (a reward HUGE per meeting);
 *      b. the most even meeting counts on both sides, history included: the k-th
 *         meeting of a participant costs BIG·k, a strictly convex cost whose
 *         minimum is the most balanced degree sequence (counts differing by at most
 *         one whenever that is achievable);
 *      c. the highest total compatibility.
 *    The network matrix is totally unimodular, so the optimum is integral and
 *    is an optimum of the LP relaxation too (checked against HiGHS in the tests).
 * 2. Rounds: the chosen pairs form a bipartite graph in which a mentee has at most
 *    R edges (R rounds left) and a mentor with table size c at most c·R; splitting
 *    each mentor into ⌈load/R⌉ copies of degree ≤ R, König's theorem gives a proper
 *    R-edge-colouring, one colour per round, equalised so that rounds differ by at
 *    most one meeting and sit-outs spread evenly. A mentor hosts two mentees at once
 *    only in (load − R) rounds, the fewest possible.
 * 3. Round formats (see index.ts): the same flow is then a relaxation, whose optimum is a
 *    proven bound (plan.optimality.bound), and the rounds are built group by group
 *    (./round-formats.ts), exact whenever the plan reaches the bound.
 * 4. Co-hosted circle rounds (hosts: 2: two mentors a circle, each of its mentees meeting
 *    both): a seat is a triple, not a pair, so no flow plans them exactly. The relaxation
 *    stays valid (a mentee's meetings are Σ hosts over the rounds left, a mentor has `size`
 *    seats, a round holds at most 2·min(N, ⌊M/2⌋·size) meetings, plus the lone host's when M
 *    is odd), so the bound stays proven. The rounds themselves are planned first, one at a
 *    time, by the heuristic of ./co-hosts.ts (pairing, then a seating flow); the other rounds
 *    then get a relaxation of their own, with those meetings as history, and step 3. The gap
 *    is reported as it is: `exact` only when the plan reaches the bound, which a co-hosted
 *    seat's two meetings for one mentee often keep the relaxation from being.
 */
import { ACCESS, isCoHosted, planCoHostedRound } from './co-hosts.ts';
import { MinCostFlow, type Pricer } from './min-cost-flow.ts';
import { choosePins, type PinRequest } from './pins.ts';
import { createRandom, shuffleInPlace } from './random.ts';
import { assignGroups, colourByCopies, groupRounds, spreadPeers, type CirclePeers } from './round-formats.ts';
import { MAX_PAIR_SCORE, ScoringContext } from './scoring.ts';
import { checkInputShape } from './validation.ts';
import {
  PlanInputError,
  type Objective,
  type Optimality,
  type PairRef,
  type Plan,
  type PlanInput,
  type Range,
  type ReplanInput,
  type Round,
  type RoundFormat,
  type SitOut,
  type SitOutCode,
  type Table,
  type TableRef,
} from './types.ts';

const FREE = 0;
const MET = 1;
const FORBIDDEN = 2;
const PINNED = 3;
const PLANNED = 4;
/** Meets in a co-hosted round of this plan, seated before the other rounds are planned. */
const SEATED = 5;

const REASONS: Record<SitOutCode, { mentor: string; mentee: string }> = {
  'more-mentees-than-tables': { mentor: 'more mentees than tables this round', mentee: 'more mentees than tables this round' },
  'more-tables-than-mentees': { mentor: 'more tables than mentees this round', mentee: 'more tables than mentees this round' },
  'met-everyone-available': {
    mentor: 'every mentee free this round has already met this mentor or may not meet them',
    mentee: 'has already met, or may not meet, every mentor with a free seat this round',
  },
  balancing: { mentor: 'sits out to keep meeting counts even', mentee: 'sits out to keep meeting counts even' },
  absent: { mentor: 'absent', mentee: 'absent' },
};

/** Plans every round of an event that has not started. */
export function planRotation(input: PlanInput): Plan {
  return replan({ ...input, heldRounds: [], absentIds: [] });
}

/** Plans the rounds not yet held, keeping held rounds as they are; see the module comment. */
export function replan(input: ReplanInput): Plan {
  const ev = prepare(input);
  const { n, pair } = ev;
  const remaining = input.rounds - input.heldRounds.length;
  const warnings: string[] = [...ev.warnings];

  // Before the relaxation marks its pairs: the statuses a second bound starts from (see below).
  const prepared = ev.roundCaps ? pair.slice() : null;
  if (remaining > 0) relax(ev, input.heldRounds.length, input.rounds);

  const rounds: Round[] = input.heldRounds.map((held, index) => ({
    index,
    held: true,
    tables: held.tables.map((table) => scoreTable(ev, table)),
    sitOuts: held.sitOuts ? held.sitOuts.map((s) => ({ ...s })) : [],
  }));
  if (!ev.roundCaps) {
    if (remaining > 0) rounds.push(...scheduleRounds(ev, remaining, input.heldRounds.length));
    return { rounds, totals: totalsOf(ev, rounds, input.heldRounds.length, input.formats), warnings: warnings.concat(balanceWarnings(ev, rounds)) };
  }

  let bound = objectiveOfPlanned(ev);
  let circlePeers: CirclePeers = { peerPairs: 0, repeatedPeerPairs: 0, affinity: 0 };
  if (remaining > 0) {
    const mixed = scheduleMixed(ev, input.formats!.slice(input.heldRounds.length), input.heldRounds.length, warnings);
    rounds.push(...mixed.rounds);
    circlePeers = mixed.circlePeers;
  }
  // The relaxation met every kept pin. When the formats left one unmet (a warning names it), this
  // plan is not among the plans that bound covers, so the bound is solved again with those pins
  // free: an upper bound on every plan that meets the pins this one meets.
  const unmet: number[] = [];
  for (let k = 0; k < pair.length; k++) if (pair[k] === PINNED) unmet.push(k);
  if (unmet.length > 0) {
    const again = { ...ev, pair: (prepared as Uint8Array).slice(), pinsE: ev.pinsE.slice(), pinsI: ev.pinsI.slice() };
    for (const k of unmet) {
      again.pair[k] = FREE;
      again.pinsI[Math.floor(k / n)]!--;
      again.pinsE[k % n]!--;
    }
    relax(again, input.heldRounds.length, input.rounds);
    bound = objectiveOfPlanned(again);
  }
  const achieved = achievedObjective(ev, rounds);
  const gap = { meetings: bound.meetings - achieved.meetings, balance: achieved.balance - bound.balance, score: bound.score - achieved.score };
  const optimality: Optimality = { exact: gap.meetings === 0 && gap.balance === 0 && gap.score === 0, bound, achieved, gap };
  if (!optimality.exact) {
    warnings.push(
      `the round formats may keep this plan from the optimum: it has ${achieved.meetings} meetings (balance cost ${achieved.balance}, score ${achieved.score}), and no plan can beat ${bound.meetings} meetings (balance cost ${bound.balance}, score ${bound.score})`,
    );
  }
  return { rounds, totals: totalsOf(ev, rounds, input.heldRounds.length, input.formats), warnings: warnings.concat(balanceWarnings(ev, rounds)), optimality, circlePeers };
}

/**
 * Solves the relaxation of the rounds not yet held, `held` … `rounds` − 1 (see the module comment),
 * and marks its pairs PLANNED. Pinned pairs are fixed meetings that use capacity up. With formats,
 * a mentor's seats are summed over those rounds, and no more meetings flow than the rounds can
 * seat, each taken on its own.
 */
function relax(ev: PreparedEvent, held: number, rounds: number): void {
  const { capE, capI } = relaxationCaps(ev, ev.menteeSlots, ev.seatsLeft, ev.pinsE, ev.pinsI);
  let limit = Number.POSITIVE_INFINITY;
  if (ev.roundCaps) {
    limit = 0;
    for (let r = held; r < rounds; r++) limit += roundMeetingCap(ev, r);
  }
  choosePairs(ev, capE, capI, limit);
}

/**
 * The relaxation's capacities: mentee e may take min(slots − its pins, FREE pairs) new meetings,
 * mentor i min(seats[i] − its pins, FREE pairs); `slots` is a present mentee's meetings in the
 * rounds concerned (one a round, two in a co-hosted round).
 */
function relaxationCaps(ev: PreparedEvent, slots: number, seats: Int32Array, pinsE: Int32Array, pinsI: Int32Array): { capE: Int32Array; capI: Int32Array } {
  const { m, n, pair } = ev;
  const eligibleE = new Int32Array(n);
  const eligibleI = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    if (!ev.presentMentor[i]) continue;
    for (let e = 0; e < n; e++) {
      if (ev.presentMentee[e] && pair[i * n + e] === FREE) {
        eligibleE[e]!++;
        eligibleI[i]!++;
      }
    }
  }
  // Pins kept by prepare fit by construction (see ./pins.ts); a pin left over for the rounds after
  // co-hosted ones may not, and is then left to the repair step (see scheduleMixed).
  const capE = new Int32Array(n);
  const capI = new Int32Array(m);
  for (let e = 0; e < n; e++) {
    if (ev.presentMentee[e]) capE[e] = Math.max(0, Math.min(slots - (pinsE[e] as number), eligibleE[e] as number));
  }
  for (let i = 0; i < m; i++) {
    if (ev.presentMentor[i]) capI[i] = Math.max(0, Math.min((seats[i] as number) - (pinsI[i] as number), eligibleI[i] as number));
  }
  return { capE, capI };
}

/**
 * The most meetings round r (of the event) can hold among the people present, whoever has met whom:
 * every seat taken, but no more mentees than are present. In a co-hosted round the mentors form
 * ⌊M/2⌋ pairs (and one hosts alone when M is odd) and a pair's seat is two meetings, so it is
 * 2·min(N, ⌊M/2⌋·size) plus, with M odd, the lone host's min(size, mentees left).
 */
function roundMeetingCap(ev: PreparedEvent, r: number): number {
  const format = ev.formats?.[r];
  if (isCoHosted(format)) {
    const pairs = Math.floor(ev.presentMentors / 2);
    const paired = Math.min(ev.presentMentees, pairs * format.size);
    const alone = ev.presentMentors % 2 === 1 ? Math.min(format.size, ev.presentMentees - paired) : 0;
    return 2 * paired + alone;
  }
  let seats = 0;
  for (let i = 0; i < ev.m; i++) if (ev.presentMentor[i]) seats += (ev.roundCaps as Int32Array[])[r]![i] as number;
  return Math.min(seats, ev.presentMentees);
}

interface PreparedEvent {
  m: number;
  n: number;
  mentorIds: string[];
  menteeIds: string[];
  mentorIndex: Map<string, number>;
  menteeIndex: Map<string, number>;
  tableSize: Int32Array;
  /** The input's formats, one per round of the event (held ones included), or null. */
  formats: readonly RoundFormat[] | null;
  /** With formats: the seats of each mentor in each round of the event (held ones included). */
  roundCaps: Int32Array[] | null;
  /** Seats of each mentor over the rounds not yet held. */
  seatsLeft: Int32Array;
  /** Meetings a present mentee can have in the rounds not yet held: one a round, two in a co-hosted round (with two mentors present). */
  menteeSlots: number;
  presentMentor: Uint8Array;
  presentMentee: Uint8Array;
  presentMentors: number;
  presentMentees: number;
  /** Status of pair (mentor i, mentee e) at i·n + e. */
  pair: Uint8Array;
  historyE: Int32Array;
  historyI: Int32Array;
  pinsE: Int32Array;
  pinsI: Int32Array;
  /** Pins planned by this call (not yet met, present, and kept by choosePins), in input order. */
  keptPins: PairRef[];
  scoring: ScoringContext;
  warnings: string[];
}

function prepare(input: ReplanInput): PreparedEvent {
  checkInputShape(input);
  if (input.heldRounds.length > input.rounds) {
    throw new PlanInputError(`${input.heldRounds.length} rounds were held but the event has only ${input.rounds}`);
  }
  const seed = input.seed ?? 0;

  const seen = new Set<string>();
  for (const p of [...input.mentors, ...input.mentees]) {
    if (seen.has(p.id)) throw new PlanInputError(`participant ${p.id} is listed twice`);
    seen.add(p.id);
  }

  // Sorting first makes the plan independent of the order rows arrive in; the seeded
  // shuffle then decides ties between equally good plans.
  const random = createRandom(seed);
  const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const mentors = shuffleInPlace([...input.mentors].sort(byId), random);
  const mentees = shuffleInPlace([...input.mentees].sort(byId), random);
  const m = mentors.length;
  const n = mentees.length;
  const mentorIds = mentors.map((p) => p.id);
  const menteeIds = mentees.map((p) => p.id);
  const mentorIndex = new Map(mentorIds.map((id, i) => [id, i]));
  const menteeIndex = new Map(menteeIds.map((id, e) => [id, e]));
  const defaultSize = input.allowSharedTables ? 2 : 1;
  const tableSize = Int32Array.from(mentors, (p) => p.tableSize ?? defaultSize);
  const roundCaps = input.formats
    ? input.formats.map((format) => (format.kind === 'pairs' ? tableSize : new Int32Array(m).fill(format.size)))
    : null;
  const seatsLeft = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    if (!roundCaps) seatsLeft[i] = (input.rounds - input.heldRounds.length) * (tableSize[i] as number);
    else for (let r = input.heldRounds.length; r < input.rounds; r++) seatsLeft[i]! += (roundCaps[r] as Int32Array)[i] as number;
  }

  const presentMentor = new Uint8Array(m).fill(1);
  const presentMentee = new Uint8Array(n).fill(1);
  for (const id of input.absentIds ?? []) {
    const i = mentorIndex.get(id);
    const e = menteeIndex.get(id);
    if (i !== undefined) presentMentor[i] = 0;
    else if (e !== undefined) presentMentee[e] = 0;
    else throw new PlanInputError(`absentIds: unknown participant ${id}`);
  }
  let presentMentors = 0;
  let presentMentees = 0;
  for (let i = 0; i < m; i++) presentMentors += presentMentor[i] as number;
  for (let e = 0; e < n; e++) presentMentees += presentMentee[e] as number;
  let menteeSlots = 0;
  for (let r = input.heldRounds.length; r < input.rounds; r++) menteeSlots += isCoHosted(input.formats?.[r]) && presentMentors >= 2 ? 2 : 1;

  const pairIndex = (where: string, ref: { mentorId: string; menteeId: string }): number => {
    const i = mentorIndex.get(ref.mentorId);
    const e = menteeIndex.get(ref.menteeId);
    if (i === undefined) throw new PlanInputError(`${where}: ${ref.mentorId} is not a mentor of this event`);
    if (e === undefined) throw new PlanInputError(`${where}: ${ref.menteeId} is not a mentee of this event`);
    return i * n + e;
  };

  const pair = new Uint8Array(m * n);
  const historyE = new Int32Array(n);
  const historyI = new Int32Array(m);
  /** 1-based held round in which each pair met, for the message when it meets again. */
  const metIn = new Map<number, number>();
  input.heldRounds.forEach((round, r) => {
    const where = `held round ${r + 1}`;
    const coHosted = isCoHosted(input.formats?.[r]);
    // Meetings of each mentee in this round: one, or two in a co-hosted circle (recorded as one
    // table with a coMentorId, or as one table per host).
    const meetingsOf = new Map<string, number>();
    const hosting = new Set<string>();
    for (const table of round.tables) {
      const hosts = table.coMentorId === undefined ? [table.mentorId] : [table.mentorId, table.coMentorId];
      if (table.coMentorId !== undefined) {
        if (!coHosted) throw new PlanInputError(`${where}: mentor ${table.mentorId}'s table has a co-host (${table.coMentorId}), but the round is not a circle with two hosts`);
        if (table.coMentorId === table.mentorId) throw new PlanInputError(`${where}: mentor ${table.mentorId} is their own co-host`);
      }
      for (const id of hosts) {
        if (hosting.has(id)) throw new PlanInputError(`${where} seats mentor ${id} at two tables`);
        hosting.add(id);
        if (!mentorIndex.has(id)) throw new PlanInputError(`${where}: ${id} is not a mentor of this event`);
      }
      const i = mentorIndex.get(table.mentorId) as number;
      const holds = (roundCaps ? roundCaps[r] : tableSize)![i] as number;
      if (table.menteeIds.length > holds) {
        throw new PlanInputError(`${where} seats ${table.menteeIds.length} mentees at mentor ${table.mentorId}'s table, which holds ${holds}`);
      }
      for (const menteeId of table.menteeIds) {
        const meetings = (meetingsOf.get(menteeId) ?? 0) + hosts.length;
        if (meetings > (coHosted ? 2 : 1)) {
          throw new PlanInputError(coHosted ? `${where} seats mentee ${menteeId} with more than two hosts` : `${where} seats mentee ${menteeId} twice`);
        }
        meetingsOf.set(menteeId, meetings);
        for (const mentorId of hosts) {
          const k = pairIndex(where, { mentorId, menteeId });
          if (pair[k] === MET) {
            throw new PlanInputError(`pair ${mentorId}–${menteeId} meets in held round ${metIn.get(k)} and again in ${where}`);
          }
          pair[k] = MET;
          metIn.set(k, r + 1);
          historyI[Math.floor(k / n)]!++;
          historyE[k % n]!++;
        }
      }
    }
  });

  const forbidden = new Set<number>();
  for (const ref of input.forbidden ?? []) {
    const k = pairIndex('forbidden', ref);
    forbidden.add(k);
    if (pair[k] === FREE) pair[k] = FORBIDDEN;
  }

  // Pins: contradictory input is an error; a pin that can no longer be honoured is a warning.
  const warnings: string[] = [];
  const remaining = input.rounds - input.heldRounds.length;
  const requests: PinRequest[] = [];
  const requestRefs: PairRef[] = [];
  const requested = new Set<number>();
  for (const ref of input.pinned ?? []) {
    const k = pairIndex('pinned', ref);
    if (forbidden.has(k)) throw new PlanInputError(`pair ${ref.mentorId}–${ref.menteeId} is both pinned and forbidden`);
    if (requested.has(k)) continue; // listed twice
    if (pair[k] === MET) {
      // Honoured: the pair met in a held round (and pairs never meet twice). Nothing to warn about.
      requested.add(k);
      continue;
    }
    const i = Math.floor(k / n);
    const e = k % n;
    if (remaining === 0) {
      warnings.push(`pinned pair ${ref.mentorId}–${ref.menteeId} did not meet and no rounds remain`);
      continue;
    }
    if (!presentMentor[i] || !presentMentee[e]) {
      const who = presentMentor[i] ? ref.menteeId : ref.mentorId;
      warnings.push(`pinned pair ${ref.mentorId}–${ref.menteeId} cannot meet: ${who} is absent`);
      continue;
    }
    requested.add(k);
    requests.push({ mentor: i, mentee: e });
    requestRefs.push(ref);
  }
  const pinLoadE = new Int32Array(n);
  const pinLoadI = new Int32Array(m);
  for (const { mentor, mentee } of requests) {
    pinLoadE[mentee]!++;
    pinLoadI[mentor]!++;
  }
  const choice = choosePins(requests, {
    menteeRoom: () => menteeSlots,
    mentorRoom: (i) => seatsLeft[i] as number,
  });
  const pinsE = new Int32Array(n);
  const pinsI = new Int32Array(m);
  const keptPins: PairRef[] = [];
  requests.forEach(({ mentor: i, mentee: e }, k) => {
    const ref = requestRefs[k] as PairRef;
    if (!choice.kept[k]) {
      warnings.push(
        choice.fullSide[k] === 'mentee'
          ? `pinned pair ${ref.mentorId}–${ref.menteeId} is not planned: mentee ${ref.menteeId} is pinned to ${pinLoadE[e]} mentors but ${menteeSlots === remaining ? `only ${remaining} round(s) remain` : `can meet only ${menteeSlots} in the rounds left`}`
          : `pinned pair ${ref.mentorId}–${ref.menteeId} is not planned: mentor ${ref.mentorId} is pinned to ${pinLoadI[i]} mentees but has only ${seatsLeft[i]} seat(s) left`,
      );
      return;
    }
    pair[i * n + e] = PINNED;
    pinsE[e]!++;
    pinsI[i]!++;
    keptPins.push(ref);
  });

  const scoring = new ScoringContext(
    mentors.map((p) => p.profile ?? {}),
    mentees.map((p) => p.profile ?? {}),
    input.scoringInstant === undefined ? {} : { at: input.scoringInstant },
  );
  return {
    m,
    n,
    mentorIds,
    menteeIds,
    mentorIndex,
    menteeIndex,
    tableSize,
    formats: input.formats ?? null,
    roundCaps,
    seatsLeft,
    menteeSlots,
    presentMentor,
    presentMentee,
    presentMentors,
    presentMentees,
    pair,
    historyE,
    historyI,
    pinsE,
    pinsI,
    keptPins,
    scoring,
    warnings,
  };
}

/**
 * How many arcs start in the simplex: each mentor's perSeat·capacity best mentees, each
 * mentee's perMentee·capacity best mentors, degree levels up to the even share plus
 * spareLevels. They change running time only, never the optimum (measured on bench/planner.ts).
 */
const CANDIDATES = { perSeat: 4, perMentee: 1, spareLevels: 0 };

/**
 * Solves the lexicographic b-matching and marks the chosen pairs PLANNED (pins included).
 *
 * Only promising arcs are built (each mentor's best mentees, each mentee's best mentors,
 * degree levels up to the even share); the pricer adds any other arc the potentials price
 * negative, so the result is optimal for the whole network.
 */
function choosePairs(ev: PreparedEvent, capE: Int32Array, capI: Int32Array, limit: number): void {
  const { m, n, pair } = ev;
  for (let k = 0; k < pair.length; k++) if (pair[k] === PINNED) pair[k] = PLANNED;

  const NONE = 255; // scores are at most MAX_PAIR_SCORE < 255
  const score = new Uint8Array(m * n).fill(NONE);
  let maxScore = 1;
  let eligible = 0;
  for (let i = 0; i < m; i++) {
    if (capI[i] === 0) continue;
    ev.scoring.scoreRow(i, score, i * n);
    for (let e = 0, k = i * n; e < n; e++, k++) {
      if (capE[e] === 0 || pair[k] !== FREE) {
        score[k] = NONE;
        continue;
      }
      if ((score[k] as number) > maxScore) maxScore = score[k] as number;
      eligible++;
    }
  }
  if (eligible === 0) return;

  const { present: presentE, fixed: fixedE, capacity: supply, level: levelE } = sideTotals(ev.presentMentee, ev.historyE, ev.pinsE, capE);
  const { present: presentI, fixed: fixedI, capacity: demand, level: levelI } = sideTotals(ev.presentMentor, ev.historyI, ev.pinsI, capI);

  // Weights of the lexicographic objective (see the module comment): any change in balance
  // outweighs every possible score difference, and one more meeting outweighs both.
  const flowBound = Math.min(supply, demand, limit);
  const BIG = maxScore * flowBound + 1;
  const HUGE = BIG * (levelE + levelI) + maxScore * (presentE + presentI) + 1;

  const active = selectCandidates(ev, score, capE, capI, maxScore);
  const evenE = Math.ceil((fixedE + flowBound) / Math.max(1, presentE)) + CANDIDATES.spareLevels;
  const evenI = Math.ceil((fixedI + flowBound) / Math.max(1, presentI)) + CANDIDATES.spareLevels;

  const s = n + m;
  const t = s + 1;
  const flow = new MinCostFlow(n + m + 2);
  // Degree levels: the k-th unit arc of a participant costs BIG·(fixed meetings + k). Levels
  // above the even share are held back; builtE/builtI count the levels built so far.
  const baseE = new Int32Array(n);
  const builtE = new Int32Array(n);
  const baseI = new Int32Array(m);
  const builtI = new Int32Array(m);
  for (let e = 0; e < n; e++) {
    baseE[e] = (ev.historyE[e] as number) + (ev.pinsE[e] as number);
    while ((builtE[e] as number) < (capE[e] as number) && (baseE[e] as number) + (builtE[e] as number) < evenE) {
      flow.addArc(s, e, 1, BIG * ((baseE[e] as number) + builtE[e]!++ + 1));
    }
  }
  for (let i = 0; i < m; i++) {
    baseI[i] = (ev.historyI[i] as number) + (ev.pinsI[i] as number);
    while ((builtI[i] as number) < (capI[i] as number) && (baseI[i] as number) + (builtI[i] as number) < evenI) {
      flow.addArc(n + i, t, 1, BIG * ((baseI[i] as number) + builtI[i]!++ + 1));
    }
  }
  // At most `limit` units leave the source, so at most that many meetings.
  const units = Math.min(supply, limit);
  flow.addArc(s, t, units, 0);
  flow.setSupply(s, units);
  flow.setSupply(t, -units);
  // Pair arcs built so far, as (arc id, pair index) couples.
  const pairArcs: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let e = 0, k = i * n; e < n; e++, k++) {
      if (active[k]) pairArcs.push(flow.addArc(e, n + i, 1, -(HUGE + (score[k] as number))), k);
    }
  }

  // Adds every held-back arc that the potentials price negative (see MinCostFlow).
  // Partial pricing: a mentor gets at most perSeat·capacity new arcs per round of pricing, the
  // most negative first (ties from the mentor's staggered start, as in selectCandidates). When
  // many ties price negative at once, adding them all would bloat the network for nothing.
  const found = new Int32Array(n);
  const reduced = new Float64Array(n);
  const order: number[] = [];
  const pricer: Pricer = (pi, network) => {
    for (let i = 0; i < m; i++) {
      if (capI[i] === 0) continue;
      const toMentor = pi[n + i] as number;
      const first = Math.floor((i * n) / m);
      let count = 0;
      for (let j = 0, e = first; j < n; j++, e = e + 1 === n ? 0 : e + 1) {
        const k = i * n + e;
        const value = score[k] as number;
        if (value === NONE || active[k]) continue;
        const rc = -(HUGE + value) + (pi[e] as number) - toMentor;
        if (rc >= 0) continue;
        reduced[count] = rc;
        found[count++] = e;
      }
      const limit = CANDIDATES.perSeat * (capI[i] as number);
      order.length = 0;
      for (let j = 0; j < count; j++) order.push(j);
      // Stable: equal reduced costs keep their staggered order.
      if (count > limit) order.sort((a, b) => (reduced[a] as number) - (reduced[b] as number) || a - b);
      for (let j = 0; j < Math.min(count, limit); j++) {
        const e = found[order[j] as number] as number;
        const k = i * n + e;
        active[k] = 1;
        pairArcs.push(network.addArc(e, n + i, 1, -(HUGE + (score[k] as number))), k);
      }
    }
    for (let e = 0; e < n; e++) {
      // Level costs increase, so stop at the first one that does not pay.
      while ((builtE[e] as number) < (capE[e] as number)) {
        const cost = BIG * ((baseE[e] as number) + (builtE[e] as number) + 1);
        if (cost + (pi[s] as number) - (pi[e] as number) >= 0) break;
        network.addArc(s, e, 1, cost);
        builtE[e]!++;
      }
    }
    for (let i = 0; i < m; i++) {
      while ((builtI[i] as number) < (capI[i] as number)) {
        const cost = BIG * ((baseI[i] as number) + (builtI[i] as number) + 1);
        if (cost + (pi[n + i] as number) - (pi[t] as number) >= 0) break;
        network.addArc(n + i, t, 1, cost);
        builtI[i]!++;
      }
    }
  };
  const status = flow.solve({ pricer, maxPricedCost: HUGE + maxScore });
  if (status !== 'optimal') throw new Error(`rotation flow ended ${status}`); // unreachable: the bypass arc keeps it feasible
  for (let j = 0; j < pairArcs.length; j += 2) {
    if (flow.flow(pairArcs[j] as number) === 1) pair[pairArcs[j + 1] as number] = PLANNED;
  }
}

/** Marks each mentor's best perSeat·capacity mentees and each mentee's best perMentee·capacity mentors. */
/**
 * One side's (mentees' or mentors') figures for the flow: who is present, their meetings already
 * fixed (held or pinned), the new meetings they can take, and the highest meeting count any can reach.
 */
function sideTotals(present: Uint8Array, history: Int32Array, pins: Int32Array, cap: Int32Array): { present: number; fixed: number; capacity: number; level: number } {
  const totals = { present: 0, fixed: 0, capacity: 0, level: 0 };
  for (let x = 0; x < present.length; x++) {
    if (!present[x]) continue;
    totals.present++;
    const base = (history[x] as number) + (pins[x] as number);
    totals.fixed += base;
    totals.capacity += cap[x] as number;
    totals.level = Math.max(totals.level, base + (cap[x] as number));
  }
  return totals;
}

function selectCandidates(ev: PreparedEvent, score: Uint8Array, capE: Int32Array, capI: Int32Array, maxScore: number): Uint8Array {
  const { m, n } = ev;
  const NONE = 255;
  const active = new Uint8Array(m * n);
  const histogram = new Int32Array(NONE + 1);
  // Marks the `want` best of the scores at start, start + step, … (count of them). Ties go in
  // cyclic order from position `first`: rows start at staggered positions, so that with equal
  // scores the candidates form a band that covers everyone rather than every mentor choosing
  // the same few mentees (which left the flow to the pricer and made flat inputs 10× slower).
  const markBest = (start: number, step: number, count: number, want: number, first: number): void => {
    histogram.fill(0);
    for (let j = 0, k = start; j < count; j++, k += step) histogram[score[k] as number]!++;
    let above = 0;
    let threshold = maxScore;
    for (; threshold > 0 && above + (histogram[threshold] as number) < want; threshold--) above += histogram[threshold] as number;
    let atThreshold = want - above;
    for (let j = 0, x = first; j < count; j++, x = x + 1 === count ? 0 : x + 1) {
      const k = start + x * step;
      const v = score[k] as number;
      if (v === NONE || v < threshold || (v === threshold && atThreshold-- <= 0)) continue;
      active[k] = 1;
    }
  };
  for (let i = 0; i < m; i++) if (capI[i]) markBest(i * n, 1, n, CANDIDATES.perSeat * (capI[i] as number), Math.floor((i * n) / m));
  for (let e = 0; e < n; e++) if (capE[e]) markBest(e, n, m, CANDIDATES.perMentee * (capE[e] as number), Math.floor((e * m) / n));
  return active;
}

/** Splits the PLANNED pairs into `remaining` rounds; see the module comment. */
function scheduleRounds(ev: PreparedEvent, remaining: number, firstIndex: number): Round[] {
  const { n, pair } = ev;
  const edgePair: number[] = [];
  for (let k = 0; k < pair.length; k++) if (pair[k] === PLANNED) edgePair.push(k);
  const seatsByRound: Map<number, number[]>[] = Array.from({ length: remaining }, () => new Map());
  seatRounds(n, edgePair, colourByCopies(n, edgePair, remaining), seatsByRound, Array.from({ length: remaining }, (_, r) => r));
  return seatsByRound.map((tables, r) => buildRound(ev, tables, firstIndex + r, ev.tableSize));
}

/** Seats each pair at its mentor's table in the round of its colour; fuller colours go to earlier rounds. */
function seatRounds(n: number, edgePair: readonly number[], colour: Int32Array, seatsByRound: Map<number, number[]>[], rounds: readonly number[]): void {
  const colours = rounds.length;
  const size = new Int32Array(colours);
  for (const c of colour) size[c]!++;
  const order = Array.from({ length: colours }, (_, c) => c).sort((a, b) => (size[b] as number) - (size[a] as number) || a - b);
  const roundOfColour = new Int32Array(colours);
  order.forEach((c, r) => (roundOfColour[c] = rounds[r] as number));
  for (let k = 0; k < edgePair.length; k++) {
    const p = edgePair[k] as number;
    const i = Math.floor(p / n);
    const tables = seatsByRound[roundOfColour[colour[k] as number] as number] as Map<number, number[]>;
    let seats = tables.get(i);
    if (!seats) tables.set(i, (seats = []));
    seats.push(p % n);
  }
}

/**
 * One planned round from its tables (mentor → mentees), with a sit-out for everyone else;
 * `capacity` is each mentor's seats. In a co-hosted round `partner` gives each mentor's co-host
 * (or −1): a table is keyed by its first host, and a pair's circle has one host's seats.
 */
function buildRound(ev: PreparedEvent, tables: Map<number, number[]>, index: number, capacity: Int32Array, partner: Int32Array | null = null): Round {
  const { m, n, pair } = ev;
  const mentorOrder = Array.from({ length: m }, (_, i) => i).sort((a, b) => compareIds(ev.mentorIds[a], ev.mentorIds[b]));
  const menteeOrder = Array.from({ length: n }, (_, e) => e).sort((a, b) => compareIds(ev.menteeIds[a], ev.menteeIds[b]));
  const coHost = (i: number): number => (partner ? (partner[i] as number) : -1);
  let totalSeats = 0;
  for (let i = 0; i < m; i++) if (ev.presentMentor[i] && !(coHost(i) >= 0 && coHost(i) < i)) totalSeats += capacity[i] as number;
  /** Whether mentee e may sit at mentor i's circle: may meet i and i's co-host. */
  const mayMeet = (i: number, e: number): boolean => pair[i * n + e] === FREE && (coHost(i) < 0 || pair[coHost(i) * n + e] === FREE);

  const busyE = new Uint8Array(n);
  const usedI = new Int32Array(m);
  let seated = 0;
  const out: Table[] = [];
  for (const i of mentorOrder) {
    const seats = tables.get(i);
    if (!seats) continue;
    seats.sort((a, b) => compareIds(ev.menteeIds[a], ev.menteeIds[b]));
    for (const e of seats) busyE[e] = 1;
    usedI[i] = seats.length;
    seated += seats.length;
    const ref: TableRef = { mentorId: ev.mentorIds[i] as string, menteeIds: seats.map((e) => ev.menteeIds[e] as string) };
    if (coHost(i) >= 0) {
      usedI[coHost(i)] = seats.length;
      ref.coMentorId = ev.mentorIds[coHost(i)] as string;
    }
    out.push(scoreTable(ev, ref));
  }
  const sitOuts: SitOut[] = [];
  let idleMentees = 0;
  for (let e = 0; e < n; e++) if (ev.presentMentee[e] && !busyE[e]) idleMentees++;
  for (const e of menteeOrder) {
    if (busyE[e]) continue;
    let code: SitOutCode;
    if (!ev.presentMentee[e]) code = 'absent';
    else if (seated === totalSeats) code = 'more-mentees-than-tables';
    else {
      code = 'met-everyone-available';
      for (let i = 0; i < m; i++) {
        if (ev.presentMentor[i] && (usedI[i] as number) < (capacity[i] as number) && mayMeet(i, e)) {
          code = 'balancing';
          break;
        }
      }
    }
    sitOuts.push({ participantId: ev.menteeIds[e] as string, role: 'mentee', code, reason: REASONS[code].mentee });
  }
  for (const i of mentorOrder) {
    if (usedI[i]) continue;
    let code: SitOutCode;
    if (!ev.presentMentor[i]) code = 'absent';
    else if (idleMentees === 0) code = 'more-tables-than-mentees';
    else {
      code = 'met-everyone-available';
      for (let e = 0; e < n; e++) {
        if (ev.presentMentee[e] && !busyE[e] && mayMeet(i, e)) {
          code = 'balancing';
          break;
        }
      }
    }
    sitOuts.push({ participantId: ev.mentorIds[i] as string, role: 'mentor', code, reason: REASONS[code].mentor });
  }
  return { index, held: false, tables: out, sitOuts };
}

/**
 * Rounds with formats (see index.ts). Co-hosted rounds first (./co-hosts.ts), then a second
 * relaxation for the other rounds, with the co-hosted meetings as history. Then the PLANNED pairs go
 * to groups of rounds that share a format, König colours each group, and seats left free (where the
 * split fell short) are filled round by round with pairs that can still meet.
 */
function scheduleMixed(ev: PreparedEvent, formats: readonly RoundFormat[], firstIndex: number, warnings: string[]): { rounds: Round[]; circlePeers: CirclePeers } {
  const { m, n, pair } = ev;
  const capacity = (ev.roundCaps as Int32Array[]).slice(firstIndex);
  const pinned = new Set(ev.keptPins.map((ref) => (ev.mentorIndex.get(ref.mentorId) as number) * n + (ev.menteeIndex.get(ref.menteeId) as number)));
  const seatsByRound: Map<number, number[]>[] = formats.map(() => new Map());
  /** Per co-hosted round, each mentor's co-host or −1; null for other rounds. */
  const partners: (Int32Array | null)[] = formats.map(() => null);
  const countE = Int32Array.from(ev.historyE);
  const countI = Int32Array.from(ev.historyI);
  /** Positions of the rounds that are not co-hosted, planned by the relaxation's pairs. */
  const others = formats.flatMap((format, r) => (isCoHosted(format) ? [] : [r]));
  if (others.length < formats.length) {
    // The relaxation's pairs gave the bound; they are not a plan of co-hosted rounds, whose seats
    // are two meetings with one mentee. So these rounds are seated from scratch, then the other
    // rounds get a relaxation of their own with those meetings as history. Its pairs stay a hint.
    const suggested = new Uint8Array(pair.length);
    for (let k = 0; k < pair.length; k++) {
      if (pair[k] !== PLANNED) continue;
      suggested[k] = 1;
      pair[k] = pinned.has(k) ? PINNED : FREE;
    }
    const lastCoHosted = formats.findLastIndex((format) => isCoHosted(format));
    formats.forEach((format, r) => {
      if (!isCoHosted(format)) return;
      const lastChance = r === lastCoHosted && others.length === 0;
      partners[r] = seatCoHostedRound(ev, format.size, lastChance, suggested, seatsByRound[r] as Map<number, number[]>, countE, countI);
    });
    if (others.length > 0) choosePairsFor(ev, others.map((r) => firstIndex + r), countE, countI);
  }

  const edgePair: number[] = [];
  for (let k = 0; k < pair.length; k++) if (pair[k] === PLANNED) edgePair.push(k);
  const groups = groupRounds(others.map((r) => formats[r] as RoundFormat), ev.tableSize).map((group) => ({ ...group, rounds: group.rounds.map((k) => others[k] as number) }));
  // Pins are kept first, then the best-scored pairs.
  const value = new Map(edgePair.map((p) => [p, (pinned.has(p) ? MAX_PAIR_SCORE + 1 : 0) + ev.scoring.score(Math.floor(p / n), p % n)]));
  const groupOf = assignGroups(n, m, edgePair, groups, (p) => value.get(p) as number);
  groups.forEach((group, g) => {
    const edges = edgePair.filter((_, x) => groupOf[x] === g);
    seatRounds(n, edges, colourByCopies(n, edges, group.rounds.length), seatsByRound, group.rounds);
  });
  // Pairs that fit no group are planned again below if they can; a dropped pin first.
  edgePair.forEach((p, x) => {
    if (groupOf[x] === -1) pair[p] = pinned.has(p) ? PINNED : FREE;
  });

  for (const r of others) {
    for (const [i, seats] of seatsByRound[r] as Map<number, number[]>) {
      countI[i]! += seats.length;
      for (const e of seats) countE[e]!++;
    }
  }
  for (const r of others) fillRound(ev, seatsByRound[r] as Map<number, number[]>, capacity[r] as Int32Array, countE, countI);
  for (const p of pinned) {
    if (pair[p] !== PINNED) continue;
    warnings.push(
      `pinned pair ${ev.mentorIds[Math.floor(p / n)]}–${ev.menteeIds[p % n]} is not planned: the rounds' formats leave no round where both have room`,
    );
  }

  // Circles: the most different peers, then the most affinity, by swaps that keep every meeting
  // (see spreadPeers); co-hosted circles are counted but kept, as a move there would change two pairs.
  const freeSeatMentors = seatsByRound.map((tables, r) => {
    const free: number[] = [];
    for (let i = 0; i < m; i++) if (ev.presentMentor[i] && (tables.get(i)?.length ?? 0) < ((capacity[r] as Int32Array)[i] as number)) free.push(i);
    return free;
  });
  const mayIdle = (e: number, r: number): boolean => (freeSeatMentors[r] as number[]).every((i) => pair[i * n + e] !== FREE);
  const roles = formats.map((format) => (format.kind !== 'circle' ? 'none' : isCoHosted(format) ? 'fixed' : 'circle'));
  const circlePeers = spreadPeers(n, seatsByRound, roles, mayIdle, (e, f) => ev.scoring.peerScore(e, f));
  const rounds = seatsByRound.map((tables, r) => buildRound(ev, tables, firstIndex + r, capacity[r] as Int32Array, partners[r] ?? null));
  // A circle says what its mentees have in common, two by two (the plan view's "why grouped").
  rounds.forEach((round, r) => {
    if (formats[r]?.kind !== 'circle') return;
    for (const table of round.tables) {
      const peers: NonNullable<Table['peers']> = [];
      for (let a = 0; a < table.menteeIds.length; a++) {
        for (let b = a + 1; b < table.menteeIds.length; b++) {
          const [x, y] = [table.menteeIds[a] as string, table.menteeIds[b] as string];
          const { score, reasons } = ev.scoring.explainPeers(ev.menteeIndex.get(x) as number, ev.menteeIndex.get(y) as number);
          if (score > 0) peers.push({ menteeIds: [x, y], score, reasons });
        }
      }
      if (peers.length > 0) table.peers = peers;
    }
  });
  return { rounds, circlePeers };
}

/**
 * Seats one co-hosted round (./co-hosts.ts) among the present mentors and the pairs that may still
 * meet (FREE, or PINNED): fills `tables` (first host by id → mentees), marks the pairs SEATED and
 * counts them. `lastChance`: no round planned after it can hold a pin; `suggested[p]`: the
 * relaxation planned pair p. Returns each mentor's co-host, or −1 (hosting alone, or absent).
 */
function seatCoHostedRound(
  ev: PreparedEvent,
  size: number,
  lastChance: boolean,
  suggested: Uint8Array,
  tables: Map<number, number[]>,
  countE: Int32Array,
  countI: Int32Array,
): Int32Array {
  const { m, n, pair } = ev;
  const mentors: number[] = [];
  for (let i = 0; i < m; i++) if (ev.presentMentor[i]) mentors.push(i);
  const mentees: number[] = [];
  for (let e = 0; e < n; e++) if (ev.presentMentee[e]) mentees.push(e);
  const access = new Uint8Array(mentors.length * n);
  const score = new Uint8Array(mentors.length * n);
  mentors.forEach((i, a) => {
    ev.scoring.scoreRow(i, score, a * n);
    for (const e of mentees) {
      const p = i * n + e;
      access[a * n + e] = pair[p] === PINNED ? ACCESS.pinned : pair[p] !== FREE ? ACCESS.none : suggested[p] ? ACCESS.suggested : ACCESS.free;
    }
  });
  const partner = new Int32Array(m).fill(-1);
  for (const circle of planCoHostedRound({ n, mentors, mentees, size, access, score, countE, countI, lastChance })) {
    const hosts = [...circle.hosts].sort((a, b) => compareIds(ev.mentorIds[a], ev.mentorIds[b]));
    if (hosts.length === 2) {
      partner[hosts[0] as number] = hosts[1] as number;
      partner[hosts[1] as number] = hosts[0] as number;
    }
    if (circle.mentees.length === 0) continue;
    tables.set(hosts[0] as number, circle.mentees);
    for (const i of hosts) {
      countI[i]! += circle.mentees.length;
      for (const e of circle.mentees) {
        pair[i * n + e] = SEATED;
        countE[e]!++;
      }
    }
  }
  return partner;
}

/**
 * The relaxation again, for `rounds` (of the event; none co-hosted) once the co-hosted rounds are
 * seated: their meetings count as history (`countE`, `countI`), pins still open keep their place.
 */
function choosePairsFor(ev: PreparedEvent, rounds: readonly number[], countE: Int32Array, countI: Int32Array): void {
  const { m, n, pair } = ev;
  const pinsE = new Int32Array(n);
  const pinsI = new Int32Array(m);
  for (let k = 0; k < pair.length; k++) {
    if (pair[k] !== PINNED) continue;
    pinsI[Math.floor(k / n)]!++;
    pinsE[k % n]!++;
  }
  const seats = new Int32Array(m);
  let limit = 0;
  for (const r of rounds) {
    for (let i = 0; i < m; i++) seats[i]! += (ev.roundCaps as Int32Array[])[r]![i] as number;
    limit += roundMeetingCap(ev, r);
  }
  const { capE, capI } = relaxationCaps(ev, rounds.length, seats, pinsE, pinsI);
  choosePairs({ ...ev, historyE: countE, historyI: countI, pinsE, pinsI }, capE, capI, limit);
}

/**
 * Fills one round's free seats with pairs that may still meet (FREE, or a PINNED pin that fit no
 * group): as many as possible, dropped pins first, then the least-met participants, then the
 * best scores (a min-cost flow, so no free seat and free mentee who could meet are left apart).
 */
function fillRound(ev: PreparedEvent, tables: Map<number, number[]>, capacity: Int32Array, countE: Int32Array, countI: Int32Array): void {
  const { m, n, pair } = ev;
  const busyE = new Uint8Array(n);
  for (const seats of tables.values()) for (const e of seats) busyE[e] = 1;
  const freeI: number[] = [];
  let seatsFree = 0;
  for (let i = 0; i < m; i++) {
    const free = (capacity[i] as number) - (tables.get(i)?.length ?? 0);
    if (ev.presentMentor[i] && free > 0) {
      freeI.push(i);
      seatsFree += free;
    }
  }
  const freeE: number[] = [];
  for (let e = 0; e < n; e++) if (ev.presentMentee[e] && !busyE[e]) freeE.push(e);
  if (freeI.length === 0 || freeE.length === 0) return;

  const row = new Uint8Array(n);
  const candidates: number[] = [];
  const scores: number[] = [];
  for (const i of freeI) {
    ev.scoring.scoreRow(i, row, 0);
    for (const e of freeE) {
      const status = pair[i * n + e];
      if (status !== FREE && status !== PINNED) continue;
      candidates.push(i * n + e);
      scores.push(row[e] as number);
    }
  }
  if (candidates.length === 0) return;

  const bound = Math.min(freeE.length, seatsFree);
  let maxCount = 0;
  for (const e of freeE) maxCount = Math.max(maxCount, countE[e] as number);
  for (const i of freeI) maxCount = Math.max(maxCount, (countI[i] as number) + (capacity[i] as number));
  const BIG = (MAX_PAIR_SCORE + 1) * bound + 1;
  const HUGE = BIG * (2 * maxCount + 2) * bound + 1;
  const PIN = HUGE * (bound + 1);
  const s = n + m;
  const t = s + 1;
  const flow = new MinCostFlow(n + m + 2, candidates.length + freeE.length + seatsFree + 1);
  for (const e of freeE) flow.addArc(s, e, 1, BIG * ((countE[e] as number) + 1));
  for (const i of freeI) {
    const free = (capacity[i] as number) - (tables.get(i)?.length ?? 0);
    for (let k = 1; k <= free; k++) flow.addArc(n + i, t, 1, BIG * ((countI[i] as number) + k));
  }
  const arcs = candidates.map((p, j) =>
    flow.addArc(p % n, n + Math.floor(p / n), 1, -(HUGE + (scores[j] as number) + (pair[p] === PINNED ? PIN : 0))),
  );
  flow.addArc(s, t, freeE.length, 0);
  flow.setSupply(s, freeE.length);
  flow.setSupply(t, -freeE.length);
  if (flow.solve() !== 'optimal') throw new Error('seat filling flow is not optimal'); // unreachable: the bypass arc keeps it feasible
  candidates.forEach((p, j) => {
    if (flow.flow(arcs[j] as number) !== 1) return;
    const i = Math.floor(p / n);
    const e = p % n;
    pair[p] = PLANNED;
    let seats = tables.get(i);
    if (!seats) tables.set(i, (seats = []));
    seats.push(e);
    countI[i]!++;
    countE[e]!++;
  });
}

/** The objective of the PLANNED pairs (pins included) of the rounds being planned. */
function objectiveOfPlanned(ev: PreparedEvent): Objective {
  const { m, n, pair } = ev;
  const addedE = new Int32Array(n);
  const addedI = new Int32Array(m);
  let meetings = 0;
  let score = 0;
  for (let k = 0; k < pair.length; k++) {
    if (pair[k] !== PLANNED) continue;
    meetings++;
    score += ev.scoring.score(Math.floor(k / n), k % n);
    addedI[Math.floor(k / n)]!++;
    addedE[k % n]!++;
  }
  return { meetings, balance: balanceCost(ev, addedE, addedI), score };
}

/** The objective of the rounds a plan planned. */
function achievedObjective(ev: PreparedEvent, rounds: readonly Round[]): Objective {
  const addedE = new Int32Array(ev.n);
  const addedI = new Int32Array(ev.m);
  let meetings = 0;
  let score = 0;
  for (const round of rounds) {
    if (round.held) continue;
    for (const table of round.tables) {
      const hosts = hostsOf(table);
      score += table.score;
      meetings += table.menteeIds.length * hosts.length;
      for (const id of hosts) addedI[ev.mentorIndex.get(id) as number]! += table.menteeIds.length;
      for (const id of table.menteeIds) addedE[ev.menteeIndex.get(id) as number]! += hosts.length;
    }
  }
  return { meetings, balance: balanceCost(ev, addedE, addedI), score };
}

/** Σ over present participants of (history + 1) + … + (history + added): the flow's level costs. */
function balanceCost(ev: PreparedEvent, addedE: Int32Array, addedI: Int32Array): number {
  const side = (present: Uint8Array, history: Int32Array, added: Int32Array): number => {
    let sum = 0;
    for (let x = 0; x < present.length; x++) {
      if (!present[x]) continue;
      const h = history[x] as number;
      const a = added[x] as number;
      sum += a * h + (a * (a + 1)) / 2;
    }
    return sum;
  };
  return side(ev.presentMentee, ev.historyE, addedE) + side(ev.presentMentor, ev.historyI, addedI);
}

/** The mentors of a table: its host, and its co-host in a co-hosted circle. */
function hostsOf(table: TableRef): string[] {
  return table.coMentorId === undefined ? [table.mentorId] : [table.mentorId, table.coMentorId];
}

/** A table with each host's fit with each mentee (seats, and coSeats for a co-host) and their sum. */
function scoreTable(ev: PreparedEvent, table: TableRef): Table {
  const seatsOf = (mentorId: string): Table['seats'] => {
    const i = ev.mentorIndex.get(mentorId) as number;
    return table.menteeIds.map((menteeId) => {
      const { score, reasons } = ev.scoring.explain(i, ev.menteeIndex.get(menteeId) as number);
      return { menteeId, score, reasons };
    });
  };
  const total = (seats: Table['seats']): number => seats.reduce((sum, seat) => sum + seat.score, 0);
  const seats = seatsOf(table.mentorId);
  if (table.coMentorId === undefined) return { mentorId: table.mentorId, menteeIds: [...table.menteeIds], score: total(seats), seats };
  const coSeats = seatsOf(table.coMentorId);
  return { mentorId: table.mentorId, coMentorId: table.coMentorId, menteeIds: [...table.menteeIds], score: total(seats) + total(coSeats), seats, coSeats };
}

function countsOf(ev: PreparedEvent, rounds: readonly Round[]): { perMentee: Int32Array; perMentor: Int32Array } {
  const perMentee = new Int32Array(ev.n);
  const perMentor = new Int32Array(ev.m);
  for (const round of rounds) {
    for (const table of round.tables) {
      const hosts = hostsOf(table);
      for (const id of hosts) perMentor[ev.mentorIndex.get(id) as number]! += table.menteeIds.length;
      for (const id of table.menteeIds) perMentee[ev.menteeIndex.get(id) as number]! += hosts.length;
    }
  }
  return { perMentee, perMentor };
}

function rangeOf(values: Int32Array, include: Uint8Array): Range {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  values.forEach((v, k) => {
    if (!include[k]) return;
    min = Math.min(min, v);
    max = Math.max(max, v);
  });
  return min === Number.POSITIVE_INFINITY ? { min: 0, max: 0 } : { min, max };
}

/** `sharedTables` counts one-to-one rounds' tables with more than one mentee: a circle is not a shared table. */
function totalsOf(ev: PreparedEvent, rounds: readonly Round[], heldCount: number, formats: readonly RoundFormat[] | undefined): Plan['totals'] {
  const { perMentee, perMentor } = countsOf(ev, rounds);
  let score = 0;
  let meetings = 0;
  let plannedScore = 0;
  let plannedMeetings = 0;
  let sharedTables = 0;
  for (const round of rounds) {
    for (const table of round.tables) {
      const tableMeetings = table.menteeIds.length * hostsOf(table).length;
      score += table.score;
      meetings += tableMeetings;
      if (round.index < heldCount) continue;
      plannedScore += table.score;
      plannedMeetings += tableMeetings;
      if (table.menteeIds.length > 1 && formats?.[round.index]?.kind !== 'circle') sharedTables++;
    }
  }
  return {
    score,
    meetings,
    meetingsPerMentee: rangeOf(perMentee, ev.presentMentee),
    mentorLoads: rangeOf(perMentor, ev.presentMentor),
    plannedScore,
    plannedMeetings,
    sharedTables,
  };
}

function balanceWarnings(ev: PreparedEvent, rounds: readonly Round[]): string[] {
  const { perMentee, perMentor } = countsOf(ev, rounds);
  const warnings: string[] = [];
  const mentees = rangeOf(perMentee, ev.presentMentee);
  const mentors = rangeOf(perMentor, ev.presentMentor);
  // Pins force meetings, so a pinned participant among the busiest may be why counts spread.
  const pinsAtMax = (side: 'mentee' | 'mentor', max: number): string => {
    const involved = ev.keptPins.filter((ref) =>
      side === 'mentee'
        ? perMentee[ev.menteeIndex.get(ref.menteeId) as number] === max
        : perMentor[ev.mentorIndex.get(ref.mentorId) as number] === max,
    );
    if (involved.length === 0) return '';
    const shown = involved.slice(0, 10).map((ref) => `pinned pair ${ref.mentorId}–${ref.menteeId}`);
    if (involved.length > 10) shown.push(`${involved.length - 10} more pinned pair(s)`);
    return `pins (${shown.join(', ')}), `;
  };
  if (mentees.max - mentees.min > 1) {
    warnings.push(
      `mentees meet between ${mentees.min} and ${mentees.max} mentors: ${pinsAtMax('mentee', mentees.max)}late joiners, absences or excluded pairs prevent a more even spread`,
    );
  }
  if (mentors.max - mentors.min > 1) {
    warnings.push(
      `mentors meet between ${mentors.min} and ${mentors.max} mentees: ${pinsAtMax('mentor', mentors.max)}table sizes, late joiners, absences or excluded pairs prevent a more even spread`,
    );
  }
  return warnings;
}

function compareIds(a: string | undefined, b: string | undefined): number {
  return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
}
