/**
 * In the call, in real Chromium on a real LiveKit: the people at a table chat both ways (the only
 * way to talk when the sound fails), nobody else ever receives it (another table, the organizer), a
 * reload within the round brings the chat back, and the round's end takes it away. One shares a
 * screen and the other sees it as the main picture, then it stops and the camera is back.
 *
 * Chromium's `--use-fake-ui-for-media-stream` with `--use-fake-device-for-media-stream` (the flags
 * every browser test already runs with) answers `getDisplayMedia` without a picker, with its fake
 * screen capturer: a moving 1280×720 test picture, so the frames seen on the other page are checked
 * for size and brightness.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChatHistory, ChatMessage } from '@constellation/shared/realtime/events';
import { eventually } from '../helpers/livekit.ts';
import { describeLiveStack, partnerVideoLive, type LivePages } from '../helpers/live-pages.ts';
import { command, connectSocket, connected, type ClientSocket } from '../helpers/realtime.ts';
import type { RunningServer } from '../helpers/server.ts';
import { videoPicture } from '../helpers/video-event.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** What the page's shared-screen `<video>` of `identity` shows: its size and brightest pixel (0 is black). */
const sharedScreen = (page: Page, identity: string) => videoPicture(page, `video[data-remote-screen="${identity}"]`);

const areaOf = (page: Page, selector: string) =>
  page.evaluate((s) => {
    const box = document.querySelector(s)?.getBoundingClientRect();
    return box ? box.width * box.height : 0;
  }, selector);

/** A socket of the page's own participant, with the page's session cookie, that records every chat message it is sent. */
async function socketOf(page: Page, server: RunningServer): Promise<{ socket: ClientSocket; heard: ChatMessage[] }> {
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const socket = connectSocket(server.url, { cookie });
  const heard: ChatMessage[] = [];
  socket.on('chat:messaged', (message) => heard.push(message));
  await connected(socket);
  return { socket, heard };
}

