/**
 * Clock fan-out to 2,000 participants on one server process.
 *
 * Ours: the real app (buildApp on its own database; 2,000 participants imported by CSV, a plan,
 * a session each) in a child process of its own. Baseline, in the same run: a bare Socket.IO
 * server on a plain http server in another child process (default options: pings every 25 s, no
 * connection state recovery; the app pings every 10 s and recovers), broadcasting to one room a
 * payload of the same size (the app's own `clock:changed`, renumbered) when asked.
 *
 * Clients: 2,000 participant sockets per server, spread over worker threads; each server's
 * organizer socket on the main thread. Every time is read from one machine-wide monotonic clock.
 * Both servers stay up side by side and the commands alternate (ours, baseline, ours, ...), so
 * both see the same machine. Latency of a delivery = when a participant receives `clock:changed`
 * minus when the organizer sent the command; for the app this includes storing the command in
 * PostgreSQL, which it does before telling anyone.
 *
 * Also prints each server's memory per connected participant (RSS and heap after a forced GC,
 * before and after its 2,000 sockets connect) and its CPU time per connection, per second idle
 * and per command. Both servers' sockets connect at once; those figures are per process.
 *
 *   npx tsx bench/fanout.ts   (PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
 *   env: BENCH_PARTICIPANTS (2000), BENCH_SAMPLES (20), BENCH_CLIENT_THREADS (2), BENCH_VERBOSE=1 (per command)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import type { ClockChanged } from '@constellation/shared/realtime/events';
import type { ClockState } from '@constellation/shared/clock/state';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../tests/helpers/realtime.ts';
import { Inbox, monotonicMs, percentile, pool, sleep, table } from './realtime-lib.ts';
import { median } from './lib.ts';

const FILE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 2000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);
const CLIENT_THREADS = Number(process.env.BENCH_CLIENT_THREADS ?? 2);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const WARM_UP = 3;
const BARE_ROOM = 'event:bench';
const GAP_MS = 100;
const IDLE_SETTLE_MS = 2000;
const IDLE_SECONDS = 5;

type Kind = 'app' | 'bare';
interface Memory {
  rss: number;
  heapUsed: number;
  /** CPU time (user + system) the process has used so far. */
  cpuMs: number;
}
type ServerMessage = { type: 'ready'; url: string } | ({ type: 'memory' } & Memory) | { type: 'cpu'; cpuMs: number };
type ClientCommand = { type: 'connect'; kind: Kind; url: string; cookies: string[] | null; count: number } | { type: 'close' };
type ClientMessage = { type: 'connected'; kind: Kind; count: number } | { type: 'delivered'; kind: Kind; revision: number; times: number[] } | { type: 'closed' };

// ---------------------------------------------------------------------------
// Server child: `node --expose-gc --import tsx bench/fanout.ts serve app <databaseUrl>` or `serve bare`.
// The app is built at once and opened (event preloaded, listening) when the parent sends `open`.

