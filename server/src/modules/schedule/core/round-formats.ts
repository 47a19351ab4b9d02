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
