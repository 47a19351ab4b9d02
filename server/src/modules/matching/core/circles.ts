/**
 * Mentoring circles as the final outcome: each mentor gets a circle of at most `capacity` mentees,
 * each mentee sits in at most one circle, only acceptable pairs (same rules as 1:1, model.ts).
 *
 * Objective, lexicographic and exact:
 *   1. stable: no mentor and mentee who would both rather be together. Stability is read on the
 *      seed-tie-broken preferences the stable proposal uses (so it also holds for the stated ones).
 *      A stable many-to-one matching always exists, so this restricts the search to the stable
 *      matchings, which form a distributive lattice: every one is reached from the mentee-optimal
 *      matching by eliminating a closed set of "rotations" (Gusfield & Irving 1989, ch. 2-3).
 *   2. the most mutual peer wishes: pairs of mentees in the same circle who both wished for each
 *      other (one-sided wishes count for nothing).
 *   3. the best ranks: the least sum of each mentee's position of their mentor in their strict
 *      preference list. How many are placed needs no criterion: every stable matching places the
 *      same people (rural hospitals theorem).
 *   4. the seed: the lexicographically best vector of those positions, mentees in lottery order.
 *
 * Method: the instance is cloned into one-to-one stable marriage (mentor j becomes capacity(j)
 * seats with j's preferences; a mentee's list holds j's seats in a row), whose stable matchings
 * are exactly the circles' ones. Depth-first branch-and-bound over the lattice: at a matching,
 * take an exposed rotation ρ and branch on "eliminate ρ" or "never eliminate ρ" (its mentees keep
 * their mentors in the whole subtree). Every stable matching is the leaf of exactly one branch.
 * Bounds: ranks only worsen as rotations are eliminated, so the current rank sum bounds a subtree;
 * a mutual wish can still be met only if both mentees can still reach a common mentor (a frozen
 * mentee keeps theirs, a free one reaches the mentors still in their reduced list).
 *
 * The search is deterministic: it stops after `maxNodes` nodes (never a clock), and then returns
 * the best circles found with `optimality.exact: false` and a proven upper bound on mutual wishes.
 */
import { deferredAcceptance } from './deferred-acceptance.ts';
import { buildModel, type Model } from './model.ts';
import { MatchingInputError, type MatchInput, type MatchPair } from './types.ts';

export interface CirclesInput extends MatchInput {
  /** Mentee id → peer mentee ids they would like to keep learning with. Only mutual wishes count. */
  peerWishes?: Record<string, readonly string[]>;
}

export interface Circle {
  mentorId: string;
  /** Members, in the mentor's preference order. */
  menteeIds: string[];
  /** Pairs of members who wished for each other. */
  mutualWishes: [string, string][];
}

export interface CirclesOptimality {
  /** True when the search finished: no stable circles meet more mutual wishes, or as many with better ranks. */
  exact: boolean;
  /** Proven upper bound on the mutual wishes any stable circles can meet. */
  wishesBound: number;
  /** wishesBound - mutualWishes (0 when exact). */
  gap: number;
  /** Branch-and-bound nodes visited. */
  nodes: number;
  /** Rotations of the lattice (0: only one stable matching). */
  rotations: number;
}

export interface CirclesProposal {
  algorithm: 'circles-stable-peer-wishes';
  /** Ordered by mentee (input order). */
  pairs: MatchPair[];
  /** One per mentor with members, in input order. */
  circles: Circle[];
  /** Mutual wishes met. */
  mutualWishes: number;
  /** Mutual wishes in the input (both mentees can be placed), met or not. */
  mutualWishPairs: number;
  /** Sum over placed mentees of their mentor's position in their strict preferences (0 = first). */
  rankSum: number;
  optimality: CirclesOptimality;
}

export const DEFAULT_MAX_NODES = 200_000;

/** The same input read for circles: a mentee sits in at most one circle (size 0 still means "not seeking"). */
export function circleInput(input: MatchInput): MatchInput {
  return {
    ...input,
    mentees: input.mentees.map((m) => ({ ...m, constellationSize: Math.min(1, m.constellationSize ?? 1) })),
  };
}

