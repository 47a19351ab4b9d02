/**
 * Round start → first remote video frame with a picture, through the whole app (invite links, the
 * live page, the clock) in real Chromium pages with fake cameras, for the two ways calls travel:
 *
 * - direct: no media server, the browsers connect to each other over WebRTC (what `npm start`
 *   does with nothing but Node);
 * - baseline, LiveKit standby: the same pages and flow on an app with a local LiveKit server.
 *
 * Both wait on standby before the round (connected, camera and microphone disabled). Each trial
 * opens PAIRS pairs, starts the round and reads each page's own first-frame mark against the
 * round's start (server time); modes alternate trial by trial in the same run.
 *
 *   npx tsx bench/first-frame.ts            # PAIRS=2 TRIALS=3
 */
import { cpus, loadavg } from 'node:os';
import type { ClockState } from '@constellation/shared/clock/state';
import { launchBrowser } from '../tests/helpers/browser.ts';
import { startLiveKit } from '../tests/helpers/livekit.ts';
import { command, connectSocket, connected } from '../tests/helpers/realtime.ts';
import { freePort, startServer, type RunningServer } from '../tests/helpers/server.ts';
import { firstFrameAt, openLivePage, setUpVideoEvent } from '../tests/helpers/video-event.ts';
import { createBenchDatabase } from './live-event.ts';
import { median, report } from './lib.ts';

const PAIRS = Number(process.env.PAIRS ?? 2);
const TRIALS = Number(process.env.TRIALS ?? 3);

// Each app gets its own database: a server adopts every live event it finds in its database.
const [directDb, livekitDb] = await Promise.all([createBenchDatabase('ff_direct'), createBenchDatabase('ff_livekit')]);
const port = await freePort();
const lk = await startLiveKit({ webhookUrl: `http://127.0.0.1:${port}/api/livekit/webhook` });
// startServer's default database comes from the test run; each server here names its own.
process.env.TEST_DATABASE_URL = directDb.url;
const servers: Record<'direct' | 'livekit', RunningServer> = {
  direct: await startServer({ env: { DATABASE_URL: directDb.url } }),
  livekit: await startServer({ port, env: { DATABASE_URL: livekitDb.url, LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret } }),
};
const browser = await launchBrowser();

async function trial(mode: 'direct' | 'livekit'): Promise<number[]> {
  const server = servers[mode];
  const names = Array.from({ length: PAIRS }, (_, i) => [['mentor', `Mentor ${i + 1}`], ['mentee', `Mentee ${i + 1}`]] as const).flat();
  const { cookie, eventId, people } = await setUpVideoEvent(server.url, {
    event: { rounds: 1, roundSeconds: 600, transitionSeconds: 20, noShowAfterSeconds: 600 },
    people: names,
    pins: Array.from({ length: PAIRS }, (_, i) => [`Mentor ${i + 1}`, `Mentee ${i + 1}`] as [string, string]),
  });
  const opened = await Promise.all([...people.values()].map((p) => openLivePage(browser, server.url, p.inviteUrl)));
  try {
    for (const { page } of opened) await page.locator('[data-call-standby]').waitFor({ timeout: 60_000 });
    const organizer = connectSocket(server.url, { cookie, eventId, as: 'organizer' });
    await connected(organizer);
    // Standby calls settle (both ends connected, black frames flowing) before the round starts.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const started = await command<ClockState>(organizer, 'clock:start');
    if (!('data' in started) || started.data.phase !== 'round') throw new Error(`start: ${JSON.stringify(started)}`);
    const startsAt = started.data.startsAt;
    // A page with no picture within the minute is counted apart (the machine may be overloaded), not waited on forever.
    const times = await Promise.all(opened.map(({ page }) => firstFrameAt(page, 60_000).then((at) => at - startsAt, () => Number.POSITIVE_INFINITY)));
    await command(organizer, 'clock:end-event');
    organizer.disconnect();
    return times;
  } finally {
    await Promise.all(opened.map(({ context }) => context.close()));
  }
}

const results: Record<'direct' | 'livekit', number[]> = { direct: [], livekit: [] };
try {
  for (let i = 0; i < TRIALS; i++) {
    for (const mode of i % 2 === 0 ? (['direct', 'livekit'] as const) : (['livekit', 'direct'] as const)) {
      const times = await trial(mode);
      results[mode].push(...times);
      console.log(`trial ${i + 1} ${mode.padEnd(7)} ${times.map((t) => `${Math.round(t)} ms`).join(', ')}`);
    }
  }
  const seen = (mode: 'direct' | 'livekit') => results[mode].filter(Number.isFinite);
  const [direct, livekit] = [median(seen('direct')), median(seen('livekit'))];
  report({
    'pages per trial, trials': `${PAIRS * 2}, ${TRIALS}`,
    'load average (1 min), cores': `${loadavg()[0]!.toFixed(1)}, ${cpus().length}`,
    'direct WebRTC: median ms': direct,
    'direct WebRTC: max ms': Math.max(...seen('direct')),
    'direct WebRTC: pages with no picture in 60 s': results.direct.length - seen('direct').length,
    'LiveKit standby (baseline): median ms': livekit,
    'LiveKit standby (baseline): max ms': Math.max(...seen('livekit')),
    'LiveKit standby: pages with no picture in 60 s': results.livekit.length - seen('livekit').length,
    'ratio direct / LiveKit (medians)': direct / livekit,
  });
} finally {
  await browser.close();
  await Promise.all([servers.direct.stop(), servers.livekit.stop()]);
  await lk.stop();
  await Promise.all([directDb.drop(), livekitDb.drop()]);
}
