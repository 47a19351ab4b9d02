/**
 * Fault injection on the video side: the real LiveKit server killed (SIGKILL) mid-round and
 * started again on the same port. The app makes the round's rooms again and hands every seated
 * participant their room again, and each new token joins. Prints "faults injected / survived".
 */
import type { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoAssigned } from '@constellation/shared/realtime/events';
import { LiveKitVideoProvider } from '../../server/src/modules/video/livekit.provider.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp } from '../helpers/app.ts';
import { eventually, joinSignalOnly, liveKitAvailability, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { freePort, pidListeningOn } from '../helpers/server.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

const livekit = liveKitAvailability();
if (!livekit.available && process.env.CI) throw new Error(livekit.reason);

describe.skipIf(!livekit.available)('LiveKit killed and restarted mid-round', () => {
  let lk: LiveKitServer;
  let t: TestApp;
  let url: string;
  let lkPort: number;
  let webhookUrl: string;
  const sockets: ClientSocket[] = [];
  const calls: WebSocket[] = [];
  const tally = { injected: 0, survived: 0 };

  beforeAll(async () => {
    const port = await freePort();
    lkPort = await freePort();
    url = `http://127.0.0.1:${port}`;
    webhookUrl = `${url}/api/livekit/webhook`;
    lk = await startLiveKit({ port: lkPort, webhookUrl });
    // No-show checks are out of this test's way: it is about the rooms and the tokens.
    t = await buildTestApp({ video: new LiveKitVideoProvider(lk), livekit: lk, noShowAfterMs: 3_600_000 });
    await t.app.listen({ port, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    calls.forEach((c) => c.close());
    sockets.forEach((s) => s.disconnect());
    await t?.close();
    await lk?.stop();
    console.log(`[faults] LiveKit: faults injected ${tally.injected} / survived ${tally.survived}`);
  }, 60_000);

  it('makes the rooms again and gives every seated participant a room that lets them back in', async () => {
    const organizer = await signUpOrganizer(t.app);
    const headers = { cookie: organizer.cookie };
    const event = (await t.app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2, roundSeconds: 600 }) })).json();
    for (const role of ['mentor', 'mentor', 'mentee', 'mentee'] as const) {
      await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) });
    }
    expect((await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).statusCode).toBe(200);
    const invites = (await t.app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
    const assigned = new Map<string, VideoAssigned[]>();
    for (const invite of invites) {
      const cookie = cookieFrom(await t.app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
      const socket = connectSocket(url, { cookie });
      sockets.push(socket);
      assigned.set(invite.participantId, []);
      socket.on('video:assigned', (a) => assigned.get(invite.participantId)!.push(a));
      const snapshot = nextEvent(socket, 'event:snapshot');
      await connected(socket);
      await snapshot;
    }
    const org = connectSocket(url, { cookie: organizer.cookie, eventId: event.id, as: 'organizer' });
    sockets.push(org);
    await connected(org);
    expect('data' in (await command(org, 'clock:start'))).toBe(true);

    // Everyone seated has a room and joins it.
    const seated = await eventually(
      () => {
        const withRoom = [...assigned].filter(([, list]) => list.some((a) => a.connection));
        return withRoom.length >= 2 && withRoom.length === [...assigned].filter(([, list]) => list.length > 0).length ? withRoom.map(([id]) => id) : undefined;
      },
      { timeoutMs: 20_000, what: 'every seated participant getting a room' },
    );
    for (const id of seated) calls.push(await joinSignalOnly(lk.url, assigned.get(id)!.at(-1)!.connection!.token));
    const before = new Map(seated.map((id) => [id, assigned.get(id)!.length]));

    // SIGKILL: LiveKit forgets every room.
    process.kill(pidListeningOn(lkPort), 'SIGKILL');
    tally.injected++;
    await lk.stop();
    const restartedAt = Date.now();
    lk = await startLiveKit({ port: lkPort, keys: { apiKey: lk.apiKey, apiSecret: lk.apiSecret }, webhookUrl });
    const livekitReadyMs = Date.now() - restartedAt;

    // The app notices, makes the rooms again and hands out rooms again; every new token gets in.
    await eventually(() => seated.every((id) => assigned.get(id)!.length > before.get(id)!), { timeoutMs: 60_000, what: 'rooms handed out again after the restart' });
    for (const id of seated) {
      const again = assigned.get(id)!.at(-1)!;
      expect(again.round).toBe(1);
      calls.push(await joinSignalOnly(lk.url, again.connection!.token));
    }
    console.log(`[faults] LiveKit back after ${livekitReadyMs} ms; every seated participant had a room that lets them in ${Date.now() - restartedAt} ms after the restart began`);
    tally.survived++;
  }, 150_000);
});
