/**
 * Live rescue on a real LiveKit, in real Chromium pages: from the no-show point to both rescued
 * people seeing the other's video (a decoded frame), median and max over TRIALS rescues, beside a
 * plain round start in the same run (a pair that joins its room when the round starts).
 *
 * Each trial is an event of three tables: at table 1 the mentee never comes, at table 2 the mentor
 * never comes, table 3 meets normally. The two left waiting are re-paired by the server at the
 * no-show point (`seat:changed`, with a fresh room) and their pages switch rooms, as the app's
 * client does.
 *
 *   npx tsx bench/rescue.ts            (TRIALS=10 NO_SHOW_SECONDS=6)
 */
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { SeatChanged, VideoConnection } from '@constellation/shared/realtime/events';
import { median } from './lib.ts';

const TRIALS = Number(process.env.TRIALS ?? 10);
const NO_SHOW_SECONDS = Number(process.env.NO_SHOW_SECONDS ?? 6);

/** livekit-client in the page: joins a room (leaving any other) and notes when each remote video shows its first frame. */
const PAGE_SCRIPT = `
let room = null;
const firstFrame = {};
globalThis.lk = {
  async join(url, token) {
    // As the app's client does when a call moves rooms mid-round: the open camera and microphone go along.
    const carried = room && room.state === 'connected' ? [...room.localParticipant.trackPublications.values()].map((p) => p.track).filter(Boolean) : [];
    if (room) await room.disconnect(carried.length === 0);
    for (const k of Object.keys(firstFrame)) delete firstFrame[k];
    room = new LivekitClient.Room({ adaptiveStream: false, dynacast: false });
    room.on(LivekitClient.RoomEvent.TrackSubscribed, (track, _pub, participant) => {
      if (track.kind !== 'video') return;
      const video = track.attach();
      video.muted = true;
      document.body.append(video);
      const onFrame = () => { firstFrame[participant.identity] ??= Date.now(); };
      video.requestVideoFrameCallback(onFrame);
    });
    // As the app's client does: open camera and microphone while the signalling connects.
    const tracks = carried.length ? Promise.resolve(carried) : LivekitClient.createLocalTracks({ audio: true, video: true });
    await room.connect(url, token);
    for (const track of await tracks) await room.localParticipant.publishTrack(track);
  },
  firstFrame(identity) { return firstFrame[identity] ?? null; },
  async leave() { if (room) await room.disconnect(); },
};
`;
type PageApi = { lk: { join(url: string, token: string): Promise<void>; firstFrame(identity: string): number | null; leave(): Promise<void> } };

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

    const rescues: number[] = [];
    const plainStarts: number[] = [];
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

      // Everyone present has the live page open: a socket, and a page for the call.
      const sockets = new Map(present.map((id) => [id, connectSocket(url, { cookie: cookie.get(id)! })]));
      await Promise.all([...sockets.values()].map((s) => connected(s)));
      const pages = new Map<string, Page>();
      for (const id of present) {
        const page = await browser.newPage();
        await page.goto(pageUrl);
        pages.set(id, page);
      }
      const join = (id: string, c: VideoConnection) => pages.get(id)!.evaluate(([u, t]) => (globalThis as unknown as PageApi).lk.join(u!, t!), [c.serverUrl, c.token]);
      const frameSeen = (id: string, from: string) => pages.get(id)!.evaluate((who) => (globalThis as unknown as PageApi).lk.firstFrame(who), from);
      const marks: Record<string, number> = {};
      const assigned = present.map((id) =>
        nextEvent(sockets.get(id)!, 'video:assigned', 30_000).then(async (a) => {
          marks[`assigned ${id.slice(0, 4)}`] = Date.now();
          if (a.connection) await join(id, a.connection);
          marks[`joined ${id.slice(0, 4)}`] = Date.now();
        }),
      );
      const seatChanged = [waitingMentorTable.mentor_id, waitingMenteeTable.mentee_id].map((id) =>
        nextEvent(sockets.get(id)!, 'seat:changed', 60_000).then(async (change: SeatChanged) => {
          await join(id, change.connection!);
        }),
      );
      const org = connectSocket(url, { cookie: organizer, eventId: event.id, as: 'organizer' });
      await connected(org);
      const started = await command<{ startsAt: number }>(org, 'clock:start');
      if ('error' in started) throw new Error(started.error.message);
      const startsAt = started.data.startsAt;
      await Promise.all(assigned);
      await Promise.all(seatChanged);
      const both = async (a: string, b: string) => {
        const [ab, ba] = await eventually(async () => {
          const pair = [await frameSeen(a, b), await frameSeen(b, a)];
          return pair.every((v) => v !== null) ? (pair as [number, number]) : undefined;
        }, { timeoutMs: 30_000, intervalMs: 20, what: 'both to see each other' });
        return Math.max(ab, ba);
      };
      const rescued = await both(waitingMentorTable.mentor_id, waitingMenteeTable.mentee_id);
      const plain = await both(plainTable.mentor_id, plainTable.mentee_id);
      rescues.push(rescued - (startsAt + NO_SHOW_SECONDS * 1000));
      plainStarts.push(plain - startsAt);
      if (process.env.DEBUG_BENCH) console.log(Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - startsAt])));
      console.log(`trial ${trial}: rescue ${rescues.at(-1)} ms after the no-show point; plain start ${plainStarts.at(-1)} ms after the round start`);
      await command(org, 'clock:end-event');
      org.disconnect();
      for (const s of sockets.values()) s.disconnect();
      for (const page of pages.values()) await page.close();
    }
    const line = (label: string, values: number[]) => console.log(`${label.padEnd(52)} median ${median(values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`);
    console.log(`\n${TRIALS} trials, no-show point ${NO_SHOW_SECONDS} s after the start`);
    line('no-show point → both rescued see each other', rescues);
    line('baseline: round start → a plain pair sees each other', plainStarts);
    console.log(`ratio (median rescue / median plain start)            ${(median(rescues) / median(plainStarts)).toFixed(2)}`);
  } finally {
    for (const step of undo) await step().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

await main();
