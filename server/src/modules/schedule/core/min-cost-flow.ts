/**
 * Exact minimum-cost flow by the primal network simplex method (a port of the
 * block-search variant in LEMON's NetworkSimplex, Kiraly & Kovacs), with
 * integer data held in doubles: exact while every cost sum stays below 2^53.
 *
 * Column generation: a caller with far more arcs than will matter adds only
 * promising ones and passes a `pricer`. Whenever the arcs so far are optimal the
 * pricer sees the node potentials π and adds any held-back arc whose reduced
 * cost c + π(from) − π(to) is negative; pivoting resumes. When it adds none, no
 * held-back arc could improve the flow either, so the answer is optimal for the
 * whole network (LP duality), not just for the arcs that were built.
 */

const STATE_UPPER = -1;
const STATE_TREE = 0;
const STATE_LOWER = 1;
const DIR_UP = 1;
const DIR_DOWN = -1;

export type FlowStatus = 'optimal' | 'infeasible' | 'unbounded';

export interface FlowStats {
  pivots: number;
  /** Arcs the pricer added before optimality was proven. */
  priced: number;
  /** Times the pricer was asked. */
  pricingRounds: number;
}

export interface ArcSink {
  /** Adds an arc with flow in [0, capacity]; returns its id. */
  addArc(from: number, to: number, capacity: number, cost: number): number;
}

/** Sees the potentials of an optimal flow over the arcs so far; adds the held-back arcs they price negative. */
export type Pricer = (potential: Float64Array, network: ArcSink) => void;

export interface SolveOptions {
  pricer?: Pricer;
  /** Largest |cost| of any arc the pricer may add (sizes the artificial big-M cost). */
  maxPricedCost?: number;
}

export class MinCostFlow implements ArcSink {
  readonly nodeCount: number;
  #arcCount = 0;
  #from: Int32Array;
  #to: Int32Array;
  #capacity: Float64Array;
  #cost: Float64Array;
  readonly #supply: Float64Array;
  #run: SimplexRun | null = null;
  stats: FlowStats = { pivots: 0, priced: 0, pricingRounds: 0 };

  /** `arcHint`: expected number of arcs, to allocate once. */
  constructor(nodeCount: number, arcHint = 16) {
    this.nodeCount = nodeCount;
    this.#supply = new Float64Array(nodeCount);
    const size = Math.max(16, arcHint);
    this.#from = new Int32Array(size);
    this.#to = new Int32Array(size);
    this.#capacity = new Float64Array(size);
    this.#cost = new Float64Array(size);
  }

