/**
 * The app's CPU and memory during one live video round of 20 pairs, with a baseline from the same run.
 *
 * Set-up: a database of its own; a real LiveKit server (startLiveKit, private ports on 127.0.0.1)
 * whose webhooks go to the app (and, mirrored, to a capture listener in this process that only
 * counts them); the real app (buildApp, configured by LIVEKIT_URL / LIVEKIT_API_KEY /
 * LIVEKIT_API_SECRET as in production) in a child process of its own, so its CPU and memory are its
 * own; an event of 20 mentors and 20 mentees, 2 rounds, a plan; 40 participant Socket.IO clients
 * and an organizer socket.
 *
 * Phases, each measured on the app process (process.cpuUsage / memoryUsage over IPC), the LiveKit
 * process (/proc) and the participants' Chromium (/proc, all its processes):
 *   lobby     the organizer's socket opens the run screen: the app makes round 1's rooms ahead
 *   idle      everyone connected, nothing happening (the baseline)
 *   start     clock:start until all 40 `video:assigned` (each with a LiveKit token) are delivered
 *   joins     every participant joins its LiveKit room as soon as its token arrives, until the app
 *             has handled the 40 participant_joined webhooks (seen as `video:presence` by the organizer)
 *   in-round  everyone in their room, holding
 *   end       clock:end-round until the rooms are closed, the 40 participant_left and 20
 *             room_finished webhooks handled, and round 2's rooms made (the transition starts)
 *
 * How participants join: LiveKit 1.13.5 sends participant_joined only once a participant's
 * WebRTC connection is up; a signalling-only WebSocket join (as in the integration tests) is
 * admitted and listed but produces no participant_joined (and a participant_connection_aborted
 * when its room closes). So by default every participant joins with livekit-client in one
 * headless Chromium page (a Room each, as the app's client does, connected but publishing
 * nothing). No media is sent: media never touches the app server, only LiveKit.
 * BENCH_JOIN=signal joins over the signalling WebSocket only, without a browser (then the app
 * records no presence at all, and its no-show check flags them: LiveKit lists them, but their
 * media never connected).
 *
 *   npx tsx bench/video-round-load.ts   (PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
 *   env: BENCH_IDLE_SECONDS (10), BENCH_HOLD_SECONDS (15; longer if needed to take in the app's
 *        no-show check), BENCH_NO_SHOW_SECONDS (20, after the start: the browser joins take ~12 s),
 *        BENCH_JOIN (browser | signal), BENCH_JOIN_CONCURRENCY (8), BENCH_VERBOSE=1 (phase log,
 *        per-second CPU), BENCH_CPU_PROF=<dir> (the app process writes a V8 CPU profile there)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { makeCsv } from '../tests/factories/index.ts';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { VideoAssigned, VideoPresence } from '@constellation/shared/realtime/events';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../tests/helpers/realtime.ts';
import { median } from './lib.ts';
import { Inbox, monotonicMs, percentile, pool, sleep, table } from './realtime-lib.ts';

const FILE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAIRS = 20;
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 15);
const NO_SHOW_SECONDS = Number(process.env.BENCH_NO_SHOW_SECONDS ?? 20);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
/**
 * Browser joins in flight at once. One Chromium simulating 40 participants is CPU-bound (about
 * three WebRTC connections set up per second on 2 CPUs, whatever the concurrency); with all 40 at
 * once, some joins hit livekit-client's signal timeout. Real participants each have a machine.
 */
const JOIN_CONCURRENCY = Number(process.env.BENCH_JOIN_CONCURRENCY ?? 8);
const SETTLE_MS = 2000;
const PHASE_TIMEOUT_MS = 30_000;
const WEBHOOK_PATH = '/api/livekit/webhook';

interface AppSample {
  cpuMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Webhook requests the app has answered so far, by status class. */
  webhooks: { answered: number; ok: number; unauthorized: number; failed: number };
}
type ServerMessage = { type: 'ready' } | ({ type: 'sample'; gc: boolean } & AppSample) | { type: 'handling'; ms: number[]; at: number[]; gc: GcPause[] };

/** One GC pause of the app's main thread (PerformanceObserver 'gc'), on the machine-wide monotonic clock. */
interface GcPause {
  at: number;
  ms: number;
  /** Forced by the bench's own memory readings (global.gc()), left out of the phases. */
  forced: boolean;
}

// ---------------------------------------------------------------------------
// Server child: `node --expose-gc --import tsx bench/video-round-load.ts serve <databaseUrl> <port>`,
// with LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET in its environment.

