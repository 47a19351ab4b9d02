import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { liveKitAvailability, startLiveKit, type LiveKitServer } from '../helpers/livekit.ts';
import { apiCall, startServer, type RunningServer } from '../helpers/server.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const skipReason = browserUnavailableReason();
const livekit = liveKitAvailability();
if (skipReason) console.warn(`Skipping the plan health browser test: ${skipReason}`);

describe.skipIf(skipReason !== null || !livekit.available)('plan health and the start checklist on the run screen', () => {
  let server: RunningServer;
  let lk: LiveKitServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    lk = await startLiveKit();
    [server, browser] = await Promise.all([
      startServer({ env: { LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret } }),
      launchBrowser(),
    ]);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
    await lk?.stop();
  });

  async function organizer() {
    const { cookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
    const api = <T>(path: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);
    const context = await browser.newContext({ baseURL: server.url, locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await context.addCookies(cookie.split('; ').map((pair) => ({ name: pair.split('=')[0]!, value: pair.split('=').slice(1).join('='), url: server.url })));
    return { api, context };
  }

  it('shows a thin plan as thin before the start, says what more rounds, shared tables or mentors would give, and lists the start checklist', { timeout: 120_000 }, async () => {
    const { api, context } = await organizer();
    const event = await api<{ id: string }>('/api/events', { method: 'POST', body: makeEvent({ title: 'Thin plan', rounds: 3 }) });
    const mentees: string[] = [];
    for (let i = 0; i < 12; i++) {
      const role = i < 4 ? 'mentor' : 'mentee';
      const person = await api<{ id: string; name: string }>(`/api/events/${event.id}/participants`, {
        method: 'POST',
        body: makeParticipant({ role, name: `${role === 'mentor' ? 'Mentor' : 'Mentee'} ${String.fromCharCode(65 + i)}` }),
      });
      if (role === 'mentee') mentees.push(person.name);
    }

    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(`/events/${event.id}/run`);

    // Before a plan exists the checklist says so, and the video server answers.
    const checklist = page.locator('[data-start-checklist]');
    await checklist.locator('[data-check="plan"][data-ok="false"]').waitFor({ timeout: 30_000 });
    await checklist.locator('[data-check="video"][data-ok="true"]').waitFor({ timeout: 30_000 });
    expect(await checklist.locator('[data-check="connected"]').textContent()).toContain('0 of 4 mentors and 0 of 8 mentees');

    await page.locator('[data-plan-problem="no-plan"]').getByRole('button', { name: 'Generate the plan now' }).click();
    const health = page.locator('section.before-start [data-plan-health="thin"]');
    await health.waitFor({ timeout: 30_000 });
    await checklist.locator('[data-check="plan"][data-ok="true"]').waitFor({ timeout: 30_000 });

    expect(await health.getByText('Thin: half the mentees sit out each round; some meet only 1 mentor (3 possible).').count()).toBe(1);
    const fact = async (term: string) => (await health.locator(`dt:text-is("${term}") + dd`).textContent())!.replace(/\s+/g, ' ').trim();
    expect(await fact('Sitting out')).toBe('50 % of mentee rounds (4 of 8 mentees a round)');
    expect(await fact('Meetings per mentee')).toBe('1–2, of 3 possible');
    expect(await fact('Mentees per mentor')).toBe('3');
    const fewest = (await fact('Fewest meetings')).split(', ');
    expect(fewest).toHaveLength(4);
    for (const name of fewest) expect(mentees).toContain(name.trim());

    const advice = health.locator('[data-plan-advice] li');
    expect(await advice.allTextContents()).toEqual([
      'With 4 rounds every mentee meets 2 mentors.',
      'With 6 rounds every mentee meets 3 mentors.',
      'Shared tables (a mentor hosts two mentees at once where needed): nobody sits out, every mentee meets 3 mentors.',
      'With 4 more mentors: nobody sits out, every mentee meets 3 mentors.',
    ]);

    // The screenshots show the page itself, once the "plan is ready" toast has gone.
    await page.locator('p.toast').waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('section.before-start').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}run-plan-health.png`, fullPage: false });
    await page.locator('section.before-start').screenshot({ path: `${SCREENSHOTS}run-plan-health-panel.png` });

    // Taking the advice: 4 rounds, planned again; the panel follows.
    await api(`/api/events/${event.id}`, { method: 'PATCH', body: { rounds: 4 } });
    await page.reload();
    await page.locator('[data-plan-problem="plan-stale"]').getByRole('button', { name: 'Re-plan now' }).click();
    await page.locator('section.before-start [data-plan-health="thin"] dt:text-is("Meetings per mentee") + dd').filter({ hasText: '2, of 4 possible' }).waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
  });

  it('edits goals and time zone in the participant dialog: saved, and still there after a reload', { timeout: 120_000 }, async () => {
    const { api, context } = await organizer();
    const event = await api<{ id: string }>('/api/events', { method: 'POST', body: makeEvent({ title: 'Profiles' }) });
    await api(`/api/events/${event.id}/participants`, {
      method: 'POST',
      body: makeParticipant({ role: 'mentee', name: 'Ada Mentee', profile: { industry: 'fintech', goals: ['public speaking'], timeZone: 'Europe/Berlin', yearsExperience: 2 } }),
    });
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(`/events/${event.id}`);

    const openDialog = async () => {
      await page.getByRole('button', { name: 'Edit Ada Mentee' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit Ada Mentee' });
      await dialog.waitFor();
      return dialog;
    };
    let dialog = await openDialog();
    expect(await dialog.getByLabel('Goals').inputValue()).toBe('public speaking');
    expect(await dialog.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
    expect(await dialog.getByLabel('Years of experience').inputValue()).toBe('2');
    await dialog.getByLabel('Goals').fill('lead a team, public speaking');
    await dialog.getByLabel('Time zone').fill('America/Mexico_City');
    await dialog.getByLabel('Working style').fill('async-first');
    await dialog.getByLabel('Wants: skills they want to build').fill('sql');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.reload();
    dialog = await openDialog();
    expect(await dialog.getByLabel('Goals').inputValue()).toBe('lead a team, public speaking');
    expect(await dialog.getByLabel('Time zone').inputValue()).toBe('America/Mexico_City');
    expect(await dialog.getByLabel('Working style').inputValue()).toBe('async-first');
    expect(await dialog.getByLabel('Industry').inputValue()).toBe('fintech');
    const stored = await api<{ participants: { name: string; profile: Record<string, unknown> }[] }>(`/api/events/${event.id}/participants`);
    expect(stored.participants.find((p) => p.name === 'Ada Mentee')!.profile).toEqual({
      industry: 'fintech',
      skills: ['sql'],
      goals: ['lead a team', 'public speaking'],
      yearsExperience: 2,
      workingStyle: 'async-first',
      timeZone: 'America/Mexico_City',
    });

    // A time zone nobody knows is refused with the field named, and nothing changes.
    await dialog.getByLabel('Time zone').fill('Mars/Olympus');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Time zone' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const after = await api<{ participants: { name: string; profile: { timeZone?: string } }[] }>(`/api/events/${event.id}/participants`);
    expect(after.participants.find((p) => p.name === 'Ada Mentee')!.profile.timeZone).toBe('America/Mexico_City');
    expect(errors).toEqual([]);
  });
});
