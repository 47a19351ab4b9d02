import { afterAll, beforeAll } from 'vitest';
import type WebSocket from 'ws';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { buildTestApp, listenTestApp, type TestApp } from './app.ts';
import { startLiveKit, type LiveKitServer } from './livekit.ts';
import type { ClientSocket } from './realtime.ts';

/** The app on the test database and a real LiveKit server, listening, for one test file. */
export interface LiveKitApp {
  lk: LiveKitServer;
  t: TestApp;
  /** Where the app listens (for sockets). */
  url: string;
  /** How far the app's clock runs ahead of the real one: a test jumps over transitions instead of waiting for them. */
  clockOffset: number;
  /** Sockets and LiveKit signalling connections a test opened: closed after the file. */
  sockets: ClientSocket[];
  signalling: WebSocket[];
}

/**
 * Starts a LiveKit server and the app on it before the file's tests (when `enabled`: LiveKit is
 * available), with the no-show point at `noShowAfterMs` and an injectable clock; closes everything
 * after them. The fields are filled in before the first test runs.
 */
export function useLiveKitApp(enabled: boolean, { noShowAfterMs }: { noShowAfterMs: number }): LiveKitApp {
  const live = { clockOffset: 0, sockets: [], signalling: [] } as unknown as LiveKitApp;
  beforeAll(async () => {
    if (!enabled) return;
    live.lk = await startLiveKit();
    live.t = await buildTestApp({ video: new LiveKitVideoProvider(live.lk), livekit: live.lk, noShowAfterMs, now: () => Date.now() + live.clockOffset });
    live.url = await listenTestApp(live.t.app);
  });
  afterAll(async () => {
    live.sockets.forEach((s) => s.disconnect());
    live.signalling.forEach((s) => s.close());
    await live.t?.close();
    await live.lk?.stop();
  });
  return live;
}
