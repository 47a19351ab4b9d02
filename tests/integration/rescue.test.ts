import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSnapshot, SeatChanged, SeatingChanged, VideoSpare } from '@constellation/shared/realtime/events';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { postPresence } from '../helpers/attendance.ts';
import { eventually, liveKitAvailability, startLiveKit, validateJoin, type LiveKitServer } from '../helpers/livekit.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { freePort } from '../helpers/server.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

const livekit = liveKitAvailability();

let lk: LiveKitServer;
let t: TestApp;
let url: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  if (!livekit.available) return;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  lk = await startLiveKit({ webhookUrl: `${url}/api/livekit/webhook` });
  // No global no-show override: each event's own setting decides.
  t = await buildTestApp({ video: new LiveKitVideoProvider(lk), livekit: lk });
  await t.app.listen({ port, host: '127.0.0.1' });
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await t?.close();
  await lk?.stop();
});

interface Person {
  id: string;
  name: string;
  role: 'mentor' | 'mentee';
}

/** A planned event whose no-show point is `noShowAfterSeconds` after each round starts. */
async function setUpEvent(app: FastifyInstance, { mentors = 2, mentees = 2, rounds = 2, noShowAfterSeconds = 2, heldAfterSeconds = 2 } = {}) {
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds, roundSeconds: 300, transitionSeconds: 10, noShowAfterSeconds, heldAfterSeconds }) })).json();
  const people: Person[] = [];
  const names = ['Amara', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Farah', 'Goran', 'Hannah'];
  let k = 0;
  for (const role of [...Array(mentors).fill('mentor'), ...Array(mentees).fill('mentee')] as ('mentor' | 'mentee')[]) {
    people.push((await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role, name: `${names[k++ % names.length]} ${role}` }) })).json());
  }
  expect((await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 3 } })).statusCode).toBe(200);
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  const cookies: Record<string, string> = {};
  for (const invite of invites) cookies[invite.participantId] = cookieFrom(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
  return { organizer, headers, eventId: event.id as string, people, cookies };
}

interface SeatRow {
  mentor_id: string;
  mentee_id: string;
  room_name: string;
  source: string;
  replaced_at: Date | null;
}

/** The live seats of a round, from the database: mentor → mentee and room. */
async function seatsOf(eventId: string, round: number) {
  const { rows } = await t.pool.query<SeatRow>(
    'SELECT mentor_id, mentee_id, room_name, source, replaced_at FROM meetings WHERE event_id = $1 AND round = $2 ORDER BY seated_at NULLS FIRST',
    [eventId, round],
  );
  return rows;
}

async function joinAs(cookie: string, eventId?: string): Promise<{ socket: ClientSocket; snapshot: EventSnapshot }> {
  const socket = connectSocket(url, { cookie, ...(eventId ? { eventId, as: 'organizer' as const } : {}) });
  sockets.push(socket);
  const snapshot = nextEvent(socket, 'event:snapshot');
  await connected(socket);
  return { socket, snapshot: await snapshot };
}

function collect<T>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event as never, ((payload: T) => seen.push(payload)) as never);
  return seen;
}

