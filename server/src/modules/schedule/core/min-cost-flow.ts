/**
 * Exact minimum-cost flow by the primal network simplex method (a port of the
 * block-search variant in LEMON's NetworkSimplex, Kiraly & Kovacs), with
 * integer data held in doubles: exact while every cost sum stays below 2^53.
 *
 * Arcs may be marked `deferred`: they are left out of the pivot search until
 * the active arcs are optimal, then priced with the final potentials; any arc
 * with a negative reduced cost joins the search and pivoting resumes. The
 * solver stops only when no arc at all has a negative reduced cost, so the
 * answer is optimal for the whole network (LP duality), not just the active part.
 */

const STATE_UPPER = -1;
const STATE_TREE = 0;
const STATE_LOWER = 1;
const DIR_UP = 1;
const DIR_DOWN = -1;

export type FlowStatus = 'optimal' | 'infeasible' | 'unbounded';

export interface FlowStats {
  pivots: number;
  /** Deferred arcs that had to join the search before optimality was proven. */
  activated: number;
  /** Times the deferred arcs were priced. */
  pricingRounds: number;
}

export class MinCostFlow {
  readonly nodeCount: number;
  #arcCount = 0;
  #from: number[] = [];
  #to: number[] = [];
  #capacity: number[] = [];
  #cost: number[] = [];
  #deferred: boolean[] = [];
  readonly #supply: Float64Array;
  #flowByArc: Float64Array = new Float64Array(0);
  #potential: Float64Array = new Float64Array(0);
  stats: FlowStats = { pivots: 0, activated: 0, pricingRounds: 0 };

  constructor(nodeCount: number) {
    this.nodeCount = nodeCount;
    this.#supply = new Float64Array(nodeCount);
  }

  /** Adds an arc with flow in [0, capacity]; returns its id. */
  addArc(from: number, to: number, capacity: number, cost: number, deferred = false): number {
    this.#from.push(from);
    this.#to.push(to);
    this.#capacity.push(capacity);
    this.#cost.push(cost);
    this.#deferred.push(deferred);
    return this.#arcCount++;
  }

  /** Positive: the node produces flow; negative: it consumes. Supplies must sum to 0. */
  setSupply(node: number, supply: number): void {
    this.#supply[node] = supply;
  }

  flow(arc: number): number {
    return this.#flowByArc[arc] as number;
  }

  /** Node potential π with reduced cost c(u,v) + π(u) − π(v) ≥ 0 on every arc with room, ≤ 0 on every arc with flow. */
  potential(node: number): number {
    return this.#potential[node] as number;
  }

