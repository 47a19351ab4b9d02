/**
 * Runs a private LiveKit server as a child process, bound to 127.0.0.1: used by `npm start` when no
 * LIVEKIT_URL is configured (zero-configuration video) and by the test harness.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The LiveKit release the project is tested against (scripts/ensure-livekit.sh installs it). */
export const LIVEKIT_VERSION = '1.13.5';
const GO_INSTALL_BIN = '/usr/local/bin/server';

export interface LiveKitServer {
  /** ws:// URL for clients; the server SDK accepts it too. */
  url: string;
  /** http:// URL of the same port, for plain HTTP checks such as /rtc/validate. */
  httpUrl: string;
  apiKey: string;
  apiSecret: string;
  /** The YAML the server was started with. */
  config: string;
  /** Everything the server printed so far, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface StartLiveKitOptions {
  /** Fixed signalling port; a free one by default. */
  port?: number;
  /** Fixed key pair; a random one by default. */
  keys?: { apiKey: string; apiSecret: string };
  webhookUrl?: string;
  /** LiveKit posts every event to each of these. */
  webhookUrls?: string[];
  /** Production should forbid joins that create rooms; kept switchable for tests of the default. */
  autoCreateRooms?: boolean;
  /**
   * LiveKit's own multi-node mode: every node started with the same Redis (and the same keys) is one
   * cluster. A new room goes to a node picked at random, and any node takes any client: the one a
   * client connects to bridges its signalling to the node hosting its room.
   */
  redis?: { address: string; db?: number };
}

/**
 * Where the LiveKit server binary is: `LIVEKIT_BIN`, else `livekit-server` on the PATH, else the
 * `server` binary that `go install .../cmd/server` leaves in /usr/local/bin. `null` when none is.
 */
export function findLiveKitBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.LIVEKIT_BIN) {
    if (!isExecutable(env.LIVEKIT_BIN)) throw new Error(`LIVEKIT_BIN=${env.LIVEKIT_BIN} is not an executable file`);
    return env.LIVEKIT_BIN;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'livekit-server');
    if (isExecutable(candidate)) return candidate;
  }
  // "server" is too generic a name to trust without asking it what it is.
  if (isExecutable(GO_INSTALL_BIN) && versionOf(GO_INSTALL_BIN)?.startsWith('livekit-server')) return GO_INSTALL_BIN;
  return null;
}

/** Starts a private LiveKit server on free ports of 127.0.0.1 and resolves once it answers HTTP. */
export async function startLiveKit(options: StartLiveKitOptions = {}): Promise<LiveKitServer> {
  const binary = findLiveKitBinary();
  if (!binary) throw new Error('LiveKit server not found; run scripts/ensure-livekit.sh or set LIVEKIT_BIN');
  // Another test file may take a port between our probe and LiveKit's bind: try fresh ports again.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, options: StartLiveKitOptions): Promise<LiveKitServer> {
  const port = options.port ?? (await freeTcpPort('127.0.0.1'));
  // LiveKit binds the ICE/TCP port on every interface, whatever bind_addresses says.
  const rtcTcpPort = await freeTcpPort();
  const udp = await freeUdpRange(10);
  const apiKey = options.keys?.apiKey ?? `API${randomBytes(6).toString('hex')}`;
  const apiSecret = options.keys?.apiSecret ?? randomBytes(32).toString('base64url');
  const webhookUrls = [...(options.webhookUrl ? [options.webhookUrl] : []), ...(options.webhookUrls ?? [])];

  const config = liveKitConfigYaml({
    port,
    rtcTcpPort,
    udp,
    keys: { [apiKey]: apiSecret },
    webhookApiKey: apiKey,
    webhookUrls,
    autoCreateRooms: options.autoCreateRooms ?? false,
    redis: options.redis,
  });
  const dir = mkdtempSync(join(tmpdir(), 'livekit-'));
  const configFile = join(dir, 'livekit.yaml');
  writeFileSync(configFile, config, { mode: 0o600 });

  const child = spawn(binary, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('exit', killOnExit);
      await terminate(child, exited);
      rmSync(dir, { recursive: true, force: true });
    })());

  const httpUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(httpUrl, child, exited, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `ws://127.0.0.1:${port}`, httpUrl, apiKey, apiSecret, config, logs: () => output, stop };
}

