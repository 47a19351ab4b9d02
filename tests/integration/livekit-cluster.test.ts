/**
 * LiveKit as a cluster: two real LiveKit processes sharing Redis (LiveKit's own multi-node mode),
 * the app talking to them through one URL. A round's rooms spread over both nodes; two people whose
 * room lives on the other node connect through that one URL (the node they reach bridges their
 * signalling), see each other's video in Chromium, and the hosting node's webhooks reach the app.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { buildTestApp, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.ts';
import { eventually, liveKitAvailability, serveLiveKitPage, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import { REDIS_ADDRESS, claimRedisDb, redisUnavailableReason } from '../helpers/redis.ts';
import { freePort } from '../helpers/server.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

const livekit = liveKitAvailability();
const browserReason = browserUnavailableReason();
const redisReason = await redisUnavailableReason();
for (const reason of [browserReason, redisReason]) if (reason) console.warn(`Skipping the LiveKit cluster test: ${reason}`);

/** livekit-client in the page: joins with camera and microphone, and notes whose video shows frames. */
const PAGE_SCRIPT = `
const { Room, RoomEvent, Track } = LivekitClient;
const seen = new Set();
globalThis.lk = {
  async join(url, token) {
    const room = new Room();
    room.on(RoomEvent.TrackSubscribed, (track, _pub, participant) => {
      if (track.kind !== 'video') return;
      const video = track.attach();
      video.muted = true;
      document.body.append(video);
      const onFrame = () => (video.videoWidth > 0 ? seen.add(participant.identity) : video.requestVideoFrameCallback(onFrame));
      video.requestVideoFrameCallback(onFrame);
    });
    await room.connect(url, token);
    await room.localParticipant.enableCameraAndMicrophone();
  },
  seen: () => [...seen],
};
`;

/** The node each room was placed on, from the placing node's log ("selected node for room"). */
function placements(lk: LiveKitServer): Map<string, string> {
  const placed = new Map<string, string>();
  for (const match of lk.logs().matchAll(/selected node for room\s+\{"room": "([^"]+)", "selectedNodeID": "([^"]+)"/g)) placed.set(match[1]!, match[2]!);
  return placed;
}
const nodeIdOf = (lk: LiveKitServer) => /"nodeID": "([^"]+)"/.exec(lk.logs())?.[1] ?? null;

describe.skipIf(!livekit.available || browserReason !== null || redisReason !== null)('a LiveKit cluster of two nodes sharing Redis', () => {
  let redisDb: Awaited<ReturnType<typeof claimRedisDb>>;
  let nodeA: LiveKitServer;
  let nodeB: LiveKitServer;
  let t: TestApp;
  let url: string;
  let browser: Browser;
  let pageServer: Awaited<ReturnType<typeof serveLiveKitPage>>;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    // A database of Redis's own for this cluster: no node of another test's cluster is taken for ours.
    redisDb = await claimRedisDb(`livekit-cluster-${process.pid}`);
    const db = redisDb.db;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const keys = { apiKey: `API${randomBytes(6).toString('hex')}`, apiSecret: randomBytes(32).toString('base64url') };
    const cluster = { keys, redis: { address: REDIS_ADDRESS, db }, webhookUrl: `${url}/api/livekit/webhook` };
    [nodeA, nodeB] = await Promise.all([startLiveKit(cluster), startLiveKit(cluster)]);
    // The app knows one URL: node A's.
    t = await buildTestApp({ video: new LiveKitVideoProvider(nodeA), livekit: nodeA });
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
    pageServer = await serveLiveKitPage(PAGE_SCRIPT);
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await browser?.close();
    await new Promise((resolve) => pageServer?.close(resolve));
    await t?.close();
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await redisDb?.release();
  }, 60_000);

  it("spreads a round's rooms over both nodes; a pair on the other node meets through the one URL, and its node's webhooks reach the app", { timeout: 180_000 }, async () => {
    // Both nodes see each other through Redis.
    const [idA, idB] = [nodeIdOf(nodeA), nodeIdOf(nodeB)];
    expect(idA).toBeTruthy();
    expect(idB).toBeTruthy();
    expect(idA).not.toBe(idB);

    // An event of 12 tables: its round's rooms are made when the round starts, through node A.
    const organizer = await signUpOrganizer(t.app);
    const headers = { cookie: organizer.cookie };
    const event = (await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 1, roundSeconds: 600, noShowAfterSeconds: 500 }) })).json();
    for (const role of [...Array(12).fill('mentor'), ...Array(12).fill('mentee')] as ('mentor' | 'mentee')[]) {
      expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).statusCode).toBe(201);
    }
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).statusCode).toBe(200);
    const org = connectSocket(url, { cookie: organizer.cookie, eventId: event.id, as: 'organizer' });
    sockets.push(org);
    await connected(org);
    expect(await command(org, 'clock:start')).toHaveProperty('data');

    const { rows: seats } = await t.pool.query<{ mentor_id: string; mentee_id: string; room_name: string }>(
      'SELECT mentor_id, mentee_id, room_name FROM meetings WHERE event_id = $1 AND round = 1',
      [event.id],
    );
    const roomNames = seats.map((s) => s.room_name);
    expect(roomNames).toHaveLength(12);
    const provider = new LiveKitVideoProvider(nodeA);
    await eventually(async () => (await provider.listRooms(roomNames)).length === 12, { what: 'all 12 rooms on the cluster', timeoutMs: 30_000 });
    // Placed at random: all 12 on one node would be a 1-in-2,048 chance.
    const placed = placements(nodeA);
    const nodes = roomNames.map((name) => placed.get(name));
    expect(nodes.every((n) => n === idA || n === idB)).toBe(true);
    expect(new Set(nodes).size).toBe(2);

    // A pair whose room lives on node B connects through node A's URL, and they see each other.
    const seat = seats.find((s) => placed.get(s.room_name) === idB)!;
    const pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    const pages = [];
    for (const identity of [seat.mentor_id, seat.mentee_id]) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(pageUrl);
      const token = await provider.mintParticipantToken({ roomName: seat.room_name, identity, name: identity, ttlSeconds: 600 });
      await page.evaluate(([u, tk]) => (globalThis as unknown as { lk: { join(u: string, t: string): Promise<void> } }).lk.join(u!, tk!), [nodeA.url, token] as const);
      pages.push({ page, identity });
    }
    for (const [viewer, viewed] of [[pages[0]!, pages[1]!], [pages[1]!, pages[0]!]] as const) {
      await eventually(async () => (await viewer.page.evaluate(() => (globalThis as unknown as { lk: { seen(): string[] } }).lk.seen())).includes(viewed.identity), {
        what: `${viewer.identity} to see ${viewed.identity} on node B`,
        timeoutMs: 60_000,
      });
    }
    // The room's own node (B) sent the joins to the app's webhook.
    await eventually(
      async () =>
        (
          await t.pool.query<{ n: number }>("SELECT count(DISTINCT participant_id)::int AS n FROM room_presence WHERE room_name = $1 AND kind = 'joined'", [seat.room_name])
        ).rows[0]!.n === 2,
      { what: "node B's webhooks to record both joins", timeoutMs: 30_000 },
    );
    expect(nodeB.logs()).toContain(seat.room_name);
  });
});
