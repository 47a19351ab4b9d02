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

export function minCostFlow(net: FlowNetwork, mode: FlowMode): FlowResult {
  const V = net.nodeCount;
  const A = net.from.length;
  const s = net.source;
  const t = net.sink;
  // Residual arcs: input arc k becomes 2k (forward) and 2k+1 (backward).
  const head = new Int32Array(2 * A);
  const rcap = new Int32Array(2 * A);
  const cost = new Float64Array(2 * A);
  const adjStart = new Int32Array(V + 1);
  for (let k = 0; k < A; k++) {
    const u = net.from[k]!;
    const v = net.to[k]!;
    const c = net.capacity[k]!;
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`arc ${k}: capacity must be an integer >= 0`);
    if (!Number.isInteger(net.cost[k]!)) throw new RangeError(`arc ${k}: cost must be an integer`);
    head[2 * k] = v;
    head[2 * k + 1] = u;
    rcap[2 * k] = c;
    cost[2 * k] = net.cost[k]!;
    cost[2 * k + 1] = -net.cost[k]!;
    adjStart[u + 1]!++;
    adjStart[v + 1]!++;
  }
  for (let v = 0; v < V; v++) adjStart[v + 1]! += adjStart[v]!;
  const adj = new Int32Array(2 * A);
  {
    const fill = adjStart.slice(0, V);
    for (let k = 0; k < A; k++) {
      adj[fill[net.from[k]!]!++] = 2 * k;
      adj[fill[net.to[k]!]!++] = 2 * k + 1;
    }
  }
  const tail = (a: number): number => head[a ^ 1]!;

  // Initial potentials: Bellman-Ford (FIFO queue) over arcs with capacity.
  const pi = new Float64Array(V).fill(Infinity);
  {
    const inQueue = new Uint8Array(V);
    const queue = new Int32Array(V + 1);
    const relaxCount = new Int32Array(V);
    let qh = 0;
    let qt = 0;
    let queued = 0;
    pi[s] = 0;
    queue[qt++] = s;
    inQueue[s] = 1;
    queued = 1;
    while (queued > 0) {
      const u = queue[qh]!;
      qh = qh === V ? 0 : qh + 1;
      queued--;
      inQueue[u] = 0;
      if (++relaxCount[u]! > V) throw new RangeError('negative-cost cycle');
      for (let x = adjStart[u]!; x < adjStart[u + 1]!; x++) {
        const a = adj[x]!;
        if (rcap[a] === 0) continue;
        const v = head[a]!;
        const d = pi[u]! + cost[a]!;
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
  }
  if (pi[t] === Infinity) return finish();
  // Unreachable nodes only ever become reachable through arcs whose reduced cost is then fixed
  // by the min(d, D) update below, so any finite start value is fine for them.
  for (let v = 0; v < V; v++) if (pi[v] === Infinity) pi[v] = pi[t]!;

  const dist = new Float64Array(V);
  const heapNode = new Int32Array(V);
  const heapPos = new Int32Array(V);
  const level = new Int32Array(V);
  const iter = new Int32Array(V);
  const queue = new Int32Array(V);
  const pathArcs = new Int32Array(V);
  let value = 0;
  let phases = 0;

  for (;;) {
    // Dijkstra on reduced costs, stopped once t is settled.
    dist.fill(Infinity);
    heapPos.fill(-1);
    let hs = 0;
    const push = (v: number, d: number): void => {
      let k = heapPos[v]!;
      if (k < 0) k = hs++;
      while (k > 0) {
        const parent = (k - 1) >> 1;
        const pv = heapNode[parent]!;
        if (dist[pv]! <= d) break;
        heapNode[k] = pv;
        heapPos[pv] = k;
        k = parent;
      }
      dist[v] = d;
      heapNode[k] = v;
      heapPos[v] = k;
    };
    const pop = (): number => {
      const v = heapNode[0]!;
      heapPos[v] = -2;
      const last = heapNode[--hs]!;
      if (hs > 0) {
        const d = dist[last]!;
        let k = 0;
        for (;;) {
          let child = 2 * k + 1;
          if (child >= hs) break;
          if (child + 1 < hs && dist[heapNode[child + 1]!]! < dist[heapNode[child]!]!) child++;
          const cv = heapNode[child]!;
          if (dist[cv]! >= d) break;
          heapNode[k] = cv;
          heapPos[cv] = k;
          k = child;
        }
        heapNode[k] = last;
        heapPos[last] = k;
      }
      return v;
    };
    push(s, 0);
    let reached = false;
    while (hs > 0) {
      const u = pop();
      if (u === t) {
        reached = true;
        break;
      }
      const du = dist[u]!;
      const pu = pi[u]!;
      for (let x = adjStart[u]!; x < adjStart[u + 1]!; x++) {
        const a = adj[x]!;
        if (rcap[a] === 0) continue;
        const v = head[a]!;
        if (heapPos[v] === -2) continue;
        const nd = du + cost[a]! + pu - pi[v]!;
        if (nd < dist[v]!) push(v, nd);
      }
    }
    if (!reached) break;
    const D = dist[t]!;
    for (let v = 0; v < V; v++) {
      const d = dist[v]!;
      pi[v]! += d < D ? d : D;
    }
    // Original cost of a shortest augmenting path: pi[s] never moves (dist[s] = 0).
    if (mode === 'negative' && pi[t]! - pi[s]! > 0) break;
    phases++;

    // Dinic on the admissible network: residual arcs of reduced cost 0.
    for (;;) {
      level.fill(-1);
      level[s] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = s;
      while (qh < qt) {
        const u = queue[qh++]!;
        const pu = pi[u]!;
        for (let x = adjStart[u]!; x < adjStart[u + 1]!; x++) {
          const a = adj[x]!;
          if (rcap[a] === 0) continue;
          const v = head[a]!;
          if (level[v] !== -1 || cost[a]! + pu - pi[v]! !== 0) continue;
          level[v] = level[u]! + 1;
          queue[qt++] = v;
        }
      }
      if (level[t] === -1) break;
      for (let v = 0; v < V; v++) iter[v] = adjStart[v]!;
      // Iterative DFS along level-increasing admissible arcs, with current-arc pointers.
      let depth = 0;
      let u = s;
      for (;;) {
        if (u === t) {
          let b = Infinity;
          for (let k = 0; k < depth; k++) {
            const c = rcap[pathArcs[k]!]!;
            if (c < b) b = c;
          }
          for (let k = 0; k < depth; k++) {
            const a = pathArcs[k]!;
            rcap[a]! -= b;
            rcap[a ^ 1]! += b;
          }
          value += b;
          // Retreat to the tail of the first saturated arc.
          let k = 0;
          while (rcap[pathArcs[k]!] !== 0) k++;
          depth = k;
          u = tail(pathArcs[k]!);
          continue;
        }
        let advanced = false;
        const lu = level[u]! + 1;
        const pu = pi[u]!;
        const end = adjStart[u + 1]!;
        for (let x = iter[u]!; x < end; x++) {
          const a = adj[x]!;
          const v = head[a]!;
          if (rcap[a] !== 0 && level[v] === lu && cost[a]! + pu - pi[v]! === 0) {
            iter[u] = x;
            pathArcs[depth++] = a;
            u = v;
            advanced = true;
            break;
          }
        }
        if (advanced) continue;
        iter[u] = end;
        level[u] = -1; // dead end
        if (depth === 0) break;
        const a = pathArcs[--depth]!;
        u = tail(a);
        iter[u]!++;
      }
    }
  }
  return finish();

  function finish(): FlowResult {
    const flow = new Int32Array(A);
    let total = 0;
    for (let k = 0; k < A; k++) {
      flow[k] = rcap[2 * k + 1]!;
      total += flow[k]! * net.cost[k]!;
    }
    return { flow, value, cost: total, phases };
  }
}
