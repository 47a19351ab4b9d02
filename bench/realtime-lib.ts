/**
 * Helpers for the realtime benches: one machine-wide monotonic clock, percentiles, IPC inboxes, a
 * table; for the several-node benches also process figures from /proc, a bare Socket.IO cluster
 * (the baseline) and participant sockets spread over client processes.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createClient } from 'redis';
import type { ClockChanged } from '@constellation/shared/realtime/events';
import type { ClockState } from '@constellation/shared/clock/state';
import { connectSocket, connected, nextEvent, type ClientSocket } from '../tests/helpers/realtime.ts';

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

// ---------------------------------------------------------------------------
// Processes measured from outside (the production bundle has no IPC channel to ask): /proc.

let clockTicks: number | null = null;

/** CPU time (user + system) and resident memory of a process on this machine, read from /proc. */
export function processUsage(pid: number): { cpuMs: number; rss: number } {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "pid (comm) ": state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuMs, rss: rssKb * 1024 };
}

/** The local Redis server's pid (its own report), to measure its CPU beside the app nodes'; null if it does not say. */
export async function redisServerPid(address = '127.0.0.1:6379'): Promise<number | null> {
  const [host, port] = address.split(':') as [string, string];
  const client = createClient({ url: `redis://${host}:${port}` });
  client.on('error', () => {});
  try {
    await client.connect();
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    return Number.isFinite(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  } finally {
    await client.quit().catch(() => {});
  }
}

/** Stops a forked child: `stop` over IPC, SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send({ type: 'stop' }, (error) => error && child.kill('SIGTERM'));
  else child.kill('SIGTERM');
  await Promise.race([exited, sleep(graceMs).then(() => child.kill('SIGKILL'))]);
}

/** Runs `cleanup` once, on the way out or on SIGINT/SIGTERM, so no started process outlives the bench. */
export function onExit(cleanup: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  const run = () => (running ??= cleanup().catch((error: unknown) => console.error('cleanup failed:', error)));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping everything this bench started`);
      void run().finally(() => process.exit(130));
    });
  }
  return run;
}

// ---------------------------------------------------------------------------
// Bare Socket.IO baseline: several processes sharing one Redis through the same streams adapter
// as the app's nodes. A child runs `serveBareNode(redisUrl, prefix)`; each socket joins the room
// named by its `auth.eventId`. `bench:go` broadcasts the given payload to a room, now or at a
// given wall-clock instant (the baseline of a round change by timer), and acknowledges at once.

export interface BareGo {
  room: string;
  payload: ClockChanged;
  /** Date.now() at which to broadcast; at once when absent. */
  at?: number;
}

export async function serveBareNode(redisUrl: string, prefix: string): Promise<void> {
  const { Server } = await import('socket.io');
  const { createAdapter } = await import('@socket.io/redis-streams-adapter');
  const redis = createClient({ url: redisUrl });
  redis.on('error', () => {});
  await redis.connect();
  const server = createHttpServer();
  const io = new Server(server, {
    serveClient: false,
    adapter: createAdapter(redis, { streamName: `${prefix}:socket.io`, heartbeatInterval: 1_000, heartbeatTimeout: 3_000, onlyPlaintext: true }),
  });
  io.on('connection', (socket) => {
    void socket.join(String((socket.handshake.auth as { eventId?: string }).eventId ?? 'bench'));
    socket.on('bench:go', (go: BareGo, ack: (r: unknown) => void) => {
      const emit = () => io.to(go.room).emit('clock:changed', go.payload);
      if (go.at === undefined) emit();
      else setTimeout(emit, Math.max(0, go.at - Date.now()));
      ack({ data: go.payload.clock });
    });
  });
  let closing: Promise<void> | null = null;
  const shutdown = () =>
    (closing ??= new Promise<void>((resolve) => io.close(() => resolve()))
      .then(async () => void (await redis.quit()))
      .catch(() => {})
      .finally(() => process.exit(0)));
  process.on('message', (m: { type: string }) => m.type === 'stop' && void shutdown());
  process.once('disconnect', () => void shutdown());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  process.send!({ type: 'ready', url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
}

/** Forks `count` bare Socket.IO nodes (`file serve-bare <redisUrl> <prefix>`); resolves with their URLs once all listen. */
export async function startBareNodes(file: string, count: number, redisUrl: string, prefix: string): Promise<{ urls: string[]; children: ChildProcess[] }> {
  const children = Array.from({ length: count }, () =>
    fork(file, ['serve-bare', redisUrl, prefix], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }).on('error', () => {}),
  );
  try {
    const urls = await Promise.all(
      children.map((child) => {
        const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bare Socket.IO node exited with ${code}`))));
        exited.catch(() => {});
        const inbox = new Inbox<{ type: string; url: string }>(child);
        return Promise.race([inbox.next((m): m is { type: 'ready'; url: string } => m.type === 'ready', 60_000, 'bare node ready'), exited]).then((m) => m.url);
      }),
    );
    return { urls, children };
  } catch (error) {
    await Promise.all(children.map((c) => stopChild(c)));
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Client processes: participant sockets spread over forked processes (each has its own file
// descriptor limit, so tens of thousands of sockets fit; the monotonic clock is machine-wide).
// Sockets belong to named groups; a process reports a clock change once all of its sockets of
// the group have received it (the receive times, monotonic and wall-clock), and on request every
// clock state each socket learnt (changes, snapshots) and each disconnection.

export interface ClientTarget {
  url: string;
  cookie?: string;
  eventId?: string;
  as?: 'organizer' | 'participant';
}

/** A clock state a socket learnt, or its disconnection, and when (Date.now()). */
export interface Learnt {
  socket: number;
  via: 'change' | 'snapshot' | 'disconnect';
  wall: number;
  phase: ClockState['phase'] | null;
  round: number;
  startsAt: number | null;
  endsAt: number | null;
  /** Of a disconnection: Socket.IO's reason; 'io server disconnect' is one the client does not retry by itself. */
  reason?: string;
}

type FleetCommand =
  | { type: 'connect'; group: string; targets: ClientTarget[]; first: number; snapshot: boolean; reconnection: boolean; trace: boolean }
  | { type: 'trace'; group: string }
  | { type: 'disconnect'; group: string }
  | { type: 'revive'; group: string }
  | { type: 'stop' };
type FleetMessage =
  | { type: 'connected'; group: string; count: number; error: string | null }
  | { type: 'delivered'; group: string; key: string; mono: number[]; wall: number[] }
  | { type: 'traced'; group: string; learnt: Learnt[]; duplicates: number }
  | { type: 'disconnected'; group: string }
  | { type: 'revived'; group: string; count: number };

/** What identifies one clock change among those of a run: its revision (commands so far), phase and round. */
export function changeKey(clock: ClockState): string {
  return `${clock.revision}|${clock.phase}|${clock.round}`;
}

function learntOf(socket: number, via: Learnt['via'], clock: ClockState | null): Learnt {
  const active = clock && (clock.phase === 'round' || clock.phase === 'transition' || clock.phase === 'break') ? clock : null;
  return { socket, via, wall: Date.now(), phase: clock?.phase ?? null, round: clock?.round ?? 0, startsAt: active?.startsAt ?? null, endsAt: active?.endsAt ?? null };
}

/** The body of a client process (`file clients`): connects and listens as its parent asks. */
export function runClientProcess(): void {
  interface Group {
    sockets: ClientSocket[];
    pending: Map<string, { mono: number[]; wall: number[] }>;
    complete: Set<string>;
    duplicates: number;
    learnt: Learnt[] | null;
  }
  const groups = new Map<string, Group>();
  const send = (m: FleetMessage) => process.send!(m);
  const closeAll = () => {
    for (const group of groups.values()) for (const socket of group.sockets) socket.disconnect();
  };
  process.once('disconnect', () => {
    closeAll();
    process.exit(0);
  });
  process.on('message', async (m: FleetCommand) => {
    if (m.type === 'stop') {
      closeAll();
      process.exit(0);
    }
    if (m.type === 'disconnect') {
      for (const socket of groups.get(m.group)?.sockets ?? []) socket.disconnect();
      groups.delete(m.group);
      return send({ type: 'disconnected', group: m.group });
    }
    if (m.type === 'revive') {
      // What a person does on a page whose connection the server closed: load it again.
      const stranded = groups.get(m.group)?.sockets.filter((socket) => !socket.active) ?? [];
      for (const socket of stranded) socket.connect();
      return send({ type: 'revived', group: m.group, count: stranded.length });
    }
    if (m.type === 'trace') {
      const group = groups.get(m.group);
      send({ type: 'traced', group: m.group, learnt: group?.learnt?.splice(0) ?? [], duplicates: group?.duplicates ?? 0 });
      return;
    }
    const group: Group = groups.get(m.group) ?? { sockets: [], pending: new Map(), complete: new Set(), duplicates: 0, learnt: m.trace ? [] : null };
    groups.set(m.group, group);
    const onChanged = (index: number) => (change: ClockChanged) => {
      const mono = monotonicMs();
      const wall = Date.now();
      group.learnt?.push(learntOf(index, 'change', change.clock));
      const key = changeKey(change.clock);
      if (group.complete.has(key)) return void group.duplicates++;
      let times = group.pending.get(key);
      if (!times) group.pending.set(key, (times = { mono: [], wall: [] }));
      times.mono.push(mono);
      times.wall.push(wall);
      if (times.mono.length === group.sockets.length) {
        group.pending.delete(key);
        group.complete.add(key);
        send({ type: 'delivered', group: m.group, key, ...times });
      }
    };
    try {
      await pool(m.targets, 50, async (target, i) => {
        const index = m.first + i;
        const socket = connectSocket(target.url, { cookie: target.cookie, eventId: target.eventId, as: target.as, reconnection: m.reconnection });
        socket.on('event:snapshot', (snapshot) => group.learnt?.push(learntOf(index, 'snapshot', snapshot.clock)));
        socket.on('disconnect', (reason) => group.learnt?.push({ ...learntOf(index, 'disconnect', null), reason }));
        const snapshot = m.snapshot ? nextEvent(socket, 'event:snapshot', 120_000) : null;
        // A socket that reconnects (as a browser does) also retries a first connection that failed.
        await (m.reconnection ? nextEvent(socket, 'connect' as 'event:snapshot', 120_000) : connected(socket, 120_000));
        await snapshot;
        socket.on('clock:changed', onChanged(index));
        group.sockets.push(socket);
      });
      send({ type: 'connected', group: m.group, count: group.sockets.length, error: null });
    } catch (error) {
      send({ type: 'connected', group: m.group, count: group.sockets.length, error: String(error) });
    }
  });
}

/** The parent's side of the client processes. */
export class ClientFleet {
  readonly #children: ChildProcess[];
  readonly #inboxes: Inbox<FleetMessage>[];
  /** group → indexes of the processes holding some of its sockets. */
  readonly #holders = new Map<string, number[]>();

  private constructor(children: ChildProcess[]) {
    this.#children = children;
    this.#inboxes = children.map((c) => new Inbox<FleetMessage>(c));
    // A process gone (the run is being stopped): sends to it fail as rejections of the caller, never as a crash.
    for (const child of children) child.on('error', () => {});
  }

  #send(p: number, command: FleetCommand): void {
    const child = this.#children[p]!;
    if (!child.connected) throw new Error(`client process ${child.pid} is gone`);
    child.send(command);
  }

  /** Forks `processes` client processes running `file clients`. */
  static start(file: string, processes: number): ClientFleet {
    return new ClientFleet(
      Array.from({ length: processes }, () => fork(file, ['clients'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
    );
  }

  get pids(): number[] {
    return this.#children.map((c) => c.pid!);
  }

  /** Connects a group's sockets, split evenly over the processes; rejects unless every one connected. */
  async connect(group: string, targets: ClientTarget[], options: { snapshot: boolean; reconnection?: boolean; trace?: boolean; timeoutMs?: number }): Promise<void> {
    const share = Math.ceil(targets.length / this.#children.length);
    const holders: number[] = [];
    const replies = this.#children.map((_, p) => {
      const part = targets.slice(p * share, (p + 1) * share);
      if (part.length === 0) return null;
      holders.push(p);
      this.#send(p, { type: 'connect', group, targets: part, first: p * share, snapshot: options.snapshot, reconnection: options.reconnection ?? false, trace: options.trace ?? false } satisfies FleetCommand);
      return this.#inboxes[p]!.next((m): m is Extract<FleetMessage, { type: 'connected' }> => m.type === 'connected' && m.group === group, options.timeoutMs ?? 600_000, `${group} connections`);
    });
    this.#holders.set(group, holders);
    const answers = (await Promise.all(replies)).filter((a) => a !== null);
    const failed = answers.find((a) => a.error);
    if (failed) throw new Error(`${group}: ${failed.error}`);
    const count = answers.reduce((n, a) => n + a.count, 0);
    if (count !== targets.length) throw new Error(`${group}: ${count} of ${targets.length} sockets connected`);
  }

  /** Resolves once every socket of the group has received the clock change `key`, with all receive times. */
  async delivered(group: string, key: string, timeoutMs: number): Promise<{ mono: number[]; wall: number[] }> {
    const parts = await Promise.all(
      (this.#holders.get(group) ?? []).map((p) =>
        this.#inboxes[p]!.next((m): m is Extract<FleetMessage, { type: 'delivered' }> => m.type === 'delivered' && m.group === group && m.key === key, timeoutMs, `${group} deliveries of ${key}`),
      ),
    );
    return { mono: parts.flatMap((d) => d.mono), wall: parts.flatMap((d) => d.wall) };
  }

  /** What the group's sockets learnt since the last call, and how many clock changes arrived twice. */
  async traced(group: string): Promise<{ learnt: Learnt[]; duplicates: number }> {
    const parts = await Promise.all(
      (this.#holders.get(group) ?? []).map((p) => {
        this.#send(p, { type: 'trace', group });
        return this.#inboxes[p]!.next((m): m is Extract<FleetMessage, { type: 'traced' }> => m.type === 'traced' && m.group === group, 60_000, `${group} trace`);
      }),
    );
    return { learnt: parts.flatMap((t) => t.learnt), duplicates: parts.reduce((n, t) => n + t.duplicates, 0) };
  }

  /** Connects again the group's sockets that the server closed and Socket.IO does not retry; how many. */
  async revive(group: string): Promise<number> {
    const counts = await Promise.all(
      (this.#holders.get(group) ?? []).map((p) => {
        this.#send(p, { type: 'revive', group });
        return this.#inboxes[p]!.next((m): m is Extract<FleetMessage, { type: 'revived' }> => m.type === 'revived' && m.group === group, 60_000, `${group} revive`);
      }),
    );
    return counts.reduce((n, c) => n + c.count, 0);
  }

  /** Closes the group's sockets. */
  async disconnect(group: string): Promise<void> {
    await Promise.all(
      (this.#holders.get(group) ?? []).map((p) => {
        this.#send(p, { type: 'disconnect', group });
        return this.#inboxes[p]!.next((m): m is Extract<FleetMessage, { type: 'disconnected' }> => m.type === 'disconnected' && m.group === group, 60_000, `${group} disconnect`);
      }),
    );
    this.#holders.delete(group);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#children.map((c) => stopChild(c, 10_000)));
  }
}

