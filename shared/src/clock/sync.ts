/**
 * NTP-style estimate of the server clock. A sample is one `time:sync` round
 * trip: the client's send time t0, the server's time ts, the client's receive
 * time t1. Assuming the reply took as long as the request,
 * offset = ts − (t0 + t1) / 2, with an error of at most rtt / 2, so the
 * sample with the lowest round trip is the most trustworthy.
 *
 * t0 and t1 must come from one local time source; `performance.timeOrigin +
 * performance.now()` survives the user changing the system clock, Date.now()
 * does not.
 */

export interface SyncSample {
  /** Client time when the request was sent. */
  t0: number;
  /** Server time in the acknowledgement. */
  ts: number;
  /** Client time when the acknowledgement arrived. */
  t1: number;
}

export interface SyncEstimate {
  /** Add to a local time to get the server time. */
  offset: number;
  rtt: number;
}

/** Offset and round trip of one sample, or null when the sample is impossible (negative or non-finite). */
export function estimateFromSample({ t0, ts, t1 }: SyncSample): SyncEstimate | null {
  if (!Number.isFinite(t0) || !Number.isFinite(ts) || !Number.isFinite(t1) || t1 < t0) return null;
  return { offset: ts - (t0 + t1) / 2, rtt: t1 - t0 };
}

export interface ClockSyncOptions {
  /**
   * How many recent samples to choose from. Bounding it lets the estimate
   * follow a local clock that drifts over a long event. Default 8.
   */
  window?: number;
}

export class ClockSync {
  readonly #window: number;
  #recent: SyncEstimate[] = [];
  #best: SyncEstimate | null = null;

  constructor(options: ClockSyncOptions = {}) {
    this.#window = Math.max(1, Math.trunc(options.window ?? 8));
  }

  /** Records a sample; returns whether it is now the one in use. Impossible samples are ignored. */
  addSample(sample: SyncSample): boolean {
    const estimate = estimateFromSample(sample);
    if (estimate === null) return false;
    this.#recent.push(estimate);
    if (this.#recent.length > this.#window) this.#recent.shift();
    // Lowest round trip wins; on a tie the newest, as it has drifted least.
    let best = this.#recent[0] as SyncEstimate;
    for (const e of this.#recent) if (e.rtt <= best.rtt) best = e;
    this.#best = best;
    return best === estimate;
  }

  /** Whether at least one sample has been taken since construction or the last reset. */
  get synced(): boolean {
    return this.#best !== null;
  }

  /** Add to a local time to get the server time; 0 until the first sample. */
  get offset(): number {
    return this.#best?.offset ?? 0;
  }

  /** Round trip of the sample in use; Infinity until the first sample. */
  get rtt(): number {
    return this.#best?.rtt ?? Number.POSITIVE_INFINITY;
  }

  /** Largest error of the current estimate (half the round trip). */
  get uncertaintyMs(): number {
    return this.rtt / 2;
  }

  /** The estimated server time at a local time. */
  serverNow(localNow: number): number {
    return localNow + this.offset;
  }

  /** Forget every sample: after a reconnect, or when the page was hidden long enough for the clock to drift or sleep. */
  reset(): void {
    this.#recent = [];
    this.#best = null;
  }
}