  addArc(from: number, to: number, capacity: number, cost: number): number {
    if (this.#run) throw new Error('add arcs before solving, or from the pricer');
    const a = this.#arcCount;
    if (a === this.#from.length) {
      this.#from = grow(this.#from, a * 2);
      this.#to = grow(this.#to, a * 2);
      this.#capacity = grow(this.#capacity, a * 2);
      this.#cost = grow(this.#cost, a * 2);
    }
    this.#from[a] = from;
    this.#to[a] = to;
    this.#capacity[a] = capacity;
    this.#cost[a] = cost;
    return this.#arcCount++;
  }

  /** Positive: the node produces flow; negative: it consumes. Supplies must sum to 0. */
  setSupply(node: number, supply: number): void {
    this.#supply[node] = supply;
  }

  solve(options: SolveOptions = {}): FlowStatus {
    let supplySum = 0;
    for (let u = 0; u < this.nodeCount; u++) supplySum += this.#supply[u] as number;
    if (supplySum !== 0) throw new Error('supplies must sum to zero');
    const run = new SimplexRun(
      this.nodeCount,
      this.#arcCount,
      this.#from,
      this.#to,
      this.#capacity,
      this.#cost,
      this.#supply,
      options.maxPricedCost ?? 0,
    );
    this.#run = run;
    const status = run.solve(options.pricer);
    this.stats = { pivots: run.pivots, priced: run.priced, pricingRounds: run.pricingRounds };
    return status;
  }

  /** Flow on arc `arc` (ids from addArc, including arcs the pricer added) after an optimal solve. */
  flow(arc: number): number {
    return (this.#run?.flow[this.nodeCount + arc] as number | undefined) ?? 0;
  }

  /** Potential π: reduced cost c(u,v) + π(u) − π(v) is ≥ 0 on every arc with room and ≤ 0 on every arc with flow. */
  potential(node: number): number {
    return (this.#run?.pi[node] as number | undefined) ?? 0;
  }
}

function grow<T extends Int32Array | Int8Array | Float64Array>(array: T, size: number): T {
  const bigger = new (array.constructor as new (size: number) => T)(size);
  bigger.set(array);
  return bigger;
}

/**
 * One solve. Small methods on typed-array fields (as in LEMON) rather than one long
 * function: V8 optimises methods after a few calls, while a single long-running
 * function waits for on-stack replacement and ran ten times slower on a cold start.
 * Layout: artificial arcs 0..n-1 (one per node, to or from the root), then user arcs.
 */
class SimplexRun implements ArcSink {
  readonly n: number;
  readonly root: number;
  /** Arcs in use: artificial plus user arcs. */
  end: number;
  source: Int32Array;
  target: Int32Array;
  cap: Float64Array;
  cost: Float64Array;
  flow: Float64Array;
  state: Int8Array;
  readonly pi: Float64Array;
  readonly parent: Int32Array;
  readonly pred: Int32Array;
  readonly thread: Int32Array;
  readonly revThread: Int32Array;
  readonly succNum: Int32Array;
  readonly lastSucc: Int32Array;
  readonly predDir: Int8Array;
  readonly dirtyRevs: Int32Array;
  readonly costLimit: number;
  blockSize = 10;
  nextArc: number;
  inArc = -1;
  join = -1;
  uIn = -1;
  vIn = -1;
  uOut = -1;
  delta = 0;
  pivots = 0;
  priced = 0;
  pricingRounds = 0;

  constructor(
    n: number,
    userArcs: number,
    from: Int32Array,
    to: Int32Array,
    capacity: Float64Array,
    arcCost: Float64Array,
    supply: Float64Array,
    maxPricedCost: number,
  ) {
    const size = n + Math.max(userArcs, 16);
    this.n = n;
    this.root = n;
    this.end = n + userArcs;
    const source = (this.source = new Int32Array(size));
    const target = (this.target = new Int32Array(size));
    const cap = (this.cap = new Float64Array(size));
    const cost = (this.cost = new Float64Array(size));
    const flow = (this.flow = new Float64Array(size));
    const state = (this.state = new Int8Array(size));
    const pi = (this.pi = new Float64Array(n + 1));
    const parent = (this.parent = new Int32Array(n + 1));
    const pred = (this.pred = new Int32Array(n + 1));
    const thread = (this.thread = new Int32Array(n + 1));
    const revThread = (this.revThread = new Int32Array(n + 1));
    const succNum = (this.succNum = new Int32Array(n + 1));
    const lastSucc = (this.lastSucc = new Int32Array(n + 1));
    const predDir = (this.predDir = new Int8Array(n + 1));
    this.dirtyRevs = new Int32Array(n + 1);
    this.nextArc = n;

    source.set(from.subarray(0, userArcs), n);
    target.set(to.subarray(0, userArcs), n);
    cap.set(capacity.subarray(0, userArcs), n);
    cost.set(arcCost.subarray(0, userArcs), n);
    state.fill(STATE_LOWER, n, n + userArcs);
    let maxCost = maxPricedCost;
    for (let a = 0; a < userArcs; a++) maxCost = Math.max(maxCost, Math.abs(arcCost[a] as number));
    this.costLimit = maxCost;

    // Big-M cost of the artificial arcs: more than any simple path through real arcs.
    const artificialCost = (maxCost + 1) * (n + 1);
    if (!(artificialCost * (n + 1) < Number.MAX_SAFE_INTEGER)) throw new Error('costs too large for exact arithmetic');

    const root = n;
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
      const b = supply[u] as number;
      if (b >= 0) {
        predDir[u] = DIR_UP;
        pi[u] = 0;
        source[e] = u;
        target[e] = root;
        flow[e] = b;
        cost[e] = 0;
      } else {
        predDir[u] = DIR_DOWN;
        pi[u] = artificialCost;
        source[e] = root;
        target[e] = u;
        flow[e] = -b;
        cost[e] = artificialCost;
      }
    }
    this.blockSize = Math.max(10, Math.ceil(Math.sqrt(userArcs)));
  }

  solve(pricer: Pricer | undefined): FlowStatus {
    for (;;) {
      if (!this.findEnteringArc()) {
        if (pricer && this.price(pricer)) continue;
        break;
      }
      this.pivots++;
      this.findJoinNode();
      const change = this.findLeavingArc();
      if (this.delta === Number.POSITIVE_INFINITY) return 'unbounded';
      this.changeFlow(change);
      if (change) {
        this.updateTreeStructure();
        this.updatePotential();
      }
    }
    for (let e = 0; e < this.n; e++) if (this.flow[e] !== 0) return 'infeasible';
    return 'optimal';
  }

  price(pricer: Pricer): boolean {
    this.pricingRounds++;
    const before = this.end;
    pricer(this.pi, this);
    this.priced += this.end - before;
    this.blockSize = Math.max(10, Math.ceil(Math.sqrt(this.end - this.n)));
    return this.end > before;
  }

  /** Adds an arc at its lower bound (flow 0), outside the spanning tree. */
  addArc(from: number, to: number, capacity: number, cost: number): number {
    if (Math.abs(cost) > this.costLimit) throw new Error('priced arc costs more than maxPricedCost');
    const e = this.end;
    if (e === this.source.length) {
      const size = e * 2;
      this.source = grow(this.source, size);
      this.target = grow(this.target, size);
      this.cap = grow(this.cap, size);
      this.cost = grow(this.cost, size);
      this.flow = grow(this.flow, size);
      this.state = grow(this.state, size);
    }
    this.source[e] = from;
    this.target[e] = to;
    this.cap[e] = capacity;
    this.cost[e] = cost;
    this.flow[e] = 0;
    this.state[e] = STATE_LOWER;
    this.end = e + 1;
    return e - this.n;
  }

  /** Block search: scan arcs cyclically a block at a time; enter the most negative reduced cost of the first block that has one. */
  findEnteringArc(): boolean {
    const { state, cost, pi, source, target, n, end, blockSize } = this;
    let min = 0;
    let count = blockSize;
    let inArc = -1;
    let e = this.nextArc;
    for (; e < end; e++) {
      const c = (state[e] as number) * ((cost[e] as number) + (pi[source[e] as number] as number) - (pi[target[e] as number] as number));
      if (c < min) {
        min = c;
        inArc = e;
      }
      if (--count === 0) {
        if (min < 0) {
          this.inArc = inArc;
          this.nextArc = e + 1;
          return true;
        }
        count = blockSize;
      }
    }
    const stop = this.nextArc;
    for (e = n; e < stop; e++) {
      const c = (state[e] as number) * ((cost[e] as number) + (pi[source[e] as number] as number) - (pi[target[e] as number] as number));
      if (c < min) {
        min = c;
        inArc = e;
      }
      if (--count === 0) {
        if (min < 0) {
          this.inArc = inArc;
          this.nextArc = e + 1;
          return true;
        }
        count = blockSize;
      }
    }
    if (min >= 0) return false;
    this.inArc = inArc;
    this.nextArc = e;
    return true;
  }

  /** The deepest common ancestor of the entering arc's ends. */
  findJoinNode(): void {
    const { succNum, parent } = this;
    let u = this.source[this.inArc] as number;
    let v = this.target[this.inArc] as number;
    while (u !== v) {
      if ((succNum[u] as number) < (succNum[v] as number)) u = parent[u] as number;
      else v = parent[v] as number;
    }
    this.join = u;
  }

  /** The first blocking arc of the cycle, in the strongly feasible orientation; false when the entering arc itself blocks. */
  findLeavingArc(): boolean {
    const { parent, pred, flow, cap, predDir, join } = this;
    const inArc = this.inArc;
    let first: number;
    let second: number;
    if (this.state[inArc] === STATE_LOWER) {
      first = this.source[inArc] as number;
      second = this.target[inArc] as number;
    } else {
      first = this.target[inArc] as number;
      second = this.source[inArc] as number;
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
    this.delta = delta;
    this.uOut = uOut;
    if (result === 1) {
      this.uIn = first;
      this.vIn = second;
    } else {
      this.uIn = second;
      this.vIn = first;
    }
    return result !== 0;
  }

  changeFlow(change: boolean): void {
    const { parent, pred, flow, predDir, state, join } = this;
    const inArc = this.inArc;
    const delta = this.delta;
    if (delta > 0) {
      const val = (state[inArc] as number) * delta;
      flow[inArc] = (flow[inArc] as number) + val;
      for (let w = this.source[inArc] as number; w !== join; w = parent[w] as number) {
        const e = pred[w] as number;
        flow[e] = (flow[e] as number) - (predDir[w] as number) * val;
      }
      for (let w = this.target[inArc] as number; w !== join; w = parent[w] as number) {
        const e = pred[w] as number;
        flow[e] = (flow[e] as number) + (predDir[w] as number) * val;
      }
    }
    if (change) {
      state[inArc] = STATE_TREE;
      const outArc = pred[this.uOut] as number;
      state[outArc] = flow[outArc] === 0 ? STATE_LOWER : STATE_UPPER;
    } else {
      state[inArc] = -(state[inArc] as number);
    }
  }

  updateTreeStructure(): void {
    const { parent, pred, thread, revThread, succNum, lastSucc, predDir, dirtyRevs, join, uIn, vIn, uOut, inArc } = this;
    const oldRevThread = revThread[uOut] as number;
    const oldSuccNum = succNum[uOut] as number;
    const oldLastSucc = lastSucc[uOut] as number;
    const vOut = parent[uOut] as number;

    if (uIn === uOut) {
      parent[uIn] = vIn;
      pred[uIn] = inArc;
      predDir[uIn] = uIn === this.source[inArc] ? DIR_UP : DIR_DOWN;
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
      // Reverse the stem from uIn up to uOut: each stem node's parent becomes the previous one.
      let stem = uIn;
      let parStem = vIn;
      let last = lastSucc[uIn] as number;
      let after = thread[last] as number;
      thread[vIn] = uIn;
      let dirty = 0;
      dirtyRevs[dirty++] = vIn;
      while (stem !== uOut) {
        const nextStem = parent[stem] as number;
        thread[last] = nextStem;
        dirtyRevs[dirty++] = last;
        const before = revThread[stem] as number;
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
      predDir[uIn] = uIn === this.source[inArc] ? DIR_UP : DIR_DOWN;
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
  }

  /** Shift the potentials of the subtree that moved under vIn so that the entering arc has reduced cost 0. */
  updatePotential(): void {
    const { pi, thread, uIn, vIn } = this;
    const sigma = (pi[vIn] as number) - (pi[uIn] as number) - (this.predDir[uIn] as number) * (this.cost[this.inArc] as number);
    const end = thread[this.lastSucc[uIn] as number] as number;
    for (let w = uIn; w !== end; w = thread[w] as number) pi[w] = (pi[w] as number) + sigma;
  }
}
