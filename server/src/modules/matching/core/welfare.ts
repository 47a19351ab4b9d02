/**
 * The welfare-optimal proposal: an exact maximum-weight b-matching, solved as a min-cost flow
 * source -> mentee (capacity = constellation size) -> mentor (capacity 1 per acceptable pair,
 * cost -welfare) -> sink (capacity = mentor capacity).
 */
import { minCostFlow } from './min-cost-flow.ts';
import type { Model } from './model.ts';
import type { WelfareObjective } from './types.ts';

/**
 * Welfare of one acceptable pair, a positive integer in [2, 20], each side contributing up to 10:
 * the mentee `11 - rank` (rank 1 -> 10, rank 10 or worse -> 1; a met-but-unranked mentor -> 0)
 * and the mentor `2 * fit` (fit 1 -> 2, fit 5 -> 10). Always positive, so adding a pair never
 * lowers the total.
 */
export function pairWelfare(rank: number, fit: number): number {
  const menteePoints = rank === 0 ? 0 : Math.max(1, 11 - rank);
  return menteePoints + 2 * fit;
}

export const MAX_PAIR_WELFARE = 20;

/** Returns the matched edges. */
export function welfareEdges(model: Model, objective: WelfareObjective): Int32Array {
  const { n, m, edgeCount } = model;
  const source = n + m;
  const sink = n + m + 1;
  const arcCount = n + edgeCount + m;
  const from = new Int32Array(arcCount);
  const to = new Int32Array(arcCount);
  const capacity = new Int32Array(arcCount);
  const cost = new Int32Array(arcCount);
  let k = 0;
  // Source arcs in lottery order, mentee arcs in preference order: among equally good optima the
  // search favours lottery winners and preferred mentors, independent of input order.
  for (let x = 0; x < n; x++) {
    const i = model.menteeLotteryOrder[x]!;
    from[k] = source;
    to[k] = i;
    capacity[k++] = model.quota[i]!;
  }
  const firstEdgeArc = k;
  const arcEdge = new Int32Array(edgeCount);
  for (let x = 0; x < n; x++) {
    const i = model.menteeLotteryOrder[x]!;
    for (let p = model.menteeStart[i]!; p < model.menteeStart[i + 1]!; p++) {
      const e = model.menteeEdges[p]!;
      from[k] = i;
      to[k] = n + model.edgeMentor[e]!;
      capacity[k] = 1;
      cost[k] = -pairWelfare(model.edgeRank[e]!, model.edgeFit[e]!);
      arcEdge[k - firstEdgeArc] = e;
      k++;
    }
  }
  for (let j = 0; j < m; j++) {
    from[k] = n + j;
    to[k] = sink;
    capacity[k++] = model.capacity[j]!;
  }
  const result = minCostFlow(
    { nodeCount: n + m + 2, source, sink, from, to, capacity, cost },
    objective === 'welfare' ? 'negative' : 'max-flow',
  );
  const matched: number[] = [];
  for (let a = 0; a < edgeCount; a++) if (result.flow[firstEdgeArc + a] === 1) matched.push(arcEdge[a]!);
  return Int32Array.from(matched);
}
