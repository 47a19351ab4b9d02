/**
 * Failover of an event's owner among three app nodes (issue 14): how long until another node
 * holds the event, and what the participants' clocks show across it.
 *
 * Three processes of the production bundle behind HAProxy (tests/helpers/app-cluster.ts), one
 * event of BENCH_PARTICIPANTS participants whose sockets connect through HAProxy and reconnect
 * when their node dies, as browsers do. Each trial: the organizer ends the round (a 10 s
 * transition, the shortest the app allows, then the next round by timer); at a random point of
 * the transition the event's owner (its event_owners row) is
 *  - kill: SIGKILLed (kill -9), or
 *  - stop: sent SIGTERM (a rolling restart: it hands its leases back as it shuts down), or
 *  - none: left alone: the baseline, in the same run, of what clients see without a failure.
 * Every other trial is a kill, the ones between alternate none and stop (kill, none, kill, stop,
 * ...): 10 kills, 5 baselines and 4 stops by default, as an event has at most 20 rounds and each
 * trial uses one. A stopped or killed node starts again after its trial.
 *
 * Failover time: from the signal until the event_owners row names a survivor with a live lease,
 * and until that survivor's /healthz counts the event in `ownedEvents` (the node runs the event's
 * owner-only work: video rooms, no-show checks; every node already runs the clock's timers for
 * its own sockets). Clients: when each learns that the next round started (a `clock:changed`, or
 * the snapshot after reconnecting) minus its scheduled start (Date.now(), one clock on this
 * machine); the absolute times each client was shown for the transition's end and the new
 * round's start and end, against the stored truth (the clock log in PostgreSQL replayed by the
 * clock core); and any clock change a client received twice.
 *
 *   npx tsx bench/cluster-failover.ts   (PostgreSQL at BENCH_ADMIN_DATABASE_URL, Redis, HAProxy)
 *   env: BENCH_PARTICIPANTS (600), BENCH_TRIALS (10 kills), BENCH_BASELINE_TRIALS (5), BENCH_STOP_TRIALS (4), BENCH_CLIENT_PROCESSES (2), BENCH_VERBOSE=1
 * Needs the production bundle (npm run build:server).
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ClockActive } from '@constellation/shared/clock/state';
import { startAppCluster, type AppCluster } from '../tests/helpers/app-cluster.ts';
import { command, connectSocket, connected, type ClientSocket } from '../tests/helpers/realtime.ts';
import { loadClockLog, loadClockSettings } from '../server/src/modules/clock/clock.repository.ts';
import { deriveState } from '../server/src/modules/clock/core/clock-machine.ts';
import { median } from './lib.ts';
import { ClientFleet, killLeftoverChildren, monotonicMs, onExit, percentile, runClientProcess, sleep, table, type Learnt } from './realtime-lib.ts';

const FILE = fileURLToPath(import.meta.url);
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 600);
const COUNTS = { kill: Number(process.env.BENCH_TRIALS ?? 10), none: Number(process.env.BENCH_BASELINE_TRIALS ?? 5), stop: Number(process.env.BENCH_STOP_TRIALS ?? 4) };
const MAX_ROUNDS = 20; // the app's limit
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const TRANSITION_SECONDS = 10;
/** How long after the round change a client the server disconnected on purpose is still waited for. */
const STRANDED_AFTER_MS = 15_000;
const KINDS = ['none', 'stop', 'kill'] as const;
type Kind = (typeof KINDS)[number];

interface Trial {
  kind: Kind;
  /** ms between the signal and the scheduled round change (negative: the change was due before it). */
  leadMs: number | null;
  /** ms from the signal until a survivor's lease is in event_owners, and until its /healthz counts the event. */
  takeoverRowMs: number | null;
  takeoverHealthMs: number | null;
  /** ms from SIGTERM until the process exited (its leases are handed back on the way out). */
  exitMs: number | null;
  /** Per client: ms from the scheduled round start until it learnt of it; split by whether its connection was cut. */
  delays: number[];
  delaysCut: number[];
  /** Per client and state shown: |shown − stored| of the transition's end and the new round's start and end, ms. */
  errors: number[];
  wrongTimes: number;
  duplicates: number;
  cut: number;
  /** Clients the server disconnected on purpose ('io server disconnect'): Socket.IO does not retry, the app's client shows the event as closed. */
  stranded: number;
}

