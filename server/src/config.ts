import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { loadVideoConfig, type VideoConfig } from './modules/video/video.config.ts';

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
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(env.PORT ?? '3000');
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    sessionSecret: env.SESSION_SECRET || persistentSecret(dataDir),
    dataDir,
    logLevel: env.LOG_LEVEL ?? 'info',
    livekit: loadVideoConfig(env),
  };
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
