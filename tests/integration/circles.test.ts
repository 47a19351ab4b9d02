import type { AddressInfo } from 'node:net';
import { TokenVerifier } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import type { EventSnapshot } from '@constellation/shared/realtime/events';
import type { RoundFormat } from '@constellation/shared/schemas/events';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { roomNameFor } from '../../server/src/modules/video/room-name.ts';
import { cookieFrom, signUpOrganizer } from '../helpers/app.ts';
import { postPresence } from '../helpers/attendance.ts';
import { eventually, joinSignalOnly, liveKitAvailability, validateJoin } from '../helpers/livekit.ts';
import { connectSocket, connected, nextEvent } from '../helpers/realtime.ts';
import { useLiveKitApp } from '../helpers/livekit-app.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

/**
 * Issue 13, end to end without a browser: an event of two one-to-one rounds and one round of
 * circles, on real PostgreSQL and a real LiveKit server, from its settings to the rated circle.
 */
const livekit = liveKitAvailability();
/** Test-shortened (60 s in production). */
const NO_SHOW_AFTER_MS = 1_500;

const live = useLiveKitApp(livekit.available, { noShowAfterMs: NO_SHOW_AFTER_MS });

const MIXED: RoundFormat[] = [{ kind: 'pairs' }, { kind: 'pairs' }, { kind: 'circle', size: 3 }];

