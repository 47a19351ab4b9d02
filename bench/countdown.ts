/**
 * Countdown agreement across 50 participants whose clocks are wrong by up to ±10 minutes.
 *
 * The real app (buildApp on its own database, 50 participants imported by CSV, a plan, each
 * joined through `POST /api/join`) listens on 127.0.0.1. Each simulated client has its own local
 * clock, `performance.timeOrigin + performance.now()` plus a random skew in ±10 min, and delays
 * each `time:sync` reply by a random 0-20 ms before reading its clock (the worst case for an
 * NTP-style estimate: all of the delay on one leg). It feeds several samples to the real
 * `ClockSync`, receives `clock:changed` when the organizer starts (or later extends) the round,
 * and computes what its screen shows with `phaseRemainingMs` at one common true instant.
 * Truth: the same projection at the server's own clock (same machine, so `Date.now()`).
 *
 * Baselines in the same run, from the same received states at the same instants: the clients
 * without offset correction (their naive local clock), and the clients corrected by their first
 * sync sample only (no lowest-round-trip selection).
 *
 *   npx tsx bench/countdown.ts   (PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
 *   env: BENCH_CLIENTS (50), BENCH_TRIALS (5), BENCH_SYNC_SAMPLES (8), BENCH_SEED (1)
 */
import type { ClockState } from '@constellation/shared/clock/state';
import { ClockSync } from '@constellation/shared/clock/sync';
import { formatCountdown, phaseRemainingMs } from '@constellation/shared/clock/projection';
import type { ClockChanged, TimeSyncReply } from '@constellation/shared/realtime/events';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../tests/helpers/realtime.ts';
import { buildBenchApp, createBenchDatabase, setUpLiveEvent } from './live-event.ts';
import { median } from './lib.ts';
import { percentile, sleep, table } from './realtime-lib.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);
const SYNC_SAMPLES = Number(process.env.BENCH_SYNC_SAMPLES ?? 8);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const MAX_SKEW_MS = 10 * 60_000;
const MAX_REPLY_DELAY_MS = 20;
const ROUND_SECONDS = 1800; // longer than any skew, so the naive countdown is never clipped at 0
/** Instants per trial for the "different second on screen" figure, spread over one second. */
const DISPLAY_INSTANTS = 100;

/** mulberry32: a seeded generator, so the skews repeat from run to run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);

/** The machine's true local time, as a browser would read it before any skew. */
const trueLocalNow = () => performance.timeOrigin + performance.now();

class SkewedClient {
  skewMs = 0;
  readonly sync = new ClockSync({ window: SYNC_SAMPLES });
  /** The same samples' first one alone: what a client without lowest-round-trip selection would use. */
  readonly firstSample = new ClockSync({ window: 1 });
  clock: ClockState | null = null;

  readonly socket: ClientSocket;

  constructor(socket: ClientSocket) {
    this.socket = socket;
    socket.on('clock:changed', (change: ClockChanged) => (this.clock = change.clock));
  }

  localNow(trueLocal = trueLocalNow()): number {
    return trueLocal + this.skewMs;
  }

  async resync(): Promise<void> {
    this.sync.reset();
    this.firstSample.reset();
    for (let i = 0; i < SYNC_SAMPLES; i++) {
      const t0 = this.localNow();
      const ack = await command<TimeSyncReply>(this.socket, 'time:sync', { t0 });
      if ('error' in ack) throw new Error(`time:sync: ${ack.error.message}`);
      await sleep(rand() * MAX_REPLY_DELAY_MS); // the reply's artificial network delay
      const sample = { t0: ack.data.t0, ts: ack.data.serverTime, t1: this.localNow() };
      this.sync.addSample(sample);
      if (i === 0) this.firstSample.addSample(sample);
      await sleep(10 + rand() * 20);
    }
  }
}

interface Readings {
  /** Per client: displayed remaining minus true remaining, ms. */
  errors: number[];
  /** Largest minus smallest displayed remaining across the clients, ms. */
  spread: number;
}

function readings(displayed: number[], truth: number): Readings {
  return { errors: displayed.map((d) => d - truth), spread: Math.max(...displayed) - Math.min(...displayed) };
}

