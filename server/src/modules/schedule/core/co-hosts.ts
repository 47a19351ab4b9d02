/**
 * Co-hosted circle rounds ({ kind: 'circle', size, hosts: 2 }): two mentors host each circle and
 * every mentee of it meets both, two meetings in one round. A seat is then a triple (two mentors,
 * one mentee), a hypergraph problem that no flow solves exactly, so such a round is planned on its
 * own, by a heuristic, before the planner's other rounds:
 *   1. Pairing (pairMentors): a greedy maximum-weight matching of the present mentors, improved by
 *      2-opt swaps. A pair's weight is the meetings its circle can hold (two per mentee who may meet
 *      both, at most `size` mentees), then the fit of its best `size` such mentees among either
 *      host's favourites (pins first, then pairs the relaxation planned, then both scores). With an
 *      odd number of mentors one hosts alone (one meeting per mentee).
 *   2. Seating: one min-cost flow (mentee → circle → sink, `size` seats a circle, an arc only where
 *      the mentee may meet every host): the most meetings, then the least-met participants (the
 *      k-th meeting of someone costs their count + k, as in the planner's flow; a level outweighs
 *      any one seat's value, not every sum of them), then pinned pairs, then pairs the relaxation
 *      planned (each worth more than any seat's fit), then the highest score. When no later round
 *      can hold a pin (`lastChance`), pinned pairs come first instead.
 *      Optimal for the pairing chosen, so no free seat and free mentee who may meet its hosts are
 *      left apart.
 *   3. When the round then holds fewer meetings than its seats allow, two circles swap hosts
 *      ((a,b),(c,d) → (a,c),(b,d) or (a,d),(b,c); or a pair's host and the lone host trade places)
 *      wherever that seats more meetings among their mentees and those left out, and step 2 runs
 *      again on the pairing found.
 * Pure: indices in, circles out.
 */
import { MinCostFlow, type ArcSink, type Pricer } from './min-cost-flow.ts';
import { MAX_PAIR_SCORE } from './scoring.ts';
import type { RoundFormat } from './types.ts';

/** A circle with two hosts, every mentee meeting both. */
export function isCoHosted(format: RoundFormat | undefined): format is { kind: 'circle'; size: number; hosts: 2 } {
  return format?.kind === 'circle' && format.hosts === 2;
}

/**
 * What may happen between a mentor and a mentee in the round: they may not meet, they may, they may
 * and the relaxation planned them (a hint: its pairs fit the rounds as a whole), or they are pinned.
 */
export const ACCESS = { none: 0, free: 1, suggested: 2, pinned: 3 } as const;

export interface CoHostedRound {
  /** Mentees are 0 … n − 1 (planner indices). */
  n: number;
  /** Present mentors (planner indices); their order breaks ties. */
  mentors: readonly number[];
  /** Present mentees free to sit in this round. */
  mentees: readonly number[];
  size: number;
  /** For mentors[a] and mentee e, at a·n + e: one of ACCESS. */
  access: Uint8Array;
  /** For mentors[a] and mentee e, at a·n + e: their compatibility score. */
  score: Uint8Array;
  /** Meetings so far (held and already planned) by planner index, so that the least-met are seated first. */
  countE: Int32Array;
  countI: Int32Array;
  /** No round planned after this one can hold a pinned pair: pins then come before meetings. */
  lastChance: boolean;
}

export interface Circle {
  /** One or two planner indices of mentors. */
  hosts: number[];
  /** Planner indices of the mentees seated. */
  mentees: number[];
}

