/**
 * Live rescue on a real LiveKit, in real Chromium pages: from the no-show point to both rescued
 * people seeing the other's picture (a decoded frame that is not black), median and max over
 * TRIALS rescues, beside a plain round start in the same run (a pair waiting on standby in its
 * room, going live when the round starts).
 *
 * Each trial is an event of three tables: at table 1 the mentee never comes, at table 2 the mentor
 * never comes, table 3 meets normally. The two left waiting are re-paired by the server at the
 * no-show point (`seat:changed`, with a fresh room) and their pages switch rooms, as the app's
 * client does.
 *
 *   npx tsx bench/rescue.ts            (TRIALS=10 NO_SHOW_SECONDS=6 DEBUG_BENCH=1 for the steps)
 */
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { SeatChanged, VideoConnection } from '@constellation/shared/realtime/events';
import { median } from './lib.ts';

const TRIALS = Number(process.env.TRIALS ?? 10);
const NO_SHOW_SECONDS = Number(process.env.NO_SHOW_SECONDS ?? 6);

/**
 * livekit-client in the page, used as the app's client uses it (video-call.svelte.ts): the next
 * round's room is joined on standby with camera and microphone disabled (black frames, silence)
 * and enabled when the round starts; a call moving rooms mid-round takes its open tracks along and
 * does not wait for the old room's goodbye. "Seen" is the first decoded remote frame with a picture
 * in it (not black), so a standby call's black frames do not count.
 */
const PAGE_SCRIPT = `
let room = null;
let local = [];
let seen = {};
const canvas = document.createElement('canvas');
canvas.width = 16; canvas.height = 16;
const ctx = canvas.getContext('2d', { willReadFrequently: true });
const hasPicture = (video) => {
  ctx.drawImage(video, 0, 0, 16, 16);
  const px = ctx.getImageData(0, 0, 16, 16).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
  return sum / (px.length / 4) > 30;
};
const watch = (video, identity, generation) => {
  const onFrame = () => {
    if (generation !== globalThis.generation) return;
    if (hasPicture(video)) { seen[identity] ??= Date.now(); return; }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
};
globalThis.generation = 0;
globalThis.lk = {
  async join(url, token, { standby = false, carry = false } = {}) {
    const generation = ++globalThis.generation;
    const carried = carry && room && room.state === 'connected' ? local : [];
    if (room) { room.removeAllListeners(); void room.disconnect(carried.length === 0); }
    document.querySelectorAll('video').forEach((v) => v.remove());
    seen = {};
    room = new LivekitClient.Room({ adaptiveStream: false, dynacast: false, publishDefaults: { simulcast: false } });
    room.on(LivekitClient.RoomEvent.TrackSubscribed, (track, _pub, participant) => {
      if (track.kind !== 'video') return;
      const video = track.attach();
      video.muted = true;
      document.body.append(video);
      watch(video, participant.identity, generation);
    });
    const tracks = carried.length
      ? Promise.resolve(carried)
      : LivekitClient.createLocalTracks({ audio: true, video: true }).then((made) => {
          for (const t of made) t.mediaStreamTrack.enabled = !standby;
          return made;
        });
    await room.connect(url, token);
    local = await tracks;
    await Promise.all(local.map((t) => room.localParticipant.publishTrack(t)));
  },
  live() { for (const t of local) t.mediaStreamTrack.enabled = true; },
  seen(identity) { return seen[identity] ?? null; },
  async leave() {
    globalThis.generation++;
    if (room) await room.disconnect(true);
    room = null;
    local = [];
  },
};
`;
type PageApi = {
  lk: { join(url: string, token: string, options?: { standby?: boolean; carry?: boolean }): Promise<void>; live(): void; seen(identity: string): number | null; leave(): Promise<void> };
};