describe.skipIf(!livekit.available)('circle rounds on real PostgreSQL and LiveKit', () => {
  it('validates the round formats setting with clear 400s, and a change of formats makes the plan stale', async () => {
    const { t } = live;
    const { cookie } = await signUpOrganizer(t.app);
    const headers = { cookie };
    const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/events', headers, payload });
    const wrongLength = await post(makeEvent({ rounds: 2, roundFormats: MIXED }));
    expect(wrongLength.statusCode).toBe(400);
    expect(wrongLength.json().message).toMatch(/one format per round: 3 formats for 2 rounds/);
    for (const bad of [
      [{ kind: 'circle', size: 9 }],
      [{ kind: 'circle', size: 1 }],
      [{ kind: 'circle' }],
      [{ kind: 'pairs', size: 3 }],
      [{ kind: 'triangle' }],
      [],
      'circle',
    ]) {
      const response = await post({ ...makeEvent({ rounds: 1 }), roundFormats: bad });
      expect(response.statusCode, JSON.stringify(bad)).toBe(400);
      expect(response.json().message).toMatch(/roundFormats/);
    }

    const event = (await post(makeEvent({ rounds: 3 }))).json();
    expect(event.roundFormats).toBeNull();
    for (const role of ['mentor', 'mentor', 'mentee', 'mentee', 'mentee'] as const) {
      await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) });
    }
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).statusCode).toBe(200);
    const plain = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json();
    expect(plain.stale).toBe(false);
    expect(plain.plan.optimality).toBeUndefined();

    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: `/api/events/${event.id}`, headers, payload });
    const patched = await patch({ roundFormats: MIXED });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().roundFormats).toEqual(MIXED);
    expect((await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json().stale).toBe(true);
    // Changing the rounds alone would leave formats of the wrong length: refused, and nothing changes.
    const rounds = await patch({ rounds: 4 });
    expect(rounds.statusCode).toBe(400);
    expect(rounds.json().message).toMatch(/3 formats for 4 rounds/);
    expect((await patch({ rounds: 4, roundFormats: [...MIXED, { kind: 'circle', size: 2 }] })).statusCode).toBe(200);
    expect((await patch({ rounds: 2, roundFormats: null })).json()).toMatchObject({ rounds: 2, roundFormats: null });
  });

  it('plans, seats, admits, records and rates a circle round of a mixed event', async () => {
    const { t, lk, url, sockets, signalling } = live;
    const organizer = await signUpOrganizer(t.app);
    const headers = { cookie: organizer.cookie };
    const event = (
      await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 3, roundSeconds: 300, transitionSeconds: 10, heldAfterSeconds: 5, roundFormats: MIXED }) })
    ).json();
    const people: { id: string; name: string; role: 'mentor' | 'mentee' }[] = [];
    for (const role of ['mentor', 'mentor', 'mentee', 'mentee', 'mentee', 'mentee', 'mentee', 'mentee'] as const) {
      people.push((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).json());
    }
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 3 } })).statusCode).toBe(200);
    const view = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json();
    const plan = view.plan as {
      rounds: { tables: { mentorId: string; menteeIds: string[]; seats: { menteeId: string; reasons: string[] }[] }[] }[];
      optimality: { exact: boolean; gap: { meetings: number } };
      circlePeers: { peerPairs: number; repeatedPeerPairs: number };
    };
    // One-to-one rounds seat one mentee a table; the circle round up to three, with a reason per seat.
    for (const round of plan.rounds.slice(0, 2)) for (const table of round.tables) expect(table.menteeIds.length).toBeLessThanOrEqual(1);
    const circles = plan.rounds[2]!.tables.filter((tb) => tb.menteeIds.length > 0);
    expect(circles).toHaveLength(2);
    for (const circle of circles) {
      expect(circle.menteeIds).toHaveLength(3);
      expect(circle.seats.map((s) => s.menteeId)).toEqual(circle.menteeIds);
    }
    expect(plan.optimality).toMatchObject({ exact: expect.any(Boolean), gap: expect.any(Object) });
    expect(plan.circlePeers.peerPairs).toBe(6);
    // No pair meets twice over the three rounds.
    const pairs = plan.rounds.flatMap((r) => r.tables.flatMap((tb) => tb.menteeIds.map((m) => `${tb.mentorId}:${m}`)));
    expect(new Set(pairs).size).toBe(pairs.length);

    const invites = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
    const cookies = new Map<string, string>();
    for (const invite of invites) cookies.set(invite.participantId, cookieFrom(await t.app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } })));

    const command = async (type: 'start' | 'endRound') => {
      const result = await t.app.clock.command(event.id, { type }, organizer.id);
      if (!result.ok) throw new Error(result.reason);
      if (type === 'endRound') live.clockOffset += (event.transitionSeconds + 1) * 1000;
      return (await t.app.clock.state(event.id))!;
    };
    const attend = async (round: number, absent: string[] = []) => {
      const seated = plan.rounds[round - 1]!.tables.filter((tb) => tb.menteeIds.length > 0);
      for (const tb of seated) {
        const roomName = roomNameFor({ eventId: event.id, round, tableId: tb.mentorId });
        for (const identity of [tb.mentorId, ...tb.menteeIds].filter((id) => !absent.includes(id))) {
          await postPresence(t.app, { event: 'participant_joined', roomName, identity, at: t.app.clock.now() }, lk);
        }
      }
    };
    // Two one-to-one rounds, everyone there.
    await command('start');
    await attend(1);
    live.clockOffset += 6_000;
    await command('endRound');
    await attend(2);
    live.clockOffset += 6_000;
    const clock = await command('endRound');
    expect(clock).toMatchObject({ phase: 'round', round: 3 });

    // The circle round: each member's socket gets a token for their circle's room, and only it.
    const [circle, other] = circles as [(typeof circles)[0], (typeof circles)[0]];
    const circleRoom = roomNameFor({ eventId: event.id, round: 3, tableId: circle.mentorId });
    const members = [circle.mentorId, ...circle.menteeIds];
    const verifier = new TokenVerifier(lk.apiKey, lk.apiSecret);
    const tokenOf = async (participantId: string) => {
      const socket = connectSocket(url, { cookie: cookies.get(participantId)! });
      sockets.push(socket);
      const snapshot = nextEvent(socket, 'event:snapshot');
      await connected(socket);
      return ((await snapshot) as EventSnapshot).video!;
    };
    for (const id of members) {
      const video = await tokenOf(id);
      expect(video.roomName).toBe(circleRoom);
      const claims = await verifier.verify(video.token);
      expect(claims.sub).toBe(id);
      expect(claims.video?.room).toBe(circleRoom);
      expect(await validateJoin(lk, video.token)).toBe(200);
    }
    for (const id of [other.mentorId, ...other.menteeIds]) {
      const video = await tokenOf(id);
      expect(video.roomName).not.toBe(circleRoom);
      expect((await verifier.verify(video.token)).video?.room).not.toBe(circleRoom);
    }
    // The room holds the circle and the organizers' observers, no more; all four members get in.
    const provider = new LiveKitVideoProvider(lk);
    const [room] = await provider.listRooms([circleRoom]);
    expect(room?.maxParticipants).toBe(members.length + 2);
    for (const id of members) signalling.push(await joinSignalOnly(lk.url, (await tokenOf(id)).token));
    await eventually(async () => (await provider.listParticipants(circleRoom)).length === members.length, { what: 'the whole circle in its room' });

    // One mentee of the circle never comes: flagged, while the others' seats count as held.
    const absent = circle.menteeIds[2]!;
    const present = circle.menteeIds.slice(0, 2);
    await attend(3, [absent]);
    const noShows = await eventually(async () => {
      const listed = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/no-shows`, headers })).json().noShows as { participantId: string; round: number }[];
      return listed.length > 0 && listed;
    }, { what: 'the no-show', timeoutMs: NO_SHOW_AFTER_MS + 20_000 });
    expect(noShows.map((n) => [n.round, n.participantId])).toEqual([[3, absent]]);
    live.clockOffset += 6_000;
    const attendance = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/attendance`, headers })).json() as {
      rounds: { round: number; seats: { mentorId: string; menteeId: string; met: boolean }[] }[];
    };
    const seats = attendance.rounds.find((r) => r.round === 3)!.seats.filter((s) => s.mentorId === circle.mentorId);
    expect(Object.fromEntries(seats.map((s) => [s.menteeId, s.met]))).toEqual({ [present[0]!]: true, [present[1]!]: true, [absent]: false });

    // The mentor rates each mentee who was at the table, and only them.
    const mentorCookie = cookies.get(circle.mentorId)!;
    const feedback = async () => (await t.app.inject({ method: 'GET', url: '/api/me/feedback', headers: { cookie: mentorCookie } })).json();
    const inCircle = (await feedback()).met.filter((m: { round: number }) => m.round === 3);
    expect(inCircle.map((m: { participantId: string }) => m.participantId).sort()).toEqual([...present].sort());
    for (const [i, menteeId] of present.entries()) {
      const rated = await t.app.inject({ method: 'PUT', url: `/api/me/ratings/${menteeId}`, headers: { cookie: mentorCookie }, payload: { fit: 3 + i, wouldMentor: true, note: `circle ${i}` } });
      expect(rated.statusCode).toBe(204);
    }
    expect((await t.app.inject({ method: 'PUT', url: `/api/me/ratings/${absent}`, headers: { cookie: mentorCookie }, payload: { fit: 5, wouldMentor: true } })).statusCode).toBe(403);
    const rated = (await feedback()).met.filter((m: { round: number }) => m.round === 3);
    expect(rated.map((m: { participantId: string; rating: unknown }) => [m.participantId, m.rating]).sort()).toEqual(
      present.map((id, i) => [id, { fit: 3 + i, wouldMentor: true, note: `circle ${i}` }]).sort(),
    );
    const { rows } = await t.pool.query('SELECT mentee_id FROM ratings WHERE event_id = $1 AND mentor_id = $2', [event.id, circle.mentorId]);
    expect(rows.map((r) => r.mentee_id).filter((id) => circle.menteeIds.includes(id)).sort()).toEqual([...present].sort());
    await command('endRound');
  }, 120_000);
});
