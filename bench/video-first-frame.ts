/**
 * Round start → first remote video frame with a picture, on a real LiveKit server with Chromium
 * pages (fake camera and microphone), for the two ways a call can open when a round starts:
 *
 * - baseline "join at start": the token arrives at the start; the page connects, opens camera and
 *   microphone, publishes, subscribes (what the app did before standby);
 * - "standby": the page joined the next round's room ahead of it with its tracks disabled (black
 *   frames, silence) and enables them at the start (what the app does now).
 *
 * Every page of a run starts at the same wall-clock instant; the time is taken at the first frame
 * of the partner's video that is not black. Both variants run in the same process, alternating.
 *
 *   npx tsx bench/video-first-frame.ts            # PAIRS=2 ROUNDS=4
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { LiveKitVideoProvider } from '../server/src/modules/video/livekit.provider.ts';
import { launchBrowser } from '../tests/helpers/browser.ts';
import { serveLiveKitPage, startLiveKit } from '../tests/helpers/livekit.ts';
import { median, report } from './lib.ts';

const PAIRS = Number(process.env.PAIRS ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 4);

const http = await serveLiveKitPage();
const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

const lk = await startLiveKit();
const provider = new LiveKitVideoProvider(lk);
const browser = await launchBrowser();

/** Page side. `prepare` joins on standby (or does nothing for the baseline); `start` runs at `startAt`. */
const PAGE_SCRIPT = () => {
  type LK = typeof import('livekit-client');
  // Read when called: this runs before the page's script tag loads the library.
  const lib = () => (window as unknown as { LivekitClient: LK }).LivekitClient;
  const w = window as unknown as Record<string, unknown>;
  // The app's room options: one layer, no adaptive pausing.
  const options = { adaptiveStream: false, dynacast: false, publishDefaults: { simulcast: false } };

  /** Resolves with the time (epoch ms) of the first frame of `room`'s remote video that shows a picture. */
  const firstPicture = (room: import('livekit-client').Room) =>
    new Promise<number>((resolve) => {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 8;
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      const watch = (track: { attach(): HTMLMediaElement }) => {
        const video = track.attach() as HTMLVideoElement;
        video.muted = true;
        document.body.append(video);
        const check = () => {
          context.drawImage(video, 0, 0, 8, 8);
          const pixels = context.getImageData(0, 0, 8, 8).data;
          for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! > 16 || pixels[i + 1]! > 16 || pixels[i + 2]! > 16) return resolve(Date.now());
          video.requestVideoFrameCallback(check);
        };
        video.requestVideoFrameCallback(check);
      };
      for (const participant of room.remoteParticipants.values()) {
        for (const publication of participant.videoTrackPublications.values()) if (publication.videoTrack) watch(publication.videoTrack);
      }
      room.on(lib().RoomEvent.TrackSubscribed, (track) => track.kind === 'video' && watch(track));
    });

  w.prepare = async (url: string, token: string) => {
    const room = new (lib().Room)(options);
    w.room = room;
    const tracks = lib().createLocalTracks({ audio: true, video: true });
    await room.connect(url, token);
    const local = await tracks;
    for (const track of local) track.mediaStreamTrack.enabled = false;
    w.held = local;
    await Promise.all(local.map((track) => room.localParticipant.publishTrack(track)));
  };

  w.start = async (startAt: number, join: { url: string; token: string } | null) => {
    await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
    if (join) {
      const room = new (lib().Room)(options);
      w.room = room;
      const seen = firstPicture(room);
      const tracks = lib().createLocalTracks({ audio: true, video: true });
      await room.connect(join.url, join.token);
      await Promise.all((await tracks).map((track) => room.localParticipant.publishTrack(track)));
      return (await seen) - startAt;
    }
    for (const track of w.held as { mediaStreamTrack: MediaStreamTrack }[]) track.mediaStreamTrack.enabled = true;
    return (await firstPicture(w.room as import('livekit-client').Room)) - startAt;
  };

  w.leave = async () => {
    await (w.room as { disconnect(): Promise<void> } | undefined)?.disconnect();
    document.querySelectorAll('video').forEach((video) => video.remove());
  };
};

const pages: Page[] = [];
for (let i = 0; i < PAIRS * 2; i++) {
  const context = await browser.newContext();
  // tsx compiles with keepNames, whose helper the page does not have.
  await context.addInitScript('window.__name = (f) => f');
  await context.addInitScript(PAGE_SCRIPT);
  const page = await context.newPage();
  await page.goto(origin);
  // The camera permission and the device warm-up happen in the lobby, before any round.
  await page.evaluate(async () => (await navigator.mediaDevices.getUserMedia({ audio: true, video: true })).getTracks().forEach((t) => t.stop()));
  pages.push(page);
}

type Variant = 'join at start' | 'standby';
const results: Record<Variant, number[]> = { 'join at start': [], standby: [] };

async function round(variant: Variant): Promise<void> {
  const rooms = Array.from({ length: PAIRS }, () => `bench-${randomUUID()}`);
  await Promise.all(rooms.map((name) => provider.ensureRoom(name, { emptyTimeoutSec: 120, maxParticipants: 4 })));
  const tokens = await Promise.all(
    pages.map((_, i) => provider.mintParticipantToken({ roomName: rooms[i >> 1]!, identity: `p${i}`, name: `p${i}`, ttlSeconds: 600 })),
  );
  if (variant === 'standby') {
    await Promise.all(pages.map((page, i) => page.evaluate(([u, t]) => (window as any).prepare(u, t), [lk.url, tokens[i]!] as const)));
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the rest of the transition
  }
  const startAt = Date.now() + 300;
  const join = (i: number) => (variant === 'standby' ? null : { url: lk.url, token: tokens[i]! });
  const delays = await Promise.all(pages.map((page, i) => page.evaluate(([at, j]) => (window as any).start(at, j), [startAt, join(i)] as const)));
  results[variant].push(...(delays as number[]));
  await Promise.all(pages.map((page) => page.evaluate(() => (window as any).leave())));
  await Promise.all(rooms.map((name) => provider.closeRoom(name)));
}

try {
  // A warm-up round of each, not counted: the first connection of a page pays for codec and device setup.
  await round('join at start');
  await round('standby');
  results['join at start'] = [];
  results.standby = [];
  for (let r = 0; r < ROUNDS; r++) {
    await round('join at start');
    await round('standby');
  }
  const baseline = median(results['join at start']);
  const standby = median(results.standby);
  console.log(`Round start → first remote video frame with a picture (${PAIRS} pairs in ${PAIRS * 2} Chromium pages, ${ROUNDS} rounds each, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)})`);
  report({
    'baseline, join at start: median (ms)': Math.round(baseline),
    'baseline, join at start: max (ms)': Math.round(Math.max(...results['join at start'])),
    'standby (the app): median (ms)': Math.round(standby),
    'standby (the app): max (ms)': Math.round(Math.max(...results.standby)),
    'standby / baseline (median)': (standby / baseline).toFixed(2),
  });
} finally {
  await browser.close();
  await lk.stop();
  http.close();
}
