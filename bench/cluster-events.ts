/**
 * 200 concurrent events of 50 participants across three app nodes (issue 14): how the events
 * spread over the nodes, each node's CPU, and round-change delivery, against bare Socket.IO in
 * the same run.
 *
 * Ours: three processes of the production bundle (tests/helpers/app-cluster.ts) on a database of
 * their own; 200 events, each with 50 participants imported by CSV (5 mentors: 5 tables a round)
 * and a plan. Participant sockets connect straight to the nodes, a third each (HAProxy's
 * descriptor limit here could not carry 10,000 connections); the 200 organizers connect through
 * HAProxy. Each event goes to the node that rendezvous hashing names when it starts (its lease in
 * event_owners). Baseline: three bare Socket.IO processes on the same Redis streams adapter, 200
 * rooms of 50 sockets, broadcasting the app's own payload.
 *
 * A sample, on each side in turn: every event's round is ended by its organizer, the 200
 * commands spread evenly over STAGGER_MS (events run independently, not in step); 10 s later
 * every event's next round starts by timer, spread the same way. Latencies as in bench/cluster.ts:
 * a command's from its sending (monotonic clock), a timer's from the scheduled instant (Date.now()).
 * CPU per node over the samples' windows (from /proc), idle CPU, events and sockets per node.
 *
 *   npx tsx bench/cluster-events.ts   (PostgreSQL at BENCH_ADMIN_DATABASE_URL, Redis at 127.0.0.1:6379, HAProxy)
 *   env: BENCH_EVENTS (200), BENCH_EVENT_SIZE (50), BENCH_SAMPLES (4), BENCH_CLIENT_PROCESSES (2), BENCH_VERBOSE=1
 * Needs the production bundle (npm run build:server).
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ClockActive, ClockState } from '@constellation/shared/clock/state';
import { startAppCluster, type AppCluster } from '../tests/helpers/app-cluster.ts';
import { REDIS_ADDRESS } from '../tests/helpers/redis.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../tests/helpers/realtime.ts';
import {
  ClientFleet,
  captureAppPayloads,
  roundChangeRows,
  bareGo,
  changeKey,
  killLeftoverChildren,
  monotonicMs,
  onExit,
  percentile,
  pool,
  idleCpu,
  redisProcs,
  renumberer,
  usageOf,
  runClientProcess,
  serveBareNode,
  sleep,
  startBareNodes,
  stopChild,
  table,
  type ClientTarget,
  type Proc,
} from './realtime-lib.ts';

const FILE = fileURLToPath(import.meta.url);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const EVENT_SIZE = Number(process.env.BENCH_EVENT_SIZE ?? 50);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 4);
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const WARM_UP = 1;
const TRANSITION_SECONDS = 10;
const STAGGER_MS = 5_000;
const BARE_TIMER_MS = 2_000;
const IDLE_SECONDS = 10;

type Kind = 'ours' | 'bare';
interface Side {
  kind: Kind;
  procs: Proc[];
  /** One per event: its organizer's socket (the baseline's send from the three bare nodes in turn). */
  organizers: ClientSocket[];
  byCommand: number[];
  byTimer: number[];
  /** Per process: CPU ms in the measured samples, and their wall-clock seconds. */
  cpuMs: number[];
  seconds: number;
  idle: number[];
}

const group = (event: number) => `e${event}`;

