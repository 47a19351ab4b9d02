/**
 * Attendance bookkeeping under load: 1,000 signed LiveKit webhooks per second for 10 s into one
 * live event (joins and leaves of its 400 seated participants), posted over HTTP to the app running
 * in a process of its own. Prints the app's CPU per webhook and the delay until the organizer's
 * run screen hears of each presence change (`video:presence`), beside a baseline measured in the
 * same run: the same webhooks to a bare Fastify server with only the app's webhook route and
 * signature check (no database, no organizers to tell).
 *
 *   npx tsx bench/attendance-load.ts            (RATE=1000 SECONDS=10 PAIRS=200 to change the load)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { AccessToken } from 'livekit-server-sdk';
import { percentile, sleep } from './realtime-lib.ts';

const FILE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const PAIRS = Number(process.env.PAIRS ?? 200);
const KEYS = { apiKey: 'benchkey', apiSecret: 'bench-secret-bench-secret-bench-secret-0123' };

type ToChild = { type: 'cpu' } | { type: 'stop' };
/** `webhooks`: presence changes handled (the bare server only; the app's are counted by the organizer's socket). */
type FromChild = { type: 'ready' } | { type: 'cpu'; cpuMs: number; webhooks: number };

// ---------------------------------------------------------------------------------------------
// The measured process: the app (mode "app") or the bare webhook route (mode "bare").

async function serve(mode: 'app' | 'bare', databaseUrl: string, port: number): Promise<void> {
  let webhooks = 0;
  let close: () => Promise<void>;
  if (mode === 'app') {
    const { buildBenchApp } = await import('./live-event.ts');
    const { LiveKitVideoProvider } = await import('../server/src/modules/video/livekit.provider.ts');
    // A LiveKit that is not there: the bench posts the webhooks itself; room calls fail fast and are logged.
    const bench = await buildBenchApp(databaseUrl, { video: new LiveKitVideoProvider({ url: 'ws://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9', ...KEYS }), livekit: KEYS, logger: false });
    await bench.app.listen({ port, host: '127.0.0.1' });
    close = bench.close;
  } else {
    const { default: Fastify } = await import('fastify');
    const { videoRoutes } = await import('../server/src/modules/video/video.routes.ts');
    const { createWebhookVerifier } = await import('../server/src/modules/video/webhook.ts');
    const app = Fastify();
    await app.register(videoRoutes, { verifyWebhook: createWebhookVerifier(KEYS), onPresence: async () => void webhooks++ });
    await app.listen({ port, host: '127.0.0.1' });
    close = () => app.close();
  }
  process.on('message', (message: ToChild) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'cpu', cpuMs: (user + system) / 1000, webhooks } satisfies FromChild);
    } else void close().then(() => process.exit(0));
  });
  process.send!({ type: 'ready' } satisfies FromChild);
}

// ---------------------------------------------------------------------------------------------
// The load generator.

interface Prepared {
  participantId: string;
  body: string;
  authorization: string;
}

async function signAll(seats: { roomName: string; participantId: string }[], count: number): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (let k = 0; k < count; k++) {
    const seat = seats[k % seats.length]!;
    // Each participant alternates: left, joined, left, … (they are in the room when the load starts).
    const joined = Math.floor(k / seats.length) % 2 === 1;
    const body = JSON.stringify({
      event: joined ? 'participant_joined' : 'participant_left',
      id: `EV_${randomUUID()}`,
      createdAt: String(Math.floor(Date.now() / 1000)),
      room: { name: seat.roomName },
      participant: { identity: seat.participantId, name: 'Bench' },
    });
    const token = new AccessToken(KEYS.apiKey, KEYS.apiSecret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    out.push({ participantId: seat.participantId, body, authorization: await token.toJwt() });
  }
  return out;
}

function startChild(mode: 'app' | 'bare', databaseUrl: string, port: number): Promise<{ child: ChildProcess; cpu: () => Promise<{ cpuMs: number; webhooks: number }>; stop: () => Promise<void> }> {
  const child = fork(FILE, ['serve', mode, databaseUrl, String(port)], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const cpu = () =>
    new Promise<{ cpuMs: number; webhooks: number }>((resolve) => {
      const on = (m: FromChild) => {
        if (m.type !== 'cpu') return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
      child.send({ type: 'cpu' } satisfies ToChild);
    });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'stop' } satisfies ToChild);
    await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
  };
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${mode} process exited with ${code}`)));
    child.on('message', (m: FromChild) => m.type === 'ready' && resolve({ child, cpu, stop }));
  });
}

// As LiveKit delivers them: over a few kept-alive connections.
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function post(url: string, p: Prepared): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/livekit/webhook`, { method: 'POST', agent, headers: { 'content-type': 'application/webhook+json', authorization: p.authorization, 'content-length': Buffer.byteLength(p.body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', reject);
    req.end(p.body);
  });
}

/** Posts `prepared` at RATE per second; returns when all are answered. */
async function fire(url: string, prepared: Prepared[], onSent: (p: Prepared, at: number) => void): Promise<{ failed: number; wallMs: number }> {
  let failed = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  for (let i = 0; i < prepared.length; i += perTick) {
    const due = started + (i / RATE) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    for (const p of prepared.slice(i, i + perTick)) {
      onSent(p, performance.now());
      inFlight.push(
        post(url, p)
          .then((ok) => void (ok || failed++))
          .catch(() => void failed++),
      );
    }
  }
  await Promise.all(inFlight);
  return { failed, wallMs: performance.now() - started };
}

