/**
 * Graph steps of the planner that are about rounds, not pairs: splitting the chosen pairs into
 * rounds (König, one mentor split into copies) and, with round formats, into groups of rounds
 * that share a format. Pure functions over pair indices p = i·n + e (mentor i, mentee e).
 */
import { colourBipartiteEdges } from './edge-colouring.ts';
import { MinCostFlow } from './min-cost-flow.ts';
import type { RoundFormat } from './types.ts';

/**
 * Colours the pairs `edges` (ascending) with `colours` colours, one per round, so that a mentee
 * has at most one pair of each colour: mentor i's k-th pair goes to copy ⌊k / colours⌋, each copy
 * has degree ≤ colours, and König's theorem does the rest. A mentor with load L then hosts
 * ⌈L / colours⌉ mentees at most in a round, and more than one only in (L − colours) rounds.
 * Mentees must have at most `colours` pairs.
 */
export function colourByCopies(n: number, edges: readonly number[], colours: number): Int32Array {
  const ends = new Int32Array(edges.length * 2);
  let copyNode = n;
  let mentor = -1;
  let load = 0;
  edges.forEach((p, k) => {
    const i = Math.floor(p / n);
    if (i !== mentor) {
      copyNode += Math.ceil(load / colours);
      mentor = i;
      load = 0;
    }
    ends[2 * k] = p % n;
    ends[2 * k + 1] = copyNode + Math.floor(load / colours);
    load++;
  });
  copyNode += Math.ceil(load / colours);
  return colourBipartiteEdges(copyNode, ends, colours);
}

/** Rounds that share a format, so that a mentor's table size is the same in each of them. */
export interface RoundGroup {
  /** Positions among the rounds being planned, ascending. */
  rounds: number[];
  /** Seats of each mentor in every round of the group. */
  capacity: Int32Array;
}

/**
 * Groups the rounds being planned by the seats they give each mentor (in order of first
 * appearance), so a circle of 1 joins one-to-one rounds where every table holds one.
 */
export function groupRounds(formats: readonly RoundFormat[], tableSize: Int32Array): RoundGroup[] {
  const byKey = new Map<string, RoundGroup>();
  formats.forEach((format, r) => {
    const capacity = format.kind === 'pairs' ? Int32Array.from(tableSize) : new Int32Array(tableSize.length).fill(format.size);
    const key = capacity.join(',');
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { rounds: [], capacity }));
    group.rounds.push(r);
  });
  return [...byKey.values()];
}

/**
 * Assigns each pair to a group of rounds so that, in group g of k rounds, a mentee has at most k
 * pairs and mentor i at most k·capacity[i]: then König colours each group exactly. `value` ranks
 * pairs (higher is kept first when a group must drop some). Groups are split
 * off one at a time: group g takes a subgraph whose degrees lie between what the later groups
 * cannot hold (a lower bound) and what g can (an upper bound), a degree-constrained subgraph that a
 * min-cost flow finds whenever one exists (bipartite, so integral). Returns the group of each
 * pair, or −1 for pairs that fit no group.
 */
