import type { ClockState } from '@constellation/shared/clock/state';
import type { VideoNoShow } from '@constellation/shared/realtime/events';
import type { AttendanceView } from '@constellation/shared/schemas/attendance';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import { partnerVideoLive } from '../helpers/live-pages.ts';
import { apiCall, startServer, type RunningServer } from '../helpers/server.ts';
import { firstFrameAt, openLivePage, remotePicture, setUpVideoEvent } from '../helpers/video-event.ts';

/**
 * The app's Socket.IO connection of one browser, cut on demand: `cut()` closes its WebSocket and
 * refuses every new connection attempt (polling and WebSocket) until `restore()`. Media over WebRTC
 * is not touched.
 */
async function cuttableSocket(context: BrowserContext): Promise<{ cut(): Promise<void>; restore(): void }> {
  const SOCKET_IO = /\/socket\.io\//;
  let blocked = false;
  const open = new Set<WebSocketRoute>();
  await context.route(SOCKET_IO, (route) => (blocked ? route.abort('internetdisconnected') : route.continue()));
  await context.routeWebSocket(SOCKET_IO, (ws) => {
    // Not connected to the server: Playwright opens it in the page, and it is closed at once.
    if (blocked) return void ws.close().catch(() => {});
    ws.connectToServer();
    open.add(ws);
  });
  return {
    async cut() {
      blocked = true;
      // Closing the page's side closes the server's too.
      await Promise.all([...open].map((ws) => ws.close().catch(() => {})));
      open.clear();
    },
    restore() {
      blocked = false;
    },
  };
}