async function main(): Promise<void> {
  const { createBenchDatabase, buildBenchApp } = await import('./live-event.ts');
  const { LiveKitVideoProvider } = await import('../server/src/modules/video/livekit.provider.ts');
  const { startLiveKit, serveLiveKitPage, eventually } = await import('../tests/helpers/livekit.ts');
  const { launchBrowser } = await import('../tests/helpers/browser.ts');
  const { freePort } = await import('../tests/helpers/server.ts');
  const { connectSocket, connected, nextEvent, command } = await import('../tests/helpers/realtime.ts');
  const { makeEvent, makeParticipant } = await import('../tests/factories/index.ts');
  const undo: (() => Promise<unknown>)[] = [];
  try {
    const database = await createBenchDatabase('rescue');
    undo.unshift(() => database.drop());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const lk = await startLiveKit({ webhookUrl: `${url}/api/livekit/webhook` });
    undo.unshift(() => lk.stop());
    const bench = await buildBenchApp(database.url, { video: new LiveKitVideoProvider(lk), livekit: lk, logger: false });
    undo.unshift(() => bench.close());
    await bench.app.listen({ port, host: '127.0.0.1' });
    const pageServer = await serveLiveKitPage(PAGE_SCRIPT);
    undo.unshift(() => new Promise((resolve) => pageServer.close(resolve)));
    const browser = await launchBrowser();
    undo.unshift(() => browser.close());
    const pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    const app = bench.app;
    const cookieOf = (r: { cookies: { name: string; value: string }[] }) => r.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const organizer = cookieOf(await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: `bench-rescue-${process.pid}@example.com`, name: 'Bench', password: 'bench password' } }));

    // One browser context per person, as four people on four machines; the pages stay open across
    // trials, as a participant's page stays open through an event.
    const seats = ['waiting mentor', 'waiting mentee', 'plain mentor', 'plain mentee'] as const;
    const pages: Page[] = [];
    for (const _ of seats) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(pageUrl);
      pages.push(page);
    }
    const api = (page: Page) => ({
      join: (c: VideoConnection, options: { standby?: boolean; carry?: boolean }) =>
        page.evaluate(([u, t, o]) => (globalThis as unknown as PageApi).lk.join(u as string, t as string, o as { standby?: boolean; carry?: boolean }), [c.serverUrl, c.token, options] as const),
      live: () => page.evaluate(() => (globalThis as unknown as PageApi).lk.live()),
      seen: (identity: string) => page.evaluate((who) => (globalThis as unknown as PageApi).lk.seen(who), identity),
      leave: () => page.evaluate(() => (globalThis as unknown as PageApi).lk.leave()),
    });

    const rescues: number[] = [];
    const plainStarts: number[] = [];
    const seatNotices: number[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const headers = { cookie: organizer };
      const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 1, roundSeconds: 120, noShowAfterSeconds: NO_SHOW_SECONDS }) })).json();
      for (const role of ['mentor', 'mentor', 'mentor', 'mentee', 'mentee', 'mentee'] as const) {
        await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) });
      }
      await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: trial } });
      const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
      const cookie = new Map<string, string>();
      for (const invite of invites) cookie.set(invite.participantId, cookieOf(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } })));
      const { rows } = await bench.pool.query<{ mentor_id: string; mentee_id: string }>('SELECT mentor_id, mentee_id FROM meetings WHERE event_id = $1 AND round = 1 ORDER BY mentor_id', [event.id]);
      const [waitingMentorTable, waitingMenteeTable, plainTable] = rows as [{ mentor_id: string; mentee_id: string }, { mentor_id: string; mentee_id: string }, { mentor_id: string; mentee_id: string }];
      const present = [waitingMentorTable.mentor_id, waitingMenteeTable.mentee_id, plainTable.mentor_id, plainTable.mentee_id];
      const person = new Map(present.map((id, k) => [id, api(pages[k]!)]));

      // Everyone present has the live page open in the lobby and waits in their room on standby.
      const sockets = new Map(present.map((id) => [id, connectSocket(url, { cookie: cookie.get(id)! })]));
      const standby = present.map(
        (id) =>
          new Promise<void>((resolve, reject) => {
            const socket = sockets.get(id)!;
            let joined = false;
            const join = (c: VideoConnection | undefined) => {
              if (!c || joined) return;
              joined = true;
              person.get(id)!.join(c, { standby: true }).then(resolve, reject);
            };
            socket.on('video:upcoming', (u) => join(u.connection));
            socket.on('event:snapshot', (s) => join(s.videoNext?.connection));
          }),
      );
      await Promise.all([...sockets.values()].map((s) => connected(s)));
      await Promise.all(standby);
      // The round starting takes every standby call live, as the app's client does on the clock change.
      for (const id of present) {
        sockets.get(id)!.on('clock:changed', ({ clock }) => {
          if (clock.phase === 'round') void person.get(id)!.live();
        });
      }
      const marks: Record<string, number> = {};
      const seatChanged = [waitingMentorTable.mentor_id, waitingMenteeTable.mentee_id].map((id) =>
        nextEvent(sockets.get(id)!, 'seat:changed', 60_000).then(async (change: SeatChanged) => {
          marks[`seat:changed ${id.slice(0, 4)}`] = Date.now();
          await person.get(id)!.join(change.connection!, { carry: true });
          marks[`rejoined ${id.slice(0, 4)}`] = Date.now();
        }),
      );
      const org = connectSocket(url, { cookie: organizer, eventId: event.id, as: 'organizer' });
      await connected(org);
      const started = await command<{ startsAt: number }>(org, 'clock:start');
      if ('error' in started) throw new Error(started.error.message);
      const startsAt = started.data.startsAt;
      const noShowPoint = startsAt + NO_SHOW_SECONDS * 1000;
      await Promise.all(seatChanged);
      const both = async (a: string, b: string) => {
        const [ab, ba] = await eventually(async () => {
          const pair = [await person.get(a)!.seen(b), await person.get(b)!.seen(a)];
          return pair.every((v) => v !== null) ? (pair as [number, number]) : undefined;
        }, { timeoutMs: 30_000, intervalMs: 20, what: 'both to see each other' });
        return Math.max(ab, ba);
      };
      const rescued = await both(waitingMentorTable.mentor_id, waitingMenteeTable.mentee_id);
      const plain = await both(plainTable.mentor_id, plainTable.mentee_id);
      rescues.push(rescued - noShowPoint);
      plainStarts.push(plain - startsAt);
      seatNotices.push(Math.max(...Object.entries(marks).filter(([k]) => k.startsWith('seat:')).map(([, v]) => v)) - noShowPoint);
      if (process.env.DEBUG_BENCH) console.log(Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - noShowPoint])));
      console.log(`trial ${trial}: rescue ${rescues.at(-1)} ms after the no-show point (told after ${seatNotices.at(-1)} ms); plain start ${plainStarts.at(-1)} ms after the round start`);
      await command(org, 'clock:end-event');
      org.disconnect();
      for (const s of sockets.values()) s.disconnect();
      for (const id of present) await person.get(id)!.leave();
    }
    const line = (label: string, values: number[]) => console.log(`${label.padEnd(52)} median ${median(values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`);
    console.log(`\n${TRIALS} trials, no-show point ${NO_SHOW_SECONDS} s after the start`);
    line('no-show point → both rescued see each other', rescues);
    line('  of which: no-show point → both told (seat:changed)', seatNotices);
    line('baseline: round start → a standby pair sees each other', plainStarts);
    console.log(`ratio (median rescue / median plain start)            ${(median(rescues) / median(plainStarts)).toFixed(2)}`);
  } finally {
    for (const step of undo) await step().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

await main();
