import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';
import { recipientOf, startSmtpServer, type TestSmtpServer } from '../helpers/mail.ts';
import { eventually } from '../helpers/livekit.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the email browser test: ${skipReason}`);

describe.skipIf(skipReason !== null)('email from the organizer\'s event page', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    [server, browser] = await Promise.all([startServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Mentoring <mentoring@constellation.test>' } }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
  });

  it('emails invitations, shows a refused address as failed with the server\'s words, and sends it when retried', async () => {
    const tag = `${process.pid}-${Date.now()}`;
    const ok = `ok-${tag}@example.com`;
    const refused = `refused-${tag}@example.com`;
    smtp.onRcpt = (address) => (address === refused ? { code: 550, message: '5.1.1 No such mailbox here' } : null);
    // The organizer and their event, through the API.
    const api = async (path: string, body: unknown, cookie = '') => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response;
    };
    // With email configured, a sign-up on an instance that has organizers is confirmed from the mailbox.
    const organizerEmail = `organizer-${tag}@example.com`;
    const signup = await api('/api/auth/signup', { email: organizerEmail, name: 'Olivia Organizer', password: 'correct horse battery' });
    expect(signup.status).toBe(202);
    await eventually(() => smtp.received.some((m) => recipientOf(m) === organizerEmail), { what: 'the sign-up confirmation' });
    const token = /\/signup\/confirm#([\w.-]+)/.exec(smtp.received.find((m) => recipientOf(m) === organizerEmail)!.text!)![1]!;
    const confirmed = await api('/api/auth/signup/confirm', { token });
    const [name, value] = confirmed.headers.get('set-cookie')!.split(';')[0]!.split('=') as [string, string];
    const cookie = `${name}=${value}`;
    const event = await (await api('/api/events', makeEvent({ title: 'Email circle' }), cookie)).json();
    for (const [person, email] of [['Ola Økland', ok], ['Rey Refused', refused]]) await api(`/api/events/${event.id}/participants`, makeParticipant({ name: person, email }), cookie);

    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', timezoneId: 'Europe/Berlin', viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(`/events/${event.id}`);
    const section = page.getByRole('region', { name: 'Email' });
    await section.getByText('No email yet.').waitFor();
    await section.getByRole('button', { name: 'Email invitations to everyone (2)' }).click();

    await eventually(() => smtp.received.some((m) => recipientOf(m) === ok), { what: 'the invitation accepted by the SMTP server' });
    const invitation = smtp.received.find((m) => recipientOf(m) === ok)!;
    expect(invitation.subject).toBe('You are invited to Email circle');
    expect(invitation.text).toMatch(new RegExp(`${server.url}/join#[\\w-]+`));
    // The outbox refreshes by itself while messages wait.
    const rowOf = (email: string) => section.getByRole('row').filter({ hasText: email });
    await rowOf(refused).getByText('failed', { exact: true }).waitFor({ timeout: 30_000 });
    await expect.poll(() => rowOf(refused).textContent()).toMatch(/550.*No such mailbox here/);
    await rowOf(ok).getByText('sent', { exact: true }).waitFor({ timeout: 30_000 });
    await section.getByText('1 sent · 0 waiting · 1 failed').waitFor();
    mkdirSync('docs/screenshots', { recursive: true });
    await section.screenshot({ path: 'docs/screenshots/organizer-email-outbox.png' });

    // The mailbox exists now; the organizer retries from the page.
    smtp.onRcpt = () => null;
    await rowOf(refused).getByRole('button', { name: `Retry the message to ${refused}` }).click();
    await eventually(() => smtp.received.some((m) => recipientOf(m) === refused), { what: 'the retried message' });
    await section.getByText('2 sent · 0 waiting · 0 failed').waitFor({ timeout: 30_000 });

    // Reading a message shows its text, link included.
    await rowOf(ok).getByText('Invitation: You are invited to Email circle').click();
    await expect.poll(() => rowOf(ok).textContent()).toContain(`${server.url}/join#`);
    // The event form carries the reminder and follow-up settings.
    await expect.poll(() => page.getByLabel('Email reminders (hours before the start)').inputValue()).toBe('24, 1');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
