import pg from 'pg';
import { ADMIN_DATABASE_URL } from './db.ts';
import { migrate } from '../../server/src/db/migrate.ts';
// @ts-expect-error plain ESM script without types
import { ensureClientBuilt } from '../../scripts/build-client.mjs';

/**
 * Creates this run's own database on the real PostgreSQL (so parallel runs never collide),
 * migrates it, builds the client once, and drops the database at the end.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const name = `constellation_test_${process.pid}`;
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  process.env.TEST_DATABASE_URL = url.toString();

  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_DATABASE_URL}; start it (see README): ${String(error)}`);
  }
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  await migrate(url.toString());
  if (!process.env.SKIP_CLIENT_BUILD) (ensureClientBuilt as (log: (m: string) => void) => void)(() => {});

  return async () => {
    const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  };
}
