import { randomUUID } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { roomNameFor } from '../../server/src/modules/video/room-name.ts';
import { videoRoutes } from '../../server/src/modules/video/video.routes.ts';
import { createWebhookVerifier, type PresenceChange } from '../../server/src/modules/video/webhook.ts';
import { eventually, liveKitAvailability, serveLiveKitPage, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';

const livekit = liveKitAvailability();
const chromiumPath = findChromium();

function findChromium(): string | null {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Try the next one.
    }
  }
  if (process.env.CI) throw new Error('Chromium not found (CHROMIUM_PATH, /usr/bin/chromium); CI must run these tests');
  console.warn('Skipping browser video tests: Chromium not found (set CHROMIUM_PATH)');
  return null;
}

/** Runs in the page: livekit-client as a browser uses it, with Chromium's fake camera and microphone. */
const PAGE_SCRIPT = `
const { Room, RoomEvent, Track, DisconnectReason } = LivekitClient;
const state = { subscribed: [], disconnectReason: null };
let room;
globalThis.lk = {
  async join(url, token) {
    room = new Room();
    room.on(RoomEvent.TrackSubscribed, (track, _pub, participant) => {
      state.subscribed.push(participant.identity + ':' + track.source);
    });
    room.on(RoomEvent.Disconnected, (reason) => {
      state.disconnectReason = DisconnectReason[reason] ?? String(reason);
    });
    await room.connect(url, token);
    const canPublish = room.localParticipant.permissions?.canPublish;
    if (canPublish) await room.localParticipant.enableCameraAndMicrophone();
  },
  async shareScreen(source = 'screen_share') {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    canvas.getContext('2d').fillRect(0, 0, 64, 64);
    const [track] = canvas.captureStream(5).getVideoTracks();
    try {
      await room.localParticipant.publishTrack(track, { source });
      return 'published';
    } catch (error) {
      return 'refused: ' + error.message;
    }
  },
  state() {
    return {
      ...state,
      connection: room.state,
      others: [...room.remoteParticipants.keys()].sort(),
    };
  },
};
`;

interface PageState {
  subscribed: string[];
  disconnectReason: string | null;
  connection: string;
  others: string[];
}

interface PageApi {
  join(url: string, token: string): Promise<void>;
  shareScreen(source?: string): Promise<string>;
  state(): PageState;
}

/** What `page.evaluate` callbacks see; they are serialised into the page, so they cannot close over helpers. */
type PageGlobal = { lk: PageApi };

describe.skipIf(!livekit.available || !chromiumPath)('a pair meeting in its LiveKit room, in real browsers', () => {
  let server: LiveKitServer;
  let app: FastifyInstance;
  let pageServer: Server;
  let pageUrl: string;
  let browser: Browser;
  let provider: LiveKitVideoProvider;
  const presence: PresenceChange[] = [];

  beforeAll(async () => {
    let verify: ReturnType<typeof createWebhookVerifier> | undefined;
    app = Fastify();
    await app.register(videoRoutes, {
      verifyWebhook: (body, auth) => verify!(body, auth),
      onPresence: (change) => void presence.push(change),
    });
    const appUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    server = await startLiveKit({ webhookUrl: `${appUrl}/api/livekit/webhook` });
    verify = createWebhookVerifier(server);
    provider = new LiveKitVideoProvider(server);
    pageServer = await serveLiveKitPage(PAGE_SCRIPT);
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--no-sandbox'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await app?.close();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
  });

  async function joinAs(token: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    await page.evaluate(([url, t]) => (globalThis as unknown as PageGlobal).lk.join(url!, t!), [server.url, token]);
    return page;
  }

  const stateOf = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobal).lk.state());

  it('connects mentor and mentee to each other, hides the observer, and reports who is there', async () => {
    const roomName = roomNameFor({ eventId: randomUUID(), round: 2, tableId: randomUUID() });
    const [mentor, mentee] = [randomUUID(), randomUUID()];
    await provider.ensureRoom(roomName, { emptyTimeoutSec: 60, maxParticipants: 3 });
    const mint = (identity: string, name: string) =>
      provider.mintParticipantToken({ roomName, identity, name, ttlSeconds: 600 });

    const [mentorPage, menteePage, observerPage] = await Promise.all([
      joinAs(await mint(mentor, 'Grace Mentor')),
      joinAs(await mint(mentee, 'Ada Mentee')),
      joinAs(await provider.mintObserverToken({ roomName, identity: 'observer-1', name: 'Org', ttlSeconds: 600 })),
    ]);

    // Each side receives the other's camera and microphone.
    await eventually(async () => (await stateOf(mentorPage)).subscribed.length === 2, { what: 'mentor to see mentee' });
    await eventually(async () => (await stateOf(menteePage)).subscribed.length === 2, { what: 'mentee to see mentor' });
    expect((await stateOf(mentorPage)).subscribed.sort()).toEqual([`${mentee}:camera`, `${mentee}:microphone`]);
    expect((await stateOf(menteePage)).subscribed.sort()).toEqual([`${mentor}:camera`, `${mentor}:microphone`]);
    // The observer watches both without being seen.
    await eventually(async () => (await stateOf(observerPage)).subscribed.length === 4, { what: 'observer to watch' });
    expect((await stateOf(mentorPage)).others).toEqual([mentee]);
    expect((await stateOf(observerPage)).others).toEqual([mentee, mentor].sort());

    // The grant allows the camera, the microphone and a shared screen (a portfolio, some code), nothing else.
    expect(await menteePage.evaluate(() => (globalThis as unknown as PageGlobal).lk.shareScreen('screen_share_audio'))).toMatch(/^refused/);
    expect(await menteePage.evaluate(() => (globalThis as unknown as PageGlobal).lk.shareScreen())).toBe('published');
    const listed = await provider.listParticipants(roomName);
    expect(listed.find((p) => p.identity === mentee)?.publishedSources.sort()).toEqual(['camera', 'microphone', 'screen_share']);
    expect(listed.find((p) => p.identity === 'observer-1')?.publishedSources).toEqual([]);

    await eventually(
      () => presence.filter((c) => c.kind === 'participant_joined' && c.roomName === roomName).length === 3,
      { what: 'three participant_joined webhooks' },
    );
    const joined = presence.filter((c) => c.kind === 'participant_joined' && c.roomName === roomName);
    expect(joined.map((c) => 'identity' in c && [c.identity, c.hidden]).sort()).toEqual(
      [
        [mentor, false],
        [mentee, false],
        ['observer-1', true],
      ].sort(),
    );

    // The end of the round: everyone is sent away and the room is gone.
    await provider.closeRoom(roomName);
    for (const page of [mentorPage, menteePage, observerPage]) {
      const state = await eventually(async () => {
        const s = await stateOf(page);
        return s.disconnectReason !== null && s;
      }, { what: 'the browser to be disconnected' });
      expect(state.disconnectReason).toBe('PARTICIPANT_REMOVED');
    }
    await eventually(() => presence.some((c) => c.kind === 'room_finished' && c.roomName === roomName), {
      what: 'room_finished',
    });
    const left = presence.filter((c) => c.kind === 'participant_left' && c.roomName === roomName);
    expect(left.map((c) => 'identity' in c && c.identity).sort()).toEqual([mentor, mentee, 'observer-1'].sort());
    await Promise.all([mentorPage.close(), menteePage.close(), observerPage.close()]);
  }, 120_000); // three browser pages on a shared CI machine
});
