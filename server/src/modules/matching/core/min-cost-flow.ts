/**
 * Exact min-cost flow, primal-dual method: Dijkstra on reduced costs (Johnson potentials) finds
 * the current shortest s-t distance, then a Dinic blocking-flow loop saturates every shortest
 * path at once (all arcs of reduced cost 0). Each phase strictly raises the s-t distance, so with
 * small integer costs there are few phases: for the matching network, path costs lie in
 * [-maxWelfare, 0], hence at most maxWelfare + 1 phases. Integer capacities and costs only.
 *
 * Requires no negative-cost cycle in the initial residual network (true for a DAG).
 */

export interface FlowArc {
  from: number;
  to: number;
  capacity: number;
  cost: number;
}

export interface FlowNetwork {
  nodeCount: number;
  source: number;
  sink: number;
  /** Parallel arrays describing arcs (typed arrays welcome). */
  from: ArrayLike<number>;
  to: ArrayLike<number>;
  capacity: ArrayLike<number>;
  cost: ArrayLike<number>;
}

/**
 * `negative`: stop when the cheapest augmenting path costs more than 0, giving a min-cost flow of
 * any value (zero-cost paths are still taken: more flow at equal cost).
 * `max-flow`: augment while any path exists, giving a min-cost maximum flow.
 */
export type FlowMode = 'negative' | 'max-flow';

export interface FlowResult {
  /** Flow on each input arc. */
  flow: Int32Array;
  value: number;
  cost: number;
  phases: number;
}

interface Residual {
  V: number;
  s: number;
  t: number;
  /** Residual arcs stored contiguously by tail: arcs of u are adjStart[u] .. adjStart[u+1]. */
  adjStart: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  /** Index of the paired (reverse) arc. */
  rev: Int32Array;
  rcap: Int32Array;
  cost: Float64Array;
  /** Position of input arc k's forward residual arc. */
  forward: Int32Array;
  pi: Float64Array;
  dist: Float64Array;
  heapNode: Int32Array;
  heapPos: Int32Array;
  level: Int32Array;
  iter: Int32Array;
  queue: Int32Array;
  pathArcs: Int32Array;
}

function buildResidual(net: FlowNetwork): Residual {
  const V = net.nodeCount;
  const A = net.from.length;
  const adjStart = new Int32Array(V + 1);
  for (let k = 0; k < A; k++) {
    const c = net.capacity[k]!;
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`arc ${k}: capacity must be an integer >= 0`);
    if (!Number.isInteger(net.cost[k]!)) throw new RangeError(`arc ${k}: cost must be an integer`);
    adjStart[net.from[k]! + 1]!++;
    adjStart[net.to[k]! + 1]!++;
  }
  for (let v = 0; v < V; v++) adjStart[v + 1]! += adjStart[v]!;
  const head = new Int32Array(2 * A);
  const tail = new Int32Array(2 * A);
  const rev = new Int32Array(2 * A);
  const rcap = new Int32Array(2 * A);
  const cost = new Float64Array(2 * A);
  const forward = new Int32Array(A);
  const fill = adjStart.slice(0, V);
  for (let k = 0; k < A; k++) {
    const u = net.from[k]!;
    const v = net.to[k]!;
    const f = fill[u]!++;
    const b = fill[v]!++;
    head[f] = v;
    tail[f] = u;
    rev[f] = b;
    rcap[f] = net.capacity[k]!;
    cost[f] = net.cost[k]!;
    head[b] = u;
    tail[b] = v;
    rev[b] = f;
    cost[b] = -net.cost[k]!;
    forward[k] = f;
  }
  return {
    V,
    s: net.source,
    t: net.sink,
    adjStart,
    head,
    tail,
    rev,
    rcap,
    cost,
    forward,
    pi: new Float64Array(V),
    dist: new Float64Array(V),
    heapNode: new Int32Array(V),
    heapPos: new Int32Array(V),
    level: new Int32Array(V),
    iter: new Int32Array(V),
    queue: new Int32Array(V + 1),
    pathArcs: new Int32Array(V),
  };
}

/** Bellman-Ford (FIFO queue) from s over arcs with capacity; false when t is unreachable. */
function initialPotentials(R: Residual): boolean {
  const { V, s, t, adjStart, head, rcap, cost, pi, queue } = R;
  pi.fill(Infinity);
  const inQueue = new Uint8Array(V);
  const pops = new Int32Array(V);
  let qh = 0;
  let qt = 0;
  let queued = 1;
  pi[s] = 0;
  queue[qt++] = s;
  inQueue[s] = 1;
  while (queued > 0) {
    const u = queue[qh]!;
    qh = qh === V ? 0 : qh + 1;
    queued--;
    inQueue[u] = 0;
    if (++pops[u]! > V) throw new RangeError('negative-cost cycle');
    const pu = pi[u]!;
    for (let a = adjStart[u]!; a < adjStart[u + 1]!; a++) {
      if (rcap[a] === 0) continue;
      const v = head[a]!;
      const d = pu + cost[a]!;
      if (d < pi[v]!) {
        pi[v] = d;
        if (!inQueue[v]) {
          inQueue[v] = 1;
          queue[qt] = v;
          qt = qt === V ? 0 : qt + 1;
          queued++;
        }
      }
    }
  }
  if (pi[t] === Infinity) return false;
  // Nodes unreachable now stay unreachable (new residual arcs only join reachable nodes).
  for (let v = 0; v < V; v++) if (pi[v] === Infinity) pi[v] = pi[t]!;
  return true;
}

/**
 * Dijkstra on reduced costs, stopped once t is settled, then pi += min(dist, dist(t)): reduced
 * costs stay >= 0 and every shortest s-t path becomes admissible (reduced cost 0).
 * Returns false when t is unreachable.
 */
