import type { ClockState } from '@constellation/shared/clock/state';
import type { VideoNoShow } from '@constellation/shared/realtime/events';
import type { AttendanceView } from '@constellation/shared/schemas/attendance';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import { apiCall, startServer, type RunningServer } from '../helpers/server.ts';
import { firstFrameAt, openLivePage, remotePicture, setUpVideoEvent } from '../helpers/video-event.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the direct video browser test: ${skipReason}`);

describe.skipIf(skipReason !== null)('video with no media server: direct WebRTC between the browsers', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let referee: ClientSocket | undefined;

  beforeAll(async () => {
    // No LIVEKIT_URL, and the local LiveKit is off (startServer's default): what `npm start` does with nothing but Node.
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    expect(server.output()).toContain('calls go directly between browsers');
  });

  afterAll(async () => {
    referee?.disconnect();
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  const api = <T>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);

  it(
    'connects each pair at the round start, brings a reloaded page back, flags and rescues a no-show, and records the meetings held',
    async () => {
      // --- Two mentors, three mentees; Carl, pinned to Marta, never opens his link.
      const { cookie, eventId, people, idOf, plan } = await setUpVideoEvent(server.url, {
        event: { title: 'Direct calls', rounds: 1, roundSeconds: 600, transitionSeconds: 20, heldAfterSeconds: 3, noShowAfterSeconds: 5 },
        people: [['mentor', 'Marta Mentor'], ['mentor', 'Nadia Mentor'], ['mentee', 'Ada Mentee'], ['mentee', 'Ben Mentee'], ['mentee', 'Carl Mentee']],
        pins: [['Marta Mentor', 'Carl Mentee']],
      });
      const event = { id: eventId };
      const [marta, carl] = [idOf('Marta Mentor'), idOf('Carl Mentee')];
      const round1 = plan.plan!.rounds[0]!;
      expect(round1.tables.find((t) => t.mentorId === marta)?.menteeIds).toEqual([carl]);
      const pair = round1.tables.find((t) => t.mentorId !== marta)!;
      const [nadia, nadiasMentee] = [pair.mentorId, pair.menteeIds[0]!];
      const sitOut = round1.sitOuts.find((s) => s.participantId !== carl)!.participantId;
      const name = (id: string) => people.get(id)!.name;

      // --- Everyone but Carl opens their link in their own browser and goes to the live page.
      const pages = new Map<string, Page>();
      const errors: string[][] = [];
      for (const person of [...people.values()].filter((p) => p.id !== carl)) {
        const opened = await openLivePage(browser, server.url, person.inviteUrl);
        contexts.push(opened.context);
        errors.push(opened.errors);
        pages.set(person.id, opened.page);
      }
      const organizerContext = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
      contexts.push(organizerContext);
      await organizerContext.addCookies(cookie.split('; ').map((c) => ({ name: c.split('=')[0]!, value: c.split('=').slice(1).join('='), url: server.url })));
      const organizer = await organizerContext.newPage();
      errors.push(recordPageErrors(organizer));
      await organizer.goto(`/events/${event.id}/run`);
      await organizer.getByText('4 of 5 participants connected').waitFor();

      referee = connectSocket(server.url, { cookie, eventId: event.id, as: 'organizer' });
      await connected(referee);
      const noShows: VideoNoShow[] = [];
      referee.on('video:no-show', (noShow) => noShows.push(noShow));

      // --- In the lobby the seated pair and Marta wait in their rooms on standby, as with LiveKit.
      for (const id of [nadia, nadiasMentee, marta]) await pages.get(id)!.locator('[data-call-standby]').waitFor({ timeout: 20_000 });

      // --- The round starts: the pair sees each other's picture.
      const started = await command<ClockState>(referee, 'clock:start');
      if (!('data' in started) || started.data.phase !== 'round') throw new Error(`start: ${JSON.stringify(started)}`);
      const startsAt = started.data.startsAt;
      const fromRoundStart: number[] = [];
      for (const [viewer, viewed] of [[nadia, nadiasMentee], [nadiasMentee, nadia]] as const) {
        const page = pages.get(viewer)!;
        await expect
          .poll(async () => (await remotePicture(page, viewed)).brightest, { timeout: 30_000, message: `${name(viewer)} to see ${name(viewed)}'s picture` })
          .toBeGreaterThan(16);
        fromRoundStart.push((await firstFrameAt(page)) - startsAt);
        await expect.poll(() => page.locator(`audio[data-remote-audio="${viewed}"]`).count(), { timeout: 10_000 }).toBe(1);
      }
      const sorted = [...fromRoundStart].sort((a, b) => a - b);
      console.log(
        `[direct-video] round start → first remote frame with a picture (direct WebRTC, ${sorted.length} pages): ` +
          `median ${Math.round((sorted[0]! + sorted[sorted.length - 1]!) / 2)} ms, max ${Math.round(sorted[sorted.length - 1]!)} ms (target ≤ 1,500 ms)`,
      );

      // --- The organizer's panel says calls are direct, and offers no watching.
      await organizer.locator('[data-video-mode="direct"]').waitFor({ timeout: 20_000 });
      expect(await organizer.getByRole('button', { name: /^Watch the table of/ }).count()).toBe(0);

      // --- Carl never comes: flagged at the no-show point, and Marta is re-paired with the mentee sitting out.
      await expect.poll(() => noShows.map((n) => n.participantId), { timeout: 30_000 }).toEqual([carl]);
      await pages.get(marta)!.locator('[data-seat-changed]').getByText(`${name(carl)} couldn't make it; you are now meeting ${name(sitOut)}`).waitFor({ timeout: 20_000 });
      for (const [viewer, viewed] of [[marta, sitOut], [sitOut, marta]] as const) {
        await expect
          .poll(async () => (await remotePicture(pages.get(viewer)!, viewed)).brightest, { timeout: 30_000, message: `${name(viewer)} to see ${name(viewed)} after the rescue` })
          .toBeGreaterThan(16);
      }

      // --- A reload brings the call back, both ways: the new page offers afresh.
      await pages.get(nadiasMentee)!.reload();
      for (const [viewer, viewed] of [[nadiasMentee, nadia], [nadia, nadiasMentee]] as const) {
        await expect
          .poll(async () => (await remotePicture(pages.get(viewer)!, viewed)).brightest, { timeout: 30_000, message: `${name(viewer)} to see ${name(viewed)} again after the reload` })
          .toBeGreaterThan(16);
      }

      // --- Camera and microphone toggles reach the partner, then back on.
      const [actor, watcher] = [pages.get(nadiasMentee)!, pages.get(nadia)!];
      await actor.getByRole('button', { name: 'Turn camera off' }).click();
      await watcher.getByText(`${name(nadiasMentee)} has their camera off`).waitFor({ timeout: 15_000 });
      await actor.getByRole('button', { name: 'Mute microphone' }).click();
      await watcher.getByText(`${name(nadiasMentee)} (muted)`).waitFor({ timeout: 15_000 });
      await actor.getByRole('button', { name: 'Turn camera off' }).click();
      await actor.getByRole('button', { name: 'Mute microphone' }).click();
      await expect.poll(async () => (await remotePicture(watcher, nadiasMentee)).brightest, { timeout: 15_000, message: 'the camera back on' }).toBeGreaterThan(16);
      await expect.poll(() => watcher.getByText(`${name(nadiasMentee)} (muted)`).count(), { timeout: 10_000 }).toBe(0);

      // --- Attendance, from the calls' real presence: both pairs held their meeting, Carl was a no-show.
      await expect
        .poll(async () => {
          const attendance = await api<AttendanceView>(`/api/events/${event.id}/attendance`, cookie);
          return attendance.rounds[0]!.seats.filter((s) => s.togetherSeconds >= 4).length;
        }, { timeout: 30_000, message: 'both pairs to have been together a while' })
        .toBe(2);
      const ended = await command<ClockState>(referee, 'clock:end-round');
      expect('data' in ended).toBe(true);
      const attendance = await api<AttendanceView>(`/api/events/${event.id}/attendance`, cookie);
      const seats = attendance.rounds[0]!.seats;
      expect(seats.find((s) => s.mentorId === nadia && s.menteeId === nadiasMentee)).toMatchObject({ outcome: 'held', met: true });
      expect(seats.find((s) => s.mentorId === marta && s.menteeId === sitOut)).toMatchObject({ outcome: 'held', source: 'rescue', met: true });
      expect(seats.find((s) => s.mentorId === marta && s.menteeId === carl)).toMatchObject({ outcome: 'no-show', noShowIds: [carl], met: false });
      expect(errors.flat()).toEqual([]);
    },
    240_000,
  );
});
