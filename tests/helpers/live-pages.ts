import type { ClockState } from '@constellation/shared/clock/state';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, launchBrowser, recordPageErrors } from './browser.ts';
import { liveKitAvailability, startLiveKit } from './livekit.ts';
import { command, connectSocket, connected, type ClientSocket } from './realtime.ts';
import { apiCall, freePort, startServer, type RunningServer } from './server.ts';
import { newOrganizer, uniqueEmail } from './organizers.ts';

/** Someone invited to a test event, with their own invite link. */
export interface Person {
  id: string;
  name: string;
  role: 'mentor' | 'mentee';
  inviteUrl: string;
}

export interface LiveSide {
  page: Page;
  person: Person;
  errors: string[];
}

/**
 * Real browsers on the app's own pages, for end-to-end tests of a live event: an organizer, an
 * event with people and a plan, each person's live page, the organizer's run screen and clock.
 * Everything opened is closed by `close()`.
 */
export class LivePages {
  /** The app's URL: one server, or the load balancer in front of several. */
  readonly #server: Pick<RunningServer, 'url'>;
  readonly #browser: Browser;
  readonly #contexts: BrowserContext[] = [];
  readonly #sockets: ClientSocket[] = [];

  constructor(server: Pick<RunningServer, 'url'>, browser: Browser) {
    this.#server = server;
    this.#browser = browser;
  }

