/**
 * Recovery after the LiveKit server is killed (SIGKILL) mid-round and started again, seen by the
 * people in the calls: the app's own live pages in real Chromium, PAIRS pairs in one round. From the
 * restart until every participant sees their partner's live video again (new frames, not a frozen
 * last one). Baselines in the same run: LiveKit's own start until it answers, and the round start
 * until everyone sees their partner (standby calls going live).
 *
 *   npx tsx bench/livekit-recovery-video.ts      (TRIALS=3 PAIRS=2; PostgreSQL at BENCH_ADMIN_DATABASE_URL, livekit-server, Chromium)
 */
import type { Browser } from 'playwright-core';
import { createBenchDatabase } from './live-event.ts';
import { median } from './lib.ts';
import { launchBrowser } from '../tests/helpers/browser.ts';
import { eventually, startLiveKit, type LiveKitServer } from '../tests/helpers/livekit.ts';
import { LivePages, partnerVideoLive, type LiveSide } from '../tests/helpers/live-pages.ts';
import { freePort, pidListeningOn, startServer } from '../tests/helpers/server.ts';
// @ts-expect-error plain ESM script without types
import { ensureClientBuilt } from '../scripts/build-client.mjs';

const TRIALS = Number(process.env.TRIALS ?? 3);
const PAIRS = Number(process.env.PAIRS ?? 2);

/** Every participant sees their partner's live video. */
const everyoneLive = async (pairs: [LiveSide, LiveSide][]) =>
  (await Promise.all(pairs.flatMap(([a, b]) => [partnerVideoLive(a.page, b.person.id), partnerVideoLive(b.page, a.person.id)]))).every(Boolean);

(ensureClientBuilt as (log: (m: string) => void) => void)(() => {});
const undo: (() => Promise<unknown>)[] = [];
try {
  const database = await createBenchDatabase('lk_video');
  undo.unshift(() => database.drop());
  const port = await freePort();
  const lkPort = await freePort();
  const webhookUrl = `http://127.0.0.1:${port}/api/livekit/webhook`;
  let lk: LiveKitServer = await startLiveKit({ port: lkPort, webhookUrl });
  undo.unshift(() => lk.stop());
  const server = await startServer({ port, env: { DATABASE_URL: database.url, LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret } });
  undo.unshift(() => server.stop());
  const browser: Browser = await launchBrowser();
  undo.unshift(() => browser.close());

  const recoveries: number[] = [];
  const livekitStarts: number[] = [];
  const roundStarts: number[] = [];
  for (let trial = 1; trial <= TRIALS; trial++) {
    const pages = new LivePages(server, browser);
    const cookie = await pages.organizer(`lk-video-${trial}`);
    const people = Array.from({ length: PAIRS * 2 }, (_, i) => [i < PAIRS ? 'mentor' : 'mentee', `Person ${i + 1}`] as const);
    // No-show checks out of the way: this is about the calls coming back.
    const { eventId, tables } = await pages.event(cookie, { title: `Recovery ${trial}`, rounds: 1, roundSeconds: 600, noShowAfterSeconds: 300 }, people, trial);
    const pairs: [LiveSide, LiveSide][] = [];
    for (const table of tables) pairs.push([await pages.openLive(table.mentor), await pages.openLive(table.mentees[0]!)]);
    const { run } = await pages.clock(cookie, eventId);
    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);
    await eventually(() => everyoneLive(pairs), { timeoutMs: 60_000, intervalMs: 50, what: 'everyone to see their partner' });
    roundStarts.push(Date.now() - started.startsAt);

    process.kill(pidListeningOn(lkPort), 'SIGKILL');
    await lk.stop();
    await eventually(async () => !(await Promise.all(pairs.map(([a, b]) => partnerVideoLive(a.page, b.person.id, 500)))).some(Boolean), { timeoutMs: 30_000, what: 'the pictures to stop' });
    const restartedAt = Date.now();
    lk = await startLiveKit({ port: lkPort, keys: { apiKey: lk.apiKey, apiSecret: lk.apiSecret }, webhookUrl });
    livekitStarts.push(Date.now() - restartedAt);
    await eventually(() => everyoneLive(pairs), { timeoutMs: 120_000, intervalMs: 50, what: 'every call back' });
    recoveries.push(Date.now() - restartedAt);
    console.log(`trial ${trial}: LiveKit answering after ${livekitStarts.at(-1)} ms; every participant sees their partner again after ${recoveries.at(-1)} ms`);
    await run('clock:end-event');
    await pages.close();
  }
  const line = (label: string, values: number[]) => console.log(`${label.padEnd(58)} median ${median(values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`);
  console.log(`\n${TRIALS} trials, ${PAIRS} pairs (${PAIRS * 2} pages)`);
  line('restart → every participant sees their partner again', recoveries);
  line('baseline: LiveKit started until it answers', livekitStarts);
  line('baseline: round start → everyone sees their partner', roundStarts);
  console.log(`ratio (median recovery / median LiveKit start)                ${(median(recoveries) / median(livekitStarts)).toFixed(2)}`);
} finally {
  for (const step of undo) await step().catch((error: unknown) => console.error('cleanup failed:', error));
}
