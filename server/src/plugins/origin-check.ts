import fp from 'fastify-plugin';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from '../lib/http-errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** The origins a browser may send state-changing requests from: PUBLIC_URL's (any loopback name for a local one). */
export function allowedOrigins(publicUrl: string): Set<string> {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin]);
  if (LOOPBACK.includes(url.hostname)) {
    for (const host of LOOPBACK) origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
  }
  return origins;
}

/**
 * Why a request's origin is refused, or null when it may proceed. Browsers send Origin on every
 * cross-site POST and on WebSocket handshakes; a request without one (a same-origin GET, curl, a
 * LiveKit webhook) is judged by Sec-Fetch-Site when the browser sent that.
 */
export function originProblem(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): string | null {
  const origin = headers.origin;
  if (origin !== undefined) {
    return allowed.has(origin) ? null : `Cross-site request refused: origin ${origin} is not this site (PUBLIC_URL)`;
  }
  return headers['sec-fetch-site'] === 'cross-site' ? 'Cross-site request refused' : null;
}

/**
 * CSRF defence beyond SameSite cookies: every state-changing request must come from PUBLIC_URL's
 * origin, and JSON routes parse JSON only (the text/plain parser a cross-site form could use is removed).
 */
export default fp<{ publicUrl: string }>(
  async (app, { publicUrl }) => {
    const allowed = allowedOrigins(publicUrl);
    app.removeContentTypeParser('text/plain');
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      const problem = originProblem(request.headers, allowed);
      if (problem) throw new HttpError(403, problem);
    });
  },
  { name: 'origin-check' },
);
