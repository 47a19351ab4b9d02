import type { ClockState } from '@constellation/shared/clock/state';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { liveKitAvailability, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import { apiCall, freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
const livekit = liveKitAvailability();
if (skipReason) console.warn(`Skipping the rescue browser test: ${skipReason}`);

interface Person {
  id: string;
  name: string;
  role: 'mentor' | 'mentee';
  inviteUrl: string;
}

/** The width of the partner's video on the page's call (0 until a frame shows). */
const partnerVideoWidth = (page: Page, partnerId: string) =>
  page.evaluate((id) => document.querySelector<HTMLVideoElement>(`video[data-remote-video="${id}"]`)?.videoWidth ?? 0, partnerId);

describe.skipIf(skipReason !== null || !livekit.available)('people left waiting are re-paired live, in real browsers', () => {
  let lk: LiveKitServer;
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    const port = await freePort();
    [lk, browser] = await Promise.all([startLiveKit({ webhookUrl: `http://127.0.0.1:${port}/api/livekit/webhook` }), launchBrowser()]);
    // No server-wide no-show override: each event's own setting decides.
    server = await startServer({ port, env: { LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret } });
  });

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
    await lk?.stop();
  });

  const api = <T>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);

  /** Two tables: at the first the mentee never comes, at the second the mentor never comes. */
  async function setUp(noShowAfterSeconds: number) {
    const { cookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
    const event = await api<{ id: string }>('/api/events', cookie, {
      method: 'POST',
      body: makeEvent({ title: 'Rescue evening', rounds: 1, roundSeconds: 300, noShowAfterSeconds, heldAfterSeconds: 3 }),
    });
    const people: Person[] = [];
    for (const [role, name] of [
      ['mentor', 'Marta Mentor'],
      ['mentor', 'Nadia Mentor'],
      ['mentee', 'Ada Mentee'],
      ['mentee', 'Ben Mentee'],
    ] as const) {
      const created = await api<{ id: string }>(`/api/events/${event.id}/participants`, cookie, { method: 'POST', body: makeParticipant({ role, name }) });
      people.push({ id: created.id, name, role, inviteUrl: '' });
    }
    await api(`/api/events/${event.id}/plan`, cookie, { method: 'POST', body: { seed: 2 } });
    const { invites } = await api<{ invites: { participantId: string; url: string }[] }>(`/api/events/${event.id}/invites`, cookie);
    for (const invite of invites) people.find((p) => p.id === invite.participantId)!.inviteUrl = invite.url;
    const plan = await api<{ plan: { rounds: { tables: { mentorId: string; menteeIds: string[] }[] }[] } }>(`/api/events/${event.id}/plan`, cookie);
    const [first, second] = plan.plan.rounds[0]!.tables as [{ mentorId: string; menteeIds: string[] }, { mentorId: string; menteeIds: string[] }];
    const byId = new Map(people.map((p) => [p.id, p]));
    // Present: the first table's mentor and the second table's mentee.
    return { cookie, eventId: event.id, mentor: byId.get(first.mentorId)!, mentee: byId.get(second.menteeIds[0]!)!, absentMentee: byId.get(first.menteeIds[0]!)!, absentMentor: byId.get(second.mentorId)! };
  }

  async function openLive(person: Person): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(`/join${new URL(person.inviteUrl).hash}`);
    await page.getByRole('link', { name: 'Go to the live event' }).click();
    await page.getByRole('heading', { name: 'Waiting for the organizer to start' }).waitFor();
    return { page, errors };
  }

  async function openRunScreen(cookie: string, eventId: string): Promise<Page> {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
    contexts.push(context);
    await context.addCookies(
      cookie.split('; ').map((pair) => {
        const [name, ...value] = pair.split('=');
        return { name: name!, value: value.join('='), url: server.url };
      }),
    );
    const page = await context.newPage();
    await page.goto(`/events/${eventId}/run`);
    return page;
  }

  async function clock(cookie: string, eventId: string) {
    const socket = connectSocket(server.url, { cookie, eventId, as: 'organizer' });
    sockets.push(socket);
    await connected(socket);
    return async (name: 'clock:start' | 'clock:end-round') => {
      const ack = await command<ClockState>(socket, name);
      if ('error' in ack) throw new Error(`${name}: ${ack.error.message}`);
      return ack.data;
    };
  }

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
    const seenAt = await seeEachOther(mentorSide, menteeSide);
    console.log(`rescue: both see each other ${seenAt - (started.startsAt + NO_SHOW_SECONDS * 1000)} ms after the no-show point`);
    // The partner card follows, and the organizer sees the rescue.
    await mentorSide.page.getByText(mentee.name, { exact: false }).first().waitFor();
    await organizer.getByRole('log', { name: 'Changes of seats this round' }).getByText(mentee.name, { exact: false }).waitFor({ timeout: 20_000 });

    // They talk long enough to count; the round (and the event) ends.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await run('clock:end-round');
    await rateAndRank(mentorSide, menteeSide);
    for (const side of [mentorSide, menteeSide]) expect(side.errors.filter((e) => !/signal stream|DataChannel error/.test(e))).toEqual([]);

    // The mentee who never came opens their link afterwards: told kindly that they met nobody, with no empty forms.
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`/join${new URL(absentMentee.inviteUrl).hash}`);
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