async function main(): Promise<void> {
  const { createBenchDatabase, buildBenchApp, setUpLiveEvent } = await import('./live-event.ts');
  const { LiveKitVideoProvider } = await import('../server/src/modules/video/livekit.provider.ts');
  const { freePort } = await import('../tests/helpers/server.ts');
  const { io } = await import('socket.io-client');
  const total = RATE * SECONDS;
  const database = await createBenchDatabase('attendance');
  const undo: (() => Promise<unknown>)[] = [() => database.drop()];
  try {
    // The event, set up through the real routes in this process: PAIRS tables in round 1.
    const setup = await buildBenchApp(database.url, { video: new LiveKitVideoProvider({ url: 'ws://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9', ...KEYS }), livekit: KEYS, logger: false });
    const live = await setUpLiveEvent(setup.app, 2 * PAIRS, { event: { rounds: 2, roundSeconds: 1800, transitionSeconds: 600 }, joinViaRoute: 0 });
    const { rows: seats } = await setup.pool.query<{ room_name: string; mentor_id: string; mentee_id: string }>('SELECT room_name, mentor_id, mentee_id FROM meetings WHERE event_id = $1 AND round = 1', [live.eventId]);
    await setup.close();
    const people = seats.flatMap((s) => [
      { roomName: s.room_name, participantId: s.mentor_id },
      { roomName: s.room_name, participantId: s.mentee_id },
    ]);
    console.log(`event: ${seats.length} tables, ${people.length} seated; load: ${RATE} webhooks/s for ${SECONDS} s (${total})`);

    // 1. The app: the organizer is watching; the round runs.
    const port = await freePort();
    const app = await startChild('app', database.url, port);
    undo.unshift(app.stop);
    const url = `http://127.0.0.1:${port}`;
    const organizer = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: live.organizerCookie }, auth: { eventId: live.eventId, as: 'organizer' }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => organizer.once('connect', () => resolve()).once('connect_error', reject));
    const started = await organizer.timeout(10_000).emitWithAck('clock:start');
    if ('error' in started) throw new Error(`start refused: ${JSON.stringify(started.error)}`);
    const sent = new Map<string, number[]>();
    const delays: number[] = [];
    const seen = new Map<string, number>();
    organizer.on('video:presence', (presence: { participantId: string }) => {
      const k = seen.get(presence.participantId) ?? 0;
      seen.set(presence.participantId, k + 1);
      const at = sent.get(presence.participantId)?.[k];
      if (at !== undefined) delays.push(performance.now() - at);
    });
    const appLoad = await signAll(people, total);
    const before = await app.cpu();
    const appRun = await fire(url, appLoad, (p, at) => {
      const list = sent.get(p.participantId) ?? [];
      list.push(at);
      sent.set(p.participantId, list);
    });
    const deadline = Date.now() + 30_000;
    while (delays.length < total - appRun.failed && Date.now() < deadline) await sleep(50);
    const after = await app.cpu();
    organizer.close();
    if (process.env.DEBUG_BENCH) {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      console.log((await c.query('SELECT kind, count(*) FROM room_presence GROUP BY kind')).rows);
      await c.end();
    }
    await app.stop();

    // 2. Baseline: the same load to the bare webhook route.
    const barePort = await freePort();
    const bare = await startChild('bare', database.url, barePort);
    undo.unshift(bare.stop);
    const bareLoad = await signAll(people, total);
    const bareBefore = await bare.cpu();
    const bareRun = await fire(`http://127.0.0.1:${barePort}`, bareLoad, () => {});
    const bareAfter = await bare.cpu();
    await bare.stop();

    const sorted = [...delays].sort((a, b) => a - b);
    const appCpuPer = (after.cpuMs - before.cpuMs) / (total - appRun.failed);
    const bareCpuPer = (bareAfter.cpuMs - bareBefore.cpuMs) / (bareAfter.webhooks - bareBefore.webhooks);
    const rows: [string, string][] = [
      ['webhooks answered (app / bare)', `${total - appRun.failed} / ${bareAfter.webhooks - bareBefore.webhooks} (failed ${appRun.failed} / ${bareRun.failed})`],
      ['achieved rate (app / bare)', `${((total / appRun.wallMs) * 1000).toFixed(0)} / ${((total / bareRun.wallMs) * 1000).toFixed(0)} per s`],
      ['app CPU per webhook', `${(appCpuPer * 1000).toFixed(0)} µs (${((after.cpuMs - before.cpuMs) / (appRun.wallMs / 1000) / 10).toFixed(0)}% of a core)`],
      ['baseline CPU per webhook (verify only)', `${(bareCpuPer * 1000).toFixed(0)} µs`],
      ['ratio app / baseline', (appCpuPer / bareCpuPer).toFixed(2)],
      ['organizer sees presence: p50 / p99 / max', `${percentile(sorted, 50).toFixed(0)} / ${percentile(sorted, 99).toFixed(0)} / ${(sorted.at(-1) ?? NaN).toFixed(0)} ms (${delays.length} of ${total} seen)`],
    ];
    for (const [label, value] of rows) console.log(`${label.padEnd(44)} ${value}`);
  } finally {
    agent.destroy();
    for (const step of undo) await step().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

if (process.argv[2] === 'serve') void serve(process.argv[3] as 'app' | 'bare', process.argv[4]!, Number(process.argv[5]));
else await main();
