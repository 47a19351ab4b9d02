import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'constellation-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function json(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, string>, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '' };
}

describe('zero-configuration start', () => {
  it('runs on an embedded PostgreSQL under the data folder and keeps the data across a restart', async () => {
    const env = { DATABASE_URL: '', DATA_DIR: dataDir, SESSION_SECRET: '' };
    const first = await startServer({ env, timeoutMs: 90_000 });
    let eventId: string;
    try {
      const health = await json(await fetch(`${first.url}/healthz`));
      expect(health.body).toMatchObject({ status: 'ok', database: 'ok' });
      const signup = await json(
        await fetch(`${first.url}/api/auth/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'embedded@example.com', name: 'Emb', password: 'embedded password' }),
        }),
      );
      expect(signup.status).toBe(201);
      const created = await json(
        await fetch(`${first.url}/api/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: signup.cookie },
          body: JSON.stringify({ title: 'Kept across restarts', scheduledStart: '2026-12-01T10:00:00Z', timeZone: 'UTC' }),
        }),
      );
      expect(created.status).toBe(201);
      eventId = created.body.id!;
    } finally {
      await first.stop(); // SIGTERM: the embedded database is stopped cleanly
    }
    expect(first.output()).toMatch(/stopped cleanly/);

    const second = await startServer({ env, timeoutMs: 90_000 });
    try {
      const signin = await json(
        await fetch(`${second.url}/api/auth/signin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'embedded@example.com', password: 'embedded password' }),
        }),
      );
      expect(signin.status).toBe(200);
      const event = await json(await fetch(`${second.url}/api/events/${eventId}`, { headers: { cookie: signin.cookie } }));
      expect(event.status).toBe(200);
      expect(event.body.title).toBe('Kept across restarts');
    } finally {
      await second.stop();
    }
  }, 300_000); // two starts of up to 90 s each and two clean stops (up to 15 s each), with margin
});