interface ConfigInput {
  port: number;
  rtcTcpPort: number;
  udp: { start: number; end: number };
  keys: Record<string, string>;
  webhookApiKey: string;
  webhookUrls: string[];
  autoCreateRooms: boolean;
  redis?: { address: string; db?: number };
}

/** JSON strings are valid YAML scalars, so values are quoted with JSON.stringify. */
export function liveKitConfigYaml(c: ConfigInput): string {
  const q = (value: string) => JSON.stringify(value);
  const lines = [
    `port: ${c.port}`,
    `bind_addresses: [${q('127.0.0.1')}]`,
    'rtc:',
    `  tcp_port: ${c.rtcTcpPort}`,
    `  port_range_start: ${c.udp.start}`,
    `  port_range_end: ${c.udp.end}`,
    // No STUN lookup of a public address: everything stays on the loopback interface.
    '  use_external_ip: false',
    `  node_ip: ${q('127.0.0.1')}`,
    '  enable_loopback_candidate: true',
    'keys:',
    ...Object.entries(c.keys).map(([key, secret]) => `  ${q(key)}: ${q(secret)}`),
    'room:',
    `  auto_create: ${c.autoCreateRooms}`,
    '  empty_timeout: 60',
    '  departure_timeout: 10',
    'logging:',
    '  level: info',
    '  pion_level: error',
  ];
  if (c.redis) {
    // Random placement: a round's rooms, made together, spread over the nodes (load-based sorting
    // reads statistics a few seconds old, so a burst of rooms would all land on one node).
    lines.push('redis:', `  address: ${q(c.redis.address)}`, `  db: ${c.redis.db ?? 0}`, 'node_selector:', '  kind: any', '  sort_by: random');
  }
  if (c.webhookUrls.length > 0) {
    lines.push('webhook:', `  api_key: ${q(c.webhookApiKey)}`, '  urls:', ...c.webhookUrls.map((u) => `    - ${q(u)}`));
  }
  return `${lines.join('\n')}\n`;
}

async function waitUntilReady(httpUrl: string, child: ChildProcess, exited: Promise<void>, logs: () => string) {
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (hasExited) {
      throw new Error(`LiveKit exited with code ${child.exitCode} before it was ready:\n${logs()}`);
    }
    try {
      const response = await fetch(httpUrl, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`LiveKit did not answer on ${httpUrl} within 30 s:\n${logs()}`);
}

/**
 * A first SIGTERM drains: LiveKit waits for participants to leave. A second one forces the stop,
 * and SIGKILL is the last resort.
 */
async function terminate(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timers = [
    setTimeout(() => child.kill('SIGTERM'), 1_000),
    setTimeout(() => child.kill('SIGKILL'), 6_000),
  ];
  child.kill('SIGTERM');
  await exited;
  for (const timer of timers) clearTimeout(timer);
}

function freeTcpPort(host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function freeUdpRange(size: number): Promise<{ start: number; end: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the usual Linux ephemeral range (32768-60999), so the OS does not hand these out meanwhile.
    const start = 20_000 + Math.floor(Math.random() * 1_200) * size;
    const ports = Array.from({ length: size }, (_, i) => start + i);
    if ((await Promise.all(ports.map(udpPortIsFree))).every(Boolean)) return { start, end: start + size - 1 };
  }
  throw new Error('no free UDP port range found for LiveKit');
}

function udpPortIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, () => socket.close(() => resolve(true)));
  });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function versionOf(binary: string): string | null {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}


function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
