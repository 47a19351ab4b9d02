/**
 * Deferred acceptance (Gale-Shapley) with quotas on both sides: many-to-one, and many-to-many
 * when a mentee's constellation size is above 1 (responsive preferences, pairwise stability).
 * Runs on the strict, seed-tie-broken preferences, so the result is the proposer-optimal stable
 * matching and the rural hospitals theorem applies between the two proposing sides.
 */
import type { Model } from './model.ts';
import type { Proposer } from './types.ts';

interface Side {
  count: number;
  quota: Int32Array;
  /** Edges of each agent in its preference order. */
  start: Int32Array;
  edges: Int32Array;
  /** Agent of this side on each edge. */
  agentOf: Int32Array;
  /** Position of each edge in this side's agent list (0 = best). */
  pos: Int32Array;
}

function sides(model: Model): { mentee: Side; mentor: Side } {
  return {
    mentee: {
      count: model.n,
      quota: model.quota,
      start: model.menteeStart,
      edges: model.menteeEdges,
      agentOf: model.edgeMentee,
      pos: model.menteePos,
    },
    mentor: {
      count: model.m,
      quota: model.capacity,
      start: model.mentorStart,
      edges: model.mentorEdges,
      agentOf: model.edgeMentor,
      pos: model.mentorPos,
    },
  };
}

/** Returns the matched edges (unordered). */
export function deferredAcceptance(model: Model, proposer: Proposer): Int32Array {
  const both = sides(model);
  const P = proposer === 'mentee' ? both.mentee : both.mentor;
  const R = proposer === 'mentee' ? both.mentor : both.mentee;

  // Each receiver keeps its held proposals in a max-heap on its own preference position, so the
  // worst held proposal is at the top. Heap space: min(quota, degree) per receiver.
  const heapStart = new Int32Array(R.count + 1);
  for (let r = 0; r < R.count; r++) {
    heapStart[r + 1] = heapStart[r]! + Math.min(R.quota[r]!, R.start[r + 1]! - R.start[r]!);
  }
  const heap = new Int32Array(heapStart[R.count]!);
  const heapSize = new Int32Array(R.count);
  const rpos = R.pos;

  const held = new Int32Array(P.count);
  const next = P.start.slice(0, P.count);
  const stack = new Int32Array(P.count + model.edgeCount + 1);
  let top = 0;
  for (let p = P.count - 1; p >= 0; p--) stack[top++] = p;

  while (top > 0) {
    const p = stack[--top]!;
    const end = P.start[p + 1]!;
    const q = P.quota[p]!;
    while (held[p]! < q && next[p]! < end) {
      const e = P.edges[next[p]!++]!;
      const r = R.agentOf[e]!;
      const cap = R.quota[r]!;
      if (cap === 0) continue;
      const base = heapStart[r]!;
      const size = heapSize[r]!;
      if (size < cap) {
        // Sift up.
        let k = size;
        const key = rpos[e]!;
        while (k > 0) {
          const parent = (k - 1) >> 1;
          const pe = heap[base + parent]!;
          if (rpos[pe]! >= key) break;
          heap[base + k] = pe;
          k = parent;
        }
        heap[base + k] = e;
        heapSize[r] = size + 1;
        held[p]!++;
        continue;
      }
      const worst = heap[base]!;
      if (rpos[e]! > rpos[worst]!) continue; // rejected
      // Replace the worst held proposal and sift down.
      const key = rpos[e]!;
      let k = 0;
      for (;;) {
        const left = 2 * k + 1;
        if (left >= size) break;
        let child = left;
        const right = left + 1;
        if (right < size && rpos[heap[base + right]!]! > rpos[heap[base + left]!]!) child = right;
        const ce = heap[base + child]!;
        if (rpos[ce]! <= key) break;
        heap[base + k] = ce;
        k = child;
      }
      heap[base + k] = e;
      held[p]!++;
      const loser = P.agentOf[worst]!;
      held[loser]!--;
      stack[top++] = loser;
    }
  }

  let total = 0;
  for (let r = 0; r < R.count; r++) total += heapSize[r]!;
  const matched = new Int32Array(total);
  let k = 0;
  for (let r = 0; r < R.count; r++) {
    const base = heapStart[r]!;
    for (let h = 0; h < heapSize[r]!; h++) matched[k++] = heap[base + h]!;
  }
  return matched;
}
