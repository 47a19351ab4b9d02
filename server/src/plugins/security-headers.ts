import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';

/** The origins a page may connect to besides its own: the LiveKit server (its WebSocket and its HTTP checks). */
function videoOrigins(videoServerUrl: string | undefined): string[] {
  if (!videoServerUrl) return [];
  try {
    const url = new URL(videoServerUrl);
    const secure = url.protocol === 'wss:' || url.protocol === 'https:';
    return [`${secure ? 'wss' : 'ws'}://${url.host}`, `${secure ? 'https' : 'http'}://${url.host}`];
  } catch {
    return [];
  }
}

/**
 * Security headers from @fastify/helmet: a Content-Security-Policy the client runs under (scripts
 * and styles from this origin only, plus inline style attributes that Svelte templates set; no
 * framing by another site), HSTS on https, nosniff, a strict referrer policy.
 */
export default fp<{ publicUrl: string; videoServerUrl?: string }>(
  async (app, { publicUrl, videoServerUrl }) => {
    const https = publicUrl.startsWith('https:');
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          mediaSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'", ...videoOrigins(videoServerUrl)],
          workerSrc: ["'self'", 'blob:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          ...(https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
      referrerPolicy: { policy: 'same-origin' },
      // Cross-origin isolation would block LiveKit's media; nothing here needs SharedArrayBuffer.
      crossOriginEmbedderPolicy: false,
    });
  },
  { name: 'security-headers' },
);