export function assignGroups(n: number, m: number, edges: readonly number[], groups: readonly RoundGroup[], value: (p: number) => number): Int32Array {
  const groupOf = new Int32Array(edges.length).fill(groups.length - 1);
  const laterE = new Int32Array(groups.length);
  const laterI = groups.map(() => new Float64Array(m));
  for (let g = groups.length - 2; g >= 0; g--) {
    const next = groups[g + 1] as RoundGroup;
    const after = laterI[g + 1] as Float64Array;
    const here = laterI[g] as Float64Array;
    laterE[g] = (laterE[g + 1] as number) + next.rounds.length;
    for (let i = 0; i < m; i++) here[i] = (after[i] as number) + next.rounds.length * (next.capacity[i] as number);
  }
  let pool = edges.map((_, k) => k);
  for (let g = 0; g < groups.length - 1 && pool.length > 0; g++) {
    const group = groups[g] as RoundGroup;
    const k = group.rounds.length;
    const degE = new Int32Array(n);
    const degI = new Int32Array(m);
    for (const x of pool) {
      const p = edges[x] as number;
      degE[p % n]!++;
      degI[Math.floor(p / n)]!++;
    }
    const s = n + m;
    const t = s + 1;
    const flow = new MinCostFlow(n + m + 2, pool.length + 2 * (n + m) + 1);
    const bounded = (from: number, to: number, lo: number, hi: number): void => {
      if (lo > 0) flow.addArc(from, to, lo, -1);
      if (hi > lo) flow.addArc(from, to, hi - lo, 0);
    };
    for (let e = 0; e < n; e++) {
      const d = degE[e] as number;
      if (d > 0) bounded(s, e, Math.max(0, d - (laterE[g] as number)), Math.min(k, d));
    }
    for (let i = 0; i < m; i++) {
      const d = degI[i] as number;
      if (d > 0) bounded(n + i, t, Math.max(0, d - ((laterI[g] as Float64Array)[i] as number)), Math.min(k * (group.capacity[i] as number), d));
    }
    const arcs = pool.map((x) => flow.addArc((edges[x] as number) % n, n + Math.floor((edges[x] as number) / n), 1, 0));
    flow.addArc(s, t, pool.length, 0);
    flow.setSupply(s, pool.length);
    flow.setSupply(t, -pool.length);
    if (flow.solve() !== 'optimal') throw new Error('group split flow is not optimal'); // unreachable: the bypass arc keeps it feasible
    const rest: number[] = [];
    pool.forEach((x, j) => {
      if (flow.flow(arcs[j] as number) === 1) groupOf[x] = g;
      else rest.push(x);
    });
    pool = rest;
  }

  // Where a split fell short, a group holds more than it can seat: drop the excess, least valuable first.
  groups.forEach((group, g) => {
    const k = group.rounds.length;
    const degE = new Int32Array(n);
    const degI = new Int32Array(m);
    const members: number[] = [];
    edges.forEach((p, x) => {
      if (groupOf[x] !== g) return;
      members.push(x);
      degE[p % n]!++;
      degI[Math.floor(p / n)]!++;
    });
    // Least valuable first; equal values in reverse input order.
    members.sort((a, b) => value(edges[a] as number) - value(edges[b] as number) || b - a);
    for (const x of members) {
      const p = edges[x] as number;
      const e = p % n;
      const i = Math.floor(p / n);
      if ((degE[e] as number) > k || (degI[i] as number) > k * (group.capacity[i] as number)) {
        groupOf[x] = -1;
        degE[e]!--;
        degI[i]!--;
      }
    }
  });
  return groupOf;
}

/** Mentee pairs who share a circle: how many distinct ones, how many share more than one, and their affinity. */
export interface CirclePeers {
  peerPairs: number;
  repeatedPeerPairs: number;
  /** Σ over every circle of the affinity of each two of its mentees (scoring.ts, PEER_POINTS). */
  affinity: number;
}

/** How spreadPeers treats a round: see there. */
export type CircleRole = 'circle' | 'fixed' | 'none';

/**
 * The second objective of circles: mentees share a circle with as many different peers as
 * possible. It never touches the first three levels: moves only change in which circle round a
 * pair meets, keeping every pair and every table's size. Two moves, each taken when fewer peer
 * pairs then repeat and the mentees it leaves free in a round may sit out there (`mayIdle`: no free
 * seat they could still take):
 *   - one mentor's mentee e in circle round r1 and mentee f in circle round r2 trade rounds, when
 *     e is free in r2 and f in r1;
 *   - mentee g, with mentor A in round r1 and mentor B in round r2, meets them the other way round,
 *     trading with A's mentee f of r2 (free in r1) and B's mentee h of r1 (free in r2).
 * Below that, a move that repeats no more peer pairs is taken when it raises the circles' total
 * affinity (`affinity(e, f)`: shared goals, same industry; see scoring.ts), so mentees with
 * something in common learn together. Repeated until no move helps (a local optimum, not a proven
 * one). `seatsByRound[r]` maps mentor → mentees and is changed in place. `roles[r]` says whether
 * round r is a circle round whose seats may move ('circle'), one whose circles are counted but kept
 * as they are ('fixed': co-hosted circles, where a move would change two pairs at once), or neither.
 */
