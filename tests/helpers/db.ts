import pg from 'pg';

/** Where the tests look for a PostgreSQL when TEST_ADMIN_DATABASE_URL is not set; with nothing there they start their own. */
export const DEFAULT_ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The PostgreSQL this run uses for creating databases (global-setup sets it: the machine's, or an embedded one). */
export function adminDatabaseUrl(): string {
  return process.env.TEST_ADMIN_DATABASE_URL || DEFAULT_ADMIN_DATABASE_URL;
}

/** This run's own database, created by global-setup (on the machine's PostgreSQL, or an embedded one). */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through vitest (global-setup creates the database)');
  return url;
}

export function testPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 10 });
  pool.on('error', () => {});
  return pool;
}
