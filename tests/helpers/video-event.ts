import type { PlanView } from '@constellation/shared/schemas/schedule';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { recordPageErrors } from './browser.ts';
import { apiCall } from './server.ts';
import { newOrganizer } from './organizers.ts';

export interface VideoEventPerson {
  id: string;
  name: string;
  role: 'mentor' | 'mentee';
  inviteUrl: string;
}

export interface VideoEvent {
  /** The organizer's session cookie. */
  cookie: string;
  eventId: string;
  people: Map<string, VideoEventPerson>;
  idOf(name: string): string;
  plan: PlanView;
}

/**
 * Through the running app's API: an organizer, an event, its people (`pins` seat a mentor and a
 * mentee together), a plan, and everyone's invite link.
 */
export async function setUpVideoEvent(
  baseUrl: string,
  options: { people: (readonly ['mentor' | 'mentee', string])[]; event?: Parameters<typeof makeEvent>[0]; pins?: [string, string][]; seed?: number },
): Promise<VideoEvent> {
  const { cookie } = await newOrganizer(baseUrl, { name: 'Olivia Organizer' });
  const api = <T>(path: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(baseUrl, path, cookie, init);
  const event = await api<{ id: string }>('/api/events', { method: 'POST', body: makeEvent(options.event) });
  const people = new Map<string, VideoEventPerson>();
  for (const [role, name] of options.people) {
    const created = await api<{ id: string }>(`/api/events/${event.id}/participants`, { method: 'POST', body: makeParticipant({ role, name }) });
    people.set(created.id, { id: created.id, name, role, inviteUrl: '' });
  }
  const idOf = (name: string) => [...people.values()].find((p) => p.name === name)!.id;
  for (const [mentor, mentee] of options.pins ?? []) {
    await api(`/api/events/${event.id}/constraints/${idOf(mentor)}/${idOf(mentee)}`, { method: 'PUT', body: { kind: 'pin' } });
  }
  await api(`/api/events/${event.id}/plan`, { method: 'POST', body: { seed: options.seed ?? 1 } });
  const plan = await api<PlanView>(`/api/events/${event.id}/plan`);
  const { invites } = await api<{ invites: { participantId: string; url: string }[] }>(`/api/events/${event.id}/invites`);
  for (const invite of invites) people.get(invite.participantId)!.inviteUrl = invite.url;
  return { cookie, eventId: event.id, people, idOf, plan };
}

/**
 * A participant opens their invite link in a browser of their own and goes to the live page;
 * `prepare` sets up their browser first (routes, init scripts).
 */
export async function openLivePage(
  browser: Browser,
  baseUrl: string,
  inviteUrl: string,
  options: { prepare?: (context: BrowserContext) => Promise<void> } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: 'en-GB' });
  await options.prepare?.(context);
  const page = await context.newPage();
  const errors = recordPageErrors(page);
  await page.goto(`/join${new URL(inviteUrl).hash}`);
  await page.getByRole('link', { name: 'Go to the live event' }).click();
  await page.getByRole('heading', { name: 'Waiting for the organizer to start' }).waitFor();
  return { context, page, errors };
}

/**
 * What the `<video>` matching `selector` shows: its size, its box on the page and its brightest
 * pixel (0 is black), drawn through a canvas as a person would see it; zeros when it shows nothing.
 */
export function videoPicture(page: Page, selector: string): Promise<{ width: number; height: number; brightest: number; area: number }> {
  return page.evaluate((wanted) => {
    const video = document.querySelector<HTMLVideoElement>(wanted);
    if (!video || video.videoWidth === 0) return { width: 0, height: 0, brightest: 0, area: 0 };
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 16;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0, 16, 16);
    const pixels = context.getImageData(0, 0, 16, 16).data;
    let brightest = 0;
    for (let i = 0; i < pixels.length; i += 4) brightest = Math.max(brightest, pixels[i]!, pixels[i + 1]!, pixels[i + 2]!);
    const box = video.getBoundingClientRect();
    return { width: video.videoWidth, height: video.videoHeight, brightest, area: box.width * box.height };
  }, selector);
}

/** What the page's camera `<video>` of `identity` shows (see `videoPicture`). */
export const remotePicture = (page: Page, identity: string) => videoPicture(page, `video[data-remote-video="${identity}"]`);

/** When the page's call showed its first remote frame with a picture, in server time (the app's own mark). */
export async function firstFrameAt(page: Page, timeoutMs = 30_000): Promise<number> {
  const call = page.locator('[data-video-call][data-first-frame-at]');
  await call.waitFor({ timeout: timeoutMs });
  return Number(await call.getAttribute('data-first-frame-at'));
}
