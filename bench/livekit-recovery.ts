// Recovery after the LiveKit server is killed (SIGKILL) mid-round and started again: from the
// restart until every seated participant of a 10-pair round holds a new token for a room that
// exists again and has joined it (over LiveKit's signalling; no browsers, so no media: first video
// frames are not part of this figure). Baseline in the same run: LiveKit's own start until it
// answers, plus one room made and joined directly through the provider.
// Run: npx tsx bench/livekit-recovery.ts   (needs PostgreSQL at BENCH_ADMIN_DATABASE_URL and livekit-server)
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { VideoAssigned } from '../shared/src/realtime/events.ts';
import { buildApp } from '../server/src/app.ts';
import { migrate } from '../server/src/db/migrate.ts';
import { LiveKitVideoProvider } from '../server/src/modules/video/livekit.provider.ts';
import { makeEvent, makeParticipant } from '../tests/factories/index.ts';
import { joinSignalOnly, startLiveKit } from '../tests/helpers/livekit.ts';
import { command, connectSocket, connected } from '../tests/helpers/realtime.ts';
import { freePort } from '../tests/helpers/server.ts';
import { median, report } from './lib.ts';

const ADMIN = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = `constellation_bench_${process.pid}`;
const dbUrl = new URL(ADMIN);
dbUrl.pathname = `/${NAME}`;
const PAIRS = 10;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);

const pidOn = (port: number) => Number(/pid=(\d+)/.exec(execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }))![1]);
const cookieOf = (r: { cookies: { name: string; value: string }[] }) => r.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE "${NAME}"`);
try {
  await migrate(dbUrl.toString());
  const pool = new pg.Pool({ connectionString: dbUrl.toString() });
  pool.on('error', () => {});
  const port = await freePort();
  const lkPort = await freePort();
  const webhookUrl = `http://127.0.0.1:${port}/api/livekit/webhook`;
  let lk = await startLiveKit({ port: lkPort, webhookUrl });
  const keys = { apiKey: lk.apiKey, apiSecret: lk.apiSecret };
  const app = await buildApp({ pool, publicUrl: `http://127.0.0.1:${port}`, sessionSecret: 'bench-secret-bench-secret-bench-secret', video: new LiveKitVideoProvider(lk), livekit: keys, noShowAfterMs: 3_600_000 });
  await app.listen({ port, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  const organizer = cookieOf(await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: 'lk-bench@example.com', name: 'B', password: 'bench password' } }));
  const eventId = (await app.inject({ method: 'POST', url: '/api/events', headers: { cookie: organizer }, payload: makeEvent({ rounds: 2, roundSeconds: 3600 }) })).json().id as string;
  for (let i = 0; i < PAIRS * 2; i++) {
    await app.inject({ method: 'POST', url: `/api/events/${eventId}/participants`, headers: { cookie: organizer }, payload: makeParticipant({ role: i < PAIRS ? 'mentor' : 'mentee' }) });
  }
  await app.inject({ method: 'POST', url: `/api/events/${eventId}/plan`, headers: { cookie: organizer }, payload: { seed: 1 } });
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${eventId}/invites`, headers: { cookie: organizer } })).json().invites as { url: string }[];
  const latest: (VideoAssigned | null)[] = [];
  const sockets = [];
  for (const [i, invite] of invites.entries()) {
    const cookie = cookieOf(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
    const socket = connectSocket(url, { cookie });
    latest[i] = null;
    socket.on('video:assigned', (a) => (latest[i] = a));
    await connected(socket);
    sockets.push(socket);
  }
  const org = connectSocket(url, { cookie: organizer, eventId, as: 'organizer' });
  await connected(org);
  await command(org, 'clock:start');
  await until(() => latest.every((a) => a?.connection));

  const provider = new LiveKitVideoProvider(lk);
  const livekitMs: number[] = [];
  const baselineMs: number[] = [];
  const recoveryMs: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const tokens = latest.map((a) => a!.connection!.token);
    process.kill(pidOn(lkPort), 'SIGKILL');
    await lk.stop();
    const from = performance.now();
    lk = await startLiveKit({ port: lkPort, keys, webhookUrl });
    livekitMs.push(performance.now() - from);
    // Baseline: a room made and joined straight through the provider on the fresh server.
    const room = `baseline-${trial}`;
    await provider.ensureRoom(room, { emptyTimeoutSec: 60, maxParticipants: 2 });
    const direct = await joinSignalOnly(lk.url, await provider.mintParticipantToken({ roomName: room, identity: 'baseline', name: 'Baseline', ttlSeconds: 60 }));
    baselineMs.push(performance.now() - from);
    direct.close();
    // The app: every participant holds a new token and is back in their room.
    await until(() => latest.every((a, i) => a!.connection!.token !== tokens[i]));
    const calls = await Promise.all(latest.map((a) => joinSignalOnly(lk.url, a!.connection!.token)));
    recoveryMs.push(performance.now() - from);
    calls.forEach((c) => c.close());
  }
  report({
    'participants (10 pairs)': PAIRS * 2,
    trials: TRIALS,
    'LiveKit answering again (median ms)': median(livekitMs),
    'baseline: a room made and joined directly (median ms)': median(baselineMs),
    'every participant back in their room (median ms)': median(recoveryMs),
    'ratio app / baseline': `${(median(recoveryMs) / median(baselineMs)).toFixed(1)} (the app checks its rooms every 2 s)`,
  });
  org.disconnect();
  sockets.forEach((s) => s.disconnect());
  await app.close();
  await pool.end();
  await lk.stop();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.end();
}
