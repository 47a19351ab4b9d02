/**
 * Back in seconds, in real Chromium on real LiveKit: a participant who reloads their page mid-round
 * sees their partner again, and is seen again, within seconds (the times are printed); meanwhile
 * the partner is told "X is reconnecting…", never "waiting for X to join", and someone who leaves
 * for good is shown as having left.
 */
import { expect, it } from 'vitest';
import { eventually } from '../helpers/livekit.ts';
import { describeLiveStack, firstFrameOf, recordFirstFrames, type LiveSide } from '../helpers/live-pages.ts';

describeLiveStack('a participant who reloads or drops comes back in seconds', (stack) => {
  /** When both pages first showed the other's picture at or after `since` (the later of the two). */
  const bothSeeEachOther = (a: LiveSide, b: LiveSide, since: number) =>
    eventually(
      async () => {
        const pair = [await firstFrameOf(a.page, b.person.id, since), await firstFrameOf(b.page, a.person.id, since)];
        return pair.every((at) => at !== null) ? (pair as [number, number]) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50, what: `${a.person.name} and ${b.person.name} to see each other` },
    );

  const callText = (side: LiveSide) => side.page.locator('[data-video-call]').innerText();

  it('brings the call back after a reload, says "reconnecting" meanwhile, and "left" for someone who does not come back', { timeout: 300_000 }, async () => {
    const { pages } = stack;
    const cookie = await pages.organizer('reconnect');
    const { eventId, tables } = await pages.event(cookie, { title: 'Reconnect evening', rounds: 1, roundSeconds: 600, noShowAfterSeconds: 300 }, [
      ['mentor', 'Rosa Mentor'],
      ['mentee', 'Sami Mentee'],
    ]);
    const mentor = await pages.openLive(tables[0]!.mentor, { initScript: recordFirstFrames });
    const mentee = await pages.openLive(tables[0]!.mentees[0]!, { initScript: recordFirstFrames });
    const { run } = await pages.clock(cookie, eventId);
    const started = await run('clock:start');
    await bothSeeEachOther(mentor, mentee, 0);

    // A reload, three times over: each side sees the other again, and the time is printed.
    for (let k = 1; k <= 3; k++) {
      const reloadAt = Date.now();
      await mentee.page.reload();
      const [menteeSees, mentorSees] = await bothSeeEachOther(mentee, mentor, reloadAt);
      console.log(`reload ${k}: the reloaded page sees the partner after ${menteeSees - reloadAt} ms, the partner sees it again after ${mentorSees - reloadAt} ms`);
    }

    // While the page is away, the partner reads that they are reconnecting, not that they have yet to join.
    // (The reloaded page is held back for a while, so there is time to read it.)
    await mentee.page.route('**/*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await route.continue();
    });
    const held = mentee.page.reload();
    await eventually(async () => (await callText(mentor)).includes('Sami Mentee is reconnecting'), { timeoutMs: 30_000, what: 'the partner to read that Sami is reconnecting' });
    expect(await callText(mentor)).not.toContain('Waiting for');
    await held;
    await mentee.page.unroute('**/*');
    await bothSeeEachOther(mentee, mentor, Date.now() - 1);

    // Gone for good: the partner reads that they left.
    await mentee.page.context().close();
    await eventually(async () => (await callText(mentor)).includes('Sami Mentee left the call'), { timeoutMs: 60_000, what: 'the partner to read that Sami left' });
    expect(started.phase).toBe('round');
  });
});
