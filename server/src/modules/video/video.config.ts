export interface VideoConfig {
  /** Where browsers and the server reach LiveKit; the server API uses the same host over http(s). */
  url: string;
  apiKey: string;
  apiSecret: string;
}

/** Local development defaults match `livekit-server --dev`-style setups; set all three in production. */
export const DEV_VIDEO_CONFIG: Readonly<VideoConfig> = {
  url: 'ws://127.0.0.1:7880',
  apiKey: 'devkey',
  apiSecret: 'devsecret-constellation-local-development-only',
};

export function loadVideoConfig(env: NodeJS.ProcessEnv = process.env): VideoConfig {
  const config: VideoConfig = {
    url: (env.LIVEKIT_URL || DEV_VIDEO_CONFIG.url).replace(/\/+$/, ''),
    apiKey: env.LIVEKIT_API_KEY || DEV_VIDEO_CONFIG.apiKey,
    apiSecret: env.LIVEKIT_API_SECRET || DEV_VIDEO_CONFIG.apiSecret,
  };
  if (!/^(wss?|https?):\/\//.test(config.url)) {
    throw new Error(`LIVEKIT_URL must start with ws://, wss://, http:// or https://, got "${config.url}"`);
  }
  // LiveKit itself logs an error below 32 characters; HS256 with a short secret is guessable.
  if (config.apiSecret.length < 32) {
    throw new Error(`LIVEKIT_API_SECRET must be at least 32 characters, got ${config.apiSecret.length}`);
  }
  return config;
}
