/**
 * Issue 13 in real browsers: a circle with two mentors (co-hosted) on real LiveKit. Both mentors
 * and three mentees share one room and all see each other's video; a mentee's page names both
 * mentors as partners, each mentor's page names the other as co-host; the organizer's plan and
 * watch panel show the circle with both hosts. The time from the round's start until everyone sees
 * all the others is printed.
 */
import { expect, it } from 'vitest';
import { describeLiveStack, firstFrameOf, partnerVideoWidth, recordFirstFrames, type LiveSide } from '../helpers/live-pages.ts';

describeLiveStack('a co-hosted circle in real browsers', (stack) => {
  it('seats two mentors and three mentees in one room where all see each other, each mentor named on every page', { timeout: 240_000 }, async () => {
    const { pages } = stack;
    const cookie = await pages.organizer('cohost');
    const { eventId, tables } = await pages.event(
      cookie,
      { title: 'Co-hosted circle', rounds: 1, roundSeconds: 300, heldAfterSeconds: 3, roundFormats: [{ kind: 'circle', size: 3, hosts: 2 }] },
      [
        ['mentor', 'Marta Mentor'],
        ['mentor', 'Nils Mentor'],
        ['mentee', 'Ada Mentee'],
        ['mentee', 'Ben Mentee'],
        ['mentee', 'Cleo Mentee'],
      ],
    );
    // One circle: both mentors with all three mentees.
    expect(tables).toHaveLength(1);
    const circle = tables[0]!;
    expect(circle.coHost).not.toBeNull();
    expect(circle.mentees).toHaveLength(3);
    const hosts = [circle.mentor, circle.coHost!];
    const members = [...hosts, ...circle.mentees];

    // The event page keeps the format; the plan draws the circle with both hosts.
    const organizer = await pages.openRunScreen(cookie, eventId);
    await organizer.goto(`/events/${eventId}`);
    await organizer.getByRole('checkbox', { name: 'Two mentors per circle' }).waitFor();
    expect(await organizer.getByRole('checkbox', { name: 'Two mentors per circle' }).isChecked()).toBe(true);
    await organizer.goto(`/events/${eventId}/run`);
    const drawn = organizer.locator(`[data-circle="${circle.mentor.id}"]`);
    await drawn.waitFor({ timeout: 30_000 });
    expect(await drawn.textContent()).toContain(`${circle.mentor.name} & ${circle.coHost!.name}`);

    const sides: LiveSide[] = [];
    for (const person of members) sides.push(await pages.openLive(person, { initScript: recordFirstFrames }));
    for (const side of sides) await side.page.locator('[data-call-standby]').waitFor({ timeout: 60_000 });
    const run = (await pages.clock(cookie, eventId)).run;
    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);

    // Everyone sees every other member's video.
    for (const viewer of sides) {
      for (const viewed of members.filter((p) => p.id !== viewer.person.id)) {
        await expect
          .poll(() => partnerVideoWidth(viewer.page, viewed.id), { timeout: 60_000, interval: 50, message: `${viewer.person.name} to see ${viewed.name}` })
          .toBeGreaterThan(0);
      }
    }
    const seenAt: number[] = [];
    for (const viewer of sides) {
      for (const viewed of members.filter((p) => p.id !== viewer.person.id)) seenAt.push(Number(await firstFrameOf(viewer.page, viewed.id)));
    }
    console.log(`co-hosted circle of ${members.length}: everyone sees all ${members.length - 1} others ${Math.max(...seenAt) - started.startsAt} ms after the round start`);

    // A mentee's "You are meeting" cards: both mentors, here; a mentor's: the other mentor as co-host.
    const card = (side: LiveSide, label: string) => side.page.locator(`.stage__seat article[aria-label="${label}"]`);
    for (const side of sides) {
      const isHost = hosts.some((h) => h.id === side.person.id);
      const expected = isHost ? [`${hosts.find((h) => h.id !== side.person.id)!.name}, co-host`, ...circle.mentees.map((m) => m.name)] : [...hosts.map((h) => h.name)];
      for (const label of expected) await expect.poll(() => card(side, label).getAttribute('data-presence'), { timeout: 30_000, message: `${side.person.name}'s card for ${label}` }).toBe('here');
    }
    // The watch panel: one circle, both hosts, everyone in the call.
    const watchPanel = await pages.openRunScreen(cookie, eventId);
    const room = watchPanel.locator(`[data-circle-room="${circle.mentor.id}"]`);
    await expect.poll(() => room.locator('[data-circle-count]').textContent(), { timeout: 30_000 }).toBe(`${members.length} of ${members.length} in the call`);
    expect(await room.textContent()).toContain(`Circle of ${circle.mentor.name} & ${circle.coHost!.name}`);
    await watchPanel.close();

    await run('clock:end-event');
    for (const side of sides) expect(side.errors.filter((e) => !/signal stream|DataChannel error/.test(e))).toEqual([]);
  });
});