async function main(): Promise<void> {
  const started = monotonicMs();
  const phase = (label: string) => VERBOSE && console.log(`[${((monotonicMs() - started) / 1000).toFixed(1)} s] ${label}`);
  const { createBenchDatabase, buildBenchApp, setUpLiveEvent } = await import('./live-event.ts');

  let fleet: ClientFleet | null = null;
  let cluster: AppCluster | null = null;
  const bareChildren: Awaited<ReturnType<typeof startBareNodes>>['children'] = [];
  let database: Awaited<ReturnType<typeof createBenchDatabase>> | null = null;
  let db: pg.Pool | null = null;
  const organizers: ClientSocket[] = [];
  const cleanup = onExit(async () => {
    organizers.forEach((o) => o.disconnect());
    await fleet?.stop();
    await Promise.allSettled([cluster?.stop(), ...bareChildren.map((c) => stopChild(c))]);
    killLeftoverChildren();
    await db?.end().catch(() => {});
    await database?.drop();
  });

  try {
    fleet = ClientFleet.start(FILE, CLIENT_PROCESSES);
    const bare = await startBareNodes(FILE, 3, `redis://${REDIS_ADDRESS}`, `constellation-bench-${process.pid}`);
    bareChildren.push(...bare.children);
    database = await createBenchDatabase('cluster_events');

    // Set-up through the real routes, in this process: one organizer, EVENTS events.
    const setup = await buildBenchApp(database.url);
    const rounds = WARM_UP + SAMPLES + 2;
    const events = await (async () => {
      try {
        const first = await setUpLiveEvent(setup.app, EVENT_SIZE, { event: { rounds, roundSeconds: 1800, transitionSeconds: TRANSITION_SECONDS }, joinViaRoute: 0, csv: { mentors: EVENT_SIZE / 10 } });
        const rest = await pool(Array.from({ length: EVENTS - 1 }, (_, i) => i), 4, () =>
          setUpLiveEvent(setup.app, EVENT_SIZE, {
            event: { rounds, roundSeconds: 1800, transitionSeconds: TRANSITION_SECONDS },
            joinViaRoute: 0,
            csv: { mentors: EVENT_SIZE / 10 },
            organizerCookie: first.organizerCookie,
          }),
        );
        return [first, ...rest];
      } finally {
        await setup.close();
      }
    })();
    phase(`${EVENTS} events set up`);
    db = new pg.Pool({ connectionString: database.url, max: 4 });
    db.on('error', () => {});

    cluster = await startAppCluster({ nodes: 3, livekit: false, env: { DATABASE_URL: database.url } });
    const nodes = cluster.nodes;
    const redisProc = await redisProcs(REDIS_ADDRESS);
    const sides: Side[] = [
      { kind: 'ours' as const, procs: [...nodes.map((n) => ({ name: n.name, pid: n.server.process.pid! })), ...redisProc] },
      { kind: 'bare' as const, procs: [...bare.children.map((c, i) => ({ name: `bare${i + 1}`, pid: c.pid! })), ...redisProc] },
    ].map((s) => ({ ...s, organizers: [], byCommand: [], byTimer: [], cpuMs: s.procs.map(() => 0), seconds: 0, idle: [] }));
    const [ours, base] = sides as [Side, Side];

    // Participants: the n-th socket of the run to node n mod 3, for both sides.
    let n = 0;
    const nodeOf = new Map<string, string[]>();
    const connectStarted = monotonicMs();
    await pool(
      events.map((live, e) => ({ live, e })),
      8,
      async ({ live, e }) => {
        const app: ClientTarget[] = live.participantCookies.map((cookie) => ({ url: nodes[n++ % nodes.length]!.server.url, cookie }));
        nodeOf.set(`ours-${group(e)}`, app.map((t) => nodes.find((node) => node.server.url === t.url)!.name));
        const plain: ClientTarget[] = app.map((_, i) => ({ url: bare.urls[(e * EVENT_SIZE + i) % bare.urls.length]!, eventId: group(e) }));
        await Promise.all([fleet!.connect(`ours-${group(e)}`, app, { snapshot: true, trace: true }), fleet!.connect(`bare-${group(e)}`, plain, { snapshot: false })]);
      },
    );
    phase(`${EVENTS * EVENT_SIZE * 2} sockets connected in ${((monotonicMs() - connectStarted) / 1000).toFixed(1)} s`);
    for (const [e, live] of events.entries()) {
      const organizer = connectSocket(cluster.url, { cookie: live.organizerCookie, eventId: live.eventId, as: 'organizer', reconnection: true });
      const plain = connectSocket(bare.urls[e % bare.urls.length]!, { eventId: 'organizers' });
      organizers.push(organizer, plain);
      organizer.on('disconnect', (reason) => reason !== 'io client disconnect' && console.error(`organizer of event ${e} disconnected (${reason}); reconnecting`));
      ours.organizers.push(organizer);
      base.organizers.push(plain);
      const snapshot = nextEvent(organizer, 'event:snapshot');
      await Promise.all([connected(organizer), connected(plain), snapshot]);
    }

    // Every event starts (its owner is chosen now), a few at a time.
    const appPayloads = captureAppPayloads(ours.organizers[0]!);
    await pool(ours.organizers, 10, async (organizer) => {
      const ack = await command<ClockState>(organizer, 'clock:start');
      if ('error' in ack) throw new Error(`clock:start: ${ack.error.message}`);
    });
    await sleep(2_000);
    const owners = (await db.query<{ node_id: string; events: number }>('SELECT node_id, count(*)::int AS events FROM event_owners WHERE expires_at > now() GROUP BY node_id ORDER BY node_id')).rows;
    const health = await Promise.all(nodes.map((node) => cluster!.health(node.name)));
    phase(`events per node: ${owners.map((o) => `${o.node_id} ${o.events}`).join(', ')}`);

    // Idle cost with every event live and everyone connected.
    const idle = await idleCpu(sides.map((s) => s.procs), IDLE_SECONDS);
    sides.forEach((side, s) => (side.idle = idle[s]!));

    const renumbered = renumberer();
    const timeout = 60_000;
    /** Sockets that never received a round change: event, kind, node, what they last learnt. */
    const misses: { group: string; key: string; node: string; owner: string; sockets: number; lastSeen: string }[] = [];
    /**
     * Every socket's receive times of one clock change, monotonic and wall-clock. When some socket
     * has not received it after `timeout`, the group's trace tells who did and when (wall clock
     * only), and who did not: a lost round change is a finding to report, not a reason to stop.
     */
    const delivered = async (name: string, key: string): Promise<{ mono: number[] | null; wall: number[] }> => {
      try {
        return await fleet!.delivered(name, key, timeout);
      } catch {
        const { learnt } = await fleet!.traced(name);
        const [revision, phase, round] = key.split('|');
        const names = nodeOf.get(name) ?? [];
        const got = new Map<number, number>();
        const seen = new Map<number, string[]>();
        for (const l of learnt) {
          if (l.via === 'change' && l.phase === phase && String(l.round) === round && !got.has(l.socket)) got.set(l.socket, l.wall);
          seen.get(l.socket)?.push(`${l.via}:${l.phase}:${l.round}`) ?? seen.set(l.socket, [`${l.via}:${l.phase}:${l.round}`]);
        }
        const eventId = events[Number(name.slice('ours-e'.length))]?.eventId;
        const owner = (await db!.query<{ node_id: string }>('SELECT node_id FROM event_owners WHERE event_id = $1', [eventId])).rows[0]?.node_id ?? 'nobody';
        for (const node of new Set(names)) {
          const missing = names.map((n, i) => (n === node && !got.has(i) ? i : -1)).filter((i) => i >= 0);
          if (missing.length > 0) misses.push({ group: name, key, node, owner, sockets: missing.length, lastSeen: (seen.get(missing[0]!) ?? []).slice(-3).join(' ') });
        }
        console.error(`${name}: revision ${revision} ${phase} ${round} not delivered to every socket within ${timeout / 1000} s (see the report)`);
        return { mono: null, wall: [...got.values()] };
      }
    };
    const gap = STAGGER_MS / EVENTS;

    /** Every event's round ended by command, then its next round started by timer, staggered; on one side. */
    const sample = async (side: Side, measured: boolean) => {
      const from = usageOf(side.procs);
      const sampleStarted = monotonicMs();
      const timers: { e: number; key: string; at: number }[] = [];
      const byCommand = await Promise.all(
        side.organizers.map(async (organizer, e) => {
          await sleep(e * gap);
          const prefix = `${side.kind}-${group(e)}`;
          const sentAt = monotonicMs();
          const sentWall = Date.now();
          let key: string;
          if (side.kind === 'bare') {
            const payload = renumbered(appPayloads().end);
            key = changeKey(payload.clock);
            await bareGo(organizer, { room: group(e), payload });
            const start = renumbered(appPayloads().start);
            timers.push({ e, key: changeKey(start.clock), at: Date.now() + BARE_TIMER_MS });
            await bareGo(organizer, { room: group(e), payload: start, at: timers.at(-1)!.at });
          } else {
            const ack = await command<ClockActive>(organizer, 'clock:end-round');
            if ('error' in ack) throw new Error(`event ${e} clock:end-round: ${ack.error.message}`);
            key = changeKey(ack.data);
            timers.push({ e, key: `${ack.data.revision}|round|${ack.data.round + 1}`, at: ack.data.endsAt });
          }
          const { mono, wall } = await delivered(prefix, key);
          // Only when some socket missed it: the wall clock of those who got it.
          return mono ? mono.map((t) => t - sentAt) : wall.map((t) => t - sentWall);
        }),
      );
      const byTimer = await Promise.all(
        timers.map(async ({ e, key, at }) => {
          const { wall } = await delivered(`${side.kind}-${group(e)}`, key);
          return wall.map((t) => t - at);
        }),
      );
      const to = usageOf(side.procs);
      const commands = byCommand.flat().sort((a, b) => a - b);
      const timed = byTimer.flat().sort((a, b) => a - b);
      if (VERBOSE) console.log(`${side.kind}: by command p50 ${percentile(commands, 50).toFixed(1)} p99 ${percentile(commands, 99).toFixed(1)}; by timer p50 ${percentile(timed, 50).toFixed(1)} p99 ${percentile(timed, 99).toFixed(1)} ms`);
      if (measured) {
        side.byCommand.push(...commands);
        side.byTimer.push(...timed);
        to.forEach((u, i) => (side.cpuMs[i]! += u.cpuMs - from[i]!.cpuMs));
        side.seconds += (monotonicMs() - sampleStarted) / 1000;
      }
      await sleep(1_000);
    };

    for (let i = 0; i < WARM_UP; i++) for (const side of sides) await sample(side, false);
    appPayloads(); // both captured in the warm-up
    for (let i = 0; i < SAMPLES; i++) for (const side of sides) await sample(side, true);
    const ownersAfter = (await db.query<{ node_id: string; events: number }>('SELECT node_id, count(*)::int AS events FROM event_owners WHERE expires_at > now() GROUP BY node_id ORDER BY node_id')).rows;

    // The report.
    for (const side of sides) {
      side.byCommand.sort((a, b) => a - b);
      side.byTimer.sort((a, b) => a - b);
    }
    const changes = SAMPLES * EVENTS * 2;
    console.log(
      `\n${EVENTS} events of ${EVENT_SIZE} participants (${(EVENTS * EVENT_SIZE).toLocaleString('en')} sockets) on 3 app nodes, straight to the nodes; organizers through HAProxy; ` +
        `vs ${EVENTS} rooms of ${EVENT_SIZE} on 3 bare Socket.IO nodes (Redis streams adapter); ${SAMPLES} samples after ${WARM_UP} warm-up, each every event's round ended by command and the next started by timer, ` +
        `the events ${gap.toFixed(0)} ms apart; ${CLIENT_PROCESSES} client processes; Node ${process.version}\n`,
    );
    table(
      ['node', 'events owned (event_owners)', 'after the samples', 'sockets (participants, organizers)'],
      nodes.map((node, i) => [node.name, owners.find((o) => o.node_id === node.name)?.events ?? 0, ownersAfter.find((o) => o.node_id === node.name)?.events ?? 0, health[i]?.sockets ?? Number.NaN]),
      0,
    );
    console.log('');
    const row = (label: string, f: (side: Side) => number): (string | number)[] => [label, f(ours), f(base), f(ours) / f(base)];
    table(
      ['', 'ours: 3 nodes', 'bare: 3 nodes', 'ratio ours / bare'],
      roundChangeRows(row),
      1,
    );
    console.log(
      misses.length === 0
        ? '\nevery round change reached every participant socket'
        : `\nround changes that did NOT reach every socket within ${timeout / 1000} s (${misses.length}):\n` +
            misses.map((m) => `  ${m.group} change ${m.key}: ${m.sockets} sockets on ${m.node} never got it (the event's owner: ${m.owner}); they last saw ${m.lastSeen}`).join('\n'),
    );
    console.log(`\nCPU per process (from /proc), over the measured samples (${changes.toLocaleString('en')} round changes a side):`);
    table(
      ['process', 'side', 'CPU idle, ms/s', 'CPU in the samples, ms/s', 'CPU per event round change, ms'],
      sides.flatMap((side) => side.procs.map((proc, i) => [proc.name, side.kind, side.idle[i]!, side.cpuMs[i]! / side.seconds, side.cpuMs[i]! / changes])),
      1,
    );
  } finally {
    await cleanup();
  }
  console.log(`\ntotal run time ${((monotonicMs() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === 'clients') runClientProcess();
else if (process.argv[2] === 'serve-bare') await serveBareNode(process.argv[3]!, process.argv[4]!);
else await main();
