import type { Browser, BrowserContext, Page } from 'playwright-core';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { ownDatabase } from '../helpers/mail.ts';
import { startServer } from '../helpers/server.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the sign-up approval browser test: ${skipReason}`);

// The zero-configuration instance (no SMTP_URL) as its owner and newcomers see it in the browser.
describe.skipIf(skipReason !== null)('sign-up without email: the owner approves, colleagues come by invitation', () => {
  let db: { pool: pg.Pool; url: string; drop(): Promise<void> };
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    db = await ownDatabase();
    [server, browser] = await Promise.all([startServer({ env: { DATABASE_URL: db.url, SMTP_URL: '' } }), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
    await db?.drop();
  });

  async function newPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    contexts.push(context);
    const page = await context.newPage();
    return { page, errors: recordPageErrors(page) };
  }

  async function signUp(page: Page, path: string | null, name: string, email: string): Promise<void> {
    if (path) await page.goto(path);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
  }

  it('tells a newcomer the owner will approve, whether or not the address has an account; the owner approves; an invitation skips the step', { timeout: 180_000 }, async () => {
    // The person who ran `npm start` signs up first: they own the instance.
    const owner = await newPage();
    await signUp(owner.page, '/signup', 'Olga Owner', 'olga@example.com');
    await owner.page.getByRole('heading', { level: 1, name: 'Your events' }).waitFor();
    await owner.page.getByRole('heading', { name: 'Account requests' }).waitFor();
    await owner.page.getByText('No account is waiting for approval.').waitFor();

    // A newcomer, and someone trying the owner's address: the same page.
    const newcomer = await newPage();
    await signUp(newcomer.page, '/signup', 'Nina Newcomer', 'nina@example.com');
    await newcomer.page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    const prober = await newPage();
    await signUp(prober.page, '/signup', 'Paul Prober', 'olga@example.com');
    await prober.page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    const statusOf = (page: Page) => page.locator('.card[role="status"]').innerText();
    expect(await statusOf(prober.page)).toBe(await statusOf(newcomer.page));

    // Until approved, the newcomer cannot sign in.
    await newcomer.page.goto('/signin');
    await newcomer.page.getByLabel('Email').fill('nina@example.com');
    await newcomer.page.getByLabel('Password').fill('correct horse battery');
    await newcomer.page.getByRole('button', { name: 'Sign in' }).click();
    await newcomer.page.getByText('That email and password do not match an account.').waitFor();

    // The owner sees the request (and the outbox's two notes) and approves it.
    await owner.page.reload();
    const request = owner.page.getByRole('listitem').filter({ hasText: 'nina@example.com', has: owner.page.getByRole('button', { name: 'Approve' }) });
    await request.getByText('Nina Newcomer').waitFor();
    await owner.page.getByText('Sign-up messages (2)').waitFor();
    await request.getByRole('button', { name: 'Approve' }).click();
    await owner.page.getByText('No account is waiting for approval.').waitFor();

    await newcomer.page.getByLabel('Password').fill('correct horse battery');
    await newcomer.page.getByRole('button', { name: 'Sign in' }).click();
    await newcomer.page.getByRole('heading', { level: 1, name: 'Your events' }).waitFor();
    // Not the owner: no requests to approve, but she can invite a colleague.
    expect(await newcomer.page.getByRole('heading', { name: 'Account requests' }).count()).toBe(0);
    await newcomer.page.getByRole('button', { name: 'New invitation link' }).click();
    const link = await newcomer.page.getByLabel(/Invitation link/).inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/signup#invite=`));

    const colleague = await newPage();
    await colleague.page.goto(link);
    await colleague.page.getByText('A colleague invited you').waitFor();
    expect(new URL(colleague.page.url()).hash).toBe(''); // the token leaves the address bar
    await signUp(colleague.page, null, 'Cole Colleague', 'cole@example.com');
    await colleague.page.getByRole('heading', { level: 1, name: 'Your events' }).waitFor();

    for (const { errors } of [owner, newcomer, prober, colleague]) expect(errors).toEqual([]);
  });
});
