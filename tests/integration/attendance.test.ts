import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSnapshot } from '@constellation/shared/realtime/events';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.ts';
import { eventually, liveKitAvailability, serveLiveKitPage, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { freePort } from '../helpers/server.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

const livekit = liveKitAvailability();
const noBrowser = browserUnavailableReason();

/** livekit-client in a real Chromium, with fake camera and microphone: LiveKit reports its joins and leaves by itself. */
const PAGE_SCRIPT = `
let room;
globalThis.lk = {
  async join(url, token) {
    room = new LivekitClient.Room();
    await room.connect(url, token);
    await room.localParticipant.enableCameraAndMicrophone();
  },
  async leave() { await room.disconnect(); },
};
`;
type PageGlobal = { lk: { join(url: string, token: string): Promise<void>; leave(): Promise<void> } };

let lk: LiveKitServer;
let t: TestApp;
let url: string;
let pageServer: Server;
let browser: Browser;
const sockets: ClientSocket[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  if (!livekit.available || noBrowser) return;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  lk = await startLiveKit({ webhookUrl: `${url}/api/livekit/webhook` });
  t = await buildTestApp({ video: new LiveKitVideoProvider(lk), livekit: lk });
  await t.app.listen({ port, host: '127.0.0.1' });
  pageServer = await serveLiveKitPage(PAGE_SCRIPT);
  browser = await launchBrowser();
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await browser?.close();
  await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
  await t?.close();
  await lk?.stop();
});

async function socketOf(cookie: string, eventId?: string): Promise<{ socket: ClientSocket; snapshot: EventSnapshot }> {
  const socket = connectSocket(url, { cookie, ...(eventId ? { eventId, as: 'organizer' as const } : {}) });
  sockets.push(socket);
  const snapshot = nextEvent(socket, 'event:snapshot');
  await connected(socket);
  return { socket, snapshot: await snapshot };
}

/** A participant's browser joins the room the app gives them now, for real. */
async function joinCall(cookie: string): Promise<Page> {
  const { snapshot } = await socketOf(cookie);
  expect(snapshot.video, 'a video connection in the snapshot').toBeDefined();
  const page = await browser.newPage();
  pages.push(page);
  await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
  await page.evaluate(([u, token]) => (globalThis as unknown as PageGlobal).lk.join(u!, token!), [snapshot.video!.serverUrl, snapshot.video!.token]);
  return page;
}

type Seat = { round: number; mentorId: string; menteeId: string; outcome: string; met: boolean; togetherSeconds: number; noShowIds: string[]; droppedIds: string[]; correction: { reason: string } | null };