async function main(): Promise<void> {
  const started = performance.now();
  const database = await createBenchDatabase('countdown');
  try {
    const bench = await buildBenchApp(database.url);
    const clients: SkewedClient[] = [];
    let organizer: ClientSocket | null = null;
    try {
      const live = await setUpLiveEvent(bench.app, CLIENTS, { event: { rounds: 3, roundSeconds: ROUND_SECONDS, transitionSeconds: 60 } });
      await bench.app.listen({ port: 0, host: '127.0.0.1' });
      const address = bench.app.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

      for (const cookie of live.participantCookies) {
        const socket = connectSocket(url, { cookie });
        const snapshot = nextEvent(socket, 'event:snapshot');
        await connected(socket);
        await snapshot;
        clients.push(new SkewedClient(socket));
      }
      organizer = connectSocket(url, { cookie: live.organizerCookie, eventId: live.eventId, as: 'organizer' });
      const organizerSnapshot = nextEvent(organizer, 'event:snapshot');
      await connected(organizer);
      await organizerSnapshot;

      const ours: Readings[] = [];
      const naive: Readings[] = [];
      const single: Readings[] = [];
      const rtts: number[] = [];
      const uncertainties: number[] = [];
      let wrongSecond = 0;
      let wrongSecondNaive = 0;
      let screens = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        for (const client of clients) client.skewMs = (rand() * 2 - 1) * MAX_SKEW_MS;
        await Promise.all(clients.map((c) => c.resync()));
        for (const client of clients) {
          rtts.push(client.sync.rtt);
          uncertainties.push(client.sync.uncertaintyMs);
        }

        const changes = clients.map((c) => nextEvent(c.socket, 'clock:changed'));
        const ack = trial === 0 ? await command<ClockState>(organizer, 'clock:start') : await command<ClockState>(organizer, 'clock:extend', { seconds: 30 });
        if ('error' in ack) throw new Error(`organizer command: ${ack.error.message}`);
        await Promise.all(changes);
        if (clients.some((c) => c.clock?.revision !== ack.data.revision)) throw new Error('a client holds another clock state than the one just broadcast');
        await sleep(50);

        // One common true instant: every client reads its own (skewed) clock at it.
        const trueLocal = trueLocalNow();
        const serverNow = Date.now();
        const truth = phaseRemainingMs(clients[0]!.clock!, serverNow)!;
        const show = (f: (c: SkewedClient) => number) => clients.map((c) => phaseRemainingMs(c.clock!, f(c))!);
        ours.push(readings(show((c) => c.sync.serverNow(c.localNow(trueLocal))), truth));
        naive.push(readings(show((c) => c.localNow(trueLocal)), truth));
        single.push(readings(show((c) => c.firstSample.serverNow(c.localNow(trueLocal))), truth));

        // What the screens read (mm:ss) over one second of instants, against the truth.
        for (let k = 0; k < DISPLAY_INSTANTS; k++) {
          const dt = (k * 1000) / DISPLAY_INSTANTS;
          const expected = formatCountdown(phaseRemainingMs(clients[0]!.clock!, serverNow + dt)!);
          for (const c of clients) {
            screens++;
            if (formatCountdown(phaseRemainingMs(c.clock!, c.sync.serverNow(c.localNow(trueLocal + dt)))!) !== expected) wrongSecond++;
            if (formatCountdown(phaseRemainingMs(c.clock!, c.localNow(trueLocal + dt))!) !== expected) wrongSecondNaive++;
          }
        }
      }

      const spreadWorst = (r: Readings[]) => Math.max(...r.map((x) => x.spread));
      const spreadMedian = (r: Readings[]) => median(r.map((x) => x.spread));
      const absErrors = (r: Readings[]) => r.flatMap((x) => x.errors.map(Math.abs)).sort((a, b) => a - b);
      const ratio = (a: number, b: number) => (b === 0 ? Number.POSITIVE_INFINITY : a / b);
      const rows: [string, (r: Readings[]) => number][] = [
        ['largest pairwise difference, worst trial, ms (target < 100)', spreadWorst],
        ['largest pairwise difference, median trial, ms', spreadMedian],
        ['absolute error vs truth, median, ms', (r) => median(absErrors(r))],
        ['absolute error vs truth, p95, ms', (r) => percentile(absErrors(r), 95)],
        ['absolute error vs truth, max, ms', (r) => percentile(absErrors(r), 100)],
      ];

      console.log(
        `\n${CLIENTS} clients x ${TRIALS} trials (fresh skews each), skew uniform in ±${MAX_SKEW_MS / 60_000} min, ` +
          `${SYNC_SAMPLES} time:sync samples each with 0-${MAX_REPLY_DELAY_MS} ms added to the reply leg; seed ${SEED}`,
      );
      console.log(
        `chosen sample round trip: median ${median(rtts).toFixed(1)} ms, max ${Math.max(...rtts).toFixed(1)} ms ` +
          `(uncertainty = rtt/2, max ${Math.max(...uncertainties).toFixed(1)} ms)\n`,
      );
      table(
        ['', 'ours (ClockSync, best of samples)', 'baseline: naive local clock', 'ratio naive/ours', 'first sample only'],
        rows.map(([label, f]) => [label, f(ours), f(naive), ratio(f(naive), f(ours)), f(single)]),
        1,
      );
      console.log(
        `\nscreens showing a different mm:ss than the server's own countdown (${screens} readings over 1 s per trial): ` +
          `ours ${((100 * wrongSecond) / screens).toFixed(2)} %, naive ${((100 * wrongSecondNaive) / screens).toFixed(2)} %`,
      );
      console.log(`total run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      organizer?.disconnect();
      for (const client of clients) client.socket.disconnect();
      await bench.close();
    }
  } finally {
    await database.drop();
  }
}

await main();