  api<T>(path: string, cookie: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    return apiCall<T>(this.#server.url, path, cookie, init);
  }

  /** A new organizer's session cookie. */
  async organizer(label: string): Promise<string> {
    return (await newOrganizer(this.#server.url, { name: 'Olivia Organizer', email: uniqueEmail(`org-${label}`) })).cookie;
  }

  /** An event with these people and a plan; the first round's tables as planned. */
  async event(cookie: string, settings: Parameters<typeof makeEvent>[0], people: readonly (readonly ['mentor' | 'mentee', string])[], seed = 2) {
    const event = await this.api<{ id: string }>('/api/events', cookie, { method: 'POST', body: makeEvent(settings) });
    const invited: Person[] = [];
    for (const [role, name] of people) {
      const created = await this.api<{ id: string }>(`/api/events/${event.id}/participants`, cookie, { method: 'POST', body: makeParticipant({ role, name }) });
      invited.push({ id: created.id, name, role, inviteUrl: '' });
    }
    await this.api(`/api/events/${event.id}/plan`, cookie, { method: 'POST', body: { seed } });
    const { invites } = await this.api<{ invites: { participantId: string; url: string }[] }>(`/api/events/${event.id}/invites`, cookie);
    for (const invite of invites) invited.find((p) => p.id === invite.participantId)!.inviteUrl = invite.url;
    const plan = await this.api<{ plan: { rounds: { tables: { mentorId: string; coMentorId?: string; menteeIds: string[] }[] }[] } }>(`/api/events/${event.id}/plan`, cookie);
    const byId = new Map(invited.map((p) => [p.id, p]));
    const tables = plan.plan.rounds[0]!.tables.map((t) => ({
      mentor: byId.get(t.mentorId)!,
      coHost: t.coMentorId === undefined ? null : byId.get(t.coMentorId)!,
      mentees: t.menteeIds.map((id) => byId.get(id)!),
    }));
    return { eventId: event.id, people: invited, tables };
  }

  /** The person's own browser, on the page their invite link opens. */
  async openJoin(person: Person, options: { initScript?: string } = {}): Promise<Page> {
    const context = await this.#newContext({ viewport: { width: 1280, height: 800 } });
    if (options.initScript) await context.addInitScript(options.initScript);
    const page = await context.newPage();
    await page.goto(`/join${new URL(person.inviteUrl).hash}`);
    return page;
  }

  /**
   * The person's own browser, from their invite link to the live page's lobby; `initScript` runs before any page script.
   * `node`: behind deploy/haproxy.cfg, the app node this browser is pinned to (its CONSTELLATION_NODE cookie).
   */
  async openLive(person: Person, options: { initScript?: (() => void) | string; node?: string } = {}): Promise<LiveSide> {
    const context = await this.#newContext({ viewport: { width: 1280, height: 800 } });
    if (options.initScript) await context.addInitScript(options.initScript);
    if (options.node) await context.addCookies([{ name: 'CONSTELLATION_NODE', value: options.node, url: this.#server.url }]);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(`/join${new URL(person.inviteUrl).hash}`);
    await page.getByRole('link', { name: 'Go to the live event' }).click();
    await page.getByRole('heading', { name: 'Waiting for the organizer to start' }).waitFor();
    return { page, person, errors };
  }

  /** The organizer's run screen, signed in with their cookie. */
  async openRunScreen(cookie: string, eventId: string): Promise<Page> {
    const context = await this.#newContext();
    await context.addCookies(
      cookie.split('; ').map((pair) => {
        const [name, ...value] = pair.split('=');
        return { name: name!, value: value.join('='), url: this.#server.url };
      }),
    );
    const page = await context.newPage();
    await page.goto(`/events/${eventId}/run`);
    return page;
  }

  /** The organizer's clock over their own socket: each command's new state, or a thrown error. */
  async clock(cookie: string, eventId: string): Promise<{ socket: ClientSocket; run: (name: 'clock:start' | 'clock:end-round' | 'clock:end-event') => Promise<ClockState> }> {
    const socket = connectSocket(this.#server.url, { cookie, eventId, as: 'organizer' });
    this.#sockets.push(socket);
    await connected(socket);
    const run = async (name: 'clock:start' | 'clock:end-round' | 'clock:end-event') => {
      const ack = await command<ClockState>(socket, name);
      if ('error' in ack) throw new Error(`${name}: ${ack.error.message}`);
      return ack.data;
    };
    return { socket, run };
  }

  async close(): Promise<void> {
    this.#sockets.forEach((s) => s.disconnect());
    await Promise.all(this.#contexts.map((context) => context.close()));
  }

  async #newContext(options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
    const context = await this.#browser.newContext({ baseURL: this.#server.url, locale: 'en-GB', ...options });
    this.#contexts.push(context);
    return context;
  }
}

/** The width of the partner's video on the page's call (0 until a frame shows). */
export const partnerVideoWidth = (page: Page, partnerId: string) =>
  page.evaluate((id) => document.querySelector<HTMLVideoElement>(`video[data-remote-video="${id}"]`)?.videoWidth ?? 0, partnerId);

/** Whether the partner's video is live: a new frame is decoded within `withinMs` (a frozen last frame does not count). */
export const partnerVideoLive = (page: Page, partnerId: string, withinMs = 1_000) =>
  page.evaluate(
    ([id, ms]) =>
      new Promise<boolean>((resolve) => {
        const video = document.querySelector<HTMLVideoElement>(`video[data-remote-video="${id as string}"]`);
        if (!video || video.videoWidth === 0) return resolve(false);
        const timer = setTimeout(() => resolve(false), ms as number);
        video.requestVideoFrameCallback(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    [partnerId, withinMs] as const,
  );

/**
 * An init script (`openLive(person, { initScript: recordFirstFrames })`) that notes, for every
 * partner video the page shows, the page's `Date.now()` at the first decoded frame of each new
 * track in it (a partner back after a reload, say, counts again). Read it with `firstFrameOf`:
 * unlike polling, it tells when a picture appeared, not when the test looked.
 */
// A string, not a function: a function's source would carry whatever its transpiler added (tsx's `__name`).
export const recordFirstFrames = `(() => {
  const frames = [];
  window.__frames = frames;
  const watched = new WeakSet();
  const watch = (video) => {
    if (watched.has(video)) return;
    watched.add(video);
    let last = null;
    const onFrame = () => {
      const track = video.srcObject?.getVideoTracks?.()[0]?.id ?? null;
      if (video.videoWidth > 0 && track !== null && track !== last) {
        last = track;
        frames.push({ id: video.dataset.remoteVideo ?? '', at: Date.now() });
      }
      if (video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  setInterval(() => document.querySelectorAll('video[data-remote-video]').forEach(watch), 20);
})();`;

/** When the page first showed a frame of `partnerId`'s video at or after `since` (its own clock), or null: see `recordFirstFrames`. */
export const firstFrameOf = (page: Page, partnerId: string, since = 0) =>
  page.evaluate(
    ([id, after]) => (window as unknown as { __frames?: { id: string; at: number }[] }).__frames?.find((f) => f.id === id && f.at >= (after as number))?.at ?? null,
    [partnerId, since] as const,
  );

/** What `startLiveStack` starts, for one test file; `stop()` ends it all. */
export interface LiveStack {
  server: RunningServer;
  browser: Browser;
  pages: LivePages;
  stop: () => Promise<void>;
}

/** `liveKit: false`: no LiveKit server and none configured, so calls go directly between the browsers. */
export interface LiveStackOptions {
  liveKit?: boolean;
}

/**
 * A LiveKit server, the app wired to it (webhooks included) and a browser, for one test file; `stop()` ends them all.
 * With `liveKit: false`, the app (no LiveKit configured) and a browser.
 */
export async function startLiveStack(options: LiveStackOptions = {}): Promise<LiveStack> {
  if (options.liveKit === false) {
    const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const pages = new LivePages(server, browser);
    const stop = async () => {
      await pages.close();
      await browser.close();
      await server.stop();
    };
    return { server, browser, pages, stop };
  }
  const port = await freePort();
  const [lk, browser] = await Promise.all([startLiveKit({ webhookUrl: `http://127.0.0.1:${port}/api/livekit/webhook` }), launchBrowser()]);
  const server = await startServer({ port, env: { LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret } });
  const pages = new LivePages(server, browser);
  const stop = async () => {
    await pages.close();
    await browser.close();
    await server.stop();
    await lk.stop();
  };
  return { server, browser, pages, stop };
}

/**
 * A describe block of browser tests on a live stack of its own, so that no test file repeats the checks
 * and hooks: `startLiveStack(options)` before the tests, `stop()` after them. `body` registers the tests
 * and any hooks of its own, which run with the stack up (its after-hooks before `stop()`); the stack it
 * is given is filled in when the block starts, so its fields are read in tests and hooks, not while `body`
 * runs. Without Chromium, or without LiveKit when the stack has one, the block is skipped and the log
 * says why; in CI either is an error instead (`browserUnavailableReason`, `liveKitAvailability`): a
 * broken pipeline must not pass by skipping.
 */
export function describeLiveStack(title: string, body: (stack: LiveStack) => void, options: LiveStackOptions = {}): void {
  const noBrowser = browserUnavailableReason();
  const liveKit = options.liveKit === false ? null : liveKitAvailability();
  if (noBrowser) console.warn(`Skipping "${title}": ${noBrowser}`);
  const stack = {} as LiveStack;
  describe.skipIf(noBrowser !== null || liveKit?.available === false)(title, () => {
    let stop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ stop } = Object.assign(stack, await startLiveStack(options)));
    });
    afterAll(() => stop?.());
    body(stack);
  });
}