/** The circles of one co-hosted round, every present mentor in one (empty circles included). */
export function planCoHostedRound(round: CoHostedRound): Circle[] {
  const { n, mentors, mentees, size, access, score } = round;
  const count = mentors.length;
  if (count === 0) return [];
  // A mentee's value at a circle: pins first, then pairs the relaxation planned, then fit. Weights
  // are in meetings first (from counts of mentees both may meet, by bit sets), then the best
  // `size` values, looked for among each host's 2·size best mentees (all of them would cost
  // mentors² × mentees on large events, for a tie-break).
  const words = Math.ceil(mentees.length / 32);
  const bits = new Uint32Array(count * words);
  const value = new Int32Array(count * n);
  const top: number[][] = [];
  for (let a = 0; a < count; a++) {
    const mine: number[] = [];
    mentees.forEach((e, j) => {
      const status = access[a * n + e] as number;
      if (status === ACCESS.none) return;
      value[a * n + e] = fitOf(status, score[a * n + e] as number);
      bits[a * words + (j >>> 5)]! |= 1 << (j & 31);
      mine.push(e);
    });
    mine.sort((x, y) => (value[a * n + y] as number) - (value[a * n + x] as number) || x - y);
    top.push(mine.slice(0, 2 * size));
  }
  const PER_MEETING = size * 2 * fitOf(ACCESS.pinned, MAX_PAIR_SCORE) + 1;
  const best = new TopSum(size);
  const seen = new Int32Array(n).fill(-1);
  const weight = new Float64Array(count * count);
  for (let a = 0; a < count; a++) {
    // a hosting alone: weight[a·count + a].
    let alone = 0;
    for (let w = 0; w < words; w++) alone += popCount(bits[a * words + w] as number);
    best.clear();
    for (const e of top[a] as number[]) best.add(value[a * n + e] as number);
    weight[a * count + a] = Math.min(alone, size) * PER_MEETING + best.sum;
    for (let b = a + 1; b < count; b++) {
      let common = 0;
      for (let w = 0; w < words; w++) common += popCount((bits[a * words + w] as number) & (bits[b * words + w] as number));
      best.clear();
      const stamp = a * count + b;
      for (const e of [...(top[a] as number[]), ...(top[b] as number[])]) {
        if (seen[e] === stamp || access[a * n + e] === ACCESS.none || access[b * n + e] === ACCESS.none) continue;
        seen[e] = stamp;
        best.add((value[a * n + e] as number) + (value[b * n + e] as number));
      }
      weight[a * count + b] = weight[b * count + a] = Math.min(common, size) * 2 * PER_MEETING + best.sum;
    }
  }
  const { pairs, alone } = pairMentors(count, (a, b) => weight[a * count + b] as number, (a) => weight[a * count + a] as number);
  const circles: number[][] = pairs.map(([a, b]) => [a, b]);
  if (alone >= 0) circles.push([alone]);
  let seated = seatCircles(round, circles);
  if (swapHosts(round, circles, seated)) seated = seatCircles(round, circles);
  return circles.map((hosts, c) => ({ hosts: hosts.map((a) => mentors[a] as number), mentees: seated[c] as number[] }));
}

/** A seat's value to one host below meetings and balance: a pin outweighs a planned pair, which outweighs any fit. */
function fitOf(access: number, score: number): number {
  const PLANNED_FIT = MAX_PAIR_SCORE + 1;
  const PIN_FIT = 2 * (PLANNED_FIT + MAX_PAIR_SCORE) + 1;
  return score + (access === ACCESS.pinned ? PIN_FIT : access === ACCESS.suggested ? PLANNED_FIT : 0);
}

/** Meetings of a seating: each mentee meets every host of her circle. */
function meetingsOf(circles: readonly number[][], seated: readonly number[][]): number {
  return circles.reduce((sum, hosts, c) => sum + hosts.length * (seated[c] as number[]).length, 0);
}

/**
 * Step 3 of the module comment, on `circles` and `seated` in place (seats found by a greedy count,
 * not the flow, which the caller runs again). Returns whether any swap was made.
 */
