/**
 * The LiveKit server killed (SIGKILL) mid-round and started again, with two people in a call on
 * the app's own pages: their calls come back by themselves (live frames again, not a frozen last
 * one), nobody is flagged as a no-show, and the meeting counts as held. Prints the recovery time.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceView } from '@constellation/shared/schemas/attendance';
import type { PartnerNoShow, VideoNoShow } from '@constellation/shared/realtime/events';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.ts';
import { eventually, liveKitAvailability, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';
import { LivePages, partnerVideoLive, type LiveSide } from '../helpers/live-pages.ts';
import { connectSocket, connected } from '../helpers/realtime.ts';
import { freePort, pidListeningOn, startServer, type RunningServer } from '../helpers/server.ts';

const skipReason = browserUnavailableReason();
const livekit = liveKitAvailability();
if (skipReason) console.warn(`Skipping the LiveKit restart browser test: ${skipReason}`);

describe.skipIf(skipReason !== null || !livekit.available)('LiveKit killed and restarted mid-round, in real browsers', () => {
  let lk: LiveKitServer;
  let lkPort: number;
  let webhookUrl: string;
  let server: RunningServer;
  let browser: Browser;
  let pages: LivePages;

  beforeAll(async () => {
    const port = await freePort();
    lkPort = await freePort();
    webhookUrl = `http://127.0.0.1:${port}/api/livekit/webhook`;
    [lk, browser] = await Promise.all([startLiveKit({ port: lkPort, webhookUrl }), launchBrowser()]);
    server = await startServer({ port, env: { LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret } });
    pages = new LivePages(server, browser);
  }, 120_000);

  afterAll(async () => {
    await pages?.close();
    await browser?.close();
    await server?.stop();
    await lk?.stop();
  }, 60_000);

  /** Both see the other's live video (new frames keep coming). */
  const bothLive = (a: LiveSide, b: LiveSide) => Promise.all([partnerVideoLive(a.page, b.person.id), partnerVideoLive(b.page, a.person.id)]).then(([x, y]) => x && y);
  const neitherLive = (a: LiveSide, b: LiveSide) => Promise.all([partnerVideoLive(a.page, b.person.id, 500), partnerVideoLive(b.page, a.person.id, 500)]).then(([x, y]) => !x && !y);

  it('brings both calls back by themselves, flags nobody as a no-show and counts the meeting as held', { timeout: 300_000 }, async () => {
    // The no-show point falls while the calls are down or coming back: the check must not mistake that for absence.
    const NO_SHOW_SECONDS = 20;
    const cookie = await pages.organizer('lk-restart');
    const { eventId, tables } = await pages.event(cookie, { title: 'Restart evening', rounds: 1, roundSeconds: 300, noShowAfterSeconds: NO_SHOW_SECONDS, heldAfterSeconds: 3 }, [
      ['mentor', 'Marta Mentor'],
      ['mentee', 'Ada Mentee'],
    ]);
    const mentor = await pages.openLive(tables[0]!.mentor);
    const mentee = await pages.openLive(tables[0]!.mentees[0]!);
    const { socket, run } = await pages.clock(cookie, eventId);
    const flagged: VideoNoShow[] = [];
    socket.on('video:no-show', (n) => flagged.push(n));
    const told: PartnerNoShow[] = [];
    const remadeAt: number[] = [];
    for (const side of [mentor, mentee]) {
      // What each person's own socket hears, as their page does.
      const own = connectSocket(server.url, { cookie: await side.page.context().cookies().then((cs) => cs.map((c) => `${c.name}=${c.value}`).join('; ')) });
      own.on('partner:no-show', (n) => told.push(n));
      own.on('video:assigned', (a) => a.remade && remadeAt.push(Date.now()));
      await connected(own);
    }

    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);
    await eventually(() => bothLive(mentor, mentee), { timeoutMs: 60_000, intervalMs: 200, what: 'both to see each other' });

    // SIGKILL: every room and every connection is gone at once; the pictures freeze.
    process.kill(pidListeningOn(lkPort), 'SIGKILL');
    await lk.stop();
    await eventually(() => neitherLive(mentor, mentee), { timeoutMs: 30_000, intervalMs: 200, what: 'the pictures to stop' });
    const restartedAt = Date.now();
    lk = await startLiveKit({ port: lkPort, keys: { apiKey: lk.apiKey, apiSecret: lk.apiSecret }, webhookUrl });
    const livekitReadyMs = Date.now() - restartedAt;

    // Nobody reloads or clicks: the server makes the room again and both calls come back.
    await eventually(() => bothLive(mentor, mentee), { timeoutMs: 120_000, intervalMs: 200, what: 'both calls back after the restart' });
    console.log(
      `[faults] LiveKit back after ${livekitReadyMs} ms; room made again and handed out after ${Math.max(...remadeAt) - restartedAt} ms; both see each other again ${Date.now() - restartedAt} ms after the restart began`,
    );

    // Past the no-show point, with the server's check done: nobody flagged, nobody told their partner is missing.
    await eventually(() => Date.now() > started.startsAt + NO_SHOW_SECONDS * 1000 + 3_000, { timeoutMs: 60_000, intervalMs: 250, what: 'the no-show point to pass' });
    await eventually(() => bothLive(mentor, mentee), { timeoutMs: 30_000, intervalMs: 200, what: 'both still in the call' });
    expect(flagged).toEqual([]);
    expect(told).toEqual([]);

    await run('clock:end-round');
    const attendance = await pages.api<AttendanceView>(`/api/events/${eventId}/attendance`, cookie);
    expect(attendance.rounds.map((r) => r.seats.map((s) => [s.outcome, s.met]))).toEqual([[['held', true]]]);
    for (const side of [mentor, mentee]) expect(side.errors.filter((e) => !/signal stream|DataChannel error|ConnectionError|WebSocket connection to .* failed|cannot send signal request before connected/.test(e))).toEqual([]);
  });
});
