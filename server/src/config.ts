import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { isIP } from 'node:net';
import { DEV_VIDEO_CONFIG, loadVideoConfig, type VideoConfig } from './modules/video/video.config.ts';
import { loadMailConfig, type MailConfig } from './modules/mail/mail.config.ts';

/** Everything the app reads from the environment, in one place (documented in the README). */
export interface Config {
  host: string;
  port: number;
  /** When unset, an embedded PostgreSQL under `${dataDir}/pg` is started. */
  databaseUrl: string | undefined;
  /** Base of the invite links, for example https://mentoring.example.com */
  publicUrl: string;
  sessionSecret: string;
  dataDir: string;
  logLevel: string;
  /** LiveKit: browser URL, API URL, keys and the no-show delay (see modules/video/video.config.ts). */
  livekit: VideoConfig;
  /**
   * Which X-Forwarded-For hops to believe: false (the default: the TCP peer is the client), a hop
   * count, or the addresses of the proxies in front of the app. Rate limits key on the result.
   */
  trustProxy: false | number | string[];
  /** Email: SMTP_URL and MAIL_FROM (see modules/mail/mail.config.ts). */
  mail: MailConfig;
  /**
   * Several app nodes: REDIS_URL (the Socket.IO adapter and the nodes' messages), NODE_ID (this
   * node's name; host, pid and a random part by default), REDIS_KEY_PREFIX (`constellation`: keys
   * and channels, for deployments sharing a Redis). Unset: one node runs everything.
   */
  cluster: { redisUrl: string; nodeId?: string; keyPrefix?: string } | undefined;
}

/** Secrets that appear in this repository (docker-compose, tests): never acceptable in production. */
const PUBLISHED_SECRETS = new Set(['change-me-to-a-long-random-string', 'change-me-livekit-secret-at-least-32-chars', DEV_VIDEO_CONFIG.apiSecret]);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(env.PORT ?? '3000');
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  const publicUrl = parsePublicUrl(env.PUBLIC_URL ?? `http://localhost:${port}`);
  const config: Config = {
    host: env.HOST ?? '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl,
    sessionSecret: env.SESSION_SECRET || persistentSecret(dataDir),
    dataDir,
    logLevel: env.LOG_LEVEL ?? 'info',
    livekit: loadVideoConfig(env),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    mail: loadMailConfig(env, publicUrl),
    cluster: env.REDIS_URL
      ? { redisUrl: parseRedisUrl(env.REDIS_URL), ...(env.NODE_ID ? { nodeId: env.NODE_ID } : {}), ...(env.REDIS_KEY_PREFIX ? { keyPrefix: env.REDIS_KEY_PREFIX } : {}) }
      : undefined,
  };
  if (config.cluster) {
    // Every node must see the same events and accept the same cookies.
    if (!config.databaseUrl) throw new Error('REDIS_URL (several app nodes) needs DATABASE_URL: one PostgreSQL shared by every node, not an embedded one each');
    if (!env.SESSION_SECRET) throw new Error('REDIS_URL (several app nodes) needs SESSION_SECRET, the same on every node, so a session works whichever node serves it');
  }
  if (config.publicUrl.startsWith('https:')) refuseDevelopmentSecrets(config);
  return config;
}

function parseRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return value;
  } catch {
    // reported below
  }
  throw new Error(`REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got "${value}"`);
}

function parsePublicUrl(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute http(s) URL such as https://mentoring.example.com, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`PUBLIC_URL must start with http:// or https://, got "${value}"`);
  return trimmed;
}

/** TRUST_PROXY: unset, "false" or "0" trusts no proxy; a whole number trusts that many hops; otherwise a comma-separated list of proxy addresses (CIDR allowed). */
export function parseTrustProxy(value: string | undefined): false | number | string[] {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false' || text === '0' || text === 'off') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const valid = rest.length === 0 && (named.has(entry) || (isIP(address ?? '') !== 0 && (bits === undefined || /^\d{1,3}$/.test(bits))));
    if (!valid) {
      throw new Error(`TRUST_PROXY must be a hop count (e.g. 1) or a comma-separated list of proxy addresses (e.g. 10.0.0.1,10.0.1.0/24), got "${value}"`);
    }
  }
  return entries;
}

/** With an https PUBLIC_URL the app is exposed: published or development secrets would let anyone mint sessions or video tokens. */
function refuseDevelopmentSecrets(config: Config): void {
  const problems: string[] = [];
  if (PUBLISHED_SECRETS.has(config.sessionSecret) || config.sessionSecret.length < 32) {
    problems.push('SESSION_SECRET is a published default or shorter than 32 characters: set a long random value (e.g. `openssl rand -base64 32`)');
  }
  if (config.livekit.apiKey === DEV_VIDEO_CONFIG.apiKey || PUBLISHED_SECRETS.has(config.livekit.apiSecret)) {
    problems.push('LIVEKIT_API_KEY / LIVEKIT_API_SECRET are the development or published pair: set your LiveKit server\'s own keys (in both places)');
  }
  if (problems.length) throw new Error(`refusing to start with PUBLIC_URL ${config.publicUrl} (https):\n  - ${problems.join('\n  - ')}`);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

/** A secret generated once and kept under the data directory, so sessions and invite links survive restarts. */
function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
