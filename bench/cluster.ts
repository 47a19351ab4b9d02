/**
 * Round changes to 10,000 participants across three app nodes (issue 14), against one node with
 * 2,000 participants and against bare Socket.IO, all in the same run.
 *
 * Ours: three processes of the production bundle (tests/helpers/app-cluster.ts: REDIS_URL, the
 * Socket.IO Redis streams adapter, event leases in PostgreSQL, HAProxy in front) on a database of
 * their own, one event of 10,000 participants imported by CSV with 1,000 mentors (a plan of 1,000
 * tables a round). Participant sockets connect straight to the nodes, a third each (HAProxy holds
 * two descriptors per connection and its limit here is 20,000: it could not carry 10,000); the
 * organizer connects through HAProxy. One node: the same bundle without Redis on another
 * database, 2,000 participants and 200 tables. Bare Socket.IO: three plain Socket.IO processes on
 * the same Redis streams adapter, 10,000 sockets a third each in one room, broadcasting a payload
 * of the app's own size (its `clock:changed`, renumbered).
 *
 * A round change, two ways, on each side in turn (cluster, one node, bare; one warm-up each):
 *  - by command: the organizer ends the round; latency = a participant receives `clock:changed`
 *    minus when the organizer sent the command (one machine-wide monotonic clock). For the app it
 *    includes storing the command in PostgreSQL, and across nodes: the owner's notice over Redis
 *    and each node re-reading the stored log. The baseline broadcasts through the adapter.
 *  - by timer: the 10 s transition runs out and the next round starts; latency = a participant
 *    receives it minus the round's scheduled start (Date.now(), one clock for every process).
 *    Every app node runs its own timer; the baseline schedules one broadcast at the instant.
 *
 * Also per process (read from /proc; the nodes are plain production processes): memory before and
 * with the sockets connected, CPU per connection, idle and per round change; Redis's CPU too.
 *
 *   npx tsx bench/cluster.ts   (PostgreSQL at BENCH_ADMIN_DATABASE_URL, Redis at 127.0.0.1:6379, HAProxy)
 *   env: BENCH_PARTICIPANTS (10000), BENCH_ONE_NODE_PARTICIPANTS (2000), BENCH_SAMPLES (8),
 *        BENCH_CLIENT_PROCESSES (2), BENCH_VERBOSE=1
 * Needs the production bundle (npm run build:server).
 */
import { fileURLToPath } from 'node:url';
import type { ClockActive, ClockState } from '@constellation/shared/clock/state';
import { startAppCluster, type AppCluster } from '../tests/helpers/app-cluster.ts';
import { REDIS_ADDRESS } from '../tests/helpers/redis.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../tests/helpers/realtime.ts';
import { startServer, type RunningServer } from '../tests/helpers/server.ts';
import { median } from './lib.ts';
import {
  ClientFleet,
  captureAppPayloads,
  roundChangeRows,
  bareGo,
  changeKey,
  killLeftoverChildren,
  monotonicMs,
  onExit,
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
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 10_000);
const ONE_NODE_PARTICIPANTS = Number(process.env.BENCH_ONE_NODE_PARTICIPANTS ?? 2_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 8);
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const WARM_UP = 1;
const TRANSITION_SECONDS = 10; // the shortest the app allows
const BARE_TIMER_MS = 2_000;
const IDLE_SECONDS = 10;

type Kind = 'cluster' | 'one' | 'bare';
interface Usage {
  cpuMs: number;
  rss: number;
}
interface Side {
  kind: Kind;
  label: string;
  participants: number;
  procs: Proc[];
  organizer: ClientSocket;
  /** The app's current round (1-based); the baseline counts its broadcasts. */
  round: number;
  byCommand: number[];
  byTimer: number[];
  lastByCommand: number[];
  lastByTimer: number[];
  acks: number[];
  /** Per process: CPU ms spent in the measured windows around round changes, and how many changes. */
  changeCpu: number[];
  changes: number;
  before: Usage[];
  after: Usage[];
  idle: number[];
}


