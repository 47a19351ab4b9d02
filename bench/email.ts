// Email: 1,000 invitations queued through the API and sent by the app's outbox sender to a local
// SMTP server (smtp-server, in a worker thread so it has its own event loop), messages per second,
// and the app's event loop delay meanwhile (perf_hooks monitorEventLoopDelay). Baselines in the
// same run: the event loop idle, and nodemailer alone sending 1,000 messages to the same server.
// Run: npx tsx bench/email.ts   (needs PostgreSQL at BENCH_ADMIN_DATABASE_URL, default 127.0.0.1:5432)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { createTransport } from 'nodemailer';
import { buildApp } from '../server/src/app.ts';
import { migrate } from '../server/src/db/migrate.ts';
import { makeCsv, makeEvent } from '../tests/factories/index.ts';
import { report } from './lib.ts';

const ADMIN = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = `constellation_bench_email_${process.pid}`;
const COUNT = 1_000;
const url = new URL(ADMIN);
url.pathname = `/${NAME}`;

/** An SMTP server that accepts everything and counts messages, on its own thread. */
async function startSink(): Promise<{ port: number; received: () => number; stop: () => Promise<number> }> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { SMTPServer } = require('smtp-server');
     let received = 0;
     const server = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, logger: false, closeTimeout: 1000,
       onData(stream, _s, cb) { stream.on('data', () => {}); stream.on('end', () => { received++; parentPort.postMessage({ received }); cb(); }); } });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.server.address().port }));`,
    { eval: true },
  );
  let received = 0;
  const port = await new Promise<number>((resolve) => {
    worker.on('message', (m: { port?: number; received?: number }) => {
      if (m.port) resolve(m.port);
      if (m.received) received = m.received;
    });
  });
  return { port, received: () => received, stop: () => worker.terminate() };
}

function delays(h: ReturnType<typeof monitorEventLoopDelay>): { p50: number; p99: number; max: number } {
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE "${NAME}"`);
const sink = await startSink();
try {
  await migrate(url.toString());
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  const smtpUrl = `smtp://127.0.0.1:${sink.port}`;
  const app = await buildApp({ pool, publicUrl: 'http://constellation.bench', sessionSecret: 'bench-secret-bench-secret-bench-secret', mail: { smtpUrl, pollMs: 1_000 } });
  await app.ready();
  try {
    const signup = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: 'bench@example.com', name: 'Bench', password: 'bench password' } });
    const cookie = signup.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const event = (await app.inject({ method: 'POST', url: '/api/events', headers: { cookie }, payload: makeEvent() })).json();
    const imported = await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants/import`, headers: { cookie, 'content-type': 'text/csv' }, payload: makeCsv(COUNT) });
    if (imported.statusCode !== 201) throw new Error(`import failed: ${imported.body}`);

    // Baseline 1: the app's event loop with nothing to do.
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 3_000));
    idle.disable();

    // The measured run: queue 1,000 invitations through the API, until every one is accepted and marked sent.
    const busy = monitorEventLoopDelay({ resolution: 10 });
    busy.enable();
    const started = performance.now();
    const queued = await app.inject({ method: 'POST', url: `/api/events/${event.id}/mail/invitations`, headers: { cookie }, payload: {} });
    const queuedMs = performance.now() - started;
    if (queued.json().messages !== COUNT) throw new Error(`queued ${queued.body}`);
    await until(() => sink.received() >= COUNT, 300_000);
    const deliveredMs = performance.now() - started;
    await until(async () => (await pool.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'sent'`)).rows[0].n === COUNT, 60_000);
    const markedMs = performance.now() - started;
    busy.disable();

    // Baseline 2: nodemailer alone, the same pooled transport settings, straight to the same server.
    const transport = createTransport({ url: smtpUrl, pool: true, maxConnections: 5 });
    const before = sink.received();
    const directStarted = performance.now();
    await Promise.all(Array.from({ length: COUNT }, (_, i) => transport.sendMail({ from: 'bench@constellation.bench', to: `p${i}@example.com`, subject: 'Bench', text: 'Hello', html: '<p>Hello</p>' })));
    await until(() => sink.received() >= before + COUNT, 300_000);
    const directMs = performance.now() - directStarted;
    transport.close();

    const idleDelay = delays(idle);
    const busyDelay = delays(busy);
    const rate = COUNT / (markedMs / 1000);
    const directRate = COUNT / (directMs / 1000);
    report({
      'invitations queued (HTTP answer), ms': queuedMs,
      'all 1,000 accepted by the SMTP server, ms': deliveredMs,
      'all 1,000 marked sent in the outbox, ms': markedMs,
      'app: messages per second': rate,
      'nodemailer alone: messages per second': directRate,
      'ratio app / nodemailer alone': rate / directRate,
      'event loop delay while sending p50 / p99 / max, ms': `${busyDelay.p50.toFixed(1)} / ${busyDelay.p99.toFixed(1)} / ${busyDelay.max.toFixed(1)}`,
      'event loop delay idle p50 / p99 / max, ms': `${idleDelay.p50.toFixed(1)} / ${idleDelay.p99.toFixed(1)} / ${idleDelay.max.toFixed(1)}`,
      'ratio p99 sending / idle': busyDelay.p99 / idleDelay.p99,
    });
  } finally {
    await app.close();
    await pool.end();
  }
} finally {
  await sink.stop();
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.end();
}
