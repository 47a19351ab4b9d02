import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';
import { ensureInviter, organizerInvite } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the security headers browser test: ${skipReason}`);

/** Every Content-Security-Policy violation the page reports, as the browser sees it. */
async function recordViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('__cspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __cspViolation(text: string): void }).__cspViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return violations;
}

describe.skipIf(skipReason !== null)('the client runs under its Content-Security-Policy', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs up, creates an event, opens its run screen and a participant lobby with no CSP violation, and cannot be framed', async () => {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    const violations = await recordViolations(page);
    const errors = recordPageErrors(page);

    const response = await page.goto(`/signup#invite=${await organizerInvite(server.url, await ensureInviter(server.url))}`);
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    await page.getByLabel('Name').fill('Cora Spencer');
    await page.getByLabel('Email').fill(`csp-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your events' }).waitFor();

    await page.getByRole('link', { name: 'New event' }).click();
    await page.getByLabel('Title').fill('Policy check');
    await page.getByLabel('Starts at').fill('2030-05-14T17:30');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByLabel('Round length (minutes)').fill('8');
    await page.getByLabel('Number of rounds').fill('5');
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.getByRole('heading', { level: 1, name: 'Policy check' }).waitFor();
    const csv = ['role,name,email', 'mentor,Grace Hopper,grace@example.com', 'mentee,Ada Lovelace,ada@example.com'].join('\n');
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('Imported 2 participants from people.csv.').waitFor();
    const inviteUrl = await page.getByRole('textbox', { name: 'Invite link for Ada Lovelace' }).inputValue();

    // The run screen opens the live socket (same origin, so the Origin check lets it through).
    const eventPath = new URL(page.url()).pathname;
    await page.goto(`${eventPath}/run`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Run: Policy check' }).waitFor();

    const participant = await browser.newContext();
    const phone = await participant.newPage();
    const phoneViolations = await recordViolations(phone);
    const phoneErrors = recordPageErrors(phone);
    await phone.goto(`${server.url}/join${new URL(inviteUrl).hash}`);
    await phone.getByText('You are a mentee').waitFor();

    // Another site cannot frame the app: the browser refuses to render it.
    const framer = await browser.newContext();
    const evil = await framer.newPage();
    const refused = evil.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 30_000 });
    await evil.setContent(`<iframe id="app" src="${server.url}/signin"></iframe>`);
    await refused;

    expect(violations).toEqual([]);
    expect(phoneViolations).toEqual([]);
    expect(errors).toEqual([]);
    expect(phoneErrors).toEqual([]);
    await Promise.all([context.close(), participant.close(), framer.close()]);
    console.log('[attacks] browser: attacks tried 2 / held 2 (the client under its CSP, framing by another site)');
  }, 120_000);
});
