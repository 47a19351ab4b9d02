import { afterAll, describe, expect, it } from 'vitest';
import type { ClockActive } from '@constellation/shared/clock/state';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const running: RunningServer[] = [];
const sockets: ClientSocket[] = [];
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await Promise.all(running.map((s) => s.stop()));
});

async function call(base: string, method: string, path: string, body?: unknown, cookie?: string) {
  const response = await fetch(base + path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { id: string }, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '' };
}

describe('restart safety', () => {
  it('a server killed mid-event comes back with the same absolute times, and clients reconnect by themselves', async () => {
    const first = await startServer();
    running.push(first);
    const base = first.url;
    const organizer = await newOrganizer(base, { name: 'R' });
    const event = (await call(base, 'POST', '/api/events', makeEvent({ rounds: 2, roundSeconds: 300, transitionSeconds: 25 }), organizer.cookie)).body;
    for (const role of ['mentor', 'mentor', 'mentee', 'mentee'] as const) {
      await call(base, 'POST', `/api/events/${event.id}/participants`, makeParticipant({ role }), organizer.cookie);
    }
    expect((await call(base, 'POST', `/api/events/${event.id}/plan`, { seed: 3 }, organizer.cookie)).status).toBe(200);
    const invites = (await (await fetch(`${base}/api/events/${event.id}/invites`, { headers: { cookie: organizer.cookie } })).json()) as { invites: { url: string }[] };
    const participantCookie = (await call(base, 'POST', '/api/join', { token: invites.invites[0]!.url.split('#')[1] })).cookie;

    const participant = connectSocket(base, { cookie: participantCookie, reconnection: true });
    sockets.push(participant);
    const firstSnapshot = nextEvent(participant, 'event:snapshot');
    await connected(participant);
    await firstSnapshot;
    const org = connectSocket(base, { cookie: organizer.cookie, eventId: event.id, as: 'organizer' });
    sockets.push(org);
    await connected(org);

    await command(org, 'clock:start');
    const ended = await command<ClockActive>(org, 'clock:end-round');
    if (!('data' in ended)) throw new Error(JSON.stringify(ended));
    expect(ended.data.phase).toBe('transition');
    const transitionEndsAt = ended.data.endsAt;
    org.disconnect();

    // SIGKILL during the transition: nothing gets to shut down cleanly.
    await first.kill();
    // Longer than the restart below may take (its own limit is 60 s).
    const snapshotAfterRestart = nextEvent(participant, 'event:snapshot', 90_000);
    const second = await startServer({ port: first.port });
    running.push(second);

    // The participant's socket reconnects on its own and gets a full snapshot with the same times.
    const snapshot = await snapshotAfterRestart;
    if (snapshot.clock.phase === 'transition') {
      expect((snapshot.clock as ClockActive).endsAt).toBe(transitionEndsAt);
      // The restarted server re-armed its timer: round 2 starts exactly when it was due.
      const change = await nextEvent(participant, 'clock:changed', 60_000);
      expect(change.cause).toEqual({ kind: 'elapsed' });
      expect(change.clock).toMatchObject({ phase: 'round', round: 2, startsAt: transitionEndsAt });
      expect(Date.now()).toBeGreaterThanOrEqual(transitionEndsAt);
    } else {
      // A slow machine took longer to restart than the transition lasted: round 2 began on time anyway.
      expect(snapshot.clock).toMatchObject({ phase: 'round', round: 2, startsAt: transitionEndsAt });
    }
  }, 300_000); // two server starts of up to 60 s each, the snapshot and round-change waits, with margin
});
