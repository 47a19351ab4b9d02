import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { apiCall, startServer, type RunningServer } from '../helpers/server.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the plan browser test: ${skipReason}`);

describe.skipIf(skipReason !== null)('the plan never traps the organizer, on the run screen', () => {
  let server: RunningServer;
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

  it('offers to plan before the start, pins any pair, shows the plan out of date until re-planned, then starts', { timeout: 120_000 }, async () => {
    const { cookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
    const api = <T>(path: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);
    const event = await api<{ id: string }>('/api/events', { method: 'POST', body: makeEvent({ title: 'Plan first', rounds: 1 }) });
    const names = { mentor: ['Marta Mentor', 'Nadia Mentor'], mentee: ['Ada Mentee', 'Ben Mentee'] };
    const ids = new Map<string, string>();
    for (const role of ['mentor', 'mentee'] as const) {
      for (const name of names[role]) ids.set(name, (await api<{ id: string }>(`/api/events/${event.id}/participants`, { method: 'POST', body: makeParticipant({ role, name }) })).id);
    }

    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
    contexts.push(context);
    await context.addCookies(cookie.split('; ').map((pair) => ({ name: pair.split('=')[0]!, value: pair.split('=').slice(1).join('='), url: server.url })));
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(`/events/${event.id}/run`);

    // No plan yet: the run screen says so and offers to make one; starting now is refused with the reason.
    const problem = page.locator('[data-plan-problem="no-plan"]');
    await problem.waitFor();
    await page.getByRole('button', { name: 'Start the event' }).click();
    await problem.waitFor();
    await problem.getByRole('button', { name: 'Generate the plan now' }).click();
    await problem.waitFor({ state: 'detached', timeout: 30_000 });

    // Pin a pair of the organizer's choosing (one with only one round, so at most one of the two pairs of a mentee can be planned).
    const plan = await api<{ plan: { rounds: { tables: { mentorId: string; menteeIds: string[] }[] }[] } }>(`/api/events/${event.id}/plan`);
    const planned = new Set(plan.plan.rounds[0]!.tables.flatMap((t) => t.menteeIds.map((m) => `${t.mentorId}:${m}`)));
    const [mentorName, menteeName] = [['Marta Mentor', 'Ada Mentee'], ['Marta Mentor', 'Ben Mentee']].find(([m, e]) => !planned.has(`${ids.get(m!)}:${ids.get(e!)}`))!;
    const rules = page.getByRole('group', { name: 'Pin or forbid any pair' });
    await rules.getByLabel('Mentor', { exact: true }).selectOption(ids.get(mentorName!)!);
    await rules.getByLabel('Mentee', { exact: true }).selectOption(ids.get(menteeName!)!);
    await rules.getByRole('button', { name: 'Pin this pair' }).click();

    // Out of date, visibly, with the way out; the API agrees.
    const stale = page.locator('[data-plan-stale]');
    await stale.getByText('Out of date', { exact: false }).waitFor();
    expect((await api<{ stale: boolean }>(`/api/events/${event.id}/plan`)).stale).toBe(true);
    await page.locator('[data-plan-problem="plan-stale"]').waitFor();
    await stale.getByRole('button', { name: 'Re-plan with the changes' }).click();
    await stale.waitFor({ state: 'detached', timeout: 30_000 });
    const after = await api<{ stale: boolean; plan: { rounds: { tables: { mentorId: string; menteeIds: string[] }[] }[] } }>(`/api/events/${event.id}/plan`);
    expect(after.stale).toBe(false);
    expect(after.plan.rounds[0]!.tables.some((t) => t.mentorId === ids.get(mentorName!) && t.menteeIds.includes(ids.get(menteeName!)!))).toBe(true);

    // Now the event starts.
    await page.getByRole('button', { name: 'Start the event' }).click();
    await page.getByRole('button', { name: /^Pause/ }).waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
  });
});
