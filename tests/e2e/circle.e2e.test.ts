/**
 * Issue 13 in real browsers: a round of mentoring circles on real LiveKit. One mentor and three
 * mentees share one room and all see each other's video after the round starts (the time from the
 * round's start until everyone sees all the others is printed: the target is 1.5 s); a
 * fourth mentee seated in the circle never comes, is flagged as a no-show, and the circle goes on.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeLiveStack, firstFrameOf, partnerVideoLive, partnerVideoWidth, recordFirstFrames, type LiveSide } from '../helpers/live-pages.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
/** Before any page script: the microphone is a steady 440 Hz tone (camera still Chromium's fake one). */
const STEADY_TONE = `(() => {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    if (!constraints || !constraints.audio) return stream;
    const context = new AudioContext();
    const tone = context.createOscillator();
    const gain = context.createGain();
    gain.gain.value = 0.5;
    const out = context.createMediaStreamDestination();
    tone.connect(gain).connect(out);
    tone.start();
    for (const track of stream.getAudioTracks()) { stream.removeTrack(track); track.stop(); }
    stream.addTrack(out.stream.getAudioTracks()[0]);
    return stream;
  };
})();`;

describeLiveStack('a mentoring circle in real browsers', (stack) => {
  it('seats a mentor and three mentees in one room where all see each other; the absent fourth is flagged and the circle goes on', { timeout: 240_000 }, async () => {
    const { pages } = stack;
    const NO_SHOW_SECONDS = 10;
    const cookie = await pages.organizer('circle');
    const { eventId, tables } = await pages.event(
      cookie,
      { title: 'Circle evening', rounds: 1, roundSeconds: 300, noShowAfterSeconds: NO_SHOW_SECONDS, heldAfterSeconds: 3, roundFormats: [{ kind: 'circle', size: 4 }] },
      [
        ['mentor', 'Marta Mentor'],
        ['mentee', 'Ada Mentee'],
        ['mentee', 'Ben Mentee'],
        ['mentee', 'Cleo Mentee'],
        ['mentee', 'Dev Mentee'],
      ],
    );
    // One table: the mentor with all four mentees.
    expect(tables).toHaveLength(1);
    const circle = tables[0]!;
    expect(circle.mentees).toHaveLength(4);
    const absent = circle.mentees[3]!;
    const present = [circle.mentor, ...circle.mentees.slice(0, 3)];

    // The organizer's event page shows the round's format; the run screen's plan draws the circle,
    // why its members were grouped, and that the plan is proven optimal.
    const organizer = await pages.openRunScreen(cookie, eventId);
    await organizer.goto(`/events/${eventId}`);
    await organizer.getByRole('checkbox', { name: 'Mentoring circles in some rounds' }).waitFor();
    expect(await organizer.getByRole('checkbox', { name: 'Mentoring circles in some rounds' }).isChecked()).toBe(true);
    expect(await organizer.getByLabel('Round 1', { exact: true }).inputValue()).toBe('4');
    await organizer.goto(`/events/${eventId}/run`);
    const drawn = organizer.locator(`[data-circle="${circle.mentor.id}"]`);
    await drawn.waitFor({ timeout: 30_000 });
    for (const mentee of circle.mentees) await drawn.locator('.circle__why').getByText(mentee.name, { exact: true }).waitFor();
    expect(await drawn.locator('.circle__why').textContent()).toContain('Why grouped');
    // …and what its mentees share with each other (goals, industry), two by two.
    expect(await drawn.locator('[data-circle-peers]').textContent()).toMatch(/both (want|in) /);
    expect(await organizer.locator('[data-plan-optimality]').getAttribute('data-plan-optimality')).toBe('exact');
    await organizer.screenshot({ path: `${SCREENSHOTS}run-plan-circle.png`, fullPage: true });
    await organizer.close();

    const sides: LiveSide[] = [];
    // The mentor talks without pause (a steady tone instead of the fake microphone's short beeps, which
    // LiveKit's speaker detection rightly does not count as talking): the others' galleries show it.
    for (const person of present) sides.push(await pages.openLive(person, { initScript: person.id === circle.mentor.id ? `${recordFirstFrames};${STEADY_TONE}` : recordFirstFrames }));
    // As people do, they arrive before the start: each waits in the circle's room on standby.
    for (const side of sides) await side.page.locator('[data-call-standby]').waitFor({ timeout: 60_000 });
    const run = (await pages.clock(cookie, eventId)).run;
    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);

    // Everyone present sees every other member's video.
    for (const viewer of sides) {
      for (const viewed of present.filter((p) => p.id !== viewer.person.id)) {
        await expect
          .poll(() => partnerVideoWidth(viewer.page, viewed.id), { timeout: 60_000, interval: 50, message: `${viewer.person.name} to see ${viewed.name}` })
          .toBeGreaterThan(0);
      }
    }
    const seenAt: number[] = [];
    for (const viewer of sides) {
      for (const viewed of present.filter((p) => p.id !== viewer.person.id)) seenAt.push(Number(await firstFrameOf(viewer.page, viewed.id)));
    }
    const firstAll = Math.max(...seenAt) - started.startsAt;
    const firstAny = Math.min(...seenAt) - started.startsAt;
    console.log(`circle of ${present.length}: everyone sees all ${present.length - 1} others ${firstAll} ms after the round start (target 1500 ms); the first picture at ${firstAny} ms`);

    // The gallery shows who is talking: a ring on the mentor's tile, on a mentee's page.
    const listener = sides.find((side) => side.person.id !== circle.mentor.id)!;
    await expect
      .poll(() => listener.page.locator(`[data-remote-tile="${circle.mentor.id}"][data-speaking="true"]`).count(), { timeout: 30_000, interval: 50, message: 'the mentor shown as speaking' })
      .toBe(1);

    // The absent mentee is flagged once the no-show wait is over, and only they are.
    type NoShows = { noShows: { round: number; participantId: string; absent: boolean }[] };
    await expect
      .poll(async () => (await pages.api<NoShows>(`/api/events/${eventId}/no-shows`, cookie)).noShows.map((n) => [n.round, n.participantId]), {
        timeout: NO_SHOW_SECONDS * 1000 + 60_000,
        interval: 250,
      })
      .toEqual([[1, absent.id]]);
    // Each page's "You are meeting" card says who is in the call: the others are, the absent one is not;
    // the mentor, told of the no-show, sees them as not come, and the circle goes on.
    const presence = (side: LiveSide, name: string) => side.page.locator(`.stage__seat article[aria-label="${name}"]`).getAttribute('data-presence');
    for (const side of sides) {
      const expected = side.person.id === circle.mentor.id ? 'absent' : 'away';
      await expect.poll(() => presence(side, absent.name), { timeout: 30_000, message: `${side.person.name}'s card for ${absent.name}` }).toBe(expected);
      for (const other of present.filter((p) => p.id !== side.person.id)) {
        await expect.poll(() => presence(side, other.name), { timeout: 30_000, message: `${side.person.name}'s card for ${other.name}` }).toBe('here');
      }
    }
    // The organizer's watch panel shows the circle as one: how many of its members are in the call, the no-show named.
    const watchPanel = await pages.openRunScreen(cookie, eventId);
    const circleRoom = watchPanel.locator(`[data-circle-room="${circle.mentor.id}"]`);
    await expect.poll(() => circleRoom.locator('[data-circle-count]').textContent(), { timeout: 30_000 }).toBe(`${present.length} of ${present.length + 1} in the call`);
    expect(await circleRoom.textContent()).toContain(`${absent.name} (no-show)`);
    await watchPanel.close();
    // …while the circle goes on: nobody was moved, and every member's video is still live for the others.
    for (const viewer of sides) {
      expect(await viewer.page.locator('[data-seat-changed]').count()).toBe(0);
      for (const viewed of present.filter((p) => p.id !== viewer.person.id)) {
        await expect.poll(() => partnerVideoLive(viewer.page, viewed.id), { timeout: 20_000, message: `${viewer.person.name} still sees ${viewed.name}` }).toBe(true);
      }
    }
    await sides[0]!.page.screenshot({ path: `${SCREENSHOTS}participant-circle-1280x800.png` });
    // The gallery fits on the screen: every tile fully in view at 1280×800.
    const tiles = await sides[0]!.page.locator('[data-remote-tile]').evaluateAll((figures) =>
      figures.map((f) => {
        const box = f.getBoundingClientRect();
        return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth && box.width > 100;
      }),
    );
    expect(tiles).toEqual([true, true, true]);

    await run('clock:end-event');
    for (const side of sides) expect(side.errors.filter((e) => !/signal stream|DataChannel error/.test(e))).toEqual([]);
  });
});