function swapHosts(round: CoHostedRound, circles: number[][], seated: number[][]): boolean {
  const { n, mentees, size, access } = round;
  const cap = meetingsCap(circles, mentees.length, size);
  if (meetingsOf(circles, seated) >= cap) return false;
  const left = new Uint8Array(n);
  for (const e of mentees) left[e] = 1;
  for (const seats of seated) for (const e of seats) left[e] = 0;
  const may = (hosts: readonly number[], e: number): boolean => hosts.every((a) => access[a * n + e] !== ACCESS.none);
  /** The most meetings two circles hold among `candidates`, and their seats: the circle worth more a seat filled first, its own mentees first. */
  const fill = (x: readonly number[], y: readonly number[], candidates: readonly number[]): { meetings: number; seats: [number[], number[]] } => {
    const [first, second] = x.length >= y.length ? [x, y] : [y, x];
    const a: number[] = [];
    const b: number[] = [];
    const both: number[] = [];
    for (const e of candidates) {
      const inFirst = may(first, e);
      const inSecond = may(second, e);
      if (inFirst && inSecond) both.push(e);
      else if (inFirst) a.push(e);
      else if (inSecond) b.push(e);
    }
    const toFirst = [...a, ...both].slice(0, size);
    const taken = new Set(toFirst);
    const toSecond = [...b, ...both.filter((e) => !taken.has(e))].slice(0, size);
    const seats: [number[], number[]] = first === x ? [toFirst, toSecond] : [toSecond, toFirst];
    return { meetings: first.length * toFirst.length + second.length * toSecond.length, seats };
  };

  let swapped = false;
  for (let pass = 0, improved = true; improved && pass < 10 && meetingsOf(circles, seated) < cap; pass++) {
    improved = false;
    for (let p = 0; p < circles.length; p++) {
      for (let q = p + 1; q < circles.length; q++) {
        const x = circles[p] as number[];
        const y = circles[q] as number[];
        if (x.length === 1 && y.length === 1) continue;
        const now = x.length * (seated[p] as number[]).length + y.length * (seated[q] as number[]).length;
        const candidates = [...(seated[p] as number[]), ...(seated[q] as number[])];
        for (const e of mentees) if (left[e]) candidates.push(e);
        // The other two ways to split these hosts into circles of the same shapes.
        const [a, b] = (x.length === 2 ? x : y) as [number, number];
        const other = x.length === 2 ? y : x;
        const options: [number[], number[]][] =
          other.length === 1
            ? [
                [[a, other[0] as number], [b]],
                [[b, other[0] as number], [a]],
              ]
            : [
                [[a, other[0] as number], [b, other[1] as number]],
                [[a, other[1] as number], [b, other[0] as number]],
              ];
        let best: { hosts: [number[], number[]]; seats: [number[], number[]]; meetings: number } | null = null;
        for (const hosts of options) {
          const found = fill(hosts[0], hosts[1], candidates);
          if (found.meetings > (best?.meetings ?? now)) best = { hosts, ...found };
        }
        if (!best) continue;
        for (const e of candidates) left[e] = 1;
        for (const seats of best.seats) for (const e of seats) left[e] = 0;
        // Keep the circles' shapes at their positions (pairs first, the lone host last).
        const [first, second] = best.hosts[0].length === x.length ? [0, 1] : [1, 0];
        circles[p] = best.hosts[first] as number[];
        circles[q] = best.hosts[second] as number[];
        seated[p] = best.seats[first] as number[];
        seated[q] = best.seats[second] as number[];
        improved = swapped = true;
      }
    }
  }
  return swapped;
}

/** The most meetings `circles` can hold with `mentees` present, whoever may meet whom: pairs' seats first. */
function meetingsCap(circles: readonly number[][], mentees: number, size: number): number {
  let left = mentees;
  let cap = 0;
  for (const hosts of [...circles].sort((x, y) => y.length - x.length)) {
    const seats = Math.min(size, left);
    cap += hosts.length * seats;
    left -= seats;
  }
  return cap;
}

/**
 * Pairs mentors 0 … count − 1 into ⌊count / 2⌋ pairs (and one alone when count is odd) of high
 * total weight: greedy by `weight` (ties to lower indices), then 2-opt (two pairs swap partners, or
 * the mentor alone takes another's place) while that raises the total (`alone(a)`: a's weight alone).
 */
