/**
 * Several app nodes on loopback, as deploy/haproxy.cfg and docker-compose.cluster.yml lay them out:
 * N server processes (the production bundle) sharing the test database and Redis, behind a real
 * HAProxy started with the repository's own configuration, optionally with a LiveKit cluster of
 * two nodes sharing Redis. Nothing is faked: a node is killed with SIGKILL and started again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { ownDatabase } from './mail.ts';
import { seedInviter } from './organizers.ts';
import { REDIS_ADDRESS, claimRedisDb } from './redis.ts';
import { freePort, startServer, type RunningServer } from './server.ts';
import { startLiveKit, type LiveKitServer } from './livekit.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const HAPROXY_CONFIG = `${ROOT}deploy/haproxy.cfg`;

function haproxyBinary(): string | null {
  for (const candidate of [process.env.HAPROXY_BIN, '/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).stdout.trim() || null;
}

/** Why the cluster tests cannot run here (no HAProxy), or null; in CI a missing one fails the run. */
export function haproxyUnavailableReason(): string | null {
  if (haproxyBinary()) return null;
  const reason = 'HAProxy not installed: apt-get install haproxy (or set HAPROXY_BIN)';
  if (process.env.CI) throw new Error(`${reason}. CI must run the app cluster tests, not skip them.`);
  return reason;
}

export interface AppNode {
  name: string;
  port: number;
  server: RunningServer;
}

export interface AppCluster {
  /** The load balancer's URL: what browsers and clients use. */
  url: string;
  nodes: AppNode[];
  livekit: LiveKitServer[];
  /** The Redis key prefix of this cluster (its own, so parallel test runs never meet). */
  prefix: string;
  /**
   * The cluster's database, of its own: its nodes own every live event they find, and must not
   * take over (and flag no-shows in) the events other test files run on the shared database.
   */
  pool: pg.Pool;
  /** SIGKILL one node. */
  kill(name: string): Promise<void>;
  /** Starts a killed node again on its port, and waits until the proxy sends it traffic. */
  restart(name: string): Promise<void>;
  /** Node name → its /healthz body. */
  health(name: string): Promise<{ node: string; ownedEvents: number; redis: string; sockets: number } | null>;
  stop(): Promise<void>;
}

export interface AppClusterOptions {
  nodes?: number;
  /** Two LiveKit processes sharing Redis; the app is given node A's URL. */
  livekit?: boolean;
  env?: Record<string, string>;
  /** The app nodes' Redis (host:port); REDIS_ADDRESS by default. */
  redisAddress?: string;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startAppCluster(options: AppClusterOptions = {}): Promise<AppCluster> {
  const count = options.nodes ?? 3;
  if (count > 3) throw new Error('deploy/haproxy.cfg lists three app nodes');
  const prefix = `constellation-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const db = await ownDatabase();
  await seedInviter(db.url);
  const proxyPort = await freePort();
  const url = `http://127.0.0.1:${proxyPort}`;
  const ports = await Promise.all(Array.from({ length: 3 }, () => freePort()));

  const livekit: LiveKitServer[] = [];
  let livekitEnv: Record<string, string> = {};
  let redisDb: Awaited<ReturnType<typeof claimRedisDb>> | null = null;
  if (options.livekit) {
    // LiveKit keeps its own state in a Redis database of this cluster's own (its keys are not prefixed).
    redisDb = await claimRedisDb(prefix);
    const db = redisDb.db;
    const keys = { apiKey: `API${randomBytes(6).toString('hex')}`, apiSecret: randomBytes(32).toString('base64url') };
    const shared = { keys, redis: { address: REDIS_ADDRESS, db }, webhookUrl: `${url}/api/livekit/webhook` };
    livekit.push(...(await Promise.all([startLiveKit(shared), startLiveKit(shared)])));
    livekitEnv = { LIVEKIT_URL: livekit[0]!.url, LIVEKIT_API_KEY: keys.apiKey, LIVEKIT_API_SECRET: keys.apiSecret };
  }

  const names = ports.map((_, i) => `app${i + 1}`);
  const envOf = (name: string): Record<string, string> => ({
    REDIS_URL: `redis://${options.redisAddress ?? REDIS_ADDRESS}`,
    REDIS_KEY_PREFIX: prefix,
    DATABASE_URL: db.url,
    NODE_ID: name,
    PUBLIC_URL: url,
    TRUST_PROXY: '1',
    ...livekitEnv,
    ...options.env,
  });
  const starts = await Promise.allSettled(
    names.slice(0, count).map(async (name, i) => ({ name, port: ports[i]!, server: await startServer({ port: ports[i], env: envOf(name) }) })),
  );
  const failed = starts.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled([...starts.map((s) => (s.status === 'fulfilled' ? s.value.server.kill() : null)), ...livekit.map((lk) => lk.stop())]);
    await redisDb?.release();
    await db.drop();
    throw failed.reason;
  }
  const nodes: AppNode[] = starts.map((s) => (s as PromiseFulfilledResult<AppNode>).value);

  const haproxy: ChildProcess = spawn(haproxyBinary()!, ['-db', '-f', HAPROXY_CONFIG], {
    env: {
      ...process.env,
      LISTEN: `127.0.0.1:${proxyPort}`,
      APP1: `127.0.0.1:${ports[0]}`,
      APP2: `127.0.0.1:${ports[1]}`,
      APP3: `127.0.0.1:${ports[2]}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let proxyOutput = '';
  haproxy.stdout!.on('data', (d: Buffer) => (proxyOutput += d.toString()));
  haproxy.stderr!.on('data', (d: Buffer) => (proxyOutput += d.toString()));
  const proxyExited = new Promise<void>((resolve) => haproxy.once('exit', () => resolve()));
  await waitFor('HAProxy in front of the app nodes', async () => {
    if (haproxy.exitCode !== null) throw new Error(`haproxy exited:\n${proxyOutput}`);
    return (await fetch(`${url}/healthz`)).ok;
  }, 30_000).catch(async (error: unknown) => {
    // Nothing started here outlives a failed start.
    haproxy.kill('SIGKILL');
    await Promise.allSettled([...nodes.map((n) => n.server.kill()), ...livekit.map((lk) => lk.stop())]);
    await redisDb?.release();
    await db.drop();
    throw new Error(`${String(error)}\n${proxyOutput}`);
  });

  const node = (name: string) => {
    const found = nodes.find((n) => n.name === name);
    if (!found) throw new Error(`no node ${name}`);
    return found;
  };
  const health = async (name: string) => {
    try {
      const response = await fetch(`http://127.0.0.1:${node(name).port}/healthz`);
      return (await response.json()) as { node: string; ownedEvents: number; redis: string; sockets: number };
    } catch {
      return null;
    }
  };
  return {
    url,
    nodes,
    livekit,
    prefix,
    pool: db.pool,
    health,
    kill: async (name) => node(name).server.kill(),
    restart: async (name) => {
      const n = node(name);
      n.server = await startServer({ port: n.port, env: envOf(name) });
    },
    stop: async () => {
      if (haproxy.exitCode === null) haproxy.kill('SIGTERM');
      await proxyExited;
      await Promise.allSettled(nodes.map((n) => n.server.stop()));
      await Promise.allSettled(livekit.map((lk) => lk.stop()));
      await redisDb?.release();
      await db.drop();
    },
  };
}
