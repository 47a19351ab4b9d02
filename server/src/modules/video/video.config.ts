import type { IceServer } from '@constellation/shared/realtime/events';

export interface VideoConfig {
  /** Where browsers reach LiveKit (ws:// or wss://); handed to clients with each token. */
  url: string;
  /**
   * Where this server reaches LiveKit's API: `LIVEKIT_API_URL`, by default the host of `url` over
   * http(s). They differ when the server talks to LiveKit over a private network (docker-compose).
   */
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  /**
   * How long after a round starts a seated participant who has not joined their room is flagged, for
   * every event (NO_SHOW_AFTER_SECONDS); null: each event's own setting, by default the lesser of
   * 60 s and a quarter of the round.
   */
  noShowAfterMs: number | null;
}

/** Local development defaults match `livekit-server --dev`-style setups; set the keys in production. */
export const DEV_VIDEO_CONFIG: Readonly<VideoConfig> = {
  url: 'ws://127.0.0.1:7880',
  apiUrl: 'http://127.0.0.1:7880',
  apiKey: 'devkey',
  apiSecret: 'devsecret-constellation-local-development-only',
  noShowAfterMs: null,
};

const URL_PATTERN = /^(wss?|https?):\/\//;

/** Reads LIVEKIT_URL, LIVEKIT_API_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET and NO_SHOW_AFTER_SECONDS. */
export function loadVideoConfig(env: NodeJS.ProcessEnv = process.env): VideoConfig {
  const url = (env.LIVEKIT_URL || DEV_VIDEO_CONFIG.url).replace(/\/+$/, '');
  if (!URL_PATTERN.test(url)) {
    throw new Error(`LIVEKIT_URL must start with ws://, wss://, http:// or https://, got "${url}"`);
  }
  const apiUrl = (env.LIVEKIT_API_URL || url.replace(/^ws/, 'http')).replace(/\/+$/, '');
  if (!URL_PATTERN.test(apiUrl)) {
    throw new Error(`LIVEKIT_API_URL must start with http://, https://, ws:// or wss://, got "${apiUrl}"`);
  }
  const config: VideoConfig = {
    url,
    apiUrl,
    apiKey: env.LIVEKIT_API_KEY || DEV_VIDEO_CONFIG.apiKey,
    apiSecret: env.LIVEKIT_API_SECRET || DEV_VIDEO_CONFIG.apiSecret,
    noShowAfterMs: DEV_VIDEO_CONFIG.noShowAfterMs,
  };
  // LiveKit itself logs an error below 32 characters; HS256 with a short secret is guessable.
  if (config.apiSecret.length < 32) {
    throw new Error(`LIVEKIT_API_SECRET must be at least 32 characters, got ${config.apiSecret.length}`);
  }
  if (env.NO_SHOW_AFTER_SECONDS) {
    const seconds = Number(env.NO_SHOW_AFTER_SECONDS);
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) {
      throw new Error(`NO_SHOW_AFTER_SECONDS must be a number of seconds from 1 to 3600, got "${env.NO_SHOW_AFTER_SECONDS}"`);
    }
    config.noShowAfterMs = Math.round(seconds * 1000);
  }
  return config;
}

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;

/**
 * STUN/TURN servers for direct calls (no LiveKit): `ICE_SERVERS` as JSON (`RTCIceServer[]`), or
 * `STUN_URLS` (comma-separated) with `TURN_URL`, `TURN_USERNAME` and `TURN_CREDENTIAL`. None by
 * default: browsers on one machine or one LAN reach each other without help.
 */
export function loadIceServers(env: NodeJS.ProcessEnv = process.env): IceServer[] {
  const checkUrls = (urls: string[], name: string) => {
    const bad = urls.find((u) => !ICE_URL.test(u));
    if (bad !== undefined) throw new Error(`${name} must hold stun:, stuns:, turn: or turns: URLs, got "${bad}"`);
  };
  if (env.ICE_SERVERS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.ICE_SERVERS);
    } catch {
      throw new Error('ICE_SERVERS must be JSON: an array of {"urls", "username", "credential"}');
    }
    if (!Array.isArray(parsed)) throw new Error('ICE_SERVERS must be a JSON array of {"urls", "username", "credential"}');
    return parsed.map((entry: unknown, i) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const urls = typeof e.urls === 'string' ? [e.urls] : Array.isArray(e.urls) && e.urls.every((u) => typeof u === 'string') ? (e.urls as string[]) : null;
      if (!urls || urls.length === 0) throw new Error(`ICE_SERVERS[${i}].urls must be a URL or a list of URLs`);
      checkUrls(urls, `ICE_SERVERS[${i}].urls`);
      for (const key of ['username', 'credential'] as const) {
        if (e[key] !== undefined && typeof e[key] !== 'string') throw new Error(`ICE_SERVERS[${i}].${key} must be a string`);
      }
      return { urls, ...(e.username !== undefined ? { username: e.username as string } : {}), ...(e.credential !== undefined ? { credential: e.credential as string } : {}) };
    });
  }
  const servers: IceServer[] = [];
  const stun = (env.STUN_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (stun.length > 0) {
    checkUrls(stun, 'STUN_URLS');
    servers.push({ urls: stun });
  }
  if (env.TURN_URL) {
    const turn = env.TURN_URL.split(',').map((u) => u.trim()).filter(Boolean);
    checkUrls(turn, 'TURN_URL');
    if (!env.TURN_USERNAME || !env.TURN_CREDENTIAL) throw new Error('TURN_URL needs TURN_USERNAME and TURN_CREDENTIAL');
    servers.push({ urls: turn, username: env.TURN_USERNAME, credential: env.TURN_CREDENTIAL });
  }
  return servers;
}