describeLiveStack('chat and screen share in the call, in real browsers', (stack) => {
  const sockets: ClientSocket[] = [];

  beforeAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  // Before the stack stops: after-hooks run in reverse order.
  afterAll(() => {
    sockets.forEach((s) => s.disconnect());
  });

  it('lets the two at a table chat both ways, keeps it from everyone else, brings it back after a reload and ends it with the round', { timeout: 300_000 }, async () => {
    const { pages, server } = stack;
    const cookie = await pages.organizer('chat');
    const { eventId, tables } = await pages.event(cookie, { title: 'Chat evening', rounds: 2, roundSeconds: 900, transitionSeconds: 60, noShowAfterSeconds: 600 }, [
      ['mentor', 'Marta Mentor'],
      ['mentor', 'Nils Mentor'],
      ['mentee', 'Ada Mentee'],
      ['mentee', 'Ben Mentee'],
    ]);
    const [here, there] = tables as [(typeof tables)[number], (typeof tables)[number]];
    const mentor = await pages.openLive(here.mentor);
    const mentee = await pages.openLive(here.mentees[0]!);
    // At the other table: their page, and their socket, listening for anything that is not theirs.
    const elsewhere = await pages.openLive(there.mentees[0]!);
    const elsewhereSocket = await socketOf(elsewhere.page, server);
    const { socket: organizerSocket, run } = await pages.clock(cookie, eventId);
    const organizerHeard: ChatMessage[] = [];
    organizerSocket.on('chat:messaged', (message) => organizerHeard.push(message));
    sockets.push(elsewhereSocket.socket);

    await run('clock:start');
    for (const side of [mentor, mentee]) {
      const partner = side === mentor ? mentee : mentor;
      await side.page.getByRole('heading', { name: `You are meeting ${partner.person.name}` }).waitFor({ timeout: 60_000 });
    }

    // Ada writes first: her sound is broken.
    await mentee.page.getByRole('button', { name: 'Chat' }).click();
    const adaBox = mentee.page.getByRole('textbox', { name: `Message to ${mentor.person.name}` });
    await adaBox.fill('My microphone is broken, can you read this?');
    await adaBox.press('Enter');
    await mentee.page.locator('[data-chat-message]', { hasText: 'My microphone is broken' }).waitFor();

    // Marta has the chat closed: an unread count on the button, and the words in the live region.
    await mentor.page.locator('[data-chat-unread="1"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => mentor.page.getByRole('status', { name: 'Chat messages' }).textContent(), { timeout: 10_000 }).toBe(
      `${mentee.person.name} wrote: My microphone is broken, can you read this?`,
    );
    await mentor.page.getByRole('button', { name: /^Chat/ }).click();
    await mentor.page.locator('[data-chat-message]', { hasText: 'My microphone is broken' }).waitFor();
    expect(await mentor.page.locator('[data-chat-unread]').count()).toBe(0);
    const martaBox = mentor.page.getByRole('textbox', { name: `Message to ${mentee.person.name}` });
    await martaBox.fill('Yes, loud and clear.\nLet us write then.');
    await mentor.page.getByRole('button', { name: 'Send' }).click();
    const reply = mentee.page.locator('[data-chat-message]', { hasText: 'Let us write then.' });
    await reply.waitFor({ timeout: 20_000 });
    expect(await reply.textContent()).toContain('Yes, loud and clear.');
    await mentee.page.screenshot({ path: `${SCREENSHOTS}participant-chat-1280x800.png` });

    // The call screen's promise still holds with the chat open: the partner's video is the largest thing, fully in view.
    const videoArea = await areaOf(mentee.page, `video[data-remote-video="${mentor.person.id}"]`);
    const chatArea = await areaOf(mentee.page, '[data-call-chat]');
    expect(videoArea).toBeGreaterThan(chatArea);

    // On a phone the chat is a drawer over the lower part of the call.
    await mentee.page.setViewportSize({ width: 390, height: 844 });
    await mentee.page.locator('[data-call-chat]').waitFor();
    const drawer = await mentee.page.evaluate(() => {
      const box = document.querySelector('[data-call-chat]')!.getBoundingClientRect();
      return { top: box.top, bottom: box.bottom, height: window.innerHeight };
    });
    expect(drawer.bottom).toBeLessThanOrEqual(drawer.height + 0.5);
    expect(drawer.top).toBeGreaterThan(drawer.height / 3);
    await mentee.page.screenshot({ path: `${SCREENSHOTS}participant-chat-390x844.png` });
    await mentee.page.setViewportSize({ width: 1280, height: 800 });

    // Nobody else got a word of it: the other table (page and socket) and the organizer. A round trip on each socket first.
    await command(elsewhereSocket.socket, 'time:sync', { t0: 0 });
    await command(organizerSocket, 'time:sync', { t0: 0 });
    expect(elsewhereSocket.heard).toEqual([]);
    expect(organizerHeard).toEqual([]);
    expect(await elsewhere.page.getByText('My microphone is broken').count()).toBe(0);
    const elsewhereHistory = await command<ChatHistory>(elsewhereSocket.socket, 'chat:history');
    expect('data' in elsewhereHistory && elsewhereHistory.data.messages).toEqual([]);
    expect(await command(organizerSocket, 'chat:history')).toMatchObject({ error: { code: 'forbidden' } });

    // Ada reloads mid-round: the chat comes back as it was.
    await mentee.page.reload();
    await mentee.page.getByRole('heading', { name: `You are meeting ${mentor.person.name}` }).waitFor({ timeout: 60_000 });
    await mentee.page.getByRole('button', { name: /^Chat/ }).click();
    await mentee.page.locator('[data-chat-message]', { hasText: 'My microphone is broken' }).waitFor({ timeout: 20_000 });
    await mentee.page.locator('[data-chat-message]', { hasText: 'Let us write then.' }).waitFor();
    expect(await mentee.page.locator('[data-chat-message]').count()).toBe(2);

    // The round ends: the chat is gone from both screens and from the server.
    const menteeSocket = await socketOf(mentee.page, server);
    sockets.push(menteeSocket.socket);
    await run('clock:end-round');
    for (const side of [mentor, mentee]) {
      await side.page.getByRole('heading', { name: /^Next:/ }).waitFor({ timeout: 30_000 });
      expect(await side.page.locator('[data-call-chat], [data-chat-toggle]').count()).toBe(0);
      expect(await side.page.getByText('My microphone is broken').count()).toBe(0);
    }
    expect(await command(menteeSocket.socket, 'chat:history')).toMatchObject({ error: { code: 'not-in-round' } });
    expect(mentee.errors.filter((e) => !/signal stream|DataChannel error|websocket/i.test(e))).toEqual([]);
    await run('clock:end-event');
    await Promise.all([mentor, mentee, elsewhere].map((side) => side.page.context().close()));
  });

  it("shows one side's shared screen as the other's main picture, with the camera small, until sharing stops", { timeout: 300_000 }, () =>
    sharesAScreen(stack.pages, 'livekit'));
});

