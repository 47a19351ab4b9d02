import pg from 'pg';
import { ADMIN_DATABASE_URL, TEST_DATABASE_URL } from './db.ts';
import { migrate } from '../../server/src/db/migrate.ts';
// @ts-expect-error plain ESM script without types
import { ensureClientBuilt } from '../../scripts/build-client.mjs';

/** Recreates the test database from the migrations and builds the client once per run. */
export default async function setup(): Promise<void> {
  const name = new URL(TEST_DATABASE_URL).pathname.slice(1);
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_DATABASE_URL}; start it (see README): ${String(error)}`);
  }
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  await migrate(TEST_DATABASE_URL);
  if (!process.env.SKIP_CLIENT_BUILD) (ensureClientBuilt as (log: (m: string) => void) => void)(() => {});
}
