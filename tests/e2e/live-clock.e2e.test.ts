import { phaseRemainingMs } from '@constellation/shared/clock/projection';
import type { ClockState } from '@constellation/shared/clock/state';
import type { PlanView } from '@constellation/shared/schemas/schedule';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { startServer, type RunningServer, apiCall } from '../helpers/server.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the live clock browser test: ${skipReason}`);

/** The skewed participant's computer clock runs this far ahead of the server's. */
const SKEW_MS = 37 * 60_000;
/** Ada's computer clock lags, emulated by Playwright's clock API instead. */
const ADA_SKEW_MS = -11 * 60_000;
/** The most two screens (or a screen and the server) may disagree on what remains. */
const TOLERANCE_MS = 100;

interface Reading {
  /** Remaining ms the page shows, projected to the instant the page was read. */
  remaining: number;
  phase: string;
  round: number;
  revision: number;
  paused: boolean;
  running: boolean;
  text: string;
  /** Test-process epoch ms (the server's clock: same machine) at which the page was read. */
  at: number;
}

/** Reads a page's countdown once; `window` is how long the read took as seen from the test process. */
async function readOnce(page: Page): Promise<Reading & { window: number }> {
  const before = Date.now();
  const reading = await page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-countdown][data-remaining-ms]');
    if (!el) throw new Error('no running countdown on the page');
    const local = performance.timeOrigin + performance.now();
    const shown = Number(el.dataset.remainingMs);
    const running = el.dataset.running === 'true';
    return {
      remaining: running ? Math.max(0, shown - (local - Number(el.dataset.localTime))) : shown,
      phase: el.dataset.phase ?? '',
      round: Number(el.dataset.round),
      revision: Number(el.dataset.revision),
      paused: el.dataset.paused === 'true',
      running,
      text: el.querySelector('[role=timer]')?.textContent?.replace('Time left:', '').trim() ?? '',
    };
  });
  const after = Date.now();
  return { ...reading, at: (before + after) / 2, window: after - before };
}

/**
 * Reads a page's countdown to the millisecond (see Countdown.svelte's data attributes). The page was read
 * somewhere inside the round trip of `page.evaluate`, so, as in clock sync, the quickest of a few reads is
 * the one whose instant is known best.
 */
async function readCountdown(page: Page): Promise<Reading> {
  let best = await readOnce(page);
  for (let attempt = 0; attempt < 8 && best.window > 6; attempt++) {
    const next = await readOnce(page);
    if (next.window < best.window) best = next;
  }
  const { window: _window, ...reading } = best;
  return reading;
}

/** JSON over HTTP with the organizer's cookie, as the organizer's browser would send it. */
function api<T>(server: RunningServer, cookie: string, method: string, path: string, body?: unknown): Promise<T> {
  return apiCall<T>(server.url, path, cookie, { method, body });
}

