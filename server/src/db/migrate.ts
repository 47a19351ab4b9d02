import { readdirSync } from 'node:fs';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../paths.ts';

export { MIGRATIONS_DIR };
const MIGRATIONS_TABLE = 'pgmigrations';

/** Names of the migration files, as node-pg-migrate records them (file name without extension). */
function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
}

/** True when every migration file is already recorded as run: the common case on a warm start. */
async function upToDate(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
    const done = new Set(rows.map((r) => r.name));
    return migrationNames().every((name) => done.has(name));
  } catch {
    return false; // no migrations table yet
  } finally {
    await client.end();
  }
}

/** Applies every pending migration in db/migrations; safe to run concurrently (advisory lock). */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}): Promise<void> {
  if (await upToDate(databaseUrl)) return;
  // Loaded only when there is something to do: it is the slowest module to import.
  const { runner } = await import('node-pg-migrate');
  // Our own connection, ended and awaited here: the runner's own is ended without waiting, and a
  // database stopped right after (tests, a short-lived embedded one) made it throw an unhandled error.
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', (error) => log(`migration connection: ${error.message}`));
  await client.connect();
  try {
    await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: MIGRATIONS_TABLE,
      count: Infinity,
      log,
      logger: { debug: () => {}, info: log, warn: log, error: log },
      advisoryLockMode: 'wait',
    } as Parameters<typeof runner>[0]);
  } finally {
    await client.end();
  }
}