async function serve(kind: Kind, databaseUrl: string): Promise<void> {
  const send = (m: ServerMessage) => process.send!(m);
  let close: () => Promise<void> = async () => {};
  let closing: Promise<void> | null = null;
  const shutdown = () => (closing ??= close().finally(() => process.exit(0)));
  let open: (eventId: string) => void = () => {};
  const opened = new Promise<string>((resolve) => (open = resolve));
  process.on('message', (m: { type: string; eventId?: string }) => {
    if (m.type === 'open') open(m.eventId!);
    if (m.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', cpuMs: (user + system) / 1000 });
    }
    if (m.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      send({ type: 'memory', rss, heapUsed, cpuMs: (user + system) / 1000 });
    }
    if (m.type === 'stop') void shutdown();
  });
  process.once('disconnect', () => void shutdown());

  let server: HttpServer;
  if (kind === 'app') {
    const { buildBenchApp } = await import('./live-event.ts');
    const bench = await buildBenchApp(databaseUrl);
    close = bench.close;
    const eventId = await opened;
    // Load the event's clock and plan now, so the per-connection memory figure leaves them out.
    await bench.app.clock.state(eventId);
    await bench.app.gateway.plan(eventId);
    await bench.app.listen({ port: 0, host: '127.0.0.1' });
    server = bench.app.server;
  } else {
    const { Server } = await import('socket.io');
    server = createServer();
    const io = new Server(server, { serveClient: false });
    io.on('connection', (socket) => {
      socket.join(BARE_ROOM);
      socket.on('bench:go', (payload: ClockChanged, ack: (r: unknown) => void) => {
        io.to(BARE_ROOM).emit('clock:changed', payload);
        ack({ data: payload.clock });
      });
    });
    close = () => new Promise<void>((resolve) => io.close(() => resolve()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const address = server.address();
  send({ type: 'ready', url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
}

// ---------------------------------------------------------------------------
// Client worker thread: its share of each server's participant sockets

function clients(): void {
  const port = parentPort!;
  const post = (m: ClientMessage) => port.postMessage(m);
  const sockets: Record<Kind, ClientSocket[]> = { app: [], bare: [] };
  const received: Record<Kind, Map<number, number[]>> = { app: new Map(), bare: new Map() };
  const listener = (kind: Kind) => (change: ClockChanged) => {
    const at = monotonicMs();
    const revision = change.clock.revision;
    let times = received[kind].get(revision);
    if (!times) received[kind].set(revision, (times = []));
    times.push(at);
    if (times.length === sockets[kind].length) {
      received[kind].delete(revision);
      post({ type: 'delivered', kind, revision, times });
    }
  };
  port.on('message', async (m: ClientCommand) => {
    if (m.type === 'connect') {
      const onChanged = listener(m.kind);
      await pool(
        Array.from({ length: m.count }, (_, i) => i),
        50,
        async (i) => {
          const socket = connectSocket(m.url, m.cookies ? { cookie: m.cookies[i]! } : {});
          // The app sends a snapshot once it has done its work for the connection.
          const snapshot = m.kind === 'app' ? nextEvent(socket, 'event:snapshot', 60_000) : null;
          await connected(socket, 60_000);
          await snapshot;
          socket.on('clock:changed', onChanged);
          sockets[m.kind].push(socket);
        },
      );
      post({ type: 'connected', kind: m.kind, count: sockets[m.kind].length });
    } else {
      for (const socket of [...sockets.app, ...sockets.bare]) socket.disconnect();
      post({ type: 'closed' });
    }
  });
}

// ---------------------------------------------------------------------------
// Main: set-up, the organizers, the alternating commands, the report

type Ready = Extract<ServerMessage, { type: 'ready' }>;
type MemoryReport = Extract<ServerMessage, { type: 'memory' }>;
type Delivered = Extract<ClientMessage, { type: 'delivered' }>;

interface Side {
  kind: Kind;
  child: ChildProcess;
  inbox: Inbox<ServerMessage>;
  url: string;
  organizer: ClientSocket | null;
  revision: number;
  memoryBefore: Memory;
  memoryAfter: Memory;
  /** CPU ms per second while connected and idle (pings); CPU ms of the command phase per own command (pings included). */
  idleCpuPerSecond: number;
  commandCpuMs: number;
  latencies: number[];
  lastDelivery: number[];
  acks: number[];
}

/** Forks a server child; `ready` resolves with its side once it listens, or rejects if it dies. */
function launchServer(kind: Kind, args: string[]): { child: ChildProcess; ready: Promise<Side> } {
  const child = fork(FILE, ['serve', kind, ...args], { cwd: ROOT, execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox = new Inbox<ServerMessage>(child);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`))));
  exited.catch(() => {});
  const ready = Promise.race([inbox.next((m): m is Ready => m.type === 'ready', 110_000, `${kind} server ready`), exited]).then(({ url }): Side => {
    const none = { rss: 0, heapUsed: 0, cpuMs: 0 };
    return { kind, child, inbox, url, organizer: null, revision: 0, memoryBefore: none, memoryAfter: none, idleCpuPerSecond: 0, commandCpuMs: 0, latencies: [], lastDelivery: [], acks: [] };
  });
  ready.catch(() => {});
  return { child, ready };
}

async function memoryOf(side: Side): Promise<Memory> {
  side.child.send({ type: 'memory' });
  const { rss, heapUsed, cpuMs } = await side.inbox.next((m): m is MemoryReport => m.type === 'memory', 30_000, 'memory report');
  return { rss, heapUsed, cpuMs };
}

/** CPU time the server has used so far, without the forced GC of a memory report. */
async function cpuOf(side: Side): Promise<number> {
  side.child.send({ type: 'cpu' });
  return (await side.inbox.next((m): m is Extract<ServerMessage, { type: 'cpu' }> => m.type === 'cpu', 30_000, 'cpu report')).cpuMs;
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send({ type: 'stop' });
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}

type AppCommand = { event: 'clock:start' | 'clock:extend' | 'clock:pause' | 'clock:resume' | 'clock:end-round'; payload?: unknown };

/** Warm-up first (start, two extensions), then the measured commands, the last one ending the round. */
function appCommands(): AppCommand[] {
  const cycle: AppCommand[] = [{ event: 'clock:extend', payload: { seconds: 30 } }, { event: 'clock:pause' }, { event: 'clock:resume' }];
  const measured = Array.from({ length: SAMPLES - 1 }, (_, i) => cycle[i % cycle.length]!);
  return [{ event: 'clock:start' }, { event: 'clock:extend', payload: { seconds: 30 } }, { event: 'clock:extend', payload: { seconds: 30 } }, ...measured, { event: 'clock:end-round' }];
}

async function main(): Promise<void> {
  const started = monotonicMs();
  const phase = (label: string) => VERBOSE && console.log(`[${((monotonicMs() - started) / 1000).toFixed(1)} s] ${label}`);
  const { createBenchDatabase, buildBenchApp, setUpLiveEvent } = await import('./live-event.ts');
  // Everything that only needs starting starts now, while the event is set up.
  const children: ChildProcess[] = [];
  const workers: { worker: Worker; inbox: Inbox<ClientMessage> }[] = [];
  const sides: Side[] = [];
  let database: Awaited<ReturnType<typeof createBenchDatabase>> | null = null;
  try {
    const bare = launchServer('bare', []);
    children.push(bare.child);
    for (let w = 0; w < CLIENT_THREADS; w++) {
      const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: FILE } });
      worker.on('error', (error) => console.error('client worker failed:', error));
      workers.push({ worker, inbox: new Inbox<ClientMessage>(worker) });
    }
    database = await createBenchDatabase('fanout');
    phase('database migrated');
    const app = launchServer('app', [database.url]);
    children.push(app.child);

    // Set-up through the real routes, in this process, so the serving process starts clean.
    const setup = await buildBenchApp(database.url);
    const live = await setUpLiveEvent(setup.app, PARTICIPANTS, { event: { rounds: 3, roundSeconds: 1800, transitionSeconds: 60 }, joinViaRoute: 100 });
    await setup.close();
    phase('event set up');
    app.child.send({ type: 'open', eventId: live.eventId });
    const [ours, base] = await Promise.all([app.ready, bare.ready]);
    sides.push(ours, base);
    phase('servers ready');
    // Both servers' participants connect at the same time (to save run time): the CPU and memory
    // figures are per server process, so they stay apart.
    const share = Math.ceil(PARTICIPANTS / CLIENT_THREADS);
    await Promise.all(
      sides.map(async (side) => {
        side.memoryBefore = await memoryOf(side);
        const connectStarted = monotonicMs();
        workers.forEach(({ worker }, w) => {
          const from = w * share;
          const count = Math.max(0, Math.min(share, PARTICIPANTS - from));
          const cookies = side.kind === 'app' ? live.participantCookies.slice(from, from + count) : null;
          worker.postMessage({ type: 'connect', kind: side.kind, url: side.url, cookies, count } satisfies ClientCommand);
        });
        const counts = await Promise.all(
          workers.map((w) => w.inbox.next((m): m is Extract<ClientMessage, { type: 'connected' }> => m.type === 'connected' && m.kind === side.kind, 110_000, `${side.kind} connections`)),
        );
        phase(`${side.kind} sockets connected in ${((monotonicMs() - connectStarted) / 1000).toFixed(1)} s`);
        if (counts.reduce((n, c) => n + c.count, 0) !== PARTICIPANTS) throw new Error(`not every ${side.kind} participant connected`);
        await sleep(500);
        side.memoryAfter = await memoryOf(side);
        side.organizer = side.kind === 'app' ? connectSocket(side.url, { cookie: live.organizerCookie, eventId: live.eventId, as: 'organizer' }) : connectSocket(side.url, {});
        const snapshot = side.kind === 'app' ? nextEvent(side.organizer, 'event:snapshot') : null;
        await connected(side.organizer);
        await snapshot;
      }),
    );

    // The baseline broadcasts the app's own `clock:changed` (an extension), renumbered.
    let appPayload: ClockChanged | null = null;
    ours.organizer!.on('clock:changed', (change) => (appPayload ??= change.cause.kind === 'extended' ? change : null));

    const sendAndTime = async (side: Side, step: AppCommand | null, measured: boolean) => {
      const revision = ++side.revision;
      const body = step ? step.payload : { ...appPayload!, clock: { ...appPayload!.clock, revision } as ClockState };
      const event = step ? step.event : 'bench:go';
      const delivered = Promise.all(
        workers.map((w) =>
          w.inbox.next((m): m is Delivered => m.type === 'delivered' && m.kind === side.kind && m.revision === revision, 30_000, `${side.kind} ${event} deliveries (revision ${revision})`),
        ),
      );
      const sentAt = monotonicMs();
      const ack = await command<ClockState>(side.organizer!, event as 'clock:start', body);
      const ackAt = monotonicMs();
      if ('error' in ack) throw new Error(`${event}: ${ack.error.message}`);
      if (ack.data.revision !== revision) throw new Error(`${event}: expected revision ${revision}, got ${ack.data.revision}`);
      const latencies = (await delivered).flatMap((d) => d.times.map((t) => t - sentAt));
      const last = Math.max(...latencies);
      if (VERBOSE) console.log(`${side.kind} #${revision} ${event}: ack ${(ackAt - sentAt).toFixed(1)} ms, p50 ${median(latencies).toFixed(1)}, last ${last.toFixed(1)}`);
      if (measured) {
        side.latencies.push(...latencies);
        side.lastDelivery.push(last);
        side.acks.push(ackAt - sentAt);
      }
      await sleep(GAP_MS);
    };

    // Idle cost first (Socket.IO pings: every 10 s in the app, 25 s by default): the median of
    // one-second windows after the connections have settled.
    await sleep(IDLE_SETTLE_MS);
    const idleRates: number[][] = sides.map(() => []);
    let previous = await Promise.all(sides.map(cpuOf));
    for (let second = 0; second < IDLE_SECONDS; second++) {
      const from = monotonicMs();
      await sleep(1000);
      const now = await Promise.all(sides.map(cpuOf));
      const elapsed = (monotonicMs() - from) / 1000;
      sides.forEach((_, i) => idleRates[i]!.push((now[i]! - previous[i]!) / elapsed));
      previous = now;
    }
    sides.forEach((side, i) => (side.idleCpuPerSecond = median(idleRates[i]!)));
    phase(`idle CPU ms/s: ${sides.map((side, i) => `${side.kind} ${idleRates[i]!.map((r) => r.toFixed(0)).join(' ')}`).join('; ')}`);

    const commandsFrom = await Promise.all(sides.map(cpuOf));
    const commandsStarted = monotonicMs();
    const steps = appCommands();
    for (let i = 0; i < WARM_UP; i++) await sendAndTime(ours, steps[i]!, false);
    if (!appPayload) throw new Error('no clock:changed payload captured from the app');
    for (let i = 0; i < WARM_UP; i++) await sendAndTime(base, null, false);
    for (let i = WARM_UP; i < steps.length; i++) {
      await sendAndTime(ours, steps[i]!, true);
      await sendAndTime(base, null, true);
    }

    const commandsTo = await Promise.all(sides.map(cpuOf));
    const commandSeconds = (monotonicMs() - commandsStarted) / 1000;
    sides.forEach((side, i) => (side.commandCpuMs = (commandsTo[i]! - commandsFrom[i]!) / (WARM_UP + SAMPLES)));
    phase(`commands done (${commandSeconds.toFixed(1)} s)`);
    for (const side of sides) side.latencies.sort((a, b) => a - b);
    const p = (side: Side, q: number) => percentile(side.latencies, q);
    const perParticipant = (side: Side, key: keyof Memory) => (side.memoryAfter[key] - side.memoryBefore[key]) / PARTICIPANTS / 1024;
    const row = (label: string, f: (side: Side) => number): (string | number)[] => [label, f(ours), f(base), f(ours) / f(base)];
    const payloadBytes = Buffer.byteLength(JSON.stringify(appPayload));

    console.log(
      `\n${PARTICIPANTS} participant sockets per server over ${CLIENT_THREADS} client threads; ${SAMPLES} measured commands each, ` +
        `alternating, after ${WARM_UP} warm-up; ${ours.latencies.length} deliveries each; payload ${payloadBytes} bytes both; Node ${process.version}`,
    );
    console.log(
      `set-up: CSV import ${live.timings.import!.toFixed(0)} ms, plan ${live.timings.plan!.toFixed(0)} ms, ` +
        `${live.joinedViaRoute} joins via POST /api/join ${live.timings.join!.toFixed(0)} ms, ` +
        `${PARTICIPANTS - live.joinedViaRoute} sessions via createSession ${live.timings.sessions!.toFixed(0)} ms\n`,
    );
    table(
      ['', 'ours (app)', 'baseline (bare socket.io)', 'ratio ours/baseline'],
      [
        row('delivery latency p50, ms (target ratio <= 1.5)', (s) => p(s, 50)),
        row('delivery latency p99, ms (target ratio <= 1.5)', (s) => p(s, 99)),
        row('delivery latency max, ms', (s) => p(s, 100)),
        row('fastest delivery, ms', (s) => p(s, 0)),
        row('last participant reached, median per command, ms', (s) => median(s.lastDelivery)),
        row('organizer ack, median, ms', (s) => median(s.acks)),
        row('server CPU per connection, ms', (s) => (s.memoryAfter.cpuMs - s.memoryBefore.cpuMs) / PARTICIPANTS),
        row(`server CPU idle with ${PARTICIPANTS} connected (pings), ms/s`, (s) => s.idleCpuPerSecond),
        row('server CPU per command, pings included, ms', (s) => s.commandCpuMs),
        row('server RSS before connections, MB', (s) => s.memoryBefore.rss / 2 ** 20),
        row(`server RSS with ${PARTICIPANTS} connected, MB`, (s) => s.memoryAfter.rss / 2 ** 20),
        row('server RSS per participant, KB', (s) => perParticipant(s, 'rss')),
        row('server heap per participant (after GC), KB', (s) => perParticipant(s, 'heapUsed')),
      ],
      2,
    );
  } finally {
    for (const side of sides) side.organizer?.disconnect();
    await Promise.all(
      workers.map(async (w) => {
        w.worker.postMessage({ type: 'close' } satisfies ClientCommand);
        await w.inbox.next((m): m is Extract<ClientMessage, { type: 'closed' }> => m.type === 'closed', 10_000, 'client close').catch(() => {});
        await w.worker.terminate();
      }),
    );
    phase('clients closed');
    await Promise.all(children.map(stopServer));
    phase('servers stopped');
    await database?.drop();
  }
  console.log(`\ntotal run time ${((monotonicMs() - started) / 1000).toFixed(1)} s (plus start-up)`);
}

if (!isMainThread) clients();
else if (process.argv[2] === 'serve') await serve(process.argv[3] === 'bare' ? 'bare' : 'app', process.argv[4] ?? '');
else await main();