describe.skipIf(skipReason !== null)('the live event clock in real browsers', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let referee: ClientSocket | undefined;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterAll(async () => {
    referee?.disconnect();
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  it(
    'shows every participant the same round and countdown as the server, whatever their computer clock says',
    async () => {
      // --- An event with two mentors and two mentees, set up through the HTTP API.
      const { cookie: orgCookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
      // 65-second rounds: the one-minute warning comes 5 s into each; 10 s between rounds.
      const event = await api<{ id: string }>(server, orgCookie, 'POST', '/api/events', makeEvent({ title: 'Clockwork mentoring', rounds: 3, roundSeconds: 65, transitionSeconds: 10 }));
      const names = { mentors: ['Marta Jones', 'Grace Hopper'], mentees: ['Ada Lovelace', 'Alan Turing'] };
      const ids: Record<string, string> = {};
      for (const [role, list] of [['mentor', names.mentors], ['mentee', names.mentees]] as const) {
        for (const name of list) {
          const created = await api<{ id: string }>(server, orgCookie, 'POST', `/api/events/${event.id}/participants`, makeParticipant({ role, name }));
          ids[name] = created.id;
        }
      }
      const { invites } = await api<{ invites: { participantId: string; url: string }[] }>(server, orgCookie, 'GET', `/api/events/${event.id}/invites`);
      const inviteOf = (name: string) => invites.find((i) => i.participantId === ids[name])!.url;

      // --- The organizer opens the run screen from the event page and generates the plan there.
      const organizerContext = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
      contexts.push(organizerContext);
      await organizerContext.addCookies(
        orgCookie.split('; ').map((pair) => {
          const [name, ...value] = pair.split('=');
          return { name: name!, value: value.join('='), url: server.url };
        }),
      );
      const organizer = await organizerContext.newPage();
      const organizerErrors = recordPageErrors(organizer);
      await organizer.goto(`/events/${event.id}`);
      await organizer.getByRole('link', { name: 'Plan and run the event' }).click();
      await organizer.getByRole('heading', { level: 1, name: 'Run: Clockwork mentoring' }).waitFor();
      await organizer.getByLabel('Seed (optional)').fill('7');
      await organizer.getByRole('button', { name: 'Generate plan' }).click();
      await organizer.getByText('Version 1, seed 7', { exact: false }).waitFor();
      const plan = await api<PlanView>(server, orgCookie, 'GET', `/api/events/${event.id}/plan`);
      const sitOutReason = (mentee: string, round: number) =>
        plan.plan!.rounds[round - 1]!.sitOuts.find((s) => s.participantId === ids[mentee])?.reason ?? null;
      const mentorOf = (mentee: string, round: number) => {
        const table = plan.plan!.rounds[round - 1]!.tables.find((t) => t.menteeIds.includes(ids[mentee]!));
        return table ? plan.people[table.mentorId]!.name : null;
      };
      expect(mentorOf('Ada Lovelace', 1)).not.toBeNull();
      expect(mentorOf('Alan Turing', 1)).not.toBeNull();
      // The current round's pairs, and a pair can be forbidden (then allowed again) from the plan view.
      await organizer.getByRole('table', { name: 'First round (round 1)' }).waitFor();
      const adaFirst = mentorOf('Ada Lovelace', 1)!;
      await organizer.getByLabel(`Constraint for ${adaFirst} and Ada Lovelace`).selectOption('forbid');
      await organizer.getByText(`${adaFirst} and Ada Lovelace: Forbidden: never meet`).waitFor();
      await organizer.getByRole('button', { name: `Remove the constraint on ${adaFirst} and Ada Lovelace` }).click();
      await organizer.getByText(`${adaFirst} and Ada Lovelace: Forbidden: never meet`).waitFor({ state: 'detached' });

      // --- Two mentees open their invite links in their own browsers; neither computer has the right time.
      const adaContext = await browser.newContext({ baseURL: server.url, locale: 'en-GB', viewport: { width: 390, height: 844 } });
      const alanContext = await browser.newContext({ baseURL: server.url, locale: 'en-GB' });
      contexts.push(adaContext, alanContext);
      // Ada's computer runs 11 minutes slow, through Playwright's clock emulation (it keeps running at real speed).
      await adaContext.clock.install({ time: Date.now() + ADA_SKEW_MS });
      await alanContext.addInitScript((skew: number) => {
        const realNow = Date.now.bind(Date);
        Date.now = () => realNow() + skew;
        const origin = Object.getOwnPropertyDescriptor(Performance.prototype, 'timeOrigin')!;
        Object.defineProperty(Performance.prototype, 'timeOrigin', {
          configurable: true,
          get(this: Performance) {
            return (origin.get!.call(this) as number) + skew;
          },
        });
      }, SKEW_MS);
      const ada = await adaContext.newPage();
      const alan = await alanContext.newPage();
      const participantErrors = [ada, alan].map(recordPageErrors);
      for (const [page, name] of [[ada, 'Ada Lovelace'], [alan, 'Alan Turing']] as const) {
        await page.goto(`/join${new URL(inviteOf(name)).hash}`);
        await page.getByRole('link', { name: 'Go to the live event' }).click();
        await page.getByRole('heading', { name: 'Waiting for the organizer to start' }).waitFor();
        await page.getByText(`Your first conversation: ${mentorOf(name, 1)}`).waitFor();
      }
      // Both of Alan's clocks are off: the wall clock and the monotonic one that clock sync reads.
      const alanClocks = await alan.evaluate(() => [Date.now(), performance.timeOrigin + performance.now()]);
      for (const local of alanClocks) expect(Math.abs(local - Date.now() - SKEW_MS)).toBeLessThan(5_000);
      const adaClocks = await ada.evaluate(() => [Date.now(), performance.timeOrigin + performance.now()]);
      for (const local of adaClocks) expect(Math.abs(local - Date.now() - ADA_SKEW_MS)).toBeLessThan(5_000);

      // The organizer sees both mentees connected.
      await organizer.getByText('2 of 4 participants connected').waitFor();

      // A referee socket in the test process hears the server's clock; this machine's clock is the server's.
      referee = connectSocket(server.url, { cookie: orgCookie, eventId: event.id, as: 'organizer' });
      const firstSnapshot = nextEvent(referee, 'event:snapshot');
      await connected(referee);
      let serverClock: ClockState = (await firstSnapshot).clock;
      referee.on('clock:changed', ({ clock }) => {
        if (clock.revision >= serverClock.revision) serverClock = clock;
      });

      const pages = { organizer, ada, alan };
      const agreements: number[] = [];
      /** Waits until every screen shows the server's current clock, then compares their countdowns with it. */
      async function expectAgreement(step: string): Promise<Reading[]> {
        const expected = `${serverClock.revision}:${serverClock.phase}:${serverClock.round}`;
        for (const page of Object.values(pages)) {
          await expect
            .poll(
              () =>
                page.evaluate(() => {
                  const el = document.querySelector<HTMLElement>('[data-countdown][data-remaining-ms]');
                  return el ? `${el.dataset.revision}:${el.dataset.phase}:${el.dataset.round}` : null;
                }),
              { timeout: 10_000 },
            )
            .toBe(expected);
          await expect.poll(() => page.evaluate(() => document.querySelector<HTMLElement>('[data-countdown]')?.dataset.synced), { timeout: 10_000 }).toBe('true');
        }
        const readings: Reading[] = [];
        for (const page of Object.values(pages)) readings.push(await readCountdown(page));
        for (const [i, reading] of readings.entries()) {
          const truth = phaseRemainingMs(serverClock, reading.at)!;
          const off = Math.abs(reading.remaining - truth);
          agreements.push(off);
          expect(off, `${step}: ${Object.keys(pages)[i]} is ${Math.round(off)} ms off the server`).toBeLessThan(TOLERANCE_MS);
          expect(reading.round).toBe(serverClock.round);
          expect(reading.phase).toBe(serverClock.phase);
        }
        // Pairwise, each projected to the first reading's instant.
        const [first, ...rest] = readings as [Reading, ...Reading[]];
        for (const reading of rest) {
          const projected = reading.running ? reading.remaining + (reading.at - first.at) : reading.remaining;
          expect(Math.abs(projected - first.remaining), `${step}: screens disagree`).toBeLessThan(TOLERANCE_MS);
        }
        return readings;
      }
      /** Does what the organizer does, and waits until the server's clock change reaches the referee. */
      async function organizerDoes(action: () => Promise<void>): Promise<void> {
        const changed = nextEvent(referee!, 'clock:changed');
        await action();
        await changed;
      }
      const liveRegion = (page: Page) => page.getByRole('status', { name: 'Round updates' });

      // --- Start.
      await organizerDoes(() => organizer.getByRole('button', { name: 'Start the event' }).click());
      await expectAgreement('after start');
      for (const [page, name] of [[ada, 'Ada Lovelace'], [alan, 'Alan Turing']] as const) {
        await page.getByRole('heading', { name: `You are meeting ${mentorOf(name, 1)}` }).waitFor();
      }
      // The one-minute warning names the partner, in the polite live region.
      await expect.poll(() => liveRegion(ada).textContent(), { timeout: 15_000 }).toBe(`One minute left with ${mentorOf('Ada Lovelace', 1)}.`);
      await expect.poll(() => liveRegion(alan).textContent(), { timeout: 5_000 }).toBe(`One minute left with ${mentorOf('Alan Turing', 1)}.`);

      // --- Pause: every countdown freezes at exactly the same value.
      await organizerDoes(() => organizer.getByRole('button', { name: 'Pause', exact: true }).click());
      const paused = await expectAgreement('after pause');
      expect(paused.every((r) => r.paused && r.remaining === paused[0]!.remaining)).toBe(true);
      expect(new Set(paused.map((r) => r.text)).size).toBe(1);
      await ada.getByText('Paused', { exact: true }).waitFor();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await readCountdown(alan)).remaining).toBe(paused[0]!.remaining);

      // --- Resume.
      await organizerDoes(() => organizer.getByRole('button', { name: 'Resume', exact: true }).click());
      await expectAgreement('after resume');

      // --- Extend by two minutes.
      const beforeExtend = (await readCountdown(ada)).remaining;
      await organizerDoes(() => organizer.getByRole('button', { name: /extend by 2 minutes/ }).click());
      const extended = await expectAgreement('after extending');
      expect(extended[1]!.remaining).toBeGreaterThan(beforeExtend + 110_000);
      await expect.poll(() => liveRegion(alan).textContent()).toBe('Round 1 extended by 2 minutes.');

      // --- A reload mid-round shows the same countdown at once (fresh snapshot, fresh sync).
      await alan.reload();
      await alan.getByRole('heading', { name: `You are meeting ${mentorOf('Alan Turing', 1)}` }).waitFor();
      await expectAgreement('after reloading the skewed page');

      // --- A dropped connection: Alan misses an extension while offline, and catches up when the socket reconnects.
      await alanContext.setOffline(true);
      await alan.getByText('Connection lost; reconnecting…').waitFor({ timeout: 40_000 });
      await organizerDoes(() => organizer.getByRole('button', { name: /extend by 1 minute$/ }).click());
      await alanContext.setOffline(false);
      await alan.getByText('Connected', { exact: true }).waitFor({ timeout: 20_000 });
      await expectAgreement('after a dropped connection');

      // --- An announcement reaches everyone as a banner.
      await organizer.getByLabel('Message to everyone').fill('Please wrap up your notes');
      await organizer.getByRole('button', { name: 'Send announcement' }).click();
      for (const page of [ada, alan]) {
        await page.getByRole('region', { name: 'Announcement from the organizer' }).getByText('Please wrap up your notes').waitFor();
      }

      // --- End the round: the transition says who is next, then round 2 starts on its own.
      await organizerDoes(() => organizer.getByRole('button', { name: 'End round now' }).click());
      await expectAgreement('in the transition');
      for (const [page, name] of [[ada, 'Ada Lovelace'], [alan, 'Alan Turing']] as const) {
        const next = mentorOf(name, 2);
        await page.getByRole('heading', { name: next ? `Next: ${next}` : 'Next round: you sit out' }).waitFor();
      }
      await nextEvent(referee, 'clock:changed', 15_000);
      expect(serverClock.phase).toBe('round');
      expect(serverClock.round).toBe(2);
      await expectAgreement('in round 2');
      // The seat comes from each participant's itinerary: the server sent no new per-participant data.
      // Whoever the plan seats out sees why, instead of an empty room.
      for (const [page, name] of [[ada, 'Ada Lovelace'], [alan, 'Alan Turing']] as const) {
        const partner = mentorOf(name, 2);
        if (partner) {
          expect(partner).not.toBe(mentorOf(name, 1));
          await page.getByRole('heading', { name: `You are meeting ${partner}` }).waitFor();
        } else {
          const seat = page.getByRole('region', { name: 'You sit this round out' });
          await seat.getByText(`Why: ${sitOutReason(name, 2)}.`).waitFor();
        }
      }
      for (const [page, name] of [[ada, 'Ada Lovelace'], [alan, 'Alan Turing']] as const) {
        const partner = mentorOf(name, 2);
        await expect
          .poll(() => liveRegion(page).textContent(), { timeout: 15_000 })
          .toBe(partner ? `One minute left with ${partner}.` : 'One minute left in round 2.');
      }

      // --- Re-planning the remaining rounds mid-round sends everyone a fresh snapshot; the clock does not move.
      await organizer.getByRole('button', { name: 'Re-plan remaining rounds' }).click();
      await organizer.getByText('Version 2, seed 7', { exact: false }).waitFor();
      await expectAgreement('after re-planning');

      // --- End the event, after confirming.
      await organizer.getByRole('button', { name: 'End event…' }).click();
      await organizerDoes(() =>
        organizer.getByRole('dialog', { name: 'End the event for everyone?' }).getByRole('button', { name: 'End event', exact: true }).click(),
      );
      expect(serverClock.phase).toBe('finished');
      for (const page of [ada, alan]) await page.getByRole('heading', { name: 'The event has finished' }).waitFor();

      console.log(
        `countdown vs server over ${agreements.length} readings: max ${Math.max(...agreements).toFixed(1)} ms, ` +
          `mean ${(agreements.reduce((a, b) => a + b, 0) / agreements.length).toFixed(1)} ms`,
      );
      expect(organizerErrors).toEqual([]);
      expect(participantErrors.flat()).toEqual([]);
    },
    180_000,
  );
});