export function spreadPeers(
  n: number,
  seatsByRound: Map<number, number[]>[],
  roles: readonly CircleRole[],
  mayIdle: (e: number, r: number) => boolean,
  affinity: (e: number, f: number) => number = () => 0,
): CirclePeers {
  const rounds = roles.flatMap((role, r) => (role === 'circle' ? [r] : []));
  // seatOf[r][e]: e's mentor in round r, or −1.
  const seatOf = seatsByRound.map((tables) => {
    const at = new Int32Array(n).fill(-1);
    for (const [i, seats] of tables) for (const e of seats) at[e] = i;
    return at;
  });
  const together = new Map<number, number>();
  const key = (a: number, b: number): number => (a < b ? a * n + b : b * n + a);
  // Changes the count of (e, each other member of table) by ±1; adds the change in repeats and in affinity to `delta`.
  const link = (table: readonly number[], e: number, step: 1 | -1, delta: { repeats: number; affinity: number }): void => {
    for (const g of table) {
      if (g === e) continue;
      const k = key(e, g);
      const before = together.get(k) ?? 0;
      together.set(k, before + step);
      if (step === 1 ? before >= 1 : before >= 2) delta.repeats += step;
      delta.affinity += step * affinity(e, g);
    }
  };
  for (let r = 0; r < roles.length; r++) {
    if (roles[r] === 'none') continue;
    for (const table of (seatsByRound[r] as Map<number, number[]>).values()) {
      for (let a = 0; a < table.length; a++) {
        for (let b = a + 1; b < table.length; b++) {
          const k = key(table[a] as number, table[b] as number);
          together.set(k, (together.get(k) ?? 0) + 1);
        }
      }
    }
  }
  const repeatsAt = (table: readonly number[], e: number): boolean => table.some((g) => g !== e && (together.get(key(e, g)) ?? 0) > 1);
  /** Seat changes [round, mentor, mentee out, mentee in] on distinct tables; returns the change in repeats and affinity. */
  type Change = [number, number, number, number];
  const apply = (changes: readonly Change[]): { repeats: number; affinity: number } => {
    const delta = { repeats: 0, affinity: 0 };
    for (const [r, i, from, to] of changes) {
      const table = (seatsByRound[r] as Map<number, number[]>).get(i) as number[];
      link(table, from, -1, delta);
      table[table.indexOf(from)] = to;
      link(table, to, 1, delta);
    }
    return delta;
  };
  /** Applies the move if it helps (fewer repeats, or as many and more affinity) and the mentees it frees may sit out (`idle`: [mentee, round]). */
  const tryMove = (changes: Change[], idle: [number, number][]): boolean => {
    const delta = apply(changes);
    if ((delta.repeats < 0 || (delta.repeats === 0 && delta.affinity > 0)) && idle.every(([e, r]) => mayIdle(e, r))) {
      for (const [r, i, from, to] of changes) {
        if ((seatOf[r] as Int32Array)[from] === i) (seatOf[r] as Int32Array)[from] = -1;
        (seatOf[r] as Int32Array)[to] = i;
      }
      return true;
    }
    apply(changes.map(([r, i, from, to]) => [r, i, to, from] as Change).reverse());
    return false;
  };

  for (let pass = 0, improved = true; improved && pass < 20; pass++) {
    improved = false;
    for (let u = 0; u < rounds.length; u++) {
      for (let v = u + 1; v < rounds.length; v++) {
        const r1 = rounds[u] as number;
        const r2 = rounds[v] as number;
        const at1 = seatOf[r1] as Int32Array;
        const at2 = seatOf[r2] as Int32Array;
        const tables1 = seatsByRound[r1] as Map<number, number[]>;
        const tables2 = seatsByRound[r2] as Map<number, number[]>;
        for (const [i, A] of tables1) {
          const B = tables2.get(i);
          if (!B) continue;
          for (const e of [...A]) {
            for (const f of [...B]) {
              if (at1[e] !== i || at2[f] !== i || at2[e] !== -1 || at1[f] !== -1) continue;
              if (tryMove([[r1, i, e, f], [r2, i, f, e]], [[e, r1], [f, r2]])) improved = true;
            }
          }
        }
        for (let g = 0; g < n; g++) {
          const a = at1[g] as number;
          const b = at2[g] as number;
          if (a < 0 || b < 0 || a === b) continue;
          const fromA = tables2.get(a);
          const fromB = tables1.get(b);
          // Only for a mentee with a repeated peer in one of these two circles (it keeps this fast).
          if (!fromA || !fromB || !repeatsAt(tables1.get(a) as number[], g) && !repeatsAt(tables2.get(b) as number[], g)) continue;
          search: for (const f of [...fromA]) {
            for (const h of [...fromB]) {
              if (at1[g] !== a || at2[g] !== b || at2[f] !== a || at1[h] !== b || at1[f] !== -1 || at2[h] !== -1) continue;
              if (tryMove([[r1, a, g, f], [r1, b, h, g], [r2, a, f, g], [r2, b, g, h]], [[h, r1], [f, r2]])) {
                improved = true;
                break search;
              }
            }
          }
        }
      }
    }
  }
  let peerPairs = 0;
  let repeatedPeerPairs = 0;
  let total = 0;
  for (const [k, count] of together) {
    if (count > 0) peerPairs++;
    if (count > 1) repeatedPeerPairs++;
    total += count * affinity(Math.floor(k / n), k % n);
  }
  return { peerPairs, repeatedPeerPairs, affinity: total };
}