describe.skipIf(!livekit.available || noBrowser)('attendance decides who met (real LiveKit, PostgreSQL and Chromium)', () => {
  it('one pair whose mentee never came, one whose mentor left early, one held: every list, proposal, report and export says so; a correction changes them', async () => {
    const organizer = await signUpOrganizer(t.app);
    const headers = { cookie: organizer.cookie };
    // A meeting counts after 12 s together; the no-show point comes after the round has been ended.
    const event = (await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 1, roundSeconds: 120, heldAfterSeconds: 12, noShowAfterSeconds: 110 }) })).json();
    const ids: Record<'mentor' | 'mentee', string[]> = { mentor: [], mentee: [] };
    for (const role of ['mentor', 'mentor', 'mentor', 'mentee', 'mentee', 'mentee'] as const) {
      ids[role].push((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).json().id);
    }
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 4 } })).statusCode).toBe(200);
    const invites = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
    const cookie: Record<string, string> = {};
    for (const invite of invites) cookie[invite.participantId] = cookieFrom(await t.app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
    const { rows } = await t.pool.query<{ mentor_id: string; mentee_id: string }>('SELECT mentor_id, mentee_id FROM meetings WHERE event_id = $1 AND round = 1 ORDER BY mentor_id', [event.id]);
    const [absentPair, droppedPair, heldPair] = rows.map((r) => ({ mentor: r.mentor_id, mentee: r.mentee_id })) as [{ mentor: string; mentee: string }, { mentor: string; mentee: string }, { mentor: string; mentee: string }];

    const org = await socketOf(organizer.cookie, event.id);
    expect(await command(org.socket, 'clock:start')).toHaveProperty('data');
    await joinCall(cookie[absentPair.mentor]!); // their mentee never comes
    await joinCall(cookie[heldPair.mentor]!);
    await joinCall(cookie[heldPair.mentee]!);
    const leaver = await joinCall(cookie[droppedPair.mentor]!);
    await joinCall(cookie[droppedPair.mentee]!);

    const attendance = async () => (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/attendance`, headers })).json();
    const seatOf = (view: { rounds: { seats: Seat[] }[] }, pair: { mentor: string; mentee: string }) => view.rounds[0]!.seats.find((s) => s.mentorId === pair.mentor && s.menteeId === pair.mentee)!;
    // The leaving mentor is seen with their mentee for a moment, then leaves for good.
    await eventually(async () => seatOf(await attendance(), droppedPair).togetherSeconds >= 1, { what: 'the second pair to be together', timeoutMs: 30_000, intervalMs: 50 });
    await leaver.evaluate(() => (globalThis as unknown as PageGlobal).lk.leave());
    await eventually(async () => seatOf(await attendance(), heldPair).togetherSeconds >= 13, { what: 'the third pair to be together 13 s', timeoutMs: 60_000 });
    expect(await command(org.socket, 'clock:end-round')).toHaveProperty('data');
    // LiveKit's last webhooks (the rooms closing) settle; then the record is final.
    await eventually(async () => (await attendance()).rounds[0].ended === true, { what: 'the round to end' });

    const record = await attendance();
    expect(record.heldAfterSeconds).toBe(12);
    expect(seatOf(record, absentPair)).toMatchObject({ outcome: 'no-show', met: false, noShowIds: [absentPair.mentee] });
    const dropped = seatOf(record, droppedPair);
    expect(dropped).toMatchObject({ outcome: 'dropped', met: false, droppedIds: [droppedPair.mentor] });
    expect(dropped.togetherSeconds).toBeLessThan(12);
    expect(seatOf(record, heldPair)).toMatchObject({ outcome: 'held', met: true, noShowIds: [], droppedIds: [] });
    expect(record.rounds[0].tally).toEqual({ planned: 3, held: 1, cutShort: 0, noShow: 1, dropped: 1 });
    // The log also keeps each camera and microphone that reached a room (LiveKit's track_published).
    const published = await t.pool.query<{ participant_id: string }>(`SELECT DISTINCT participant_id FROM room_presence WHERE event_id = $1 AND kind = 'published'`, [event.id]);
    expect(published.rows.map((r) => r.participant_id)).toEqual(expect.arrayContaining([heldPair.mentor, heldPair.mentee]));

    const get = (who: string, path: string) => t.app.inject({ method: 'GET', url: path, headers: { cookie: who } });
    const put = (who: string, path: string, payload: object) => t.app.inject({ method: 'PUT', url: path, headers: { cookie: who }, payload });
    const metBy = async (id: string) => ((await get(cookie[id]!, '/api/me/feedback')).json().met as { participantId: string }[]).map((m) => m.participantId);
    // Only the held meeting can be rated and ranked.
    expect(await metBy(absentPair.mentor)).toEqual([]);
    expect(await metBy(absentPair.mentee)).toEqual([]);
    expect(await metBy(droppedPair.mentor)).toEqual([]);
    expect(await metBy(droppedPair.mentee)).toEqual([]);
    expect(await metBy(heldPair.mentor)).toEqual([heldPair.mentee]);
    expect(await metBy(heldPair.mentee)).toEqual([heldPair.mentor]);
    expect((await put(cookie[absentPair.mentor]!, `/api/me/ratings/${absentPair.mentee}`, { fit: 5, wouldMentor: true })).statusCode).toBe(403);
    expect((await put(cookie[droppedPair.mentee]!, '/api/me/preferences', { ranking: [droppedPair.mentor], notAFit: [] })).statusCode).toBe(403);
    for (const m of ids.mentor) expect((await put(cookie[m]!, '/api/me/capacity', { capacity: 1 })).statusCode).toBe(204);
    expect((await put(cookie[heldPair.mentor]!, `/api/me/ratings/${heldPair.mentee}`, { fit: 4, wouldMentor: true })).statusCode).toBe(204);
    expect((await put(cookie[heldPair.mentee]!, '/api/me/preferences', { ranking: [heldPair.mentor], notAFit: [] })).statusCode).toBe(204);

    const pairsOf = (proposal: { pairs: { mentorId: string; menteeId: string }[] }) => proposal.pairs.map((p) => `${p.mentorId}:${p.menteeId}`).sort();
    let proposals = (await get(organizer.cookie, `/api/events/${event.id}/matching/proposals`)).json();
    expect(pairsOf(proposals.stable)).toEqual([`${heldPair.mentor}:${heldPair.mentee}`]);
    expect(pairsOf(proposals.welfare)).toEqual([`${heldPair.mentor}:${heldPair.mentee}`]);
    expect(proposals.stable.stats.blockingPairs).toBe(0);
    let report = (await get(organizer.cookie, `/api/events/${event.id}/report`)).json();
    expect(report).toMatchObject({ meetingsPlanned: 3, meetingsHeld: 1, meetingsDropped: 1, noShows: 1, heldAfterSeconds: 12 });
    expect(report.byPerson.find((p: { participantId: string }) => p.participantId === absentPair.mentee)).toMatchObject({ planned: 1, noShow: 1, held: 0 });
    let csv = (await get(organizer.cookie, `/api/events/${event.id}/export/attendance.csv`)).body;
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);
    expect(csv).toMatch(/"no-show","false",/);
    expect(csv).toMatch(/"dropped","false",/);
    expect(csv).toMatch(/"held","true",/);
    expect((await get(organizer.cookie, `/api/events/${event.id}/export/ratings.csv`)).body.split('\r\n').filter(Boolean)).toHaveLength(2);

    // The organizer knows better: the second pair finished their talk by phone.
    const corrected = await put(organizer.cookie, `/api/events/${event.id}/attendance/1/${droppedPair.mentor}/${droppedPair.mentee}`, { met: true, reason: 'Finished by phone when video failed' });
    expect(corrected.statusCode).toBe(200);
    expect(corrected.json().corrections).toEqual([expect.objectContaining({ round: 1, mentorId: droppedPair.mentor, met: true, reason: 'Finished by phone when video failed', organizerId: organizer.id })]);
    expect(await metBy(droppedPair.mentor)).toEqual([droppedPair.mentee]);
    expect((await put(cookie[droppedPair.mentor]!, `/api/me/ratings/${droppedPair.mentee}`, { fit: 5, wouldMentor: true })).statusCode).toBe(204);
    expect((await put(cookie[droppedPair.mentee]!, '/api/me/preferences', { ranking: [droppedPair.mentor], notAFit: [] })).statusCode).toBe(204);
    proposals = (await get(organizer.cookie, `/api/events/${event.id}/matching/proposals`)).json();
    expect(pairsOf(proposals.stable)).toEqual([`${droppedPair.mentor}:${droppedPair.mentee}`, `${heldPair.mentor}:${heldPair.mentee}`].sort());
    report = (await get(organizer.cookie, `/api/events/${event.id}/report`)).json();
    expect(report).toMatchObject({ meetingsHeld: 2, meetingsDropped: 0, noShows: 1 });
    csv = (await get(organizer.cookie, `/api/events/${event.id}/export/attendance.csv`)).body;
    expect(csv).toContain('Finished by phone when video failed');
    // Bad corrections are refused, and nothing is written.
    expect((await put(organizer.cookie, `/api/events/${event.id}/attendance/1/${droppedPair.mentor}/${heldPair.mentee}`, { met: true, reason: 'x' })).statusCode).toBe(404);
    expect((await put(organizer.cookie, `/api/events/${event.id}/attendance/1/${droppedPair.mentor}/${droppedPair.mentee}`, { met: true, reason: '   ' })).statusCode).toBe(400);
    expect((await put(organizer.cookie, `/api/events/${event.id}/attendance/1/${droppedPair.mentor}/${droppedPair.mentee}`, { met: 'yes', reason: 'x' })).statusCode).toBe(400);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM attendance_corrections WHERE event_id = $1', [event.id])).rows[0].n).toBe(1);

    // After confirmation everyone has a final answer: the unmatched one says why, in plain words.
    expect((await put(organizer.cookie, `/api/events/${event.id}/matches`, { source: 'stable', pairs: proposals.stable.pairs.map(({ mentorId, menteeId }: { mentorId: string; menteeId: string }) => ({ mentorId, menteeId })) })).statusCode).toBe(200);
    expect((await get(cookie[absentPair.mentee]!, '/api/me/match')).json()).toEqual({ status: 'pending', matches: [] });
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/matches/confirm`, headers })).statusCode).toBe(200);
    expect((await get(cookie[absentPair.mentee]!, '/api/me/match')).json()).toMatchObject({ status: 'not-matched', reasonCode: 'not-met', reason: expect.stringMatching(/did not get to meet a mentor/), next: expect.any(String) });
    expect((await get(cookie[absentPair.mentor]!, '/api/me/match')).json()).toMatchObject({ status: 'not-matched', reasonCode: 'not-met' });
    expect((await get(cookie[heldPair.mentee]!, '/api/me/match')).json()).toMatchObject({ status: 'confirmed', matches: [{ participantId: heldPair.mentor }] });
  }, 180_000);
});