async function serve(databaseUrl: string, port: number): Promise<void> {
  const { buildBenchApp } = await import('./live-event.ts');
  const bench = await buildBenchApp(databaseUrl); // video configured from LIVEKIT_* as the server reads it
  // GC entries arrive late (batched), so each carries its own time: the parent sorts them into phases.
  const gcPauses: GcPause[] = [];
  const toMonotonic = monotonicMs() - performance.now();
  const FORCED = 4; // kGCCallbackFlagForced in the entry's detail.flags
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const flags = (entry as PerformanceEntry & { detail?: { flags?: number } }).detail?.flags ?? 0;
      gcPauses.push({ at: entry.startTime + toMonotonic, ms: entry.duration, forced: (flags & FORCED) !== 0 });
    }
  }).observe({ entryTypes: ['gc'] });
  const webhooks: AppSample['webhooks'] = { answered: 0, ok: 0, unauthorized: 0, failed: 0 };
  /** Each webhook request: when it arrived (monotonicMs(), one clock for every process) and how long it took. */
  const requests: { at: number; ms: number }[] = [];
  // Observes the webhook route from outside Fastify: the time from request to response, and the status.
  bench.app.server.on('request', (request, response) => {
    if (!request.url?.startsWith(WEBHOOK_PATH)) return;
    const started = performance.now();
    const entry = { at: monotonicMs(), ms: Number.NaN };
    requests.push(entry);
    response.once('finish', () => {
      webhooks.answered++;
      entry.ms = performance.now() - started;
      if (response.statusCode < 300) webhooks.ok++;
      else if (response.statusCode === 401) webhooks.unauthorized++;
      else webhooks.failed++;
    });
  });
  let closing: Promise<void> | null = null;
  const shutdown = () => (closing ??= bench.close().finally(() => process.exit(0)));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'sample' || m.type === 'gc') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (m.type === 'gc') {
        gc?.();
        gc?.();
      }
      const { rss, heapUsed, heapTotal } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'sample', gc: m.type === 'gc', cpuMs: (user + system) / 1000, rss, heapUsed, heapTotal, webhooks } satisfies ServerMessage);
    }
    if (m.type === 'handling') process.send!({ type: 'handling', ms: requests.map((r) => r.ms), at: requests.map((r) => r.at), gc: gcPauses } satisfies ServerMessage);
    if (m.type === 'stop') void shutdown();
  });
  process.once('disconnect', () => void shutdown());
  await bench.app.listen({ port, host: '127.0.0.1' });
  process.send!({ type: 'ready' } satisfies ServerMessage);
}

// ---------------------------------------------------------------------------
// /proc readings for processes that do not talk to us (LiveKit, Chromium)

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  cpuMs: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { pid, ppid: Number(fields[1]), comm: text.slice(text.indexOf('(') + 1, close), cpuMs: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS };
  } catch {
    return null; // gone
  }
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every process descended from `root` (not `root` itself). */
function descendants(root: number): ProcStat[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => procStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const found: ProcStat[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child.pid);
    }
  };
  walk(root);
  return found;
}

/** CPU time so far of processes that may come and go (Chromium's): only the ones alive now count. */
interface GroupSample {
  cpuByPid: Map<number, number>;
  rss: number;
}
function groupSample(pids: number[]): GroupSample {
  const cpuByPid = new Map<number, number>();
  let rss = 0;
  for (const pid of pids) {
    const s = procStat(pid);
    if (!s) continue;
    cpuByPid.set(pid, s.cpuMs);
    rss += rssOf(pid);
  }
  return { cpuByPid, rss };
}
/** CPU used between two group samples, counting processes that started in between from zero. */
function groupCpuMs(from: GroupSample, to: GroupSample): number {
  let total = 0;
  for (const [pid, cpu] of to.cpuByPid) total += cpu - (from.cpuByPid.get(pid) ?? 0);
  return total;
}

// ---------------------------------------------------------------------------
// Participants' side in Chromium: livekit-client, one Room per participant, in one page

const PAGE_SCRIPT = `
const { Room, RoomEvent, DisconnectReason } = LivekitClient;
const rooms = [];
globalThis.bench = {
  async join(url, token) {
    const started = performance.now();
    const room = new Room({ adaptiveStream: true, dynacast: true });
    const entry = { room, reason: null };
    room.on(RoomEvent.Disconnected, (reason) => { entry.reason = DisconnectReason[reason] ?? String(reason); });
    rooms.push(entry);
    await room.connect(url, token);
    return performance.now() - started;
  },
  disconnected() { return rooms.filter((r) => r.reason !== null).map((r) => r.reason); },
  /** Resolves once \`count\` rooms have been disconnected (no polling from outside). */
  waitDisconnected(count) {
    return new Promise((resolve) => {
      const check = () => (bench.disconnected().length >= count ? resolve(true) : setTimeout(check, 50));
      check();
    });
  },
  async leaveAll() { await Promise.all(rooms.map((r) => r.room.disconnect())); },
};
`;

// ---------------------------------------------------------------------------
// Set-up: 20 mentors and 20 mentees by CSV, a plan, everyone's invite opened

interface PairsEvent {
  eventId: string;
  organizerCookie: string;
  participants: { id: string; cookie: string }[];
  /** Round 1's room names, one per table with a mentee. */
  round1Rooms: string[];
  round1Tables: { mentorId: string; menteeIds: string[] }[];
}

