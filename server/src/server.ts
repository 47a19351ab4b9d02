import pg from 'pg';
import { loadConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { findLiveKitBinary, startLiveKit, type LiveKitServer } from './modules/video/livekit.process.ts';

// Loading the application's modules takes a while; do it while the database starts.
const appModule = import('./app.ts');
appModule.catch(() => {}); // awaited (and reported) in main()

/** Reads configuration, starts the database if needed, migrates, listens, and shuts down gracefully. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = (msg: string) => console.log(`[constellation] ${msg}`);
  let embedded: EmbeddedDatabase | undefined;
  let livekit: LiveKitServer | undefined;
  let databaseUrl = config.databaseUrl;
  // Zero configuration for video too: with no LIVEKIT_URL, run a local LiveKit server when installed.
  // (Not with several nodes: they must share one LiveKit, named by LIVEKIT_URL.)
  const livekitBinary = process.env.LIVEKIT_URL || process.env.EMBEDDED_LIVEKIT === 'off' || config.cluster ? null : findLiveKitBinary();
  const livekitStarting = livekitBinary
    ? startLiveKit({
        keys: { apiKey: config.livekit.apiKey, apiSecret: config.livekit.apiSecret },
        webhookUrl: `http://127.0.0.1:${config.port}/api/livekit/webhook`,
      })
    : undefined;
  livekitStarting?.catch(() => {});
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, log);
    databaseUrl = embedded.url;
    log(`embedded PostgreSQL running, data in ${config.dataDir}/pg`);
  }
  if (livekitStarting) {
    try {
      livekit = await livekitStarting;
      process.env.LIVEKIT_URL = livekit.url;
      log(`local LiveKit server running at ${livekit.url}`);
    } catch (error) {
      log(`could not start the local LiveKit server, calls go directly between browsers (WebRTC): ${String(error)}`);
    }
  } else if (!process.env.LIVEKIT_URL) {
    log('no LiveKit server configured or installed: calls go directly between browsers (WebRTC); LiveKit (scripts/ensure-livekit.sh) is recommended for production, group tables and observing');
  }
  await migrate(databaseUrl, () => {});
  // A request waits at most 5 s for a connection, so an outage answers 503 instead of hanging.
  // A transaction left idle (a frozen process, a lost client) must not hold its locks for long: an event's
  // takeover by another node waits on them.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20, connectionTimeoutMillis: 5_000, idle_in_transaction_session_timeout: 30_000 });
  // An idle connection dropped by the database must not take the process down; queries report it.
  pool.on('error', (error) => log(`database connection lost: ${error.message}`));
  const { buildApp } = await appModule;
  const app = await buildApp({
    pool,
    publicUrl: config.publicUrl,
    sessionSecret: config.sessionSecret,
    trustProxy: config.trustProxy,
    mail: config.mail,
    cluster: config.cluster,
    logger: { level: config.logLevel },
    // No LiveKit configured, installed or started: calls go directly between the browsers.
    ...(process.env.LIVEKIT_URL ? {} : { video: 'direct' as const }),
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await pool.end();
      await Promise.all([embedded?.stop(), livekit?.stop()]);
      log('stopped cleanly');
      process.exit(0);
    } catch (error) {
      console.error(error);
      process.exit(1);
    }
  };
  // Last line of defence: a stray rejection is a bug to log, never a reason to stop a live event.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled rejection'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log(`ready: open ${config.publicUrl.replace(`:${config.port}`, `:${port}`)}  (API docs at /docs)`);
}

main().catch((error) => {
  console.error('[constellation] failed to start:', error);
  process.exit(1);
});
