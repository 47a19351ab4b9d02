import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabaseUrl } from './db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  output(): string;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
  /** SIGKILL: the crash case. */
  kill(): Promise<void>;
}

/**
 * The Docker image's command (its CMD line), with `node` being the Node that runs the tests: every
 * test server starts the way production does, as plain Node without a TypeScript loader.
 */
export function productionCommand(): { command: string; args: string[] } {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const line = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!line) throw new Error('Dockerfile has no CMD ["…"] line');
  const [program, ...args] = JSON.parse(line[1]!) as string[];
  if (program !== 'node') throw new Error(`Dockerfile CMD runs ${program}, expected node`);
  return { command: process.execPath, args };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The pid listening on a TCP port of this machine (a server a test started, to kill it hard). */
export function pidListeningOn(port: number): number {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`nothing listens on port ${port}:\n${out}`);
  return Number(pid);
}

/**
 * Starts the real server as its own process (`npm start`'s code path), on the test database
 * unless `env.DATABASE_URL` is set to '' (embedded PostgreSQL), and waits until /healthz is green.
 * `args` replaces the production command's arguments (e.g. the TypeScript sources, for development).
 */
export async function startServer(opts: { env?: Record<string, string>; port?: number; timeoutMs?: number; args?: string[] } = {}): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATABASE_URL: opts.env?.DATABASE_URL ?? testDatabaseUrl(),
    SESSION_SECRET: 'e2e-secret-e2e-secret-e2e-secret',
    LOG_LEVEL: 'warn',
    // Tests that need LiveKit start their own; a SIGKILLed server must not orphan one.
    EMBEDDED_LIVEKIT: 'off',
    ...opts.env,
  };
  const { command, args } = productionCommand();
  const child = spawn(command, opts.args ?? args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** JSON over HTTP to a running server with a session cookie; throws on any non-2xx answer. */
export async function apiCall<T>(baseUrl: string, path: string, cookie: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { cookie, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}