export function pairMentors(
  count: number,
  weight: (a: number, b: number) => number,
  alone: (a: number) => number,
): { pairs: [number, number][]; alone: number } {
  const candidates: [number, number, number][] = [];
  for (let a = 0; a < count; a++) for (let b = a + 1; b < count; b++) candidates.push([weight(a, b), a, b]);
  candidates.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
  const partner = new Int32Array(count).fill(-1);
  const pairs: [number, number][] = [];
  for (const [, a, b] of candidates) {
    if (pairs.length === Math.floor(count / 2)) break;
    if (partner[a] !== -1 || partner[b] !== -1) continue;
    partner[a] = b;
    partner[b] = a;
    pairs.push([a, b]);
  }
  let single = count % 2 === 1 ? partner.indexOf(-1) : -1;

  for (let pass = 0, improved = true; improved && pass < 50; pass++) {
    improved = false;
    for (let p = 0; p < pairs.length; p++) {
      for (let q = p + 1; q < pairs.length; q++) {
        const [a, b] = pairs[p] as [number, number];
        const [c, d] = pairs[q] as [number, number];
        const now = weight(a, b) + weight(c, d);
        const cross = weight(a, c) + weight(b, d);
        const other = weight(a, d) + weight(b, c);
        if (cross > now && cross >= other) {
          pairs[p] = [a, c];
          pairs[q] = [b, d];
          improved = true;
        } else if (other > now) {
          pairs[p] = [a, d];
          pairs[q] = [b, c];
          improved = true;
        }
      }
      if (single < 0) continue;
      const [a, b] = pairs[p] as [number, number];
      const now = weight(a, b) + alone(single);
      const keepA = weight(a, single) + alone(b);
      const keepB = weight(b, single) + alone(a);
      if (keepA > now && keepA >= keepB) {
        pairs[p] = [a, single];
        single = b;
        improved = true;
      } else if (keepB > now) {
        pairs[p] = [b, single];
        single = a;
        improved = true;
      }
    }
  }
  return { pairs, alone: single };
}