// Direct calls (no LiveKit): the screen goes on a transceiver of its own, added and stopped by renegotiating.
describeLiveStack(
  'screen share in a direct call, in real browsers',
  (stack) => {
    beforeAll(() => {
      mkdirSync(SCREENSHOTS, { recursive: true });
    });

    it("shows one side's shared screen as the other's main picture, until sharing stops", { timeout: 300_000 }, () => sharesAScreen(stack.pages, 'direct'));
  },
  // No LIVEKIT_URL, and no local LiveKit: calls go directly between the browsers.
  { liveKit: false },
);

/** One side shares a screen: the other sees it as the main picture (a picture, at the capture's size), then it stops and the camera is back. */
async function sharesAScreen(pages: LivePages, mode: 'livekit' | 'direct'): Promise<void> {
  const cookie = await pages.organizer(`screen-${mode}`);
  const { eventId, tables } = await pages.event(cookie, { title: 'Portfolio review', rounds: 1, roundSeconds: 900, noShowAfterSeconds: 600 }, [
    ['mentor', 'Marta Mentor'],
    ['mentee', 'Ada Mentee'],
  ]);
  const mentor = await pages.openLive(tables[0]!.mentor);
  const mentee = await pages.openLive(tables[0]!.mentees[0]!);
  const { run } = await pages.clock(cookie, eventId);
  await run('clock:start');
  await eventually(() => partnerVideoLive(mentee.page, mentor.person.id), { timeoutMs: 90_000, intervalMs: 250, what: "Ada to see Marta's camera" });

  // Ada shows her portfolio.
  const share = mentee.page.getByRole('button', { name: 'Share screen' });
  await share.click();
  await mentee.page.locator('[data-sharing-screen]').waitFor({ timeout: 30_000 });
  expect(await share.getAttribute('aria-pressed')).toBe('true');

  // Marta sees it: a real picture, at the capture's size, larger than Ada's camera now in the corner.
  const seen = await eventually(
    async () => {
      const screen = await sharedScreen(mentor.page, mentee.person.id);
      return screen.width >= 640 && screen.brightest > 16 ? screen : false;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "Marta to see Ada's shared screen with a picture" },
  );
  expect(seen.height).toBeGreaterThanOrEqual(360);
  const cameraArea = await areaOf(mentor.page, `[data-remote-tile="${mentee.person.id}"]`);
  expect(cameraArea).toBeGreaterThan(0);
  expect(seen.area).toBeGreaterThan(cameraArea * 4);
  expect(await mentor.page.getByLabel(`Screen shared by ${mentee.person.name}`).count()).toBe(1);
  await mentor.page.screenshot({ path: `${SCREENSHOTS}participant-screen-share${mode === 'direct' ? '-direct' : ''}-1280x800.png` });

  // Ada stops: the screen goes, and her camera is the main picture again.
  await share.click();
  await mentee.page.locator('[data-sharing-screen]').waitFor({ state: 'detached', timeout: 30_000 });
  await mentor.page.locator(`video[data-remote-screen="${mentee.person.id}"]`).waitFor({ state: 'detached', timeout: 30_000 });
  await eventually(() => partnerVideoLive(mentor.page, mentee.person.id), { timeoutMs: 30_000, intervalMs: 250, what: "Marta to see Ada's camera again" });
  const backArea = await areaOf(mentor.page, `video[data-remote-video="${mentee.person.id}"]`);
  expect(backArea).toBeGreaterThan(cameraArea * 4);
  expect([...mentor.errors, ...mentee.errors].filter((e) => !/signal stream|DataChannel error|websocket/i.test(e))).toEqual([]);
  await run('clock:end-event');
  await Promise.all([mentor, mentee].map((side) => side.page.context().close()));
}
