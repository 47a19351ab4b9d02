import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import { startServer, type RunningServer, apiCall } from '../helpers/server.ts';
import { attendRoundOverHttp } from '../helpers/attendance.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the circle matches browser test: ${skipReason}`);

/** Issue 13, circles as the final outcome, in Chromium: the organizer confirms circles, a member sees theirs. */
describe.skipIf(skipReason !== null)('circles as the final match', () => {
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

  it('proposes circles with the mutual wishes met, confirms them, and shows a member their circle and its group invite', { timeout: 120_000 }, async () => {
    const api = <T>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);
    const { cookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
    const event = await api<{ id: string }>('/api/events', cookie, {
      method: 'POST',
      body: makeEvent({ title: 'Circle evening', rounds: 1, transitionSeconds: 10, heldAfterSeconds: 1, noShowAfterSeconds: 600, roundFormats: [{ kind: 'circle', size: 3 }] }),
    });
    const people: { id: string; name: string; email: string; cookie: string; url: string }[] = [];
    for (const [role, name] of [['mentor', 'Marta Mentor'], ['mentee', 'Ada Mentee'], ['mentee', 'Ben Mentee'], ['mentee', 'Chloé Mentee']] as const) {
      const body = makeParticipant({ role, name, ...(role === 'mentor' ? { capacity: 2 } : {}) });
      people.push({ ...(await api<{ id: string }>(`/api/events/${event.id}/participants`, cookie, { method: 'POST', body })), name, email: body.email, cookie: '', url: '' });
    }
    const [marta, ada, ben, chloe] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0], (typeof people)[0]];
    await api(`/api/events/${event.id}/plan`, cookie, { method: 'POST', body: { seed: 1 } });
    const { invites } = await api<{ invites: { participantId: string; url: string }[] }>(`/api/events/${event.id}/invites`, cookie);
    for (const p of people) {
      p.url = invites.find((i) => i.participantId === p.id)!.url;
      const joined = await fetch(`${server.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: p.url.split('#')[1] }) });
      p.cookie = joined.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    }

    const socket = connectSocket(server.url, { cookie, eventId: event.id, as: 'organizer' });
    sockets.push(socket);
    await connected(socket);
    expect(await command(socket, 'clock:start')).not.toHaveProperty('error');
    await attendRoundOverHttp(server.url, cookie, event.id, 1);
    expect(await command(socket, 'clock:end-round')).not.toHaveProperty('error');

    // Everyone answers: all rank Marta; she has room for two and rates Ada and Ben highest; Ada and Ben wish for each other.
    for (const [mentee, fit] of [[ada, 5], [ben, 4], [chloe, 3]] as const) {
      await api('/api/me/preferences', mentee.cookie, { method: 'PUT', body: { ranking: [marta.id], notAFit: [] } });
      await api(`/api/me/ratings/${mentee.id}`, marta.cookie, { method: 'PUT', body: { fit, wouldMentor: true } });
    }
    await api('/api/me/circles/1', ada.cookie, { method: 'PUT', body: { rating: 5, peerIds: [ben.id] } });
    await api('/api/me/circles/1', ben.cookie, { method: 'PUT', body: { rating: 4, peerIds: [ada.id, chloe.id] } });

    // Ada has her feedback page open on her phone.
    const adaContext = await browser.newContext({ baseURL: server.url, locale: 'en-GB', viewport: { width: 390, height: 844 } });
    contexts.push(adaContext);
    const adaPage = await adaContext.newPage();
    const adaErrors = recordPageErrors(adaPage);
    await adaPage.goto(ada.url);
    await adaPage.getByText('You are a mentee').waitFor();
    await adaPage.goto('/feedback');
    await adaPage.getByRole('region', { name: 'Your match' }).getByText('Not confirmed yet').waitFor();

    // The organizer reviews the circles proposal next to the others, uses it and confirms.
    const organizer = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
    contexts.push(organizer);
    await organizer.addCookies(cookie.split('; ').map((pair) => {
      const [name, ...value] = pair.split('=');
      return { name: name!, value: value.join('='), url: server.url };
    }));
    const page: Page = await organizer.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(`/events/${event.id}`);
    await page.getByRole('link', { name: 'Ratings and final matches' }).click();
    const card = page.getByRole('article', { name: 'Circles' });
    await card.locator('[data-mutual-wishes]').getByText('1 of 1 mutual peer wish met.').waitFor({ timeout: 15_000 });
    await card.getByText('No stable circles meet more.').waitFor();
    const circles = card.getByRole('list', { name: 'Circles proposal: circles' });
    await circles.getByText(`${ada.name}, ${ben.name}`).waitFor();
    await circles.getByText(`Wished for each other: ${ada.name} & ${ben.name}`).waitFor();
    await card.getByRole('list', { name: 'Circles proposal: left out' }).getByText(chloe.name).waitFor();
    expect(await card.locator('dt:text-is("Blocking pairs") + dd').textContent()).toBe('0');

    await card.getByRole('button', { name: 'Use these circles' }).click();
    const pairingSection = page.getByRole('region', { name: 'Pairs under review' });
    await pairingSection.getByText('from the circles proposal').waitFor();
    await pairingSection.getByText('Circles · 1 mutual wish met').waitFor();
    await pairingSection.getByRole('list', { name: 'Circles under review' }).getByText(marta.name).waitFor();
    await pairingSection.getByRole('button', { name: 'Confirm matches' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm 2 matches?' });
    await dialog.getByRole('button', { name: 'Confirm matches' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await pairingSection.getByText('These circles are confirmed.', { exact: false }).waitFor();

    // Ada's open page learns of her circle by itself: her mentor, Ben by name, and the group invite.
    const match = adaPage.getByRole('region', { name: 'Your match' });
    await match.getByRole('heading', { level: 3, name: `${marta.name}'s circle` }).waitFor({ timeout: 15_000 });
    await match.getByText(`With: ${ben.name}`).waitFor();
    expect(await match.getByText(chloe.name).count()).toBe(0);
    const calendar = match.getByRole('link', { name: `Add to calendar: first meeting of ${marta.name}'s circle` });
    const ics = await adaContext.request.get(new URL((await calendar.getAttribute('href'))!, server.url).toString());
    expect(ics.headers()['content-type']).toMatch(/text\/calendar/);
    const text = (await ics.text()).replace(/\r\n[ \t]/g, '');
    for (const p of [marta, ada, ben]) expect(text).toContain(p.email);
    expect(text).not.toContain(chloe.email);

    // Chloé is told plainly why she has no circle.
    expect(await api<{ status: string; reasonCode: string }>('/api/me/match', chloe.cookie)).toMatchObject({ status: 'not-matched', reasonCode: 'capacity' });
    expect([...pageErrors, ...adaErrors]).toEqual([]);
  });
});