  solve(): FlowStatus {
    const n = this.nodeCount;
    const userArcs = this.#arcCount;
    let supplySum = 0;
    for (let u = 0; u < n; u++) supplySum += this.#supply[u] as number;
    if (supplySum !== 0) throw new Error('supplies must sum to zero');

    // Internal layout: artificial arcs 0..n-1 (one per node, to or from the root),
    // then active arcs, then deferred ones.
    const all = n + userArcs;
    const root = n;
    const source = new Int32Array(all);
    const target = new Int32Array(all);
    const cap = new Float64Array(all);
    const cost = new Float64Array(all);
    const flow = new Float64Array(all);
    const state = new Int8Array(all);
    const userOf = new Int32Array(all).fill(-1);
    const pi = new Float64Array(n + 1);
    const parent = new Int32Array(n + 1);
    const pred = new Int32Array(n + 1);
    const thread = new Int32Array(n + 1);
    const revThread = new Int32Array(n + 1);
    const succNum = new Int32Array(n + 1);
    const lastSucc = new Int32Array(n + 1);
    const predDir = new Int8Array(n + 1);
    const dirtyRevs = new Int32Array(n + 1);

    let position = n;
    let maxCost = 0;
    for (const wantDeferred of [false, true]) {
      for (let a = 0; a < userArcs; a++) {
        if (this.#deferred[a] !== wantDeferred) continue;
        source[position] = this.#from[a] as number;
        target[position] = this.#to[a] as number;
        cap[position] = this.#capacity[a] as number;
        cost[position] = this.#cost[a] as number;
        state[position] = STATE_LOWER;
        userOf[position] = a;
        if (Math.abs(cost[position] as number) > maxCost) maxCost = Math.abs(cost[position] as number);
        position++;
      }
    }
    let activeEnd = n;
    while (activeEnd < all && !this.#deferred[userOf[activeEnd] as number]) activeEnd++;

    // Big-M cost of the artificial arcs: more than any simple path through real arcs.
    const artificialCost = (maxCost + 1) * (n + 1);
    if (!(artificialCost * (n + 1) < Number.MAX_SAFE_INTEGER)) throw new Error('costs too large for exact arithmetic');

    parent[root] = -1;
    pred[root] = -1;
    thread[root] = 0;
    revThread[0] = root;
    succNum[root] = n + 1;
    lastSucc[root] = root - 1;
    pi[root] = 0;
    for (let u = 0; u < n; u++) {
      const e = u;
      parent[u] = root;
      pred[u] = e;
      thread[u] = u + 1;
      revThread[u + 1] = u;
      succNum[u] = 1;
      lastSucc[u] = u;
      cap[e] = Number.POSITIVE_INFINITY;
      state[e] = STATE_TREE;
      const supply = this.#supply[u] as number;
      if (supply >= 0) {
        predDir[u] = DIR_UP;
        pi[u] = 0;
        source[e] = u;
        target[e] = root;
        flow[e] = supply;
        cost[e] = 0;
      } else {
        predDir[u] = DIR_DOWN;
        pi[u] = artificialCost;
        source[e] = root;
        target[e] = u;
        flow[e] = -supply;
        cost[e] = artificialCost;
      }
    }

    let blockSize = Math.max(10, Math.ceil(Math.sqrt(activeEnd - n)));
    let nextArc = n;
    let inArc = -1;
    let pivots = 0;
    let activated = 0;
    let pricingRounds = 0;

    const findEnteringArc = (): boolean => {
      let min = 0;
      let count = blockSize;
      let e = nextArc;
      for (; e < activeEnd; e++) {
        const c = (state[e] as number) * ((cost[e] as number) + (pi[source[e] as number] as number) - (pi[target[e] as number] as number));
        if (c < min) {
          min = c;
          inArc = e;
        }
        if (--count === 0) {
          if (min < 0) {
            nextArc = e + 1;
            return true;
          }
          count = blockSize;
        }
      }
      for (e = n; e < nextArc; e++) {
        const c = (state[e] as number) * ((cost[e] as number) + (pi[source[e] as number] as number) - (pi[target[e] as number] as number));
        if (c < min) {
          min = c;
          inArc = e;
        }
        if (--count === 0) {
          if (min < 0) {
            nextArc = e + 1;
            return true;
          }
          count = blockSize;
        }
      }
      if (min >= 0) return false;
      nextArc = e;
      return true;
    };

    // Moves every deferred arc with a negative reduced cost into the active range.
    const activateViolatedArcs = (): boolean => {
      pricingRounds++;
      const before = activeEnd;
      for (let e = activeEnd; e < all; e++) {
        if ((cost[e] as number) + (pi[source[e] as number] as number) - (pi[target[e] as number] as number) >= 0) continue;
        if (e !== activeEnd) swapArcs(e, activeEnd);
        activeEnd++;
      }
      activated += activeEnd - before;
      blockSize = Math.max(10, Math.ceil(Math.sqrt(activeEnd - n)));
      return activeEnd > before;
    };

    // Both arcs are outside the tree with zero flow, so nothing else refers to their positions.
    const swapArcs = (a: number, b: number): void => {
      let t = source[a] as number;
      source[a] = source[b] as number;
      source[b] = t;
      t = target[a] as number;
      target[a] = target[b] as number;
      target[b] = t;
      t = cap[a] as number;
      cap[a] = cap[b] as number;
      cap[b] = t;
      t = cost[a] as number;
      cost[a] = cost[b] as number;
      cost[b] = t;
      t = userOf[a] as number;
      userOf[a] = userOf[b] as number;
      userOf[b] = t;
    };

    for (;;) {
      if (!findEnteringArc()) {
        if (activeEnd < all && activateViolatedArcs()) continue;
        break;
      }
      pivots++;
      // Join node: the deepest common ancestor of the entering arc's ends.
      let u = source[inArc] as number;
      let v = target[inArc] as number;
      while (u !== v) {
        if ((succNum[u] as number) < (succNum[v] as number)) u = parent[u] as number;
        else v = parent[v] as number;
      }
      const join = u;

      // Leaving arc: the first blocking arc of the cycle, in the strongly feasible orientation.
      let first: number;
      let second: number;
      if (state[inArc] === STATE_LOWER) {
        first = source[inArc] as number;
        second = target[inArc] as number;
      } else {
        first = target[inArc] as number;
        second = source[inArc] as number;
      }
      let delta = cap[inArc] as number;
      let result = 0;
      let uOut = -1;
      for (let w = first; w !== join; w = parent[w] as number) {
        const e = pred[w] as number;
        let d = flow[e] as number;
        if (predDir[w] === DIR_DOWN) d = (cap[e] as number) - d;
        if (d < delta) {
          delta = d;
          uOut = w;
          result = 1;
        }
      }
      for (let w = second; w !== join; w = parent[w] as number) {
        const e = pred[w] as number;
        let d = flow[e] as number;
        if (predDir[w] === DIR_UP) d = (cap[e] as number) - d;
        if (d <= delta) {
          delta = d;
          uOut = w;
          result = 2;
        }
      }
      if (delta === Number.POSITIVE_INFINITY) return 'unbounded';
      let uIn: number;
      let vIn: number;
      if (result === 1) {
        uIn = first;
        vIn = second;
      } else {
        uIn = second;
        vIn = first;
      }
      const change = result !== 0;

      // Augment along the cycle.
      if (delta > 0) {
        const val = (state[inArc] as number) * delta;
        flow[inArc] = (flow[inArc] as number) + val;
        for (let w = source[inArc] as number; w !== join; w = parent[w] as number) {
          const e = pred[w] as number;
          flow[e] = (flow[e] as number) - (predDir[w] as number) * val;
        }
        for (let w = target[inArc] as number; w !== join; w = parent[w] as number) {
          const e = pred[w] as number;
          flow[e] = (flow[e] as number) + (predDir[w] as number) * val;
        }
      }
      if (!change) {
        state[inArc] = -(state[inArc] as number);
        continue;
      }
      state[inArc] = STATE_TREE;
      const outArc = pred[uOut] as number;
      state[outArc] = flow[outArc] === 0 ? STATE_LOWER : STATE_UPPER;

      // Update the spanning tree: parent, thread, succNum, lastSucc, pred, predDir.
      const oldRevThread = revThread[uOut] as number;
      const oldSuccNum = succNum[uOut] as number;
      const oldLastSucc = lastSucc[uOut] as number;
      const vOut = parent[uOut] as number;

      if (uIn === uOut) {
        parent[uIn] = vIn;
        pred[uIn] = inArc;
        predDir[uIn] = uIn === source[inArc] ? DIR_UP : DIR_DOWN;
        if (thread[vIn] !== uOut) {
          let after = thread[oldLastSucc] as number;
          thread[oldRevThread] = after;
          revThread[after] = oldRevThread;
          after = thread[vIn] as number;
          thread[vIn] = uOut;
          revThread[uOut] = vIn;
          thread[oldLastSucc] = after;
          revThread[after] = oldLastSucc;
        }
      } else {
        const threadContinue = oldRevThread === vIn ? (thread[oldLastSucc] as number) : (thread[vIn] as number);
        let stem = uIn;
        let parStem = vIn;
        let nextStem: number;
        let last = lastSucc[uIn] as number;
        let before: number;
        let after = thread[last] as number;
        thread[vIn] = uIn;
        let dirty = 0;
        dirtyRevs[dirty++] = vIn;
        while (stem !== uOut) {
          nextStem = parent[stem] as number;
          thread[last] = nextStem;
          dirtyRevs[dirty++] = last;
          before = revThread[stem] as number;
          thread[before] = after;
          revThread[after] = before;
          parent[stem] = parStem;
          parStem = stem;
          stem = nextStem;
          last = lastSucc[stem] === lastSucc[parStem] ? (revThread[parStem] as number) : (lastSucc[stem] as number);
          after = thread[last] as number;
        }
        parent[uOut] = parStem;
        thread[last] = threadContinue;
        revThread[threadContinue] = last;
        lastSucc[uOut] = last;
        if (oldRevThread !== vIn) {
          thread[oldRevThread] = after;
          revThread[after] = oldRevThread;
        }
        for (let i = 0; i < dirty; i++) {
          const w = dirtyRevs[i] as number;
          revThread[thread[w] as number] = w;
        }
        let tmpSc = 0;
        const tmpLs = lastSucc[uOut] as number;
        for (let w = uOut, p = parent[w] as number; w !== uIn; w = p, p = parent[w] as number) {
          pred[w] = pred[p] as number;
          predDir[w] = -(predDir[p] as number);
          tmpSc += (succNum[w] as number) - (succNum[p] as number);
          succNum[w] = tmpSc;
          lastSucc[p] = tmpLs;
        }
        pred[uIn] = inArc;
        predDir[uIn] = uIn === source[inArc] ? DIR_UP : DIR_DOWN;
        succNum[uIn] = oldSuccNum;
      }

      const upLimitOut = lastSucc[join] === vIn ? join : -1;
      const lastSuccOut = lastSucc[uOut] as number;
      for (let w = vIn; w !== -1 && lastSucc[w] === vIn; w = parent[w] as number) lastSucc[w] = lastSuccOut;
      if (join !== oldRevThread && vIn !== oldRevThread) {
        for (let w = vOut; w !== upLimitOut && lastSucc[w] === oldLastSucc; w = parent[w] as number) {
          lastSucc[w] = oldRevThread;
        }
      } else if (lastSuccOut !== oldLastSucc) {
        for (let w = vOut; w !== upLimitOut && lastSucc[w] === oldLastSucc; w = parent[w] as number) {
          lastSucc[w] = lastSuccOut;
        }
      }
      for (let w = vIn; w !== join; w = parent[w] as number) succNum[w] = (succNum[w] as number) + oldSuccNum;
      for (let w = vOut; w !== join; w = parent[w] as number) succNum[w] = (succNum[w] as number) - oldSuccNum;

      // Shift the potentials of the subtree that moved under vIn.
      const sigma = (pi[vIn] as number) - (pi[uIn] as number) - (predDir[uIn] as number) * (cost[inArc] as number);
      const end = thread[lastSucc[uIn] as number] as number;
      for (let w = uIn; w !== end; w = thread[w] as number) pi[w] = (pi[w] as number) + sigma;
    }

    this.stats = { pivots, activated, pricingRounds };
    for (let e = 0; e < n; e++) if (flow[e] !== 0) return 'infeasible';
    this.#flowByArc = new Float64Array(userArcs);
    for (let e = n; e < all; e++) this.#flowByArc[userOf[e] as number] = flow[e] as number;
    this.#potential = pi.slice(0, n);
    return 'optimal';
  }
}
