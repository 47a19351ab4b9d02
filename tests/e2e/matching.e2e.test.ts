import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import { startServer, type RunningServer, apiCall } from '../helpers/server.ts';
import { attendRoundOverHttp } from '../helpers/attendance.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the matching browser test: ${skipReason}`);

const PHONE = { width: 390, height: 844 };

interface Person {
  id: string;
  name: string;
  role: 'mentor' | 'mentee';
  inviteUrl: string;
}

describe.skipIf(skipReason !== null)('ratings, ranked preferences and the confirmed final match', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  const api = <T>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);

  /** An organizer, an event of 2 rounds with 2 mentors and 2 mentees, a plan, and everyone's invite link. */
  async function setUpEvent() {
    const { cookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
    const event = await api<{ id: string; title: string }>('/api/events', cookie, {
      method: 'POST',
      // Meetings count after 1 s together, so the test need not wait out real rounds.
      body: makeEvent({ title: 'Autumn speed mentoring', rounds: 2, transitionSeconds: 10, heldAfterSeconds: 1, noShowAfterSeconds: 600 }),
    });
    const people: Person[] = [];
    for (const [role, name] of [
      ['mentor', 'Marta Mentor'],
      ['mentor', 'Nadia Mentor'],
      ['mentee', 'Ada Mentee'],
      ['mentee', 'Ben Mentee'],
    ] as const) {
      const created = await api<{ id: string }>(`/api/events/${event.id}/participants`, cookie, {
        method: 'POST',
        body: makeParticipant({ role, name }),
      });
      people.push({ id: created.id, name, role, inviteUrl: '' });
    }
    await api(`/api/events/${event.id}/plan`, cookie, { method: 'POST', body: { seed: 5 } });
    const { invites } = await api<{ invites: { participantId: string; url: string }[] }>(`/api/events/${event.id}/invites`, cookie);
    for (const invite of invites) people.find((p) => p.id === invite.participantId)!.inviteUrl = invite.url;
    const [marta, nadia, ada, ben] = people as [Person, Person, Person, Person];
    return { cookie, event, marta, nadia, ada, ben };
  }

  /** Runs both rounds through the organizer's clock commands, without waiting out the rounds themselves. */
  async function holdBothRounds(organizerCookie: string, eventId: string): Promise<void> {
    const socket = connectSocket(server.url, { cookie: organizerCookie, eventId, as: 'organizer' });
    sockets.push(socket);
    await connected(socket);
    const ok = async (event: 'clock:start' | 'clock:end-round') => {
      const ack = await command(socket, event);
      if ('error' in ack) throw new Error(`${event}: ${ack.error.message}`);
    };
    await ok('clock:start');
    // Everyone comes to their room (LiveKit's webhooks say so) and talks long enough for the meeting to count.
    await attendRoundOverHttp(server.url, organizerCookie, eventId, 1);
    await ok('clock:end-round');
    // The transition after round 1 lasts 10 s (the minimum); round 2 starts on its own, and is then ended.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const clock = await new Promise<{ phase: string; round: number }>((resolve) => socket.once('clock:changed', ({ clock }) => resolve(clock)));
      if (clock.phase === 'round' && clock.round === 2) break;
      if (Date.now() > deadline) throw new Error('round 2 never started');
    }
    await attendRoundOverHttp(server.url, organizerCookie, eventId, 2);
    for (;;) {
      const ack = await command(socket, 'clock:end-round');
      if (!('error' in ack)) break;
      if (Date.now() > deadline) throw new Error(`round 2 never started: ${ack.error.message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    socket.disconnect();
  }

  /** A participant on their phone, signed in through their personal link, on the feedback page. */
  async function openFeedback(person: Person): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', viewport: PHONE });
    contexts.push(context);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(person.inviteUrl);
    await page.getByText(`You are a ${person.role}`).waitFor();
    await page
      .getByRole('link', { name: person.role === 'mentor' ? 'Rate your mentees and see your match' : 'Rank your mentors and see your match' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Feedback and your match' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/feedback');
    // Loaded: the match panel shows only once the feedback is in.
    await page.getByRole('region', { name: 'Your match' }).waitFor();
    return { page, errors };
  }

  async function rate(page: Page, mentee: string, fit: number, wouldMentor: 'Yes' | 'No', note: string): Promise<void> {
    const card = page.getByRole('article', { name: mentee });
    await card.getByRole('radio', { name: `${fit} of 5` }).check();
    await card.getByRole('radio', { name: wouldMentor }).check();
    await card.getByLabel('Private note').fill(note);
    await card.getByRole('button', { name: `Save rating for ${mentee}` }).click();
    await card.getByRole('status').getByText('Saved', { exact: true }).waitFor();
  }

  async function setCapacity(page: Page, capacity: number): Promise<void> {
    await page.getByLabel('How many mentees can you take on?').selectOption(String(capacity));
    await page.getByRole('button', { name: 'Save capacity' }).click();
    await page.getByRole('region', { name: 'Your capacity' }).getByRole('status').getByText('Saved', { exact: true }).waitFor();
  }

  /** Waits out polling screens (completion every 3 s, the match every 5 s) on a busy machine. */
  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });

  /** Mentor ids in the order the ranking shows them. */
  const order = (list: Locator) => list.locator(':scope > li').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.mentor));
  const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

  it('collects ratings and rankings, and the organizer confirms the stable match that each mentee then sees', { timeout: 180_000 }, async () => {
    const { cookie, event, marta, nadia, ada, ben } = await setUpEvent();
    await holdBothRounds(cookie, event.id);

    // Mentors rate each mentee they met on their phones, and confirm a capacity of one.
    const [martaView, nadiaView] = await Promise.all([openFeedback(marta), openFeedback(nadia)]);
    await rate(martaView.page, ada.name, 5, 'Yes', 'Sharp questions about platform teams');
    await rate(martaView.page, ben.name, 3, 'Yes', '');
    await setCapacity(martaView.page, 1);
    await rate(nadiaView.page, ada.name, 3, 'Yes', '');
    await rate(nadiaView.page, ben.name, 5, 'Yes', 'Wants to move into data engineering');
    await setCapacity(nadiaView.page, 1);
    // Editing after a save says so until saved again.
    const adaCard = martaView.page.getByRole('article', { name: ada.name });
    await adaCard.getByLabel('Private note').fill('Sharp questions about platform teams; follow up on on-call');
    await adaCard.getByRole('status').getByText('Unsaved changes').waitFor();
    await adaCard.getByRole('button', { name: `Save rating for ${ada.name}` }).click();
    await adaCard.getByRole('status').getByText('Saved', { exact: true }).waitFor();

    // Ada ranks: one drag and drop with the mouse, then the keyboard.
    const { page: adaPage, errors: adaErrors } = await openFeedback(ada);
    const ranking = adaPage.getByRole('list', { name: 'Your ranking, best first' });
    const live = adaPage.locator('.ranking [aria-live="polite"]');
    await poll(() => order(ranking)).toHaveLength(2);
    const before = await order(ranking);
    const secondRow = ranking.locator(':scope > li').nth(1);
    const handle = (await secondRow.locator('.handle').boundingBox())!;
    const firstRow = (await ranking.locator(':scope > li').first().boundingBox())!;
    await adaPage.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await adaPage.mouse.down();
    await adaPage.mouse.move(handle.x + handle.width / 2, firstRow.y + 4, { steps: 8 });
    await adaPage.mouse.up();
    await poll(() => order(ranking)).toEqual([before[1], before[0]]);
    await adaPage.getByText('Ranking saved', { exact: true }).waitFor();

    // Keyboard: Alt+Arrow on a row's button moves that mentor; focus stays on the button, and the move is read out.
    const martaUp = ranking.getByRole('button', { name: `Move ${marta.name} up` });
    if ((await order(ranking))[0] === marta.id) {
      await martaUp.focus();
      await adaPage.keyboard.press('Alt+ArrowDown');
      await poll(() => live.textContent()).toBe(`${marta.name} moved to position 2 of 2`);
      expect(await order(ranking)).toEqual([nadia.id, marta.id]);
    }
    await martaUp.focus();
    await adaPage.keyboard.press('Alt+ArrowUp');
    await poll(() => live.textContent()).toBe(`${marta.name} moved to position 1 of 2`);
    expect(await order(ranking)).toEqual([marta.id, nadia.id]);
    expect(await focusedText(adaPage)).toContain(`Move ${marta.name} up`);
    await adaPage.getByText('Ranking saved', { exact: true }).waitFor();
    await adaPage.getByRole('article', { name: marta.name }).getByLabel(`Your note about ${marta.name}`).fill('Offered to review my design doc');
    await adaPage.getByRole('button', { name: `Save note about ${marta.name}` }).click();
    await adaPage.getByRole('article', { name: marta.name }).getByRole('status').getByText('Saved', { exact: true }).waitFor();

    // Ben marks Marta "not a fit": she leaves his ranking, which then holds Nadia alone.
    const { page: benPage, errors: benErrors } = await openFeedback(ben);
    const benRanking = benPage.getByRole('list', { name: 'Your ranking, best first' });
    await benRanking.getByRole('button', { name: `Not a fit: ${marta.name}`, pressed: false }).click();
    await benPage.getByRole('button', { name: `Not a fit: ${marta.name}`, pressed: true }).waitFor();
    await poll(() => order(benRanking)).toEqual([nadia.id]);
    await benPage.getByText('Ranking saved', { exact: true }).waitFor();

    // What the server stored is what the screens showed.
    const adaCookie = (await adaPage.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(await api(`/api/me/feedback`, adaCookie)).toMatchObject({ ranking: [marta.id, nadia.id], notAFit: [] });
    await adaPage.getByRole('region', { name: 'Your match' }).getByText('Not confirmed yet').waitFor();

    // The organizer follows completion live, closes submissions and reviews the proposals.
    const organizer = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
    contexts.push(organizer);
    await organizer.addCookies(cookie.split('; ').map((pair) => {
      const [name, ...value] = pair.split('=');
      return { name: name!, value: value.join('='), url: server.url };
    }));
    const page = await organizer.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(`/events/${event.id}`);
    await page.getByRole('link', { name: 'Ratings and final matches' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ratings and final matches' }).waitFor();
    const mentees = page.getByRole('table', { name: 'Mentees' });
    for (const name of [ada.name, ben.name]) {
      await mentees.getByRole('row', { name: new RegExp(name) }).getByText('Ranked').waitFor();
    }
    const mentors = page.getByRole('table', { name: 'Mentors' });
    await mentors.getByRole('row', { name: new RegExp(marta.name) }).getByText('2 of 2').waitFor();

    await page.getByRole('button', { name: 'Close submissions' }).click();
    await page.getByText('Submissions closed', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reopen submissions' }).waitFor();

    const stable = page.getByRole('article', { name: 'Stable' });
    const stat = (card: Locator, term: string) => card.locator(`dt:text-is("${term}") + dd`);
    await poll(() => stat(stable, 'First choices').textContent()).toBe('2');
    expect(await stat(stable, 'Blocking pairs').textContent()).toBe('0');
    expect(await stat(stable, 'Mentees matched').textContent()).toBe('2 of 2');
    await page.getByRole('article', { name: 'Best overall fit' }).waitFor();

    await stable.getByRole('button', { name: 'Use this proposal: Stable' }).click();
    const pairingSection = page.getByRole('region', { name: 'Pairs under review' });
    await pairingSection.getByText('from the stable proposal').waitFor();
    const adaMentor = pairingSection.getByRole('combobox', { name: `Mentor for ${ada.name}` });
    await poll(() => adaMentor.inputValue()).toBe(marta.id);
    await pairingSection.getByRole('row', { name: new RegExp(ada.name) }).getByText('1st choice').waitFor();

    // A manual change that overloads Nadia is stored, with the server's warnings shown.
    await adaMentor.selectOption(nadia.id);
    await pairingSection.getByText('adjusted by hand').waitFor();
    await pairingSection.getByText(/Nadia Mentor has 2 mentees, more than their capacity of 1/).waitFor();
    await pairingSection.getByText(/Not stable/).first().waitFor();
    // Back to the stable proposal, and no warning is left.
    await stable.getByRole('button', { name: 'Use this proposal: Stable' }).click();
    await pairingSection.getByText('from the stable proposal').waitFor();
    await poll(() => pairingSection.getByText(/more than their capacity/).count()).toBe(0);

    await pairingSection.getByRole('button', { name: 'Confirm matches' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm 2 matches?' });
    await dialog.getByRole('button', { name: 'Confirm matches' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await pairingSection.getByText('Confirmed', { exact: true }).waitFor();
    expect(await pairingSection.getByRole('combobox').count()).toBe(0);

    // The report: counts, response rates, and the rank distribution as a described chart with a table.
    const report = page.getByRole('region', { name: 'Report' });
    await report.getByText('100%').first().waitFor();
    const chart = report.getByRole('img', { name: /Which choice mentees got/ });
    await poll(() => chart.getAttribute('aria-describedby')).toBeTruthy();
    expect(await report.locator('desc').textContent()).toBe('1st choice: 2 matches.');
    await report.getByText('Show as a table').click();
    await report.getByRole('row', { name: '1st choice 2' }).waitFor();
    const exportHref = await page.getByRole('link', { name: 'Matches (CSV)' }).getAttribute('href');
    const csv = await organizer.request.get(new URL(exportHref!, server.url).toString());
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);
    expect((await csv.text()).split('\r\n').filter(Boolean)).toHaveLength(3);

    // Ada's open page learns of her match by itself, with her mentor's email and a calendar invitation.
    const match = adaPage.getByRole('region', { name: 'Your match' });
    await match.getByRole('heading', { level: 3, name: marta.name }).waitFor({ timeout: 15_000 });
    await match.getByRole('link', { name: /@example\.com$/ }).waitFor();
    expect(await match.getByText(nadia.name).count()).toBe(0);
    const calendar = match.getByRole('link', { name: `Add to calendar: first follow-up with ${marta.name}` });
    const ics = await adaPage.context().request.get(new URL((await calendar.getAttribute('href'))!, server.url).toString());
    expect(ics.headers()['content-type']).toMatch(/text\/calendar/);
    expect(await ics.text()).toContain('BEGIN:VEVENT');

    // After a reload the page is read-only: submissions are closed, and the match is on top.
    await adaPage.reload();
    await adaPage.getByText(/Submissions are closed/).waitFor();
    await adaPage.getByRole('region', { name: 'Your match' }).getByRole('heading', { name: marta.name }).waitFor();
    // Nothing above the confirmed match says it is still being prepared.
    expect(await adaPage.getByText(/preparing the final matches/).count()).toBe(0);
    expect(await adaPage.getByRole('button', { name: /Move .* up/ }).count()).toBe(0);
    expect(await order(adaPage.getByRole('list', { name: 'Your ranking, best first' }))).toEqual([marta.id, nadia.id]);

    // Ben sees only his own match.
    const benMatch = benPage.getByRole('region', { name: 'Your match' });
    await benMatch.getByRole('heading', { level: 3, name: nadia.name }).waitFor({ timeout: 15_000 });
    expect(await benMatch.getByText(marta.name).count()).toBe(0);

    expect([...pageErrors, ...adaErrors, ...benErrors, ...martaView.errors, ...nadiaView.errors]).toEqual([]);
  });
});