/** Kills every other trial; between them baselines and stops in turn, while they last. */
function trialSchedule(): Kind[] {
  const left = { ...COUNTS };
  const schedule: Kind[] = [];
  let other: Kind = 'none';
  while (left.kill + left.none + left.stop > 0) {
    if (left.kill > 0 && schedule.at(-1) !== 'kill') {
      schedule.push('kill');
      left.kill--;
      continue;
    }
    if (left[other] === 0) other = other === 'none' ? 'stop' : 'none';
    if (left[other] === 0) {
      schedule.push('kill');
      left.kill--;
      continue;
    }
    schedule.push(other);
    left[other]--;
    other = other === 'none' ? 'stop' : 'none';
  }
  return schedule;
}

async function main(): Promise<void> {
  const started = monotonicMs();
  const log = (line: string) => VERBOSE && console.log(`[${((monotonicMs() - started) / 1000).toFixed(1)} s] ${line}`);
  const { createBenchDatabase, buildBenchApp, setUpLiveEvent } = await import('./live-event.ts');

  let fleet: ClientFleet | null = null;
  let cluster: AppCluster | null = null;
  let database: Awaited<ReturnType<typeof createBenchDatabase>> | null = null;
  let db: pg.Pool | null = null;
  let organizer: ClientSocket | null = null;
  const cleanup = onExit(async () => {
    organizer?.disconnect();
    await fleet?.stop();
    await cluster?.stop().catch(() => {});
    killLeftoverChildren();
    await db?.end().catch(() => {});
    await database?.drop();
  });

  const trials: Trial[] = [];
  try {
    fleet = ClientFleet.start(FILE, CLIENT_PROCESSES);
    database = await createBenchDatabase('failover');
    const schedule = trialSchedule();
    const rounds = schedule.length + 1;
    if (rounds > MAX_ROUNDS) throw new Error(`${schedule.length} trials need ${rounds} rounds; an event has at most ${MAX_ROUNDS}: lower BENCH_TRIALS, BENCH_BASELINE_TRIALS or BENCH_STOP_TRIALS`);
    const setup = await buildBenchApp(database.url);
    const live = await setUpLiveEvent(setup.app, PARTICIPANTS, {
      event: { rounds, roundSeconds: 1800, transitionSeconds: TRANSITION_SECONDS, noShowAfterSeconds: 3600 },
      joinViaRoute: 100,
      csv: { mentors: Math.round(PARTICIPANTS / 10) },
    });
    await setup.close();
    db = new pg.Pool({ connectionString: database.url, max: 4 });
    db.on('error', () => {});
    cluster = await startAppCluster({ nodes: 3, livekit: false, env: { DATABASE_URL: database.url } });
    log('cluster up');

    // Participants through HAProxy, reconnecting as browsers do when their node dies.
    await fleet.connect('p', live.participantCookies.map((cookie) => ({ url: cluster!.url, cookie })), { snapshot: true, reconnection: true, trace: true });
    organizer = connectSocket(cluster.url, { cookie: live.organizerCookie, eventId: live.eventId, as: 'organizer', reconnection: true });
    await connected(organizer);
    const spread = await Promise.all(cluster.nodes.map((n) => cluster!.health(n.name)));
    const spreadLine = spread.map((h, i) => `${cluster!.nodes[i]!.name} ${h?.sockets ?? '?'}`).join(', ');
    log(`sockets per node: ${spreadLine}`);

    /** An organizer command, once the organizer is connected; an owner that just went away is tried again. */
    const send = async <T,>(name: 'clock:start' | 'clock:end-round'): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        const deadline = Date.now() + 60_000;
        while (!organizer!.connected && Date.now() < deadline) await sleep(50);
        const answer = await command<T>(organizer!, name);
        if ('data' in answer) return answer.data;
        if (attempt >= 10) throw new Error(`${name}: ${JSON.stringify(answer)}`);
        await sleep(500);
      }
    };
    const ownerRow = async () =>
      (await db!.query<{ node_id: string; fence: string }>('SELECT node_id, fence FROM event_owners WHERE event_id = $1 AND expires_at > now()', [live.eventId])).rows[0] ?? null;

    await send<ClockActive>('clock:start');
    let owner: { node_id: string } | null = null;
    for (const until = Date.now() + 30_000; !(owner = await ownerRow()) && Date.now() < until; ) await sleep(50);
    if (!owner) throw new Error('nobody took the event');
    await sleep(1_000);

    for (const [t, kind] of schedule.entries()) {
      await fleet.traced('p'); // this trial's records only
      const ended = await send<ClockActive>('clock:end-round');
      const boundary = ended.endsAt;
      const next = ended.round + 1;
      const owned = await ownerRow();
      if (!owned) throw new Error('the live event has no owner');
      const trial: Trial = { kind, leadMs: null, takeoverRowMs: null, takeoverHealthMs: null, exitMs: null, delays: [], delaysCut: [], errors: [], wrongTimes: 0, duplicates: 0, cut: 0, stranded: 0 };
      let stopping: Promise<void> | null = null;
      if (kind !== 'none') {
        // A random point of the transition (the round change falls before or after the takeover).
        await sleep(Math.random() * Math.max(0, boundary - Date.now() - 1_000));
        const node = cluster.nodes.find((n) => n.name === owned.node_id)!;
        const signalledAt = Date.now();
        const signalledMono = monotonicMs();
        trial.leadMs = boundary - signalledAt;
        if (kind === 'kill') await cluster.kill(node.name);
        else stopping = node.server.stop().then(() => void (trial.exitMs = monotonicMs() - signalledMono));
        const survivors = cluster.nodes.filter((n) => n.name !== node.name);
        const deadline = Date.now() + 30_000;
        while ((trial.takeoverRowMs === null || trial.takeoverHealthMs === null) && Date.now() < deadline) {
          const [row, health] = await Promise.all([ownerRow().catch(() => null), Promise.all(survivors.map((n) => cluster!.health(n.name)))]);
          const at = monotonicMs() - signalledMono;
          if (trial.takeoverRowMs === null && row && row.node_id !== node.name) trial.takeoverRowMs = at;
          if (trial.takeoverHealthMs === null && health.some((h) => (h?.ownedEvents ?? 0) > 0)) trial.takeoverHealthMs = at;
          await sleep(20);
        }
        if (trial.takeoverRowMs === null) throw new Error(`${kind} of ${node.name}: no survivor took the event within 30 s`);
      }

      // Until every client has learnt that the next round started.
      const learnt: Learnt[] = [];
      const learntRound = (socket: number) => learnt.find((l) => l.socket === socket && l.phase === 'round' && l.round === next && l.via !== 'disconnect');
      for (const until = Date.now() + 60_000; ; ) {
        const traced = await fleet.traced('p');
        learnt.push(...traced.learnt);
        trial.duplicates += traced.duplicates;
        const missing = Array.from({ length: PARTICIPANTS }, (_, i) => i).filter((i) => !learntRound(i));
        if (missing.length === 0 && Date.now() > boundary) break;
        // Left for good: the last thing such a client saw is the server closing its connection on purpose.
        const stranded = missing.filter((i) => learnt.findLast((l) => l.socket === i)?.reason === 'io server disconnect');
        if (stranded.length === missing.length && Date.now() > boundary + STRANDED_AFTER_MS) {
          trial.stranded = stranded.length;
          break;
        }
        if (Date.now() > until) {
          const missing = Array.from({ length: PARTICIPANTS }, (_, i) => i).filter((i) => !learntRound(i));
          const story = (i: number) => learnt.filter((l) => l.socket === i).map((l) => `${l.via}:${l.phase}:${l.round}@${l.wall - boundary}`).join(' ');
          throw new Error(`trial ${t + 1} (${kind}): ${missing.length} clients did not learn of round ${next} within 60 s; e.g. ${missing.slice(0, 3).map((i) => `#${i}: ${story(i) || 'nothing'}`).join('; ')}`);
        }
        await sleep(250);
      }
      const settings = await loadClockSettings(db, live.eventId);
      const stored = await loadClockLog(db, live.eventId);
      const transition = deriveState(settings!, stored, boundary - 1) as ClockActive;
      const round = deriveState(settings!, stored, boundary) as ClockActive;
      if (transition.phase !== 'transition' || round.phase !== 'round' || round.round !== next) throw new Error(`stored clock: ${transition.phase} then ${round.phase} ${round.round}`);
      const cut = new Set(learnt.filter((l) => l.via === 'disconnect').map((l) => l.socket));
      trial.cut = cut.size;
      for (let socket = 0; socket < PARTICIPANTS; socket++) {
        const first = learntRound(socket);
        if (first) (cut.has(socket) ? trial.delaysCut : trial.delays).push(first.wall - boundary);
      }
      for (const l of learnt) {
        const truth = l.phase === 'transition' && l.round === ended.round ? transition : l.phase === 'round' && l.round === next ? round : null;
        if (!truth) continue;
        const error = Math.max(Math.abs(l.startsAt! - truth.startsAt), Math.abs(l.endsAt! - truth.endsAt));
        trial.errors.push(error);
        if (error !== 0) trial.wrongTimes++;
      }
      trials.push(trial);
      const all = [...trial.delays, ...trial.delaysCut].sort((a, b) => a - b);
      log(
        `trial ${t + 1} ${kind}${kind === 'none' ? '' : ` of ${owned.node_id} ${trial.leadMs} ms before the round change: takeover row ${trial.takeoverRowMs?.toFixed(0)} ms, /healthz ${trial.takeoverHealthMs?.toFixed(0)} ms`}; ` +
          `${trial.cut} clients cut, ${trial.stranded} left disconnected; round change on clients p50 ${percentile(all, 50)} ms, max ${percentile(all, 100)} ms; ${trial.wrongTimes} wrong times, ${trial.duplicates} duplicates`,
      );
      if (kind !== 'none') {
        await stopping;
        await cluster.restart(owned.node_id);
        await sleep(1_500); // HAProxy's `rise 2` at 500 ms
      }
      // The next trial starts with everyone back on a node; a client the server closed is connected again, as a person reloads the page.
      for (const until = Date.now() + 60_000; ; ) {
        await fleet.revive('p');
        const health = await Promise.all(cluster.nodes.map((n) => cluster!.health(n.name)));
        if (health.reduce((n, h) => n + (h?.sockets ?? 0), 0) >= PARTICIPANTS + 1) break;
        if (Date.now() > until) {
          const since = await fleet.traced('p');
          const reasons = new Map<string, number>();
          for (const l of since.learnt) reasons.set(`${l.via}${l.reason ? ` (${l.reason})` : ''}`, (reasons.get(`${l.via}${l.reason ? ` (${l.reason})` : ''}`) ?? 0) + 1);
          throw new Error(`clients did not all reconnect within 60 s: ${health.map((h, i) => `${cluster!.nodes[i]!.name} ${h?.sockets ?? 'down'}`).join(', ')}; since: ${[...reasons].map(([k, v]) => `${k} ${v}`).join(', ')}`);
        }
        await sleep(200);
      }
    }

    // The report.
    const of = (kind: Kind) => trials.filter((t) => t.kind === kind);
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const fmt = (values: (number | null)[]) => {
      const v = sorted(values.filter((x): x is number => x !== null));
      return v.length ? `${v[0]!.toFixed(0)} / ${median(v).toFixed(0)} / ${v.at(-1)!.toFixed(0)}` : '-';
    };
    const delays = (kind: Kind, which: 'all' | 'cut' | 'kept') =>
      sorted(of(kind).flatMap((t) => (which === 'cut' ? t.delaysCut : which === 'kept' ? t.delays : [...t.delays, ...t.delaysCut])));
    const base = delays('none', 'all');
    console.log(
      `\n3 app nodes behind HAProxy, ${PARTICIPANTS} participants connected through it (${spreadLine} at the start), ${COUNTS.kill} kills, ${COUNTS.stop} SIGTERMs and ${COUNTS.none} trials without a failure, interleaved; ` +
        `lease ttl 3 s, renewed every 500 ms; the owner signalled at a random point of the ${TRANSITION_SECONDS} s transition; Node ${process.version}\n`,
    );
    table(
      ['', 'kill -9', 'SIGTERM', 'no failure (baseline)'],
      [
        ['failover to a survivor: event_owners row, ms (min / median / max)', fmt(of('kill').map((t) => t.takeoverRowMs)), fmt(of('stop').map((t) => t.takeoverRowMs)), '-'],
        ['failover: survivor /healthz ownedEvents, ms (min / median / max)', fmt(of('kill').map((t) => t.takeoverHealthMs)), fmt(of('stop').map((t) => t.takeoverHealthMs)), '-'],
        ['SIGTERM: process exited after, ms (min / median / max)', '-', fmt(of('stop').map((t) => t.exitMs)), '-'],
        ['signal before the scheduled round change, ms (min / median / max)', fmt(of('kill').map((t) => t.leadMs)), fmt(of('stop').map((t) => t.leadMs)), '-'],
        ['clients cut off per trial (median)', median(of('kill').map((t) => t.cut)).toFixed(0), median(of('stop').map((t) => t.cut)).toFixed(0), median(of('none').map((t) => t.cut)).toFixed(0)],
      ],
    );
    console.log('');
    const delayRow = (label: string, q: number, which: 'all' | 'cut' | 'kept') => {
      const k = percentile(delays('kill', which), q);
      const s = percentile(delays('stop', which), q);
      const b = percentile(base, q);
      return [label, k, s, b, k / b, s / b];
    };
    table(
      ['round change on clients after its scheduled instant, ms', 'kill -9', 'SIGTERM', 'no failure', 'ratio kill / none', 'ratio SIGTERM / none'],
      [
        delayRow('every client: p50', 50, 'all'),
        delayRow('every client: p99', 99, 'all'),
        delayRow('every client: max', 100, 'all'),
        delayRow('clients on a surviving node: p99', 99, 'kept'),
        delayRow('clients whose node went away (reconnected): p50', 50, 'cut'),
        delayRow('clients whose node went away (reconnected): max', 100, 'cut'),
      ],
      1,
    );
    console.log('');
    const errors = (kind: Kind) => sorted(of(kind).flatMap((t) => t.errors));
    table(
      ['absolute times shown to clients vs stored truth', 'kill -9', 'SIGTERM', 'no failure'],
      [
        ['states checked (transition end, round start and end)', ...KINDS.slice().reverse().map((k) => errors(k).length)],
        ['states with any time off', ...KINDS.slice().reverse().map((k) => of(k).reduce((n, t) => n + t.wrongTimes, 0))],
        ['largest error, ms', ...KINDS.slice().reverse().map((k) => percentile(errors(k), 100))],
        ['clients left disconnected (the server closed them; not retried)', ...KINDS.slice().reverse().map((k) => of(k).reduce((n, t) => n + t.stranded, 0))],
        ['clock changes received twice', ...KINDS.slice().reverse().map((k) => of(k).reduce((n, t) => n + t.duplicates, 0))],
      ],
      0,
    );
  } finally {
    await cleanup();
  }
  console.log(`\ntotal run time ${((monotonicMs() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === 'clients') runClientProcess();
else await main();
