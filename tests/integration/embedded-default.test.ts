import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { productionCommand, startServer } from '../helpers/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

  it('runs as plain Node with the Docker image\'s command, the server bundle, with no TypeScript loader anywhere in the process', async () => {
    const { args } = productionCommand();
    expect(args).toEqual(['server/dist/server.js']);
    // tsx is for development only: no production dependency brings it, and no server or shared module or bundle file imports it.
    const serverPackage = JSON.parse(readFileSync(join(ROOT, 'server/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(serverPackage.dependencies)).not.toContain('tsx');
    for (const folder of ['server/src', 'shared/src', 'server/dist']) {
      for (const file of readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|mjs|js)$/.test(f))) {
        expect(readFileSync(join(ROOT, folder, file), 'utf8'), `${folder}/${file}`).not.toMatch(/from ['"]tsx|import\(['"]tsx/);
      }
    }
    // The bundle is plain JavaScript: no TypeScript file is left to load (the test setup built it from the current sources),
    // and what it leaves in node_modules are production dependencies (the image prunes the others).
    const bundleImports = readdirSync(join(ROOT, 'server/dist'))
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => {
        const code = readFileSync(join(ROOT, 'server/dist', f), 'utf8');
        return [...code.matchAll(/^import\s[^;]*?from\s*"([^"]+)";/gm), ...code.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!);
      });
    expect(bundleImports.filter((specifier) => specifier.endsWith('.ts'))).toEqual([]);
    const packages = new Set(bundleImports.filter((s) => !s.startsWith('.') && !isBuiltin(s)).map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')));
    expect(packages.size).toBeGreaterThan(0);
    for (const name of packages) expect(Object.keys(serverPackage.dependencies), `${name}, loaded by the server bundle`).toContain(name);

    const server = await startServer({ timeoutMs: 90_000 });
    try {
      const proc = `/proc/${server.process.pid}`;
      expect(readFileSync(`${proc}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual([process.execPath, ...args]);
      const nodeOptions = readFileSync(`${proc}/environ`, 'utf8').split('\0').find((v) => v.startsWith('NODE_OPTIONS='));
      expect(nodeOptions ?? '').not.toMatch(/tsx|--import|--loader|--require/);
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, string>;
      expect(health).toMatchObject({ status: 'ok', database: 'ok' });
    } finally {
      await server.stop();
    }
  }, 120_000); // one start of up to 90 s and a clean stop

  it('still runs from the TypeScript sources through Node\'s type stripping (development)', async () => {
    const server = await startServer({ args: ['server/src/server.ts'], timeoutMs: 90_000 });
    try {
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, string>;
      expect(health).toMatchObject({ status: 'ok', database: 'ok' });
      expect((await fetch(`${server.url}/docs/json`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000); // one start of up to 90 s and a clean stop
});
