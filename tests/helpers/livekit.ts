import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import type { AddressInfo } from 'node:net';
import { findLiveKitBinary, LIVEKIT_VERSION, versionOf } from '../../server/src/modules/video/livekit.process.ts';

export { findLiveKitBinary, liveKitConfigYaml, LIVEKIT_VERSION, startLiveKit, type LiveKitServer, type StartLiveKitOptions } from '../../server/src/modules/video/livekit.process.ts';
const GO_INSTALL_BIN = '/usr/local/bin/server';

export type LiveKitAvailability = { available: true; binary: string } | { available: false; reason: string };

/**
 * Whether integration tests can run against a real LiveKit. In CI a missing server is an error,
 * never a skip; locally the tests skip and say how to install it.
 */
export function liveKitAvailability(env: NodeJS.ProcessEnv = process.env): LiveKitAvailability {
  const binary = findLiveKitBinary(env);
  if (binary) {
    const version = versionOf(binary);
    if (!version?.endsWith(` ${LIVEKIT_VERSION}`)) {
      console.warn(`${binary} reports "${version}", the tests expect LiveKit ${LIVEKIT_VERSION}`);
    }
    return { available: true, binary };
  }
  const reason =
    `LiveKit server not found (LIVEKIT_BIN, livekit-server on PATH, ${GO_INSTALL_BIN}); ` +
    'install it with scripts/ensure-livekit.sh (builds it with Go) or set LIVEKIT_BIN';
  if (env.CI) throw new Error(`${reason}. CI must run the LiveKit integration tests, not skip them.`);
  console.warn(`Skipping LiveKit integration tests: ${reason}`);
  return { available: false, reason };
}

export interface CapturedWebhook {
  headers: IncomingHttpHeaders;
  /** The body byte for byte as LiveKit sent it (the signature covers exactly this). */
  rawBody: string;
  /** The `event` field, read without verifying anything. */
  event: string;
  roomName: string | undefined;
}

export interface WebhookCapture {
  url: string;
  received: CapturedWebhook[];
  /** Resolves with the first webhook, already received or yet to come, that matches. */
  waitFor(match: (hook: CapturedWebhook) => boolean, timeoutMs?: number): Promise<CapturedWebhook>;
  close(): Promise<void>;
}

/** A plain HTTP listener that records what LiveKit posts, so tests can verify (and tamper with) real webhooks. */
export async function startWebhookCapture(): Promise<WebhookCapture> {
  const received: CapturedWebhook[] = [];
  const waiters = new Set<(hook: CapturedWebhook) => void>();
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let event = '';
      let roomName: string | undefined;
      try {
        const parsed = JSON.parse(rawBody) as { event?: string; room?: { name?: string } };
        event = parsed.event ?? '';
        roomName = parsed.room?.name;
      } catch {
        // Recorded anyway: the tests decide what an unreadable webhook means.
      }
      const hook = { headers: request.headers, rawBody, event, roomName };
      received.push(hook);
      for (const waiter of waiters) waiter(hook);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/livekit-webhook`,
    received,
    waitFor(match, timeoutMs = 15_000) {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = (hook: CapturedWebhook) => {
          if (!match(hook)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(hook);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.map((h) => `${h.event}(${h.roomName ?? ''})`).join(', ') || 'none';
          reject(new Error(`no matching LiveKit webhook within ${timeoutMs} ms; received: ${seen}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` returns something other than undefined/false. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** LiveKit's own check of a join token, the same one a browser's connection goes through: the HTTP status it answers. */
export async function validateJoin(server: { httpUrl: string }, token: string): Promise<number> {
  const response = await fetch(`${server.httpUrl}/rtc/validate?access_token=${token}`);
  await response.body?.cancel();
  return response.status;
}

/**
 * Joins a room over LiveKit's signalling WebSocket only (no WebRTC): LiveKit admits and lists the
 * participant, but never reports them "joined" in its webhooks, since their media never connects.
 * `serverUrl` is the ws:// URL. Rejects with "join refused with HTTP <status>" when LiveKit says no.
 */
export async function joinSignalOnly(serverUrl: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(`${serverUrl}/rtc?access_token=${token}&auto_subscribe=1&protocol=16&sdk=js`);
  await new Promise<void>((resolve, reject) => {
    socket.once('message', () => resolve()); // the JoinResponse
    socket.once('unexpected-response', (_req, res) => reject(new Error(`join refused with HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
  return socket;
}

/**
 * Serves, on a free port of 127.0.0.1, a page that loads livekit-client's UMD build (it defines
 * `LivekitClient` on the page) and then runs `pageScript`, for browser tests and benches that drive
 * LiveKit without the app's client.
 */
export async function serveLiveKitPage(pageScript = ''): Promise<Server> {
  const require = createRequire(import.meta.url);
  // The package's `require` entry is its UMD build.
  const clientBundle = readFileSync(require.resolve('livekit-client'));
  const html = '<!doctype html><meta charset="utf-8"><script src="/livekit-client.js"></script>' + (pageScript ? `<script>${pageScript}</script>` : '');
  const server = createHttpServer((request, response) => {
    if (request.url === '/livekit-client.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(clientBundle);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
