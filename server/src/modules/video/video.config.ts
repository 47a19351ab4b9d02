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