async function setUpPairsEvent(databaseUrl: string, livekit: { url: string; apiKey: string; apiSecret: string }): Promise<PairsEvent> {
  const { buildBenchApp } = await import('./live-event.ts');
  const { LiveKitVideoProvider } = await import('../server/src/modules/video/livekit.provider.ts');
  const { roomNameFor } = await import('../server/src/modules/video/room-name.ts');
  const { makeEvent } = await import('../tests/factories/index.ts');
  // Set-up through the real routes, in this process, so the measured process starts clean.
  const setup = await buildBenchApp(databaseUrl, { video: new LiveKitVideoProvider(livekit), livekit });
  try {
    const app = setup.app;
    const expect = <R extends { statusCode: number; body: string }>(response: R, status: number, what: string): R => {
      if (response.statusCode !== status) throw new Error(`${what}: ${response.statusCode} ${response.body.slice(0, 500)}`);
      return response;
    };
    const cookieOf = (response: { cookies: { name: string; value: string }[] }) => response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const signup = expect(
      await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: `bench-video-${process.pid}@example.com`, name: 'Bench Organizer', password: 'bench password' } }),
      201,
      'signup',
    );
    const organizerCookie = cookieOf(signup);
    const headers = { cookie: organizerCookie };
    // Long round and transition: nothing moves on its own while the bench measures.
    const event = makeEvent({ rounds: 2, roundSeconds: 1800, transitionSeconds: 600 });
    const eventId: string = expect(await app.inject({ method: 'POST', url: '/api/events', headers, payload: event }), 201, 'create event').json().id;
    expect(
      await app.inject({ method: 'POST', url: `/api/events/${eventId}/participants/import`, headers: { ...headers, 'content-type': 'text/csv' }, payload: makeCsv(2 * PAIRS, String(process.pid), { mentors: PAIRS, capacity: 1 }) }),
      201,
      'import',
    );
    expect(await app.inject({ method: 'POST', url: `/api/events/${eventId}/plan`, headers, payload: { seed: 1 } }), 200, 'plan');
    const plan = expect(await app.inject({ method: 'GET', url: `/api/events/${eventId}/plan`, headers }), 200, 'get plan').json().plan as {
      rounds: { tables: { mentorId: string; menteeIds: string[] }[] }[];
    };
    const round1Tables = plan.rounds[0]!.tables.filter((t) => t.menteeIds.length > 0);
    const invites = expect(await app.inject({ method: 'GET', url: `/api/events/${eventId}/invites`, headers }), 200, 'invites').json().invites as {
      participantId: string;
      url: string;
    }[];
    const participants = await pool(invites, 8, async (invite) => ({
      id: invite.participantId,
      cookie: cookieOf(expect(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }), 200, 'join')),
    }));
    return {
      eventId,
      organizerCookie,
      participants,
      round1Tables,
      round1Rooms: round1Tables.map((t) => roomNameFor({ eventId, round: 1, tableId: t.mentorId })),
    };
  } finally {
    await setup.close();
  }
}

// ---------------------------------------------------------------------------
// Main

interface Snapshot {
  at: number;
  /** How many webhooks the capture had received by then. */
  captured: number;
  app: AppSample;
  livekit: { cpuMs: number; rss: number };
  chromium: GroupSample;
}

interface PhaseResult {
  label: string;
  from: Snapshot;
  to: Snapshot;
  /** One-second samples inside the phase, for the longer ones. */
  samples: Snapshot[];
}