/** SIGKILLs whatever child processes of this one are still alive (the last resort of a failed run: a helper that threw half-way). */
export function killLeftoverChildren(): void {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return; // none
  }
  for (const pid of out.split('\n').map(Number).filter((p) => p > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** A process the bench measures from outside. */
export interface Proc {
  name: string;
  pid: number;
}

export const usageOf = (procs: readonly Proc[]) => procs.map((p) => processUsage(p.pid));

/** CPU ms per second of each process of each list, over one quiet window (/proc counts in 10 ms ticks: a long window beats many short ones). */
export async function idleCpu(lists: readonly (readonly Proc[])[], seconds: number): Promise<number[][]> {
  const from = lists.map(usageOf);
  const started = monotonicMs();
  await sleep(seconds * 1000);
  const elapsed = (monotonicMs() - started) / 1000;
  return lists.map((procs, l) => usageOf(procs).map((u, i) => (u.cpuMs - from[l]![i]!.cpuMs) / elapsed));
}

/** The local Redis server as a measured process, when it says its pid. */
export async function redisProcs(address: string): Promise<Proc[]> {
  const pid = await redisServerPid(address);
  return pid ? [{ name: 'redis-server', pid }] : [];
}

/** The baseline's copies of the app's payloads: renumbered, so each broadcast is a change of its own. */
export function renumberer(): (change: ClockChanged) => ClockChanged {
  let revision = 1_000_000;
  return (change) => ({ ...change, clock: { ...change.clock, revision: ++revision } as ClockState });
}

/** Asks a bare Socket.IO node to broadcast (see `serveBareNode`). */
export async function bareGo(socket: ClientSocket, go: BareGo): Promise<void> {
  const ack = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no acknowledgement of bench:go within 60 s')), 60_000);
    (socket.emit as (e: string, p: unknown, a: (r: unknown) => void) => void)('bench:go', go, (r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
  if (!ack || typeof ack !== 'object' || !('data' in ack)) throw new Error(`bench:go: ${JSON.stringify(ack)}`);
}

/**
 * Keeps the first round end (`clock:changed` into a transition) and the first round start by timer
 * that the organizer's socket receives: the baseline broadcasts copies, so its payloads are the app's.
 */
export function captureAppPayloads(socket: ClientSocket): () => { end: ClockChanged; start: ClockChanged } {
  let end: ClockChanged | null = null;
  let start: ClockChanged | null = null;
  socket.on('clock:changed', (change) => {
    if (change.clock.phase === 'transition') end ??= change;
    if (change.clock.phase === 'round' && change.cause.kind === 'elapsed') start ??= change;
  });
  return () => {
    if (!end || !start) throw new Error('no clock:changed payloads captured from the app');
    return { end, start };
  };
}

/** Sorted latencies of round changes by command and by timer. */
export interface RoundChangeLatencies {
  byCommand: number[];
  byTimer: number[];
}

/** The report's latency rows: p50, p99 and max of both kinds of round change, one column per side. */
export function roundChangeRows<S extends RoundChangeLatencies>(row: (label: string, f: (side: S) => number) => (string | number)[]): (string | number)[][] {
  return [
    ...[50, 99, 100].map((q) => row(`round change by command: delivery ${q === 100 ? 'max' : `p${q}`}, ms`, (s) => percentile(s.byCommand, q))),
    ...[50, 99, 100].map((q) => row(`round change by timer: ${q === 100 ? 'max' : `p${q}`} after its instant, ms`, (s) => percentile(s.byTimer, q))),
  ];
}
