/**
 * The live stack the browser benches run on: a bench database of their own, a real LiveKit with its
 * webhooks into the app, the app started as in production, and Chromium. `undo` runs in reverse
 * order of start (the caller adds its own steps in front).
 */
import type { Browser } from 'playwright-core';
import { createBenchDatabase } from './live-event.ts';
import { launchBrowser } from '../tests/helpers/browser.ts';
import { startLiveKit } from '../tests/helpers/livekit.ts';
import { freePort, startServer, type RunningServer } from '../tests/helpers/server.ts';
// @ts-expect-error plain ESM script without types
import { ensureClientBuilt } from '../scripts/build-client.mjs';

export async function startBenchLiveStack(label: string): Promise<{ server: RunningServer; browser: Browser; undo: (() => Promise<unknown>)[] }> {
  (ensureClientBuilt as (log: (m: string) => void) => void)(() => {});
  const undo: (() => Promise<unknown>)[] = [];
  try {
    const database = await createBenchDatabase(label);
    undo.unshift(() => database.drop());
    const port = await freePort();
    const lk = await startLiveKit({ webhookUrl: `http://127.0.0.1:${port}/api/livekit/webhook` });
    undo.unshift(() => lk.stop());
    const server = await startServer({ port, env: { DATABASE_URL: database.url, LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret } });
    undo.unshift(() => server.stop());
    const browser = await launchBrowser();
    undo.unshift(() => browser.close());
    return { server, browser, undo };
  } catch (error) {
    for (const step of undo) await step().catch(() => {});
    throw error;
  }
}