async function main(): Promise<void> {
  const started = monotonicMs();
  const phase = (label: string) => VERBOSE && console.log(`[${((monotonicMs() - started) / 1000).toFixed(1)} s] ${label}`);
  const { createBenchDatabase, buildBenchApp, setUpLiveEvent } = await import('./live-event.ts');

  let fleet: ClientFleet | null = null;
  let cluster: AppCluster | null = null;
  let one: RunningServer | null = null;
  const bareChildren: Awaited<ReturnType<typeof startBareNodes>>['children'] = [];
  const databases: { drop(): Promise<void> }[] = [];
  const organizers: ClientSocket[] = [];
  const cleanup = onExit(async () => {
    organizers.forEach((o) => o.disconnect());
    await fleet?.stop();
    await Promise.allSettled([cluster?.stop(), one?.stop(), ...bareChildren.map((c) => stopChild(c))]);
    killLeftoverChildren();
    await Promise.allSettled(databases.map((d) => d.drop()));
  });

  try {
    fleet = ClientFleet.start(FILE, CLIENT_PROCESSES);
    const prefix = `constellation-bench-${process.pid}`;
    const bare = await startBareNodes(FILE, 3, `redis://${REDIS_ADDRESS}`, prefix);
    bareChildren.push(...bare.children);
    const clusterDb = await createBenchDatabase('cluster');
    databases.push(clusterDb);
    const oneDb = await createBenchDatabase('cluster_one');
    databases.push(oneDb);
    phase('databases migrated, bare nodes up');

    // Set-up through the real routes, in this process, before any serving process starts.
    const rounds = WARM_UP + SAMPLES + 2;
    const event = { rounds, roundSeconds: 1800, transitionSeconds: TRANSITION_SECONDS };
    const setUp = async (url: string, participants: number) => {
      const setup = await buildBenchApp(url);
      try {
        return await setUpLiveEvent(setup.app, participants, { event, joinViaRoute: 100, csv: { mentors: Math.round(participants / 10) } });
      } finally {
        await setup.close();
      }
    };
    const live = await setUp(clusterDb.url, PARTICIPANTS);
    const liveOne = await setUp(oneDb.url, ONE_NODE_PARTICIPANTS);
    phase(`events set up (cluster: import ${live.timings.import!.toFixed(0)} ms, plan ${live.timings.plan!.toFixed(0)} ms)`);

    [cluster, one] = await Promise.all([startAppCluster({ nodes: 3, livekit: false, env: { DATABASE_URL: clusterDb.url } }), startServer({ env: { DATABASE_URL: oneDb.url } })]);
    phase('app nodes up');
    const redisProc = await redisProcs(REDIS_ADDRESS);
    const nodes = cluster.nodes;

    const targets: Record<Kind, ClientTarget[]> = {
      cluster: live.participantCookies.map((cookie, i) => ({ url: nodes[i % nodes.length]!.server.url, cookie })),
      one: liveOne.participantCookies.map((cookie) => ({ url: one!.url, cookie })),
      bare: Array.from({ length: PARTICIPANTS }, (_, i) => ({ url: bare.urls[i % bare.urls.length]!, eventId: 'bench' })),
    };
    const organizerOf: Record<Kind, () => ClientSocket> = {
      cluster: () => connectSocket(cluster!.url, { cookie: live.organizerCookie, eventId: live.eventId, as: 'organizer', reconnection: true }),
      one: () => connectSocket(one!.url, { cookie: liveOne.organizerCookie, eventId: liveOne.eventId, as: 'organizer' }),
      bare: () => connectSocket(bare.urls[0]!, { eventId: 'organizers' }),
    };
    const sides: Side[] = [
      { kind: 'cluster', label: `ours: 3 nodes, ${PARTICIPANTS}`, participants: PARTICIPANTS, procs: [...nodes.map((n) => ({ name: n.name, pid: n.server.process.pid! })), ...redisProc] },
      { kind: 'one', label: `ours: 1 node, ${ONE_NODE_PARTICIPANTS}`, participants: ONE_NODE_PARTICIPANTS, procs: [{ name: 'one node', pid: one.process.pid! }] },
      { kind: 'bare', label: `bare Socket.IO: 3 nodes, ${PARTICIPANTS}`, participants: PARTICIPANTS, procs: [...bare.children.map((c, i) => ({ name: `bare${i + 1}`, pid: c.pid! })), ...redisProc] },
    ].map((s) => ({ ...s, kind: s.kind as Kind, organizer: null as unknown as ClientSocket, round: 1, byCommand: [], byTimer: [], lastByCommand: [], lastByTimer: [], acks: [], changeCpu: s.procs.map(() => 0), changes: 0, before: [], after: [], idle: [] }));

    // All three sides' participants connect at once (to save run time); the figures are per process.
    for (const side of sides) side.before = usageOf(side.procs);
    const connectStarted = monotonicMs();
    await Promise.all(
      sides.map(async (side) => {
        await fleet!.connect(side.kind, targets[side.kind], { snapshot: side.kind !== 'bare' });
        phase(`${side.kind}: ${targets[side.kind].length} sockets connected in ${((monotonicMs() - connectStarted) / 1000).toFixed(1)} s`);
      }),
    );
    const connectSeconds = (monotonicMs() - connectStarted) / 1000;
    await sleep(2_000);
    for (const side of sides) side.after = usageOf(side.procs);
    const perNode = await Promise.all(nodes.map((n) => cluster!.health(n.name)));
    for (const side of sides) {
      side.organizer = organizerOf[side.kind]();
      side.organizer.on('disconnect', (reason) => reason !== 'io client disconnect' && console.error(`${side.kind} organizer disconnected (${reason})`));
      organizers.push(side.organizer);
      const snapshot = side.kind === 'bare' ? null : nextEvent(side.organizer, 'event:snapshot');
      await connected(side.organizer);
      await snapshot;
    }

    // Idle cost with everyone connected (pings, lease renewals, log polls), over one window (/proc counts in 10 ms ticks).
    const idle = await idleCpu(sides.map((s) => s.procs), IDLE_SECONDS);
    sides.forEach((side, s) => (side.idle = idle[s]!));

    const appPayloads = captureAppPayloads(sides[0]!.organizer);
    for (const side of sides.filter((s) => s.kind !== 'bare')) {
      const ack = await command<ClockState>(side.organizer, 'clock:start');
      if ('error' in ack) throw new Error(`${side.kind} clock:start: ${ack.error.message}`);
      await fleet.delivered(side.kind, changeKey(ack.data), 60_000);
    }
    phase('both events started');
    // Which node owns the event (runs its owner-only work) and which one the organizer's commands enter by.
    const afterStart = await Promise.all(nodes.map((n) => cluster!.health(n.name)));
    const ownerNode = nodes.find((_, i) => (afterStart[i]?.ownedEvents ?? 0) > 0)?.name ?? '?';
    const organizerNode = nodes.find((_, i) => (afterStart[i]?.sockets ?? 0) > (perNode[i]?.sockets ?? 0))?.name ?? '?';

    const renumbered = renumberer();
    const cpuWindow = async <T,>(side: Side, measured: boolean, work: () => Promise<T>): Promise<T> => {
      const from = usageOf(side.procs);
      const value = await work();
      if (measured) {
        usageOf(side.procs).forEach((u, i) => (side.changeCpu[i]! += u.cpuMs - from[i]!.cpuMs));
        side.changes++;
      }
      return value;
    };

    /** One round change by command and the next by timer, on one side. */
    const step = async (side: Side, measured: boolean) => {
      const timeout = 120_000;
      let scheduled: number;
      let timerKey: string;
      await cpuWindow(side, measured, async () => {
        let key: string;
        const sentAt = monotonicMs();
        if (side.kind === 'bare') {
          const payload = renumbered(appPayloads().end);
          key = changeKey(payload.clock);
          await bareGo(side.organizer, { room: 'bench', payload });
        } else {
          const ack = await command<ClockActive>(side.organizer, 'clock:end-round');
          if ('error' in ack) throw new Error(`${side.kind} clock:end-round: ${ack.error.message}`);
          key = changeKey(ack.data);
          scheduled = ack.data.endsAt;
          timerKey = `${ack.data.revision}|round|${ack.data.round + 1}`;
        }
        const ackAt = monotonicMs();
        const { mono } = await fleet!.delivered(side.kind, key, timeout);
        const latencies = mono.map((t) => t - sentAt);
        if (VERBOSE) console.log(`${side.kind} round ${side.round} ended by command: ack ${(ackAt - sentAt).toFixed(1)} ms, p50 ${median(latencies).toFixed(1)}, last ${Math.max(...latencies).toFixed(1)}`);
        if (measured) {
          side.byCommand.push(...latencies);
          side.lastByCommand.push(Math.max(...latencies));
          side.acks.push(ackAt - sentAt);
        }
      });
      if (side.kind === 'bare') {
        scheduled = Date.now() + BARE_TIMER_MS;
        const payload = renumbered(appPayloads().start);
        timerKey = changeKey(payload.clock);
        await bareGo(side.organizer, { room: 'bench', payload, at: scheduled });
      }
      // The timer's window opens shortly before the scheduled instant.
      await sleep(Math.max(0, scheduled! - Date.now() - 300));
      await cpuWindow(side, measured, async () => {
        const { wall } = await fleet!.delivered(side.kind, timerKey!, timeout);
        const latencies = wall.map((t) => t - scheduled!);
        if (VERBOSE) console.log(`${side.kind} round ${side.round + 1} started by timer: p50 ${median(latencies).toFixed(1)}, last ${Math.max(...latencies).toFixed(1)} ms after its instant`);
        if (measured) {
          side.byTimer.push(...latencies);
          side.lastByTimer.push(Math.max(...latencies));
        }
      });
      side.round++;
      await sleep(500);
    };

    for (let i = 0; i < WARM_UP; i++) for (const side of sides) await step(side, false);
    appPayloads(); // both captured in the warm-up
    for (let i = 0; i < SAMPLES; i++) for (const side of sides) await step(side, true);
    phase('round changes done');

    // The report.
    const [ours, oneNode, base] = sides as [Side, Side, Side];
    for (const side of sides) {
      side.byCommand.sort((a, b) => a - b);
      side.byTimer.sort((a, b) => a - b);
    }
    const row = (label: string, f: (side: Side) => number): (string | number)[] => [label, f(ours), f(oneNode), f(base), f(ours) / f(oneNode), f(ours) / f(base)];
    console.log(
      `\n${PARTICIPANTS} participants on 3 app nodes (${perNode.map((h, i) => `${nodes[i]!.name} ${h?.sockets ?? '?'} sockets`).join(', ')}; straight to the nodes, organizer through HAProxy to ${organizerNode}; the event owned by ${ownerNode}), ` +
        `vs ${ONE_NODE_PARTICIPANTS} on one node vs ${PARTICIPANTS} on 3 bare Socket.IO nodes (Redis streams adapter); ${CLIENT_PROCESSES} client processes; ` +
        `${SAMPLES} round changes of each kind per side after ${WARM_UP} warm-up; plan ${rounds} rounds of ${Math.round(PARTICIPANTS / 10)} tables (cluster) and ${Math.round(ONE_NODE_PARTICIPANTS / 10)} (one node); ` +
        `payload ${Buffer.byteLength(JSON.stringify(appPayloads().end))} bytes; Node ${process.version}`,
    );
    console.log(
      `set-up: CSV import of ${PARTICIPANTS} ${live.timings.import!.toFixed(0)} ms, plan ${live.timings.plan!.toFixed(0)} ms; sockets connected in ${connectSeconds.toFixed(0)} s (all three sides at once)\n`,
    );
    table(
      ['', 'ours: 3 nodes', 'ours: 1 node', 'bare: 3 nodes', 'ratio 3 nodes / 1 node', 'ratio ours / bare'],
      [
        ...roundChangeRows(row),
        row('round change by command: last participant reached, median, ms', (s) => median(s.lastByCommand)),
        row('round change by timer: last participant reached, median, ms', (s) => median(s.lastByTimer)),
        row('organizer ack of the command, median, ms', (s) => median(s.acks)),
      ],
      1,
    );
    console.log('\nper process (from /proc; RSS includes everything the process holds, no forced GC):');
    table(
      ['process', 'side', 'RSS before, MB', 'RSS connected, MB', 'RSS per socket, KB', 'CPU per connection, ms', 'CPU idle, ms/s', 'CPU per round change, ms'],
      sides.flatMap((side) =>
        side.procs.map((proc, i) => {
          const sockets = proc.name === 'redis-server' ? 0 : side.kind === 'cluster' ? (perNode[i]?.sockets ?? Number.NaN) : side.kind === 'one' ? side.participants : side.participants / side.procs.filter((p) => p.name !== 'redis-server').length;
          return [
            proc.name,
            side.kind,
            side.before[i]!.rss / 2 ** 20,
            side.after[i]!.rss / 2 ** 20,
            sockets ? (side.after[i]!.rss - side.before[i]!.rss) / sockets / 1024 : Number.NaN,
            sockets ? (side.after[i]!.cpuMs - side.before[i]!.cpuMs) / sockets : Number.NaN,
            side.idle[i]!,
            side.changeCpu[i]! / side.changes,
          ];
        }),
      ),
      1,
    );
    console.log(
      '(redis-server serves both three-node sides; its per-change CPU is counted in each side\'s own windows. A round change window: from the command to the last delivery, ' +
        'or from 300 ms before the scheduled instant to the last delivery.)',
    );
  } finally {
    await cleanup();
  }
  console.log(`\ntotal run time ${((monotonicMs() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === 'clients') runClientProcess();
else if (process.argv[2] === 'serve-bare') await serveBareNode(process.argv[3]!, process.argv[4]!);
else await main();
