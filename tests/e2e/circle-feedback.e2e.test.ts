import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import { startServer, type RunningServer, apiCall } from '../helpers/server.ts';
import { attendRoundOverHttp } from '../helpers/attendance.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the circle feedback browser test: ${skipReason}`);

/** Issue 13, after a circle, in Chromium on a phone: a mentee rates the circle and ticks a peer. */
describe.skipIf(skipReason !== null)('a mentee rates their circle and names a peer', () => {
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

  it('shows a card per circle with accessible radios and peer checkboxes, and stores the answer', { timeout: 120_000 }, async () => {
    const api = <T>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);
    const { cookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
    const event = await api<{ id: string }>('/api/events', cookie, {
      method: 'POST',
      body: makeEvent({ title: 'Circle evening', rounds: 1, transitionSeconds: 10, heldAfterSeconds: 1, noShowAfterSeconds: 600, roundFormats: [{ kind: 'circle', size: 3 }] }),
    });
    const people: { id: string; name: string }[] = [];
    for (const [role, name] of [['mentor', 'Marta Mentor'], ['mentee', 'Ada Mentee'], ['mentee', 'Ben Mentee'], ['mentee', 'Chloé Mentee']] as const) {
      people.push({ ...(await api<{ id: string }>(`/api/events/${event.id}/participants`, cookie, { method: 'POST', body: makeParticipant({ role, name }) })), name });
    }
    const [, ada, ben, chloe] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0], (typeof people)[0]];
    await api(`/api/events/${event.id}/plan`, cookie, { method: 'POST', body: { seed: 1 } });
    const { invites } = await api<{ invites: { participantId: string; url: string }[] }>(`/api/events/${event.id}/invites`, cookie);

    const socket = connectSocket(server.url, { cookie, eventId: event.id, as: 'organizer' });
    sockets.push(socket);
    await connected(socket);
    expect(await command(socket, 'clock:start')).not.toHaveProperty('error');
    await attendRoundOverHttp(server.url, cookie, event.id, 1);
    expect(await command(socket, 'clock:end-round')).not.toHaveProperty('error');

    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', viewport: { width: 390, height: 844 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(invites.find((i) => i.participantId === ada.id)!.url);
    await page.getByText('You are a mentee').waitFor();
    await page.goto('/feedback');
    const card = page.getByRole('article', { name: 'Your circle with Marta Mentor' });
    await card.waitFor();
    // Peers present, by name, never yourself.
    expect(await card.getByRole('checkbox').count()).toBe(2);
    expect(await card.getByRole('checkbox', { name: ben.name }).isChecked()).toBe(false);
    expect(await card.getByRole('checkbox', { name: ada.name }).count()).toBe(0);
    // Saving without a rating says what is missing and focuses the radios.
    await card.getByRole('button', { name: 'Save your rating of the circle with Marta Mentor' }).click();
    await card.getByText('Choose a rating from 1 to 5.').waitFor();
    await card.getByRole('radio', { name: '4 of 5' }).check();
    await card.getByRole('checkbox', { name: chloe.name }).check();
    await card.getByLabel('Private note').fill('Très utile');
    await card.getByRole('button', { name: 'Save your rating of the circle with Marta Mentor' }).click();
    await card.getByRole('status').getByText('Saved', { exact: true }).waitFor();

    const stored = await api<{ circles: { feedback: unknown }[] }>('/api/me/circles', await cookieOf(page));
    expect(stored.circles[0]!.feedback).toEqual({ rating: 4, note: 'Très utile', peerIds: [chloe.id] });
    const progress = await api<{ circles: { seats: number; rated: number; peerWishes: number } }>(`/api/events/${event.id}/feedback`, cookie);
    expect(progress.circles).toEqual({ seats: 3, rated: 1, peerWishes: 1 });
    expect(errors).toEqual([]);

    async function cookieOf(p: typeof page): Promise<string> {
      return (await p.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    }
  });
});
