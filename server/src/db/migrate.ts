import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../db/migrations', import.meta.url));

/** Applies every pending migration in db/migrations; safe to run concurrently (advisory lock). */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}): Promise<void> {
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    log,
    logger: { debug: () => {}, info: log, warn: log, error: log },
    advisoryLockMode: 'wait',
  } as Parameters<typeof runner>[0]);
}
