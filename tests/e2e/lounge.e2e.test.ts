/**
 * The event lounge, in real Chromium on real LiveKit: people sitting a round out join one group room
 * and see each other; leaving takes them back to sitting out; someone seated is refused the lounge.
 */
import { expect, it } from 'vitest';
import type { VideoConnection } from '@constellation/shared/realtime/events';
import { eventually } from '../helpers/livekit.ts';
import { describeLiveStack, partnerVideoWidth, type LiveSide } from '../helpers/live-pages.ts';
import { command, connectSocket, connected } from '../helpers/realtime.ts';

describeLiveStack('the lounge for people sitting a round out', (stack) => {
  const lounge = (side: LiveSide) => side.page.locator('[data-lounge]');

  it('lets the two sitting out see each other there, and leave it; someone seated is refused', { timeout: 240_000 }, async () => {
    const { pages, server } = stack;
    const cookie = await pages.organizer('lounge');
    const { eventId, tables, people } = await pages.event(cookie, { title: 'Lounge evening', rounds: 1, roundSeconds: 600, noShowAfterSeconds: 300 }, [
      ['mentor', 'Lena Mentor'],
      ['mentee', 'Omar Mentee'],
      ['mentee', 'Pia Mentee'],
      ['mentee', 'Quinn Mentee'],
    ]);
    const seated = new Set(tables.flatMap((t) => [t.mentor.id, ...t.mentees.map((m) => m.id)]));
    const [first, second] = people.filter((p) => !seated.has(p.id));
    if (!first || !second) throw new Error(`expected two people sitting out, the plan seats ${seated.size} of ${people.length}`);
    const a = await pages.openLive(first);
    const b = await pages.openLive(second);
    const mentor = await pages.openLive(tables[0]!.mentor);
    const { run } = await pages.clock(cookie, eventId);
    await run('clock:start');

    for (const side of [a, b]) {
      await side.page.getByRole('heading', { name: 'You sit this round out' }).waitFor({ timeout: 30_000 });
      await lounge(side).getByRole('button', { name: 'Join the lounge' }).click();
    }
    // Both see each other in the lounge's gallery.
    for (const [viewer, viewed] of [[a, b], [b, a]] as const) {
      await eventually(async () => (await partnerVideoWidth(viewer.page, viewed.person.id)) > 0, { timeoutMs: 30_000, what: `${viewer.person.name} to see ${viewed.person.name} in the lounge` });
    }
    await lounge(a).getByText(second.name).first().waitFor();

    // One leaves: the other is alone there again; the one who left can join again.
    await lounge(b).getByRole('button', { name: 'Leave the lounge' }).click();
    await lounge(a).getByText('Nobody else is in the lounge yet', { exact: false }).waitFor({ timeout: 30_000 });
    await lounge(b).getByRole('button', { name: 'Join the lounge' }).waitFor();

    // Someone seated has their call as their room: no lounge on their page, and the server refuses it.
    expect(await lounge(mentor).count()).toBe(0);
    const mentorCookie = (await mentor.page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const socket = connectSocket(server.url, { cookie: mentorCookie });
    try {
      await connected(socket);
      const refused = await command<VideoConnection>(socket, 'lounge:join');
      expect('error' in refused && refused.error.code).toBe('seated');
    } finally {
      socket.disconnect();
    }
    for (const side of [a, b, mentor]) expect(side.errors.filter((e) => !/signal stream|DataChannel error/.test(e))).toEqual([]);
  });
});