function shortestPaths(R: Residual): boolean {
  const { V, s, t, adjStart, head, rcap, cost, pi, dist, heapNode, heapPos } = R;
  dist.fill(Infinity);
  heapPos.fill(-1);
  let size = 0;
  dist[s] = 0;
  heapNode[0] = s;
  heapPos[s] = 0;
  size = 1;
  let reached = false;
  while (size > 0) {
    const u: number = heapNode[0]!;
    heapPos[u] = -2;
    const last = heapNode[--size]!;
    if (size > 0) {
      const d = dist[last]!;
      let k = 0;
      for (;;) {
        let child = 2 * k + 1;
        if (child >= size) break;
        if (child + 1 < size && dist[heapNode[child + 1]!]! < dist[heapNode[child]!]!) child++;
        const cv = heapNode[child]!;
        if (dist[cv]! >= d) break;
        heapNode[k] = cv;
        heapPos[cv] = k;
        k = child;
      }
      heapNode[k] = last;
      heapPos[last] = k;
    }
    if (u === t) {
      reached = true;
      break;
    }
    const du = dist[u]! + pi[u]!;
    for (let a: number = adjStart[u]!; a < adjStart[u + 1]!; a++) {
      if (rcap[a] === 0) continue;
      const v = head[a]!;
      const nd = du + cost[a]! - pi[v]!;
      if (nd >= dist[v]!) continue; // also skips settled nodes: their dist is final and smaller
      dist[v] = nd;
      let k = heapPos[v]!;
      if (k < 0) k = size++;
      while (k > 0) {
        const parent = (k - 1) >> 1;
        const pv = heapNode[parent]!;
        if (dist[pv]! <= nd) break;
        heapNode[k] = pv;
        heapPos[pv] = k;
        k = parent;
      }
      heapNode[k] = v;
      heapPos[v] = k;
    }
  }
  if (!reached) return false;
  const D = dist[t]!;
  for (let v = 0; v < V; v++) {
    const d = dist[v]!;
    pi[v]! += d < D ? d : D;
  }
  return true;
}

/** BFS levels over admissible arcs (capacity left, reduced cost 0); false when t is not reached. */
function admissibleLevels(R: Residual): boolean {
  const { s, t, adjStart, head, rcap, cost, pi, level, queue } = R;
  level.fill(-1);
  level[s] = 0;
  let qh = 0;
  let qt = 0;
  queue[qt++] = s;
  let levelOfT = 0x7fffffff;
  while (qh < qt) {
    const u = queue[qh++]!;
    // Nodes at t's level or beyond cannot lie on a shortest admissible path.
    if (level[u]! + 1 >= levelOfT) break;
    const pu = pi[u]!;
    const lv = level[u]! + 1;
    for (let a = adjStart[u]!; a < adjStart[u + 1]!; a++) {
      if (rcap[a] === 0) continue;
      const v = head[a]!;
      if (level[v] !== -1 || cost[a]! + pu - pi[v]! !== 0) continue;
      level[v] = lv;
      queue[qt++] = v;
      if (v === t) levelOfT = lv;
    }
  }
  return level[t] !== -1;
}

/** Dinic blocking flow along level-increasing admissible arcs (iterative DFS, current-arc). */
function blockingFlow(R: Residual): number {
  const { V, s, t, adjStart, head, tail, rev, rcap, cost, pi, level, iter, pathArcs } = R;
  for (let v = 0; v < V; v++) iter[v] = adjStart[v]!;
  let pushed = 0;
  let depth = 0;
  let u = s;
  for (;;) {
    if (u === t) {
      let b = 0x7fffffff;
      for (let k = 0; k < depth; k++) {
        const c = rcap[pathArcs[k]!]!;
        if (c < b) b = c;
      }
      let firstSaturated = -1;
      for (let k = 0; k < depth; k++) {
        const a = pathArcs[k]!;
        rcap[a]! -= b;
        rcap[rev[a]!]! += b;
        if (firstSaturated < 0 && rcap[a] === 0) firstSaturated = k;
      }
      pushed += b;
      depth = firstSaturated;
      u = tail[pathArcs[depth]!]!;
      continue;
    }
    const lv = level[u]! + 1;
    const pu = pi[u]!;
    const end = adjStart[u + 1]!;
    let a = iter[u]!;
    for (; a < end; a++) {
      if (rcap[a] !== 0 && level[head[a]!] === lv && cost[a]! + pu - pi[head[a]!]! === 0) break;
    }
    iter[u] = a;
    if (a < end) {
      pathArcs[depth++] = a;
      u = head[a]!;
      continue;
    }
    level[u] = -1; // dead end
    if (depth === 0) break;
    u = tail[pathArcs[--depth]!]!;
    iter[u]!++;
  }
  return pushed;
}

export function minCostFlow(net: FlowNetwork, mode: FlowMode): FlowResult {
  const R = buildResidual(net);
  let value = 0;
  let phases = 0;
  if (initialPotentials(R)) {
    while (shortestPaths(R)) {
      // Original cost of a shortest augmenting path; pi[s] never moves (dist(s) = 0).
      if (mode === 'negative' && R.pi[R.t]! - R.pi[R.s]! > 0) break;
      phases++;
      while (admissibleLevels(R)) value += blockingFlow(R);
    }
  }
  const A = net.from.length;
  const flow = new Int32Array(A);
  let cost = 0;
  for (let k = 0; k < A; k++) {
    flow[k] = R.rcap[R.rev[R.forward[k]!]!]!;
    cost += flow[k]! * net.cost[k]!;
  }
  return { flow, value, cost, phases };
}