/** Counts the RTCPeerConnections the page makes (`window.__peerConnections`): a call made again shows as one more. */
function countPeerConnections(): void {
  const Original = window.RTCPeerConnection;
  const counted = window as unknown as { __peerConnections: number };
  counted.__peerConnections = 0;
  window.RTCPeerConnection = class extends Original {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      counted.__peerConnections++;
    }
  };
}
const peerConnections = (page: Page) => page.evaluate(() => (window as unknown as { __peerConnections: number }).__peerConnections);

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the direct video browser test: ${skipReason}`);

describe.skipIf(skipReason !== null)('video with no media server: direct WebRTC between the browsers', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let referee: ClientSocket | undefined;
  const organizers: ClientSocket[] = [];

  beforeAll(async () => {
    // No LIVEKIT_URL, and the local LiveKit is off (startServer's default): what `npm start` does with nothing but Node.
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    expect(server.output()).toContain('calls go directly between browsers');
  });

  afterAll(async () => {
    referee?.disconnect();
    organizers.forEach((socket) => socket.disconnect());
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
  it(
    'keeps a call, frames and all, while one page\'s socket drops and comes back: no call made again, no no-show, and the next round still connects',
    async () => {
      // --- One mentor, two mentees, two rounds: Maya meets one mentee in each round, the other sits out.
      // The no-show point is late enough to fall while Maya's socket is down (the waits before it are shorter).
      const noShowAfterSeconds = 60;
      const { cookie, eventId, people, idOf, plan } = await setUpVideoEvent(server.url, {
        event: { title: 'Direct calls, socket dropped', rounds: 2, roundSeconds: 600, transitionSeconds: 10, heldAfterSeconds: 3, noShowAfterSeconds },
        people: [['mentor', 'Maya Mentor'], ['mentee', 'Xavi Mentee'], ['mentee', 'Yara Mentee']],
      });
      const maya = idOf('Maya Mentor');
      const [first, second] = [plan.plan!.rounds[0]!, plan.plan!.rounds[1]!];
      const partner1 = first.tables.find((t) => t.mentorId === maya)!.menteeIds[0]!;
      const partner2 = second.tables.find((t) => t.mentorId === maya)!.menteeIds[0]!;
      expect(partner2).not.toBe(partner1);
      const name = (id: string) => people.get(id)!.name;

      const pages = new Map<string, Page>();
      const errors: string[][] = [];
      let mayasSocket: Awaited<ReturnType<typeof cuttableSocket>> | undefined;
      for (const person of people.values()) {
        const opened = await openLivePage(browser, server.url, person.inviteUrl, {
          prepare: async (context) => {
            await context.addInitScript(countPeerConnections);
            if (person.id === maya) mayasSocket = await cuttableSocket(context);
          },
        });
        contexts.push(opened.context);
        errors.push(opened.errors);
        pages.set(person.id, opened.page);
      }
      const [mayasPage, partnersPage] = [pages.get(maya)!, pages.get(partner1)!];

      const organizer = connectSocket(server.url, { cookie, eventId, as: 'organizer' });
      organizers.push(organizer);
      await connected(organizer);
      const noShows: VideoNoShow[] = [];
      organizer.on('video:no-show', (noShow) => noShows.push(noShow));

      // --- Round 1: Maya and her partner see each other.
      for (const id of [maya, partner1]) await pages.get(id)!.locator('[data-call-standby]').waitFor({ timeout: 20_000 });
      const started = await command<ClockState>(organizer, 'clock:start');
      if (!('data' in started) || started.data.phase !== 'round') throw new Error(`start: ${JSON.stringify(started)}`);
      const noShowPoint = started.data.startsAt + noShowAfterSeconds * 1000;
      for (const [viewer, viewed] of [[maya, partner1], [partner1, maya]] as const) {
        await expect
          .poll(async () => (await remotePicture(pages.get(viewer)!, viewed)).brightest, { timeout: 20_000, message: `${name(viewer)} to see ${name(viewed)}'s picture` })
          .toBeGreaterThan(16);
      }
      const made = { maya: await peerConnections(mayasPage), partner: await peerConnections(partnersPage) };

      // --- Maya's socket drops, and stays down past the no-show point: the call goes on, frames flowing both ways.
      await mayasSocket!.cut();
      await mayasPage.getByText('Connection lost; reconnecting…').waitFor({ timeout: 10_000 });
      let checks = 0;
      while (checks < 5 || Date.now() < noShowPoint + 2_000) {
        expect(await partnerVideoLive(partnersPage, maya, 2_000), `${name(partner1)} to keep seeing ${name(maya)} live while her socket is down`).toBe(true);
        expect(await partnerVideoLive(mayasPage, partner1, 2_000), `${name(maya)} to keep seeing ${name(partner1)} live while her socket is down`).toBe(true);
        checks++;
      }
      expect(await mayasPage.getByText('Connection lost; reconnecting…').count(), 'the socket to have stayed down throughout').toBe(1);

      // --- The socket comes back: the same calls, signalling resumes (a camera toggle reaches the partner).
      mayasSocket!.restore();
      await expect.poll(() => mayasPage.getByText('Connection lost; reconnecting…').count(), { timeout: 30_000, message: 'the socket to reconnect' }).toBe(0);
      await mayasPage.getByRole('button', { name: 'Turn camera off' }).click();
      await partnersPage.getByText(`${name(maya)} has their camera off`).waitFor({ timeout: 15_000 });
      await mayasPage.getByRole('button', { name: 'Turn camera off' }).click();
      await expect.poll(async () => (await remotePicture(partnersPage, maya)).brightest, { timeout: 15_000, message: 'the camera back on' }).toBeGreaterThan(16);
      expect(await partnerVideoLive(mayasPage, partner1, 2_000)).toBe(true);
      expect({ maya: await peerConnections(mayasPage), partner: await peerConnections(partnersPage) }, 'no call made again').toEqual(made);
      expect(noShows).toEqual([]);

      // --- Round 2 starts a call between Maya and her next partner over the same socket.
      const ended = await command<ClockState>(organizer, 'clock:end-round');
      expect('data' in ended).toBe(true);
      for (const [viewer, viewed] of [[maya, partner2], [partner2, maya]] as const) {
        await expect
          .poll(async () => (await remotePicture(pages.get(viewer)!, viewed)).brightest, { timeout: 30_000, message: `${name(viewer)} to see ${name(viewed)} in round 2` })
          .toBeGreaterThan(16);
      }
      // The first round's meeting was held: Maya was never taken for gone.
      const attendance = await api<AttendanceView>(`/api/events/${eventId}/attendance`, cookie);
      expect(attendance.rounds[0]!.seats.find((s) => s.mentorId === maya)).toMatchObject({ outcome: 'held', met: true });
      expect(noShows).toEqual([]);
      expect(errors.flat()).toEqual([]);
    },
    240_000,
  );
});
