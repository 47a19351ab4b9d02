/** Helpers for the realtime benches: one machine-wide monotonic clock, percentiles, IPC inboxes, a table. */

/**
 * CLOCK_MONOTONIC in ms. Unlike `performance.now()`, whose origin is per thread, it is one clock
 * for every thread (and process) on the machine, so a send time on one thread and a receive
 * time on another can be subtracted.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface MessageSource {
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** Buffers the messages of a worker or child process, so a reply is never missed between awaits. */
export class Inbox<M> {
  readonly #queue: M[] = [];
  readonly #waiters: { match: (m: M) => boolean; resolve: (m: M) => void }[] = [];

  constructor(source: MessageSource) {
    source.on('message', (raw) => {
      const message = raw as M;
      const waiter = this.#waiters.findIndex((w) => w.match(message));
      if (waiter >= 0) this.#waiters.splice(waiter, 1)[0]!.resolve(message);
      else this.#queue.push(message);
    });
  }

  /** The first message (buffered or still to come) that matches. */
  next<T extends M>(match: (m: M) => m is T, timeoutMs: number, what: string): Promise<T> {
    const queued = this.#queue.findIndex(match);
    if (queued >= 0) return Promise.resolve(this.#queue.splice(queued, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (m: M) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      };
      this.#waiters.push(waiter);
    });
  }
}

/** Prints rows as aligned columns; numbers with `digits` decimals. */
export function table(header: string[], rows: (string | number)[][], digits = 1): void {
  const cells = [header, ...rows.map((row) => row.map((c) => (typeof c === 'number' ? (Number.isFinite(c) ? c.toFixed(digits) : String(c)) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(cells[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) console.log(line(row));
}
