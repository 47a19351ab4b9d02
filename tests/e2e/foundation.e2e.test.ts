import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';
import { ensureInviter, organizerInvite } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the foundation browser test: ${skipReason}`);

const participantsCsv = [
  'role,name,email,industry,skills,capacity,constellation_size',
  'mentor,Grace Hopper,grace@example.com,software,compilers;people management,2,',
  'mentee,Ada Lovelace,ada@example.com,software,algorithms,,2',
  'mentee,Alan Turing,alan@example.com,research,cryptography;systems design,,1',
].join('\n');

const brokenCsv = [
  'role,name,email',
  'mentor,Grace Hopper,grace@example.com',
  'wizard,Merlin,merlin@example.com',
  'mentee,No Email,',
].join('\n');

describe.skipIf(skipReason !== null)('foundation: from sign-up to the participant lobby', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  it('lets an organizer set up an event and a mentee join it from their invite link', async () => {
    const organizer = await browser.newContext({ baseURL: server.url, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    contexts.push(organizer);
    await organizer.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await organizer.newPage();
    const pageErrors = recordPageErrors(page);

    // A signed-out visitor lands on sign in; the skip link is the first thing the keyboard reaches.
    await page.goto('/');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/signin');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to main content');

    // The instance has an owner already: a colleague's invitation link makes the account at once.
    expect(await page.getByRole('link', { name: 'Create an account' }).getAttribute('href')).toMatch(/^\/signup/);
    await page.goto(`/signup#invite=${await organizerInvite(server.url, await ensureInviter(server.url))}`);
    await page.getByText('A colleague invited you').waitFor();
    await page.getByLabel('Name').fill('Olivia Organizer');
    await page.getByLabel('Email').fill(`organizer-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your events' }).waitFor();

    await page.getByRole('link', { name: 'New event' }).click();
    await page.getByLabel('Title').fill('Spring mentoring circle');
    await page.getByLabel('Description').fill('Five short conversations, then choose who to continue with.');
    await page.getByLabel('Starts at').fill('2030-05-14T17:30');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByLabel('Round length (minutes)').fill('8');
    await page.getByLabel('Number of rounds').fill('5');
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.getByRole('heading', { level: 1, name: 'Spring mentoring circle' }).waitFor();

    // A file with bad rows is refused as a whole, with every problem located by row and column.
    const csvInput = page.getByLabel('CSV file', { exact: true });
    await csvInput.setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(brokenCsv) });
    const problems = page.getByRole('table', { name: /Problems to fix in broken\.csv/ });
    await problems.waitFor();
    const problemRows = problems.getByRole('row');
    expect(await problemRows.count()).toBeGreaterThanOrEqual(3); // header + at least the two bad rows
    await expect.poll(() => problems.textContent()).toMatch(/role/);
    await expect.poll(() => problems.textContent()).toMatch(/email/);
    expect(await page.getByRole('alert').filter({ hasText: 'Nothing was imported from broken.csv.' }).count()).toBe(1);

    await csvInput.setInputFiles({ name: 'participants.csv', mimeType: 'text/csv', buffer: Buffer.from(participantsCsv) });
    await page.getByText('Imported 3 participants from participants.csv.').waitFor();
    const people = page.getByRole('table', { name: 'Participants', exact: true });
    for (const name of ['Grace Hopper', 'Ada Lovelace', 'Alan Turing']) {
      await people.getByRole('rowheader', { name }).waitFor();
    }

    // The copy button puts the same personal link on the clipboard as the read-only field shows.
    const linkField = page.getByRole('textbox', { name: 'Invite link for Ada Lovelace' });
    const inviteUrl = await linkField.inputValue();
    expect(new URL(inviteUrl).pathname).toBe('/join');
    expect(new URL(inviteUrl).hash.length).toBeGreaterThan(16);
    await page.getByRole('button', { name: 'Copy invite link for Ada Lovelace' }).click();
    await page.getByRole('status').getByText('Invite link for Ada Lovelace copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(inviteUrl);

    // The mentee opens the link on a phone in another time zone, with no organizer session.
    const mentee = await browser.newContext({
      locale: 'en-GB',
      timezoneId: 'America/New_York',
      viewport: { width: 390, height: 844 },
    });
    contexts.push(mentee);
    const phone = await mentee.newPage();
    const phoneErrors = recordPageErrors(phone);
    const { hash } = new URL(inviteUrl);
    await phone.goto(`${server.url}/join${hash}`);
    await phone.getByRole('heading', { level: 1, name: 'Spring mentoring circle' }).waitFor();
    expect(new URL(phone.url()).pathname).toBe('/lobby');
    expect(new URL(phone.url()).hash).toBe(''); // the token has left the address bar
    await phone.getByText('You are a mentee').waitFor();
    // 17:30 in Berlin (CEST) is 11:30 in New York (EDT).
    await phone.getByText(/Tuesday,? 14 May 2030(,| at) 11:30/).waitFor();
    await phone.getByText('Five short conversations, then choose who to continue with.').waitFor();

    // Reloading the lobby keeps the participant session.
    await phone.reload();
    await phone.getByText('You are a mentee').waitFor();

    // Regenerating revokes the old link: it now explains what to do instead of signing anyone in.
    await page.getByRole('button', { name: 'Regenerate invite link for Ada Lovelace' }).click();
    const dialog = page.getByRole('dialog', { name: /Regenerate Ada Lovelace/ });
    await dialog.getByRole('button', { name: 'Regenerate link' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => linkField.inputValue()).not.toBe(inviteUrl);

    const stranger = await browser.newContext();
    contexts.push(stranger);
    const late = await stranger.newPage();
    await late.goto(`${server.url}/join${hash}`);
    await late
      .getByRole('alert')
      .filter({ hasText: 'This invite link is no longer valid; ask the organizer for a new one.' })
      .waitFor();
    expect(new URL(late.url()).hash).toBe('');

    // The event list counts the people imported.
    await page.getByRole('link', { name: 'All events' }).click();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Spring mentoring circle' }) });
    await card.getByText('1 mentor', { exact: true }).waitFor();
    await card.getByText('2 mentees', { exact: true }).waitFor();

    expect(pageErrors).toEqual([]);
    expect(phoneErrors).toEqual([]);
  });
});