async function main(): Promise<void> {
  const started = monotonicMs();
  const log = (label: string) => VERBOSE && console.log(`[${((monotonicMs() - started) / 1000).toFixed(1)} s] ${label}`);
  const { createBenchDatabase } = await import('./live-event.ts');
  const { startLiveKit, startWebhookCapture, findLiveKitBinary, joinSignalOnly, serveLiveKitPage, LIVEKIT_VERSION } = await import('../tests/helpers/livekit.ts');
  const { freePort } = await import('../tests/helpers/server.ts');
  const { browserUnavailableReason, launchBrowser } = await import('../tests/helpers/browser.ts');

  const joinMode = process.env.BENCH_JOIN ?? (browserUnavailableReason() === null ? 'browser' : 'signal');
  if (joinMode !== 'browser' && joinMode !== 'signal') throw new Error(`BENCH_JOIN must be browser or signal, got ${joinMode}`);
  if (joinMode === 'signal' && !process.env.BENCH_JOIN) console.warn(`No Chromium (${browserUnavailableReason()}): joining over the signalling WebSocket only.`);

  // Everything started is stopped in `cleanUp`, on success, failure and Ctrl-C alike.
  const undo: { what: string; run: () => Promise<unknown> }[] = [];
  /** Start-ups still under way (the browser's), which register their own undo step when done. */
  const starting: Promise<unknown>[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await Promise.race([Promise.allSettled(starting), sleep(30_000)]);
      for (const step of undo.reverse()) {
        await Promise.race([step.run(), sleep(20_000)]).catch((error: unknown) => console.error(`clean-up (${step.what}) failed:`, error));
      }
      log('cleaned up');
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // LiveKit must know the app's webhook URL when it starts, and the app LiveKit's keys when it is
    // built: the app's port is picked first (as in tests/integration/video.rounds.test.ts).
    const capture = await startWebhookCapture();
    undo.push({ what: 'webhook capture', run: () => capture.close() });
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    const lk = await startLiveKit({ webhookUrls: [`${appUrl}${WEBHOOK_PATH}`, capture.url] });
    undo.push({ what: 'LiveKit', run: () => lk.stop() });
    const lkProcess = descendants(process.pid).find((p) => p.comm.startsWith('livekit-server') || p.comm === 'server');
    if (!lkProcess) throw new Error('LiveKit process not found among this process’s children');
    const lkPid = lkProcess.pid;
    log(`LiveKit ${lk.url} (pid ${lkPid})`);

    const database = await createBenchDatabase('video_load');
    undo.push({ what: 'database', run: () => database.drop() });
    log('database migrated');

    // The browser starts meanwhile; it never talks to the app, only to LiveKit.
    const browserReady: Promise<{ browser: Browser; page: Page; pageServer: Server } | null> =
      joinMode === 'browser'
        ? (async () => {
            const pageServer = await serveLiveKitPage(PAGE_SCRIPT);
            undo.push({ what: 'page server', run: () => new Promise((resolve) => pageServer.close(resolve)) });
            const browser = await launchBrowser();
            undo.push({ what: 'Chromium', run: () => browser.close() });
            const page = await browser.newPage();
            await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
            return { browser, page, pageServer };
          })()
        : Promise.resolve(null);
    browserReady.catch(() => {});
    starting.push(browserReady);

    const live = await setUpPairsEvent(database.url, lk);
    if (live.round1Tables.length !== PAIRS || live.round1Tables.some((t) => t.menteeIds.length !== 1)) {
      throw new Error(`expected ${PAIRS} tables of one pair in round 1, the plan has ${live.round1Tables.map((t) => 1 + t.menteeIds.length).join(', ')}`);
    }
    log('event set up');

    // The app, in a process of its own, configured from the environment as `npm start` is.
    const child: ChildProcess = fork(FILE, ['serve', database.url, String(port)], {
      cwd: ROOT,
      execArgv: ['--expose-gc', '--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        LIVEKIT_URL: lk.url,
        LIVEKIT_API_KEY: lk.apiKey,
        LIVEKIT_API_SECRET: lk.apiSecret,
        NO_SHOW_AFTER_SECONDS: String(NO_SHOW_SECONDS),
      },
    });
    undo.push({
      what: 'app process',
      run: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (child.connected) child.send({ type: 'stop' });
        await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
      },
    });
    const inbox = new Inbox<ServerMessage>(child);
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`app process exited with ${code}`))));
    exited.catch(() => {});
    await Promise.race([inbox.next((m): m is Extract<ServerMessage, { type: 'ready' }> => m.type === 'ready', 60_000, 'app ready'), exited]);
    const appPid = child.pid!;
    log(`app listening on ${appUrl} (pid ${appPid})`);

    const browserSide = await browserReady;
    const chromiumPids = () => descendants(process.pid).filter((p) => p.pid !== appPid && p.pid !== lkPid && p.ppid !== appPid && p.ppid !== lkPid).map((p) => p.pid);

    const appSample = async (gc = false): Promise<AppSample> => {
      child.send({ type: gc ? 'gc' : 'sample' });
      const { cpuMs, rss, heapUsed, heapTotal, webhooks } = await Promise.race([
        inbox.next((m): m is Extract<ServerMessage, { type: 'sample' }> => m.type === 'sample', 10_000, 'app sample'),
        exited,
      ]);
      return { cpuMs, rss, heapUsed, heapTotal, webhooks: { ...webhooks } };
    };
    const snapshot = async (gc = false): Promise<Snapshot> => {
      const app = await appSample(gc);
      const at = monotonicMs();
      const lkStat = procStat(lkPid);
      return { at, captured: capture.received.length, app, livekit: { cpuMs: lkStat?.cpuMs ?? Number.NaN, rss: rssOf(lkPid) }, chromium: groupSample(chromiumPids()) };
    };
    const phases: PhaseResult[] = [];
    /** Runs `body` between two snapshots; with `everySecond`, samples once a second meanwhile. */
    const measure = async (label: string, body: () => Promise<void>, everySecond = false): Promise<PhaseResult> => {
      const from = await snapshot();
      const samples: Snapshot[] = [];
      let sampling = everySecond;
      const sampler = (async () => {
        let next = from.at + 1000;
        while (sampling) {
          await sleep(Math.max(0, next - monotonicMs()));
          if (!sampling) break;
          samples.push(await snapshot());
          next += 1000;
        }
      })();
      try {
        await body();
      } finally {
        sampling = false;
        await sampler;
      }
      const result = { label, from, to: await snapshot(), samples };
      phases.push(result);
      log(`${label}: ${((result.to.at - result.from.at) / 1000).toFixed(2)} s, app CPU ${(result.to.app.cpuMs - result.from.app.cpuMs).toFixed(0)} ms`);
      if (VERBOSE && samples.length) {
        const points = [from, ...samples, result.to];
        const rates = points.slice(1).map((p, i) => ((p.app.cpuMs - points[i]!.app.cpuMs) / ((p.at - points[i]!.at) / 1000)).toFixed(0));
        log(`  app CPU ms/s per second: ${rates.join(' ')}`);
      }
      return result;
    };
    /** Waits until `check` holds, polling; fails with `what` after the phase timeout. */
    const until = async (what: string, check: () => boolean | Promise<boolean>, intervalMs = 20) => {
      const deadline = monotonicMs() + PHASE_TIMEOUT_MS;
      while (!(await check())) {
        if (monotonicMs() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(intervalMs);
      }
    };
    /** All webhooks LiveKit has sent so far (mirrored to the capture) have been answered by the app. */
    const appCaughtUp = async () => (await appSample()).webhooks.answered >= capture.received.length;
    const hooks = (event: string, names: Set<string>) => capture.received.filter((h) => h.event === event && h.roomName !== undefined && names.has(h.roomName)).length;
    const round1 = new Set(live.round1Rooms);
    const round2Started = () => capture.received.filter((h) => h.event === 'room_started' && h.roomName?.startsWith(`ev_${live.eventId}_r2_`)).length;

    // ---- Everyone connects: 40 participants, then the organizer
    const participantSockets: ClientSocket[] = [];
    undo.push({ what: 'sockets', run: async () => participantSockets.forEach((s) => s.disconnect()) });
    const assignedAt = new Map<string, { at: number; assigned: VideoAssigned }>();
    const closedAt = new Map<string, number>();
    const onAssigned: { handler: (id: string, assigned: VideoAssigned) => void } = { handler: () => {} };
    await pool(live.participants, 10, async (p) => {
      const socket = connectSocket(appUrl, { cookie: p.cookie });
      participantSockets.push(socket);
      const snap = nextEvent(socket, 'event:snapshot', 30_000);
      await connected(socket, 30_000);
      await snap;
      socket.on('video:assigned', (assigned) => {
        assignedAt.set(p.id, { at: monotonicMs(), assigned });
        onAssigned.handler(p.id, assigned);
      });
      socket.on('video:closed', () => closedAt.set(p.id, monotonicMs()));
    });
    log(`${participantSockets.length} participant sockets connected`);

    let organizer: ClientSocket | null = null;
    const presence: { at: number; change: VideoPresence }[] = [];
    let openedAt = 0;
    let organizerClosedAt = 0;
    const noShows: unknown[] = [];
    const lobby = await measure('lobby: organizer connects, round 1 rooms made', async () => {
      organizer = connectSocket(appUrl, { cookie: live.organizerCookie, eventId: live.eventId, as: 'organizer' });
      participantSockets.push(organizer);
      organizer.on('video:presence', (change) => presence.push({ at: monotonicMs(), change }));
      organizer.on('video:opened', () => (openedAt = monotonicMs()));
      organizer.on('video:closed', () => (organizerClosedAt = monotonicMs()));
      organizer.on('video:no-show', (n) => noShows.push(n));
      const snap = nextEvent(organizer, 'event:snapshot', 30_000);
      await connected(organizer, 30_000);
      await snap;
      await until('round 1 rooms made in the lobby', () => hooks('room_started', round1) >= PAIRS);
      await until('the app to answer the lobby webhooks', appCaughtUp, 50);
    });
    const org = organizer! as ClientSocket;
    await sleep(SETTLE_MS);
    const idleMemory = await snapshot(true);

    // ---- Baseline: everyone connected, nothing happening
    const idle = await measure(`idle, ${PAIRS * 2} participants + organizer connected`, () => sleep(IDLE_SECONDS * 1000), true);

    // ---- Round start: rooms, 40 tokens, and each participant into its room as its token arrives
    const joins: Promise<{ id: string; ms: number; at: number }>[] = [];
    const signalSockets: WebSocket[] = [];
    undo.push({ what: 'signalling sockets', run: async () => signalSockets.forEach((s) => s.terminate()) });
    // Each participant joins as soon as its token arrives, at most JOIN_CONCURRENCY at a time (browser).
    let inFlight = 0;
    const waiting: (() => void)[] = [];
    const slot = async () => {
      if (inFlight >= JOIN_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight++;
    };
    const release = () => {
      inFlight--;
      waiting.shift()?.();
    };
    let retries = 0;
    const browserJoin = async (url: string, token: string): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await browserSide!.page.evaluate(([u, t]) => (globalThis as unknown as { bench: { join(u: string, t: string): Promise<number> } }).bench.join(u!, t!), [url, token]);
        } catch (error) {
          if (attempt >= 2) throw error;
          retries++; // as a real client would, once
        }
      }
    };
    onAssigned.handler = (id, assigned) => {
      const connection = assigned.connection;
      if (!connection) return;
      joins.push(
        (async () => {
          if (browserSide) {
            await slot();
            try {
              const ms = await browserJoin(connection.serverUrl, connection.token);
              return { id, ms, at: monotonicMs() };
            } finally {
              release();
            }
          }
          const from = monotonicMs();
          signalSockets.push(await joinSignalOnly(connection.serverUrl, connection.token));
          return { id, ms: monotonicMs() - from, at: monotonicMs() };
        })(),
      );
    };
    let startSentAt = 0;
    let startAckMs = 0;
    const startPhase = await measure(`round start: clock:start until ${PAIRS * 2} video:assigned delivered`, async () => {
      startSentAt = monotonicMs();
      const ack = await command(org, 'clock:start');
      startAckMs = monotonicMs() - startSentAt;
      if ('error' in ack) throw new Error(`clock:start: ${ack.error.message}`);
      await until('every video:assigned', () => assignedAt.size === PAIRS * 2, 5);
    });
    const joinedPresence = () => presence.filter((p) => p.change.joined && p.change.round === 1).length;
    const joinPhase = await measure(
      joinMode === 'browser' ? `joins: until the app has handled ${PAIRS * 2} participant_joined webhooks` : `joins: ${PAIRS * 2} signalling-only joins, then ${SETTLE_MS} ms`,
      async () => {
        await until('the LiveKit joins', () => joins.length === PAIRS * 2, 5);
        await Promise.all(joins);
        if (joinMode === 'browser') await until('presence of everyone at the organizer', () => joinedPresence() === PAIRS * 2, 10);
        else await sleep(SETTLE_MS);
        await until('the app to answer the join webhooks', appCaughtUp, 20);
      },
    );
    const joinResults = await Promise.all(joins);

    // ---- Holding the round
    // The app's no-show check (NO_SHOW_SECONDS after the start) falls inside the hold.
    const holdMs = Math.max(HOLD_SECONDS * 1000, startSentAt + (NO_SHOW_SECONDS + 2) * 1000 - monotonicMs());
    const hold = await measure(`in round: ${PAIRS} pairs in their rooms, holding`, () => sleep(holdMs), true);
    const roundMemory = await snapshot(true);
    const disconnectedBeforeEnd = browserSide ? await browserSide.page.evaluate(() => (globalThis as unknown as { bench: { disconnected(): string[] } }).bench.disconnected()) : [];

    // ---- Round end: rooms closed, everyone sent away, next round's rooms made
    let endAckMs = 0;
    let endSentAt = 0;
    let participantsAwayAt = 0;
    let leftHandledAt = 0;
    const endPhase = await measure('round end: clock:end-round until rooms closed, webhooks handled, round 2 rooms made', async () => {
      endSentAt = monotonicMs();
      const ack = await command(org, 'clock:end-round');
      endAckMs = monotonicMs() - endSentAt;
      if ('error' in ack) throw new Error(`clock:end-round: ${ack.error.message}`);
      await until('video:closed at the organizer', () => organizerClosedAt > 0, 5);
      const away = browserSide
        ? browserSide.page.evaluate((n) => (globalThis as unknown as { bench: { waitDisconnected(n: number): Promise<boolean> } }).bench.waitDisconnected(n), PAIRS * 2)
        : until('every signalling socket closed', () => signalSockets.every((s) => s.readyState === WebSocket.CLOSED), 20);
      await away.then(() => (participantsAwayAt = monotonicMs()));
      await until('room_finished for every round 1 room', () => hooks('room_finished', round1) >= PAIRS);
      if (joinMode === 'browser') {
        await until('every participant_left handled', () => presence.filter((p) => !p.change.joined && p.change.round === 1).length === PAIRS * 2, 10);
        leftHandledAt = monotonicMs();
      }
      await until('round 2 rooms made', () => round2Started() >= PAIRS);
      await until('the app to answer the end webhooks', appCaughtUp, 20);
    });
    const afterMemory = await snapshot(true);
    const disconnectReasons = browserSide ? await browserSide.page.evaluate(() => (globalThis as unknown as { bench: { disconnected(): string[] } }).bench.disconnected()) : [];

    // -----------------------------------------------------------------------
    // Report
    const MB = 2 ** 20;
    const seconds = (p: PhaseResult) => (p.to.at - p.from.at) / 1000;
    const appCpu = (p: PhaseResult) => p.to.app.cpuMs - p.from.app.cpuMs;
    const lkCpu = (p: PhaseResult) => p.to.livekit.cpuMs - p.from.livekit.cpuMs;
    const chromiumCpu = (p: PhaseResult) => groupCpuMs(p.from.chromium, p.to.chromium);
    /** Per-second rates of `f` over the one-second samples of a phase. */
    const windows = (p: PhaseResult, f: (s: Snapshot) => number) => {
      const points = [p.from, ...p.samples, p.to];
      return points.slice(1).map((point, i) => (f(point) - f(points[i]!)) / ((point.at - points[i]!.at) / 1000));
    };
    const maxWindow = (p: PhaseResult, f: (s: Snapshot) => number) => Math.max(...windows(p, f));
    const medianWindow = (p: PhaseResult, f: (s: Snapshot) => number) => median(windows(p, f));
    const meanRss = (p: PhaseResult) => {
      const points = [p.from, ...p.samples, p.to];
      return points.reduce((n, s) => n + s.app.rss, 0) / points.length;
    };
    const webhooksIn = (p: PhaseResult) => p.to.app.webhooks.answered - p.from.app.webhooks.answered;
    const byEvent = (from: number, to: number) => {
      const counts = new Map<string, number>();
      for (const h of capture.received.slice(from, to)) counts.set(h.event, (counts.get(h.event) ?? 0) + 1);
      return [...counts].map(([e, n]) => `${n} ${e}`).join(', ') || 'none';
    };

    const assignedTimes = [...assignedAt.values()].map((a) => a.at - startSentAt).sort((a, b) => a - b);
    const joinMs = joinResults.map((j) => j.ms).sort((a, b) => a - b);
    const lastJoinAt = Math.max(...joinResults.map((j) => j.at)) - startSentAt;
    const joinedPresenceTimes = presence.filter((p) => p.change.joined && p.change.round === 1).map((p) => p.at - startSentAt).sort((a, b) => a - b);
    child.send({ type: 'handling' });
    const handled = await inbox.next((m): m is Extract<ServerMessage, { type: 'handling' }> => m.type === 'handling', 10_000, 'webhook handling times');
    const handling = handled.ms.filter((ms) => Number.isFinite(ms)).sort((a, b) => a - b);
    if (VERBOSE) {
      const slow = handled.at.map((at, i) => ({ at, ms: handled.ms[i] })).filter((w) => (w.ms ?? 0) > 100);
      for (const w of slow) log(`  slow webhook: ${w.ms!.toFixed(0)} ms, arrived in ${phases.find((p) => w.at >= p.from.at && w.at <= p.to.at)?.label.split(':')[0] ?? 'between phases'}`);
    }
    const finalWebhooks = endPhase.to.app.webhooks;
    const gc = (p: PhaseResult) => handled.gc.filter((g) => !g.forced && g.at >= p.from.at && g.at < p.to.at).reduce((n, g) => n + g.ms, 0);

    console.log(
      `\nVideo round of ${PAIRS} pairs: app (buildApp, own process) + LiveKit ${LIVEKIT_VERSION} (${findLiveKitBinary()}) on 127.0.0.1; ` +
        `Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
    );
    console.log(
      joinMode === 'browser'
        ? `Participants join LiveKit with livekit-client in one headless Chromium page (a Room each, connected, publishing nothing).`
        : `Participants join LiveKit over the signalling WebSocket only (no WebRTC): LiveKit sends no participant_joined for such joins.`,
    );
    console.log(
      'No media is sent: audio and video go between browsers and LiveKit only and never touch the app server, so the app’s cost of a round is ' +
        'Socket.IO, token minting, LiveKit API calls and webhooks; this is that cost.',
    );
    console.log(`App CPU = user+system of the app process (process.cpuUsage); PostgreSQL's own CPU for the app's queries is not included. No-show check after ${NO_SHOW_SECONDS} s.`);
    if (browserSide) console.log('Chromium (the 40 participants) runs on the same CPUs: it stretches the join and close times, not the app’s CPU time.');
    console.log('');

    table(
      ['phase', 'seconds', 'app CPU ms', 'app CPU ms/s', 'median 1 s', 'max 1 s', 'app GC ms', 'app RSS MB', 'app heap MB', 'webhooks', 'LiveKit CPU ms/s', 'LiveKit RSS MB', 'Chromium CPU ms/s'],
      phases.map((p) => [
        p.label,
        seconds(p),
        appCpu(p),
        appCpu(p) / seconds(p),
        p.samples.length ? medianWindow(p, (s) => s.app.cpuMs) : '-',
        p.samples.length ? maxWindow(p, (s) => s.app.cpuMs) : '-',
        gc(p),
        p.to.app.rss / MB,
        p.to.app.heapUsed / MB,
        webhooksIn(p),
        lkCpu(p) / seconds(p),
        p.to.livekit.rss / MB,
        browserSide ? chromiumCpu(p) / seconds(p) : '-',
      ]),
      1,
    );
    console.log(
      '(median / max 1 s: app CPU ms/s of the one-second windows of the longer phases; app GC ms: main-thread GC pauses (GC helper threads count in CPU only); ' +
        'RSS and heap at the phase end, without forced GC; LiveKit CPU from /proc in 10 ms ticks.)\n',
    );

    const idleRate = appCpu(idle) / seconds(idle);
    const holdRate = appCpu(hold) / seconds(hold);
    table(
      ['', 'value'],
      [
        ['baseline idle: app CPU, ms/s', idleRate],
        ['baseline idle: app RSS mean, MB', meanRss(idle) / MB],
        ['baseline idle: app heap after GC, MB', idleMemory.app.heapUsed / MB],
        ['baseline idle: LiveKit CPU ms/s / RSS MB', `${(lkCpu(idle) / seconds(idle)).toFixed(1)} / ${(idle.to.livekit.rss / MB).toFixed(1)}`],
        ['lobby: 20 rooms made, s / app CPU ms', `${seconds(lobby).toFixed(2)} / ${appCpu(lobby).toFixed(0)}`],
        ['start: rooms made at the start (the rest were made ahead, in the lobby)', capture.received.slice(startPhase.from.captured, joinPhase.to.captured).filter((h) => h.event === 'room_started').length],
        ['start: clock:start ack, ms', startAckMs],
        ['start: first / median / last video:assigned, ms after clock:start', `${assignedTimes[0]!.toFixed(0)} / ${percentile(assignedTimes, 50).toFixed(0)} / ${assignedTimes.at(-1)!.toFixed(0)}`],
        ['start: video:opened at the organizer, ms after clock:start', openedAt ? openedAt - startSentAt : '-'],
        ['start burst: app CPU ms (ms/s over the burst)', `${appCpu(startPhase).toFixed(1)} (${(appCpu(startPhase) / seconds(startPhase)).toFixed(0)})`],
        [
          `joins: LiveKit connect p50 / max, ms${browserSide ? ` (${JOIN_CONCURRENCY} at a time, ${retries} retried)` : ''}`,
          `${percentile(joinMs, 50).toFixed(0)} / ${joinMs.at(-1)!.toFixed(0)}`,
        ],
        ['joins: last participant in its room, ms after clock:start', lastJoinAt],
        [
          'joins: 40th participant_joined handled (video:presence), ms after clock:start',
          joinedPresenceTimes.length === PAIRS * 2 ? joinedPresenceTimes.at(-1)! : `only ${joinedPresenceTimes.length} of ${PAIRS * 2}`,
        ],
        ['joins: app CPU ms (ms/s over the phase)', `${appCpu(joinPhase).toFixed(1)} (${(appCpu(joinPhase) / seconds(joinPhase)).toFixed(0)})`],
        ['start to everyone present: app CPU ms', appCpu(startPhase) + appCpu(joinPhase)],
        ['in round: app CPU, ms/s', holdRate],
        ['in round: app RSS mean, MB', meanRss(hold) / MB],
        ['in round: app heap after GC, MB', roundMemory.app.heapUsed / MB],
        ['in round: LiveKit CPU ms/s / RSS MB', `${(lkCpu(hold) / seconds(hold)).toFixed(1)} / ${(hold.to.livekit.rss / MB).toFixed(1)}`],
        ['end: clock:end-round ack, ms', endAckMs],
        ['end: video:closed at the organizer (rooms closed), ms', organizerClosedAt - endSentAt],
        ['end: every participant sent away by LiveKit, ms', participantsAwayAt - endSentAt],
        ['end: every participant_left handled (video:presence), ms', leftHandledAt ? leftHandledAt - endSentAt : '-'],
        ['end: all settled (incl. round 2 rooms made), ms', endPhase.to.at - endSentAt],
        ['end: app CPU ms (ms/s over the phase)', `${appCpu(endPhase).toFixed(1)} (${(appCpu(endPhase) / seconds(endPhase)).toFixed(0)})`],
        ['after end: app heap after GC, MB', afterMemory.app.heapUsed / MB],
        ['ratio in-round / idle: app CPU (whole phases)', holdRate / idleRate],
        ['ratio in-round / idle: app CPU (median 1 s windows)', medianWindow(hold, (s) => s.app.cpuMs) / medianWindow(idle, (s) => s.app.cpuMs)],
        ['ratio in-round / idle: app RSS (means)', meanRss(hold) / meanRss(idle)],
        ['ratio in-round / idle: app heap after GC', roundMemory.app.heapUsed / idleMemory.app.heapUsed],
      ],
      1,
    );

    console.log(`\nWebhooks the app answered: ${finalWebhooks.answered} (${finalWebhooks.ok} 2xx, ${finalWebhooks.unauthorized} 401, ${finalWebhooks.failed} other); handling p50 ${percentile(handling, 50).toFixed(1)} ms, p99 ${percentile(handling, 99).toFixed(1)} ms, max ${handling.at(-1)?.toFixed(1)} ms`);
    // The capture saw the same webhooks LiveKit sent the app (each one goes to both URLs).
    console.log(`LiveKit sent (each to the app and, mirrored, to the capture): ${byEvent(0, capture.received.length)}`);
    for (const p of phases) console.log(`  ${p.label.split(':')[0]}: app answered ${webhooksIn(p)}; LiveKit sent ${byEvent(p.from.captured, p.to.captured)}`);
    console.log(`organizer saw: ${presence.filter((p) => p.change.joined).length} joined, ${presence.filter((p) => !p.change.joined).length} left (video:presence); ${noShows.length} no-shows`);
    if (noShows.length) console.log(`ODD: ${noShows.length} participants flagged as no-shows: their joins were not done ${NO_SHOW_SECONDS} s after the start (raise BENCH_NO_SHOW_SECONDS)`);
    if (disconnectedBeforeEnd.length) console.log(`ODD: ${disconnectedBeforeEnd.length} participants were disconnected before the round ended: ${disconnectedBeforeEnd.join(', ')}`);
    if (browserSide) console.log(`participants' disconnect reasons at the end: ${[...new Set(disconnectReasons)].join(', ')}`);
    console.log(`participants told video:closed: ${closedAt.size}`);
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  console.log(`\ntotal run time ${((monotonicMs() - started) / 1000).toFixed(1)} s (plus start-up)`);
}

if (process.argv[2] === 'serve') await serve(process.argv[3] ?? '', Number(process.argv[4]));
else await main();
