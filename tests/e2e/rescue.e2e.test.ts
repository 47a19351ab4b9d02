import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeLiveStack, firstFrameOf, partnerVideoWidth, recordFirstFrames, type Person } from '../helpers/live-pages.ts';

// No server-wide no-show override: each event's own setting decides.
describeLiveStack('people left waiting are re-paired live, in real browsers', (stack) => {
  /** Two tables: at the first the mentee never comes, at the second the mentor never comes. */
  async function setUp(noShowAfterSeconds: number) {
    const { pages } = stack;
    const cookie = await pages.organizer('rescue');
    const { eventId, tables } = await pages.event(
      cookie,
      { title: 'Rescue evening', rounds: 1, roundSeconds: 300, noShowAfterSeconds, heldAfterSeconds: 3 },
      [
        ['mentor', 'Marta Mentor'],
        ['mentor', 'Nadia Mentor'],
        ['mentee', 'Ada Mentee'],
        ['mentee', 'Ben Mentee'],
      ],
    );
    const [first, second] = tables as [(typeof tables)[number], (typeof tables)[number]];
    // Present: the first table's mentor and the second table's mentee.
    return { cookie, eventId, mentor: first.mentor, mentee: second.mentees[0]!, absentMentee: first.mentees[0]!, absentMentor: second.mentor };
  }

  const openLive = (person: Person) => stack.pages.openLive(person, { initScript: recordFirstFrames });
  const openRunScreen = (cookie: string, eventId: string) => stack.pages.openRunScreen(cookie, eventId);
  const clock = async (cookie: string, eventId: string) => (await stack.pages.clock(cookie, eventId)).run;

  /** Both see each other's video; returns when the later of the two first saw the other. */
  async function seeEachOther(a: { page: Page; person: Person }, b: { page: Page; person: Person }): Promise<number> {
    for (const [viewer, viewed] of [[a, b], [b, a]] as const) {
      await expect
        .poll(() => partnerVideoWidth(viewer.page, viewed.person.id), { timeout: 30_000, interval: 50, message: `${viewer.person.name} to see ${viewed.person.name}` })
        .toBeGreaterThan(0);
    }
    return Date.now();
  }

  /** After the round: each rates or ranks the other, and only the other. */
  async function rateAndRank(mentor: { page: Page; person: Person }, mentee: { page: Page; person: Person }): Promise<void> {
    for (const side of [mentor, mentee]) {
      await side.page.goto('/feedback');
      await side.page.getByRole('heading', { level: 1, name: 'Feedback and your match' }).waitFor();
    }
    const card = mentor.page.getByRole('article', { name: mentee.person.name });
    await card.getByRole('radio', { name: '4 of 5' }).check();
    await card.getByRole('radio', { name: 'Yes' }).check();
    await card.getByRole('button', { name: `Save rating for ${mentee.person.name}` }).click();
    await card.getByRole('status').getByText('Saved', { exact: true }).waitFor();
    expect(await mentor.page.getByRole('article').count()).toBe(1);
    const ranking = mentee.page.getByRole('list', { name: 'Your ranking, best first' });
    await expect.poll(() => ranking.locator(':scope > li').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.mentor)), { timeout: 15_000 }).toEqual([mentor.person.id]);
  }

  it('re-pairs the two left waiting at the no-show point: they see each other, then rate and rank each other', { timeout: 240_000 }, async () => {
    const NO_SHOW_SECONDS = 8;
    const { cookie, eventId, mentor, mentee, absentMentee, absentMentor } = await setUp(NO_SHOW_SECONDS);
    const mentorSide = { ...(await openLive(mentor)), person: mentor };
    const menteeSide = { ...(await openLive(mentee)), person: mentee };
    const organizer = await openRunScreen(cookie, eventId);
    const run = await clock(cookie, eventId);
    const started = await run('clock:start');
    if (started.phase !== 'round') throw new Error(`started in ${started.phase}`);

    // At the no-show point each is told, in words, whom they meet instead…
    await mentorSide.page.locator('[data-seat-changed]').getByText(`${absentMentee.name} couldn't make it; you are now meeting ${mentee.name}`).waitFor({ timeout: 60_000 });
    await menteeSide.page.locator('[data-seat-changed]').getByText(`${absentMentor.name} couldn't make it; you are now meeting ${mentor.name}`).waitFor({ timeout: 60_000 });
    // …and they see each other.
    await seeEachOther(mentorSide, menteeSide);
    const noShowPoint = started.startsAt + NO_SHOW_SECONDS * 1000;
    const firstFrames = [await firstFrameOf(mentorSide.page, mentee.id), await firstFrameOf(menteeSide.page, mentor.id)];
    console.log(`rescue: both see each other ${Math.max(...firstFrames.map(Number)) - noShowPoint} ms after the no-show point`);
    // They waited in their rescue room unseen before it: neither saw the other before the rescue.
    for (const at of firstFrames) expect(at).toBeGreaterThanOrEqual(noShowPoint);
    // The partner card follows, and the organizer sees the rescue.
    await mentorSide.page.getByText(mentee.name, { exact: false }).first().waitFor();
    await organizer.getByRole('log', { name: 'Changes of seats this round' }).getByText(mentee.name, { exact: false }).waitFor({ timeout: 20_000 });

    // They talk long enough to count; the round (and the event) ends.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await run('clock:end-round');
    await rateAndRank(mentorSide, menteeSide);
    for (const side of [mentorSide, menteeSide]) expect(side.errors.filter((e) => !/signal stream|DataChannel error/.test(e))).toEqual([]);

    // The mentee who never came opens their link afterwards: told kindly that they met nobody, with no empty forms.
    const page = await stack.pages.openJoin(absentMentee);
    await page.getByText('You are a mentee').waitFor();
    await page.goto('/feedback');
    await page.locator('[data-met-nobody]').getByText("You didn't get to meet a mentor this time", { exact: false }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('list', { name: 'Your ranking, best first' }).count()).toBe(0);
  });

  it("lets the organizer seat a waiting mentee with a mentor whose partner is missing, from the run screen: they see each other", { timeout: 240_000 }, async () => {
    // The no-show point is far away: only the organizer's hand re-pairs them.
    const { cookie, eventId, mentor, mentee } = await setUp(600);
    const mentorSide = { ...(await openLive(mentor)), person: mentor };
    const menteeSide = { ...(await openLive(mentee)), person: mentee };
    const organizer = await openRunScreen(cookie, eventId);
    const run = await clock(cookie, eventId);
    await run('clock:start');

    const form = organizer.getByRole('form', { name: 'Seat someone who is waiting' });
    await form.waitFor({ timeout: 30_000 });
    await form.getByLabel('Mentee to seat').selectOption(mentee.id);
    await form.getByLabel('With mentor').selectOption(mentor.id);
    const movedAt = Date.now();
    await form.getByRole('button', { name: 'Seat them together' }).click();
    await mentorSide.page.locator('[data-seat-changed]').getByText(`The organizer moved you: you are now meeting ${mentee.name}`).waitFor({ timeout: 30_000 });
    const seenAt = await seeEachOther(mentorSide, menteeSide);
    console.log(`manual move: both see each other ${seenAt - movedAt} ms after the organizer's click`);

    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await run('clock:end-round');
    await rateAndRank(mentorSide, menteeSide);
  });
});