/** Mutual wishes as pairs of mentee indices (a < b), validated against the model. */
export function mutualWishPairs(model: Model, wishes: Record<string, readonly string[]> | undefined): [number, number][] {
  if (wishes === undefined) return [];
  if (typeof wishes !== 'object' || wishes === null || Array.isArray(wishes)) {
    throw new MatchingInputError('peerWishes: must be an object of mentee id → peer ids');
  }
  const wanted = new Set<number>();
  for (const [menteeId, peers] of Object.entries(wishes)) {
    const a = model.menteeIndex.get(menteeId);
    if (a === undefined) throw new MatchingInputError(`peerWishes["${menteeId}"]: unknown mentee`);
    if (!Array.isArray(peers)) throw new MatchingInputError(`peerWishes["${menteeId}"]: must be an array`);
    for (const peerId of peers) {
      const b = model.menteeIndex.get(peerId);
      if (b === undefined) throw new MatchingInputError(`peerWishes["${menteeId}"]: unknown mentee "${peerId}"`);
      if (b === a) throw new MatchingInputError(`peerWishes["${menteeId}"]: a mentee cannot wish for themselves`);
      wanted.add(a * model.n + b);
    }
  }
  const out: [number, number][] = [];
  for (const key of wanted) {
    const a = Math.floor(key / model.n);
    const b = key % model.n;
    if (a < b && wanted.has(b * model.n + a)) out.push([a, b]);
  }
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/**
 * The cloned stable-marriage table between the mentee-optimal and the mentor-optimal matchings:
 * only pairs that can be stable are kept, each in both lists (a "stable table").
 */
interface Table {
  n: number;
  seats: number;
  seatMentor: Int32Array;
  /** Pairs p: mentee, seat, the mentee's position of the mentor (the rank objective). */
  pairMentee: Int32Array;
  pairSeat: Int32Array;
  pairPos: Int32Array;
  /** Pairs are numbered by mentee, best first: mentee i's list is menteeStart[i] .. menteeStart[i+1]. */
  menteeStart: Int32Array;
  /** Seat lists of pair ids, best first. */
  seatStart: Int32Array;
  seatList: Int32Array;
  /** Index of the pair in its seat's list. */
  pairSeatIndex: Int32Array;
}

function seatLayout(model: Model): { seatOf: Int32Array; seatMentor: Int32Array } {
  const seatOf = new Int32Array(model.m + 1);
  for (let j = 0; j < model.m; j++) seatOf[j + 1] = seatOf[j]! + model.capacity[j]!;
  const seatMentor = new Int32Array(seatOf[model.m]!);
  for (let j = 0; j < model.m; j++) seatMentor.fill(j, seatOf[j]!, seatOf[j + 1]!);
  return { seatOf, seatMentor };
}

/** A mentor's members sit in seats in the mentor's order: the only stable way to seat them. */
function seatsOf(model: Model, edges: Int32Array, seatOf: Int32Array): Int32Array {
  const seatOfMentee = new Int32Array(model.n).fill(-1);
  const byMentor: number[][] = Array.from({ length: model.m }, () => []);
  for (const e of edges) byMentor[model.edgeMentor[e]!]!.push(e);
  for (let j = 0; j < model.m; j++) {
    const list = byMentor[j]!.sort((a, b) => model.mentorPos[a]! - model.mentorPos[b]!);
    list.forEach((e, t) => (seatOfMentee[model.edgeMentee[e]!] = seatOf[j]! + t));
  }
  return seatOfMentee;
}

function buildTable(model: Model): Table {
  const { seatOf, seatMentor } = seatLayout(model);
  const seats = seatMentor.length;
  const first = seatsOf(model, deferredAcceptance(model, 'mentee'), seatOf);
  const last = seatsOf(model, deferredAcceptance(model, 'mentor'), seatOf);
  // A seat's partner in each extreme matching, -1 when empty (then empty in every stable matching).
  const seatFirst = new Int32Array(seats).fill(-1);
  const seatLast = new Int32Array(seats).fill(-1);
  for (let i = 0; i < model.n; i++) {
    if (first[i]! >= 0) seatFirst[first[i]!] = i;
    if (last[i]! >= 0) seatLast[last[i]!] = i;
  }
  // The range of the mentor's positions a seat can hold: from its mentor-optimal to its mentee-optimal partner.
  const seatBest = new Int32Array(seats);
  const seatWorst = new Int32Array(seats);
  for (let s = 0; s < seats; s++) {
    if (seatFirst[s]! < 0) continue;
    seatBest[s] = mentorPosOf(model, seatLast[s]!, seatMentor[s]!);
    seatWorst[s] = mentorPosOf(model, seatFirst[s]!, seatMentor[s]!);
  }
  // Each mentee's list: edges in preference order, a mentor's seats in a row, from the
  // mentee-optimal seat to the mentor-optimal one; a pair is kept only if the seat's range allows it too.
  const pairMentee: number[] = [];
  const pairSeat: number[] = [];
  const pairPos: number[] = [];
  const pairMentorPos: number[] = [];
  const menteeStart = new Int32Array(model.n + 1);
  for (let i = 0; i < model.n; i++) {
    menteeStart[i] = pairMentee.length;
    if (first[i]! < 0) continue; // unplaced in every stable matching
    let inRange = false;
    let done = false;
    for (let p = model.menteeStart[i]!; p < model.menteeStart[i + 1]! && !done; p++) {
      const e = model.menteeEdges[p]!;
      const j = model.edgeMentor[e]!;
      const mine = model.mentorPos[e]!;
      for (let s = seatOf[j]!; s < seatOf[j + 1]!; s++) {
        if (s === first[i]) inRange = true;
        if (inRange && seatFirst[s]! >= 0 && mine >= seatBest[s]! && mine <= seatWorst[s]!) {
          pairMentee.push(i);
          pairSeat.push(s);
          pairPos.push(model.menteePos[e]!);
          pairMentorPos.push(mine);
        }
        if (s === last[i]) {
          done = true;
          break;
        }
      }
    }
  }
  menteeStart[model.n] = pairMentee.length;
  const count = pairMentee.length;
  // Seat lists: pairs by seat, then by the mentor's preference.
  const order = Array.from({ length: count }, (_, p) => p).sort((a, b) => pairSeat[a]! - pairSeat[b]! || pairMentorPos[a]! - pairMentorPos[b]!);
  const seatStart = new Int32Array(seats + 1);
  for (let p = 0; p < count; p++) seatStart[pairSeat[p]! + 1]!++;
  for (let s = 0; s < seats; s++) seatStart[s + 1]! += seatStart[s]!;
  const seatList = Int32Array.from(order);
  const pairSeatIndex = new Int32Array(count);
  for (let k = 0; k < count; k++) pairSeatIndex[seatList[k]!] = k;
  return {
    n: model.n,
    seats,
    seatMentor,
    pairMentee: Int32Array.from(pairMentee),
    pairSeat: Int32Array.from(pairSeat),
    pairPos: Int32Array.from(pairPos),
    menteeStart,
    seatStart,
    seatList,
    pairSeatIndex,
  };
}

/** The mentor's preference position of mentee i (who is acceptable to mentor j). */
function mentorPosOf(model: Model, i: number, j: number): number {
  for (let p = model.menteeStart[i]!; p < model.menteeStart[i + 1]!; p++) {
    const e = model.menteeEdges[p]!;
    if (model.edgeMentor[e] === j) return model.mentorPos[e]!;
  }
  throw new Error(`internal: mentee ${i} is not acceptable to mentor ${j}`);
}

/** Mutable search state over the table: deleted pairs and frozen mentees, with an undo log. */
class Lattice {
  readonly deleted: Uint8Array;
  readonly frozen: Uint8Array;
  readonly t: Table;
  private readonly log: number[] = [];
  constructor(t: Table) {
    this.t = t;
    this.deleted = new Uint8Array(t.pairMentee.length);
    this.frozen = new Uint8Array(t.n);
  }

  mark(): number {
    return this.log.length;
  }

  undo(to: number): void {
    while (this.log.length > to) {
      const x = this.log.pop()!;
      if (x >= 0) this.deleted[x] = 0;
      else this.frozen[-x - 1] = 0;
    }
  }

  private remove(p: number): void {
    if (this.deleted[p]) return;
    this.deleted[p] = 1;
    this.log.push(p);
  }

  freeze(i: number): void {
    if (this.frozen[i]) return;
    this.frozen[i] = 1;
    this.log.push(-i - 1);
  }

  /** The k-th (0 or 1) live pair of mentee i, or -1. */
  entry(i: number, k: number): number {
    const { menteeStart } = this.t;
    for (let p = menteeStart[i]!; p < menteeStart[i + 1]!; p++) {
      if (this.deleted[p]) continue;
      if (k-- === 0) return p;
    }
    return -1;
  }

  /** The seat's current partner: its last live pair. */
  lastOfSeat(s: number): number {
    const { seatStart, seatList } = this.t;
    for (let x = seatStart[s + 1]! - 1; x >= seatStart[s]!; x--) {
      const p = seatList[x]!;
      if (!this.deleted[p]) return p;
    }
    return -1;
  }

  /**
   * Exposed rotations: cycles of next(i) = partner of the seat second on i's list. Each is a list
   * of mentees m_0..m_{r-1}; eliminating it moves each m_k to the seat second on their list.
   */
  exposedRotations(order: Int32Array): number[][] {
    const n = this.t.n;
    const state = new Int32Array(n); // 0 unvisited, 1 on current walk, 2 done
    const out: number[][] = [];
    const walk: number[] = [];
    for (const start of order) {
      if (state[start] !== 0) continue;
      walk.length = 0;
      let i = start;
      while (state[i] === 0) {
        const second = this.entry(i, 1);
        if (second < 0) break;
        state[i] = 1;
        walk.push(i);
        const p = this.lastOfSeat(this.t.pairSeat[second]!);
        if (p < 0) throw new Error('internal: a seat in a stable table has no partner');
        i = this.t.pairMentee[p]!;
      }
      if (state[i] === 1) out.push(walk.slice(walk.indexOf(i)));
      for (const k of walk) state[k] = 2;
    }
    return out;
  }

  /** Eliminates a rotation: each mentee moves on; each seat drops everyone it likes less than its new partner. */
  eliminate(rotation: readonly number[]): void {
    const t = this.t;
    const firsts = rotation.map((i) => this.entry(i, 0));
    const seconds = rotation.map((i) => this.entry(i, 1));
    for (let k = 0; k < rotation.length; k++) {
      this.remove(firsts[k]!);
      const p = seconds[k]!;
      const s = t.pairSeat[p]!;
      for (let x = t.pairSeatIndex[p]! + 1; x < t.seatStart[s + 1]!; x++) this.remove(t.seatList[x]!);
    }
  }
}

interface Best {
  wishes: number;
  rankSum: number;
  /** Position of each mentee's mentor (lottery order), for the seeded tie-break. */
  key: Int32Array;
  seatOf: Int32Array;
}

export function circleMatch(input: CirclesInput, options: { maxNodes?: number } = {}): CirclesProposal {
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  const model = buildModel(circleInput(input));
  const wishes = mutualWishPairs(model, input.peerWishes);
  const t = buildTable(model);
  const lattice = new Lattice(t);
  const order = model.menteeLotteryOrder;

  // Wishes of mentees placed in every stable matching (others can never be met).
  const placed = new Uint8Array(model.n);
  for (let i = 0; i < model.n; i++) placed[i] = t.menteeStart[i + 1]! > t.menteeStart[i]! ? 1 : 0;
  const live = wishes.filter(([a, b]) => placed[a] && placed[b]);

  const mentorOf = (i: number): number => {
    const p = lattice.entry(i, 0);
    return p < 0 ? -1 : t.seatMentor[t.pairSeat[p]!]!;
  };
  const metWishes = (): number => {
    let count = 0;
    for (const [a, b] of live) if (mentorOf(a) === mentorOf(b)) count++;
    return count;
  };
  // The mentors each mentee can still reach, as a bitset per mentee (only mentees with a live wish).
  const words = (model.m + 31) >>> 5;
  const reach = new Int32Array(model.n * words);
  const wishers = [...new Set(live.flat())];
  const wishBound = (): number => {
    for (const i of wishers) {
      const base = i * words;
      reach.fill(0, base, base + words);
      if (lattice.frozen[i]) {
        const j = mentorOf(i);
        reach[base + (j >>> 5)]! |= 1 << (j & 31);
        continue;
      }
      for (let p = t.menteeStart[i]!; p < t.menteeStart[i + 1]!; p++) {
        if (lattice.deleted[p]) continue;
        const j = t.seatMentor[t.pairSeat[p]!]!;
        reach[base + (j >>> 5)]! |= 1 << (j & 31);
      }
    }
    let count = 0;
    for (const [a, b] of live) {
      for (let k = 0; k < words; k++) {
        if (reach[a * words + k]! & reach[b * words + k]!) {
          count++;
          break;
        }
      }
    }
    return count;
  };
  const rankSum = (): number => {
    let sum = 0;
    for (let i = 0; i < model.n; i++) {
      const p = lattice.entry(i, 0);
      if (p >= 0) sum += t.pairPos[p]!;
    }
    return sum;
  };

  let best: Best | null = null;
  let nodes = 0;
  let openBound = -1; // best bound among subtrees left unexplored when the budget ran out
  const better = (wishes: number, ranks: number, key: Int32Array): boolean => {
    if (best === null) return true;
    if (wishes !== best.wishes) return wishes > best.wishes;
    if (ranks !== best.rankSum) return ranks < best.rankSum;
    for (let k = 0; k < key.length; k++) if (key[k] !== best.key[k]) return key[k]! < best.key[k]!;
    return false;
  };
  /** Can this subtree still hold something better than the best so far? */
  const promising = (bound: number, ranks: number): boolean =>
    best === null || bound > best.wishes || (bound === best.wishes && ranks <= best.rankSum);

  /** The current matching as a candidate. */
  const consider = (ranks: number): void => {
    const met = metWishes();
    const key = new Int32Array(model.n);
    for (let k = 0; k < model.n; k++) {
      const p = lattice.entry(order[k]!, 0);
      key[k] = p < 0 ? 0 : t.pairPos[p]!;
    }
    if (!better(met, ranks, key)) return;
    const seatOf = new Int32Array(model.n);
    for (let i = 0; i < model.n; i++) {
      const p = lattice.entry(i, 0);
      seatOf[i] = p < 0 ? -1 : t.pairSeat[p]!;
    }
    best = { wishes: met, rankSum: ranks, key, seatOf };
  };

  /** A subtree: its wish bound is computed by the parent, which needed it to order its children. */
  const visit = (bound: number): void => {
    const ranks = rankSum();
    if (!promising(bound, ranks)) return;
    if (nodes >= maxNodes) {
      openBound = Math.max(openBound, bound);
      return;
    }
    nodes++;
    const rotation = lattice.exposedRotations(order).find((r) => r.every((i) => !lattice.frozen[i]));
    if (rotation === undefined) {
      consider(ranks);
      return;
    }
    // Both children; the one with the higher wish bound first (ties: keep, which has better ranks).
    const mark = lattice.mark();
    lattice.eliminate(rotation);
    const moveBound = wishBound();
    lattice.undo(mark);
    for (const i of rotation) lattice.freeze(i);
    const keepBound = wishBound();
    if (keepBound >= moveBound) {
      visit(keepBound);
      lattice.undo(mark);
      lattice.eliminate(rotation);
      visit(moveBound);
    } else {
      lattice.undo(mark);
      lattice.eliminate(rotation);
      visit(moveBound);
      lattice.undo(mark);
      for (const i of rotation) lattice.freeze(i);
      visit(keepBound);
    }
    lattice.undo(mark);
  };
  // The mentee-optimal matching first: a valid answer even if the budget runs out at once, and
  // the least rank sum of all, so subtrees that cannot meet more wishes are pruned from the start.
  consider(rankSum());
  visit(wishBound());

  const found = best as Best | null;
  if (found === null) throw new Error('internal: the lattice of stable matchings is never empty');
  const rotations = countRotations(t, order);
  const exact = openBound < 0;
  const wishesBound = exact ? found.wishes : Math.max(found.wishes, openBound);
  return proposalOf(model, t, found, live.length, wishes, { exact, wishesBound, gap: wishesBound - found.wishes, nodes, rotations });
}

/** Rotations of the whole lattice: eliminate exposed ones from the mentee-optimal matching until none is left. */
function countRotations(t: Table, order: Int32Array): number {
  const lattice = new Lattice(t);
  let count = 0;
  for (;;) {
    const exposed = lattice.exposedRotations(order);
    if (exposed.length === 0) return count;
    for (const r of exposed) lattice.eliminate(r);
    count += exposed.length;
  }
}

function proposalOf(model: Model, t: Table, best: Best, livePairs: number, wishes: [number, number][], optimality: CirclesOptimality): CirclesProposal {
  const mentorOf = (i: number): number => (best.seatOf[i]! < 0 ? -1 : t.seatMentor[best.seatOf[i]!]!);
  const pairs: MatchPair[] = [];
  const members: number[][] = Array.from({ length: model.m }, () => []);
  for (let i = 0; i < model.n; i++) {
    const j = mentorOf(i);
    if (j < 0) continue;
    pairs.push({ menteeId: model.menteeIds[i]!, mentorId: model.mentorIds[j]! });
    members[j]!.push(i);
  }
  const circles: Circle[] = [];
  for (let j = 0; j < model.m; j++) {
    const list = members[j]!.sort((a, b) => best.seatOf[a]! - best.seatOf[b]!);
    if (list.length === 0) continue;
    const inCircle = new Set(list);
    circles.push({
      mentorId: model.mentorIds[j]!,
      menteeIds: list.map((i) => model.menteeIds[i]!),
      mutualWishes: wishes.filter(([a, b]) => inCircle.has(a) && inCircle.has(b)).map(([a, b]) => [model.menteeIds[a]!, model.menteeIds[b]!]),
    });
  }
  return {
    algorithm: 'circles-stable-peer-wishes',
    pairs,
    circles,
    mutualWishes: best.wishes,
    mutualWishPairs: livePairs,
    rankSum: best.rankSum,
    optimality,
  };
}

/**
 * The circles of any pairing (a proposal, or one stored or edited by hand): the pairs of each mentor,
 * members in input order, with the mutual wishes each circle meets. Pairs naming unknown people are skipped.
 */
export function circlesOf(input: CirclesInput, pairs: readonly MatchPair[]): { circles: Circle[]; mutualWishes: number } {
  const wishes = input.peerWishes ?? {};
  const wants = (a: string, b: string): boolean => (wishes[a] ?? []).includes(b);
  const menteeOrder = new Map(input.mentees.map((m, k) => [m.id, k]));
  const byMentor = new Map<string, string[]>();
  for (const p of pairs) {
    if (!menteeOrder.has(p.menteeId)) continue;
    (byMentor.get(p.mentorId) ?? byMentor.set(p.mentorId, []).get(p.mentorId)!).push(p.menteeId);
  }
  const circles: Circle[] = [];
  let mutualWishes = 0;
  for (const mentor of input.mentors) {
    const members = byMentor.get(mentor.id);
    if (!members) continue;
    members.sort((a, b) => menteeOrder.get(a)! - menteeOrder.get(b)!);
    const met: [string, string][] = [];
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        if (wants(members[x]!, members[y]!) && wants(members[y]!, members[x]!)) met.push([members[x]!, members[y]!]);
      }
    }
    mutualWishes += met.length;
    circles.push({ mentorId: mentor.id, menteeIds: members, mutualWishes: met });
  }
  return { circles, mutualWishes };
}