describe.skipIf(!livekit.available)('live rescue of stranded people on a real LiveKit', () => {
  it('re-pairs the mentor whose mentee never came with the mentee whose mentor never came, in a fresh room, and they meet', async () => {
    const { organizer, eventId, people, cookies } = await setUpEvent(t.app);
    const seats = await seatsOf(eventId, 1);
    // Table 1: mentor M1 waits, their mentee is absent. Table 2: the mentee waits, their mentor is absent.
    const [one, two] = seats as [(typeof seats)[number], (typeof seats)[number]];
    const name = (id: string) => people.find((p) => p.id === id)!.name;
    const mentor = await joinAs(cookies[one.mentor_id]!);
    const mentee = await joinAs(cookies[two.mentee_id]!);
    const org = await joinAs(organizer.cookie, eventId);
    const seatingChanges = collect<SeatingChanged>(org.socket, 'seating:changed');
    const mentorSeat = nextEvent(mentor.socket, 'seat:changed', 30_000);
    const mentorSnapshots = collect<EventSnapshot>(mentor.socket, 'event:snapshot');
    const menteeSeat = nextEvent(mentee.socket, 'seat:changed', 30_000);
    const mentorSpares = collect<VideoSpare>(mentor.socket, 'video:spare');
    const menteeSpares = collect<VideoSpare>(mentee.socket, 'video:spare');

    const started = await command<{ startsAt: number }>(org.socket, 'clock:start');
    if (!('data' in started)) throw new Error('the clock did not start');
    const startedAt = started.data.startsAt;
    for (const [id, room] of [[one.mentor_id, one.room_name], [two.mentee_id, two.room_name]] as const) {
      await postPresence(t.app, { event: 'participant_joined', roomName: room, identity: id, at: Date.now() }, lk);
    }
    const [toMentor, toMentee] = (await Promise.all([mentorSeat, menteeSeat])) as [SeatChanged, SeatChanged];
    const rescuedAfterMs = Date.now() - startedAt;
    // The no-show point is 2 s; the rescue follows within the 5 s the organizer was promised.
    expect(rescuedAfterMs).toBeGreaterThanOrEqual(2_000);
    expect(toMentor.connection!.roomName).toBe(toMentee.connection!.roomName);
    expect(toMentor.connection!.roomName).not.toBe(one.room_name);
    expect(toMentor.message).toContain(`${name(one.mentee_id)} couldn't make it; you are now meeting ${name(two.mentee_id)}`);
    expect(toMentee.message).toContain(`${name(two.mentor_id)} couldn't make it; you are now meeting ${name(one.mentor_id)}`);
    expect(toMentor.partners.map((p) => p.participantId)).toEqual([two.mentee_id]);
    // Before the no-show point both were handed that room to wait in unseen; the rescue kept it.
    for (const spares of [mentorSpares, menteeSpares]) expect(spares.map((s) => s.connection?.roomName)).toEqual([toMentor.connection!.roomName]);
    // The tokens open exactly that room, on the real LiveKit.
    expect(await validateJoin(lk, toMentor.connection!.token)).toBe(200);
    expect(await validateJoin(lk, toMentee.connection!.token)).toBe(200);

    // The record: two seats replaced (the no-shows), one rescue seat in the fresh room.
    const after = await seatsOf(eventId, 1);
    expect(after.filter((s) => s.replaced_at === null).map((s) => [s.mentor_id, s.mentee_id, s.source, s.room_name])).toEqual([
      [one.mentor_id, two.mentee_id, 'rescue', toMentor.connection!.roomName],
    ]);
    await eventually(() => seatingChanges.length > 0, { what: 'the organizer to hear of the rescue' });
    expect(seatingChanges[0]).toMatchObject({ round: 1, kind: 'rescue', pairs: [{ mentorId: one.mentor_id, menteeId: two.mentee_id }] });
    expect(seatingChanges[0]!.unseated.sort()).toEqual([one.mentee_id, two.mentor_id].sort());
    // The participant's own snapshot follows: the partner card shows the new partner.
    await eventually(() => mentorSnapshots.at(-1)?.partners.map((p) => p.participantId).join() === two.mentee_id, { what: "the mentor's snapshot to show the new partner" });

    // They meet in the fresh room long enough to count; the round ends.
    for (const id of [one.mentor_id, two.mentee_id]) {
      await postPresence(t.app, { event: 'participant_joined', roomName: toMentor.connection!.roomName, identity: id, at: Date.now() }, lk);
    }
    const attendanceOf = async () => (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/attendance`, headers: { cookie: organizer.cookie } })).json();
    await eventually(async () => (await attendanceOf()).rounds[0].seats.some((s: { source: string; togetherSeconds: number }) => s.source === 'rescue' && s.togetherSeconds >= 3), {
      what: 'the rescued pair to be together 3 s',
      timeoutMs: 20_000,
    });
    expect(await command(org.socket, 'clock:end-round')).toHaveProperty('data');
    const record = await attendanceOf();
    const outcomes = record.rounds[0].seats.map((s: { mentorId: string; menteeId: string; outcome: string; met: boolean }) => [s.mentorId, s.menteeId, s.outcome, s.met]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        [one.mentor_id, one.mentee_id, 'no-show', false],
        [two.mentor_id, two.mentee_id, 'no-show', false],
        [one.mentor_id, two.mentee_id, 'held', true],
      ]),
    );
    // They rate and rank each other; nobody else.
    const met = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/me/feedback', headers: { cookie } });
    expect((await met(cookies[one.mentor_id]!)).json().met.map((m: { participantId: string }) => m.participantId)).toEqual([two.mentee_id]);
    expect((await met(cookies[two.mentee_id]!)).json().met.map((m: { participantId: string }) => m.participantId)).toEqual([one.mentor_id]);
    expect((await met(cookies[one.mentee_id]!)).json().met).toEqual([]);
    // The rest of the event was re-planned from what happened: the two who met never meet again.
    const plan = (await t.app.inject({ method: 'GET', url: `/api/events/${eventId}/plan`, headers: { cookie: organizer.cookie } })).json();
    const round2 = plan.plan.rounds[1].tables as { mentorId: string; menteeIds: string[] }[];
    expect(round2.some((tb) => tb.mentorId === one.mentor_id && tb.menteeIds.includes(two.mentee_id))).toBe(false);
    // The two no-shows are not seated again until they come.
    expect(round2.flatMap((tb) => [tb.mentorId, ...tb.menteeIds])).not.toContain(one.mentee_id);
    expect(round2.flatMap((tb) => [tb.mentorId, ...tb.menteeIds])).not.toContain(two.mentor_id);
  }, 90_000);

  it('hands the likely rescue pair a room ahead of the no-show point, and takes it back when the partner comes after all', async () => {
    const { eventId, cookies, organizer } = await setUpEvent(t.app, { noShowAfterSeconds: 4 });
    const [one, two] = (await seatsOf(eventId, 1)) as [SeatRow, SeatRow];
    const mentor = await joinAs(cookies[one.mentor_id]!);
    const mentee = await joinAs(cookies[two.mentee_id]!);
    const org = await joinAs(organizer.cookie, eventId);
    const mentorSpares = collect<VideoSpare>(mentor.socket, 'video:spare');
    const menteeSpares = collect<VideoSpare>(mentee.socket, 'video:spare');
    const seatChanges = collect<SeatChanged>(mentor.socket, 'seat:changed');
    const noShows = collect<{ message: string }>(mentee.socket, 'partner:no-show');
    expect(await command(org.socket, 'clock:start')).toHaveProperty('data');
    for (const [id, room] of [[one.mentor_id, one.room_name], [two.mentee_id, two.room_name]] as const) {
      await postPresence(t.app, { event: 'participant_joined', roomName: room, identity: id, at: Date.now() }, lk);
    }
    await eventually(() => mentorSpares.length > 0 && menteeSpares.length > 0, { what: 'the spare room ahead of the no-show point', timeoutMs: 20_000 });
    const spare = mentorSpares[0]!.connection!;
    expect(menteeSpares[0]!.connection!.roomName).toBe(spare.roomName);
    // Tokens for exactly those two, to a room that exists on the real LiveKit.
    expect(await validateJoin(lk, spare.token)).toBe(200);
    // The mentor's mentee comes after all, before the no-show point.
    await postPresence(t.app, { event: 'participant_joined', roomName: one.room_name, identity: one.mentee_id, at: Date.now() }, lk);
    // At the no-show point: the mentee still waits (nobody is free), the mentor keeps the mentee who came.
    await eventually(() => noShows.some((n) => n.message.includes('nobody else is free')), { what: 'the mentee to be told nobody is free', timeoutMs: 20_000 });
    await eventually(() => mentorSpares.length === 2 && menteeSpares.length === 2, { what: 'the spare room to be taken back' });
    expect([mentorSpares[1], menteeSpares[1]]).toEqual([{ round: 1, connection: null }, { round: 1, connection: null }]);
    expect(seatChanges).toEqual([]);
    expect((await seatsOf(eventId, 1)).every((s) => s.source === 'plan' && s.replaced_at === null)).toBe(true);
    await eventually(async () => (await new LiveKitVideoProvider(lk).listRooms([spare.roomName])).length === 0, { what: 'the spare room to close' });
  });

  it('offers a late arrival a seat with someone left waiting, or tells them when they will be seated', async () => {
    const { eventId, organizer, cookies } = await setUpEvent(t.app, { mentors: 2, mentees: 2 });
    const [one, two] = (await seatsOf(eventId, 1)) as [Awaited<ReturnType<typeof seatsOf>>[number], Awaited<ReturnType<typeof seatsOf>>[number]];
    // Table 1: the mentor waits, the mentee never comes. Table 2: neither has come by the no-show point.
    const org = await joinAs(organizer.cookie, eventId);
    const waiting = await joinAs(cookies[one.mentor_id]!);
    expect(await command(org.socket, 'clock:start')).toHaveProperty('data');
    await postPresence(t.app, { event: 'participant_joined', roomName: one.room_name, identity: one.mentor_id, at: Date.now() }, lk);
    await eventually(async () => (await t.pool.query('SELECT 1 FROM no_shows WHERE event_id = $1', [eventId])).rowCount === 3, { what: 'the three absent to be flagged', timeoutMs: 20_000 });

    // Table 2's mentee comes late: the mentor left waiting at table 1 meets them at once, in a fresh room.
    const lateMentee = await joinAs(cookies[two.mentee_id]!);
    const [forMentor, forMentee] = await Promise.all([nextEvent(waiting.socket, 'seat:changed', 20_000), nextEvent(lateMentee.socket, 'seat:changed', 20_000)]);
    expect(forMentor.connection!.roomName).toBe(forMentee.connection!.roomName);
    expect(forMentor.partners[0]!.participantId).toBe(two.mentee_id);
    expect(forMentee.partners[0]!.participantId).toBe(one.mentor_id);
    expect(await validateJoin(lk, forMentee.connection!.token)).toBe(200);
    // Here after all: the late mentee is no longer absent.
    const { rows } = await t.pool.query('SELECT participant_id FROM no_shows WHERE event_id = $1 AND arrived_at IS NOT NULL', [eventId]);
    expect(rows.map((r) => r.participant_id)).toEqual([two.mentee_id]);

    // Table 2's mentor comes later still: nobody is free, and they are told so.
    const lateMentor = await joinAs(cookies[two.mentor_id]!);
    const told = await nextEvent(lateMentor.socket, 'seat:changed', 20_000);
    expect(told.connection).toBeNull();
    expect(told.message).toMatch(/nobody is free to meet you this round/);
  }, 90_000);

  it('lets the organizer move people by hand: swap two tables, with the same rules and fresh rooms', async () => {
    const { eventId, organizer, people, cookies } = await setUpEvent(t.app, { mentors: 2, mentees: 2, noShowAfterSeconds: 600 });
    const headers = { cookie: organizer.cookie };
    const [one, two] = (await seatsOf(eventId, 1)) as [Awaited<ReturnType<typeof seatsOf>>[number], Awaited<ReturnType<typeof seatsOf>>[number]];
    const move = (payload: object) => t.app.inject({ method: 'POST', url: `/api/events/${eventId}/live/seats`, headers, payload });
    expect((await move({ kind: 'swap', menteeIds: [one.mentee_id, two.mentee_id] })).statusCode).toBe(409); // not in a round
    const org = await joinAs(organizer.cookie, eventId);
    const a = await joinAs(cookies[one.mentee_id]!);
    const b = await joinAs(cookies[two.mentee_id]!);
    expect(await command(org.socket, 'clock:start')).toHaveProperty('data');

    // A forbid is honoured by hand too.
    await t.app.inject({ method: 'PUT', url: `/api/events/${eventId}/constraints/${one.mentor_id}/${two.mentee_id}`, headers, payload: { kind: 'forbid' } });
    const refused = await move({ kind: 'swap', menteeIds: [one.mentee_id, two.mentee_id] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/must not meet/);
    await t.app.inject({ method: 'DELETE', url: `/api/events/${eventId}/constraints/${one.mentor_id}/${two.mentee_id}`, headers });
    expect((await move({ kind: 'seat', mentorId: one.mentor_id, menteeId: one.mentee_id })).statusCode).toBe(409); // already together
    expect((await move({ kind: 'seat', mentorId: people[0]!.id, menteeId: people[0]!.id })).statusCode).toBe(404); // not a mentee

    const heardA = nextEvent(a.socket, 'seat:changed');
    const heardB = nextEvent(b.socket, 'seat:changed');
    const swapped = await move({ kind: 'swap', menteeIds: [one.mentee_id, two.mentee_id] });
    expect(swapped.statusCode).toBe(200);
    expect(swapped.json()).toMatchObject({ kind: 'move', unseated: [] });
    const [toA, toB] = await Promise.all([heardA, heardB]);
    expect(toA.partners[0]!.participantId).toBe(two.mentor_id);
    expect(toB.partners[0]!.participantId).toBe(one.mentor_id);
    expect(toA.message).toMatch(/^The organizer moved you: you are now meeting/);
    expect(toA.connection!.roomName).not.toBe(two.room_name);
    expect(await validateJoin(lk, toA.connection!.token)).toBe(200);
    const live = (await seatsOf(eventId, 1)).filter((s) => s.replaced_at === null);
    expect(live.map((s) => [s.mentor_id, s.mentee_id, s.source]).sort()).toEqual(
      [
        [one.mentor_id, two.mentee_id, 'move'],
        [two.mentor_id, one.mentee_id, 'move'],
      ].sort(),
    );
  }, 90_000);
});