/** Seats the round's mentees at `circles` (positions in round.mentors) by the min-cost flow of the module comment. */
function seatCircles(round: CoHostedRound, circles: readonly number[][]): number[][] {
  const { n, mentors, mentees, size, access, score, countE, countI } = round;
  const seated: number[][] = circles.map(() => []);
  const seats = Math.min(circles.length * size, mentees.length);
  if (seats === 0) return seated;
  // Levels count from the least-met present mentee and mentor: that only shifts the value of a
  // meeting by a constant (every seat is a meeting for the mentee and each host), and keeps costs small.
  let minE = Number.POSITIVE_INFINITY;
  let maxE = 0;
  for (const e of mentees) {
    minE = Math.min(minE, countE[e] as number);
    maxE = Math.max(maxE, countE[e] as number);
  }
  let minI = Number.POSITIVE_INFINITY;
  let maxI = 0;
  for (const i of mentors) {
    minI = Math.min(minI, countI[i] as number);
    maxI = Math.max(maxI, countI[i] as number);
  }
  // Weights: a meeting outweighs every difference in balance and value summed over the round; one
  // level of balance outweighs any one seat's value (fitOf: pins, planned pairs, fit), which keeps
  // costs within exact arithmetic of the simplex on large rounds. Per seat: value ≤ 2·fitOf(pinned,
  // max), mentee levels ≤ 2·(maxE − minE + 2), hosts' ≤ 2·(maxI − minI + size). On the last chance
  // a pin counts as 3 meetings, more than a seat can bring (2), so no pin is dropped for meetings.
  const BIG = 2 * fitOf(ACCESS.pinned, MAX_PAIR_SCORE) + 1;
  const HUGE = BIG * (2 * (maxE - minE + 2) + 2 * (maxI - minI + size)) * seats + 1;
  const pinMeetings = round.lastChance ? 3 : 0;

  const N = mentees.length;
  const C = circles.length;
  // cost[j·C + c]: seating mentees[j] at circle c, NaN where she may not meet a host.
  const cost = new Float64Array(N * C).fill(Number.NaN);
  let maxCost = 0;
  mentees.forEach((e, j) => {
    circles.forEach((hosts, c) => {
      let pins = 0;
      let fit = 0;
      for (const a of hosts) {
        const status = access[a * n + e] as number;
        if (status === ACCESS.none) return;
        if (status === ACCESS.pinned) pins++;
        fit += fitOf(status, score[a * n + e] as number);
      }
      const h = hosts.length;
      const levels = h * ((countE[e] as number) - minE) + (h * (h + 1)) / 2;
      cost[j * C + c] = -HUGE * (h + pinMeetings * pins) + BIG * levels - fit;
      maxCost = Math.max(maxCost, Math.abs(cost[j * C + c] as number));
    });
  });

  const s = N + C;
  const t = s + 1;
  const flow = new MinCostFlow(N + C + 2, N * 4 + C * size * 3 + 1);
  // Seat arcs built so far (arc id, mentee position, circle); the pricer adds the others that pay.
  const arcs: [number, number, number][] = [];
  const active = new Uint8Array(N * C);
  const activate = (sink: ArcSink, j: number, c: number): void => {
    active[j * C + c] = 1;
    arcs.push([sink.addArc(j, N + c, 1, cost[j * C + c] as number), j, c]);
  };
  // To start: each circle's 2·size cheapest mentees and each mentee's cheapest circle.
  for (let c = 0; c < C; c++) {
    const open: number[] = [];
    for (let j = 0; j < N; j++) if (!Number.isNaN(cost[j * C + c])) open.push(j);
    open.sort((x, y) => (cost[x * C + c] as number) - (cost[y * C + c] as number) || x - y);
    for (const j of open.slice(0, 2 * size)) activate(flow, j, c);
  }
  for (let j = 0; j < N; j++) {
    let cheapest = -1;
    for (let c = 0; c < C; c++) {
      const x = cost[j * C + c] as number;
      if (!Number.isNaN(x) && (cheapest < 0 || x < (cost[j * C + cheapest] as number))) cheapest = c;
    }
    if (cheapest < 0) continue;
    flow.addArc(s, j, 1, 0);
    if (!active[j * C + cheapest]) activate(flow, j, cheapest);
  }
  circles.forEach((hosts, c) => {
    for (let k = 1; k <= size; k++) {
      let levels = 0;
      for (const a of hosts) levels += (countI[mentors[a] as number] as number) - minI + k;
      flow.addArc(N + c, t, 1, BIG * levels);
    }
  });
  flow.addArc(s, t, N, 0);
  flow.setSupply(s, N);
  flow.setSupply(t, -N);
  const pricer: Pricer = (pi, network) => {
    for (let j = 0; j < N; j++) {
      for (let c = 0; c < C; c++) {
        const x = cost[j * C + c] as number;
        if (active[j * C + c] || Number.isNaN(x) || x + (pi[j] as number) - (pi[N + c] as number) >= 0) continue;
        activate(network, j, c);
      }
    }
  };
  // unreachable otherwise: the bypass arc keeps it feasible
  if (flow.solve({ pricer, maxPricedCost: maxCost }) !== 'optimal') throw new Error('co-hosted seating flow is not optimal');
  for (const [arc, j, c] of arcs) if (flow.flow(arc) === 1) (seated[c] as number[]).push(mentees[j] as number);
  return seated;
}

/** The number of bits set in a 32-bit word. */
function popCount(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/** The sum of the k largest numbers added (a min-heap of them). */
class TopSum {
  readonly k: number;
  readonly #heap: Float64Array;
  #length = 0;
  sum = 0;

  constructor(k: number) {
    this.k = k;
    this.#heap = new Float64Array(k);
  }

  clear(): void {
    this.#length = 0;
    this.sum = 0;
  }

  add(value: number): void {
    const heap = this.#heap;
    if (this.#length < this.k) {
      let x = this.#length++;
      while (x > 0) {
        const up = (x - 1) >> 1;
        if ((heap[up] as number) <= value) break;
        heap[x] = heap[up] as number;
        x = up;
      }
      heap[x] = value;
      this.sum += value;
      return;
    }
    if (this.k === 0 || value <= (heap[0] as number)) return;
    this.sum += value - (heap[0] as number);
    // Replace the smallest and sift down.
    let x = 0;
    for (;;) {
      let child = 2 * x + 1;
      if (child >= this.k) break;
      if (child + 1 < this.k && (heap[child + 1] as number) < (heap[child] as number)) child++;
      if ((heap[child] as number) >= value) break;
      heap[x] = heap[child] as number;
      x = child;
    }
    heap[x] = value;
  }
}
