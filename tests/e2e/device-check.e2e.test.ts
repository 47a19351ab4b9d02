import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { browserUnavailableReason, CHROMIUM_PATH, launchBrowser, recordPageErrors } from '../helpers/browser.ts';
import { apiCall, startServer, type RunningServer } from '../helpers/server.ts';
import { newOrganizer } from '../helpers/organizers.ts';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`Skipping the device check browser test: ${skipReason}`);

/**
 * A Chromium with the fake camera and microphone but WITHOUT `--use-fake-ui-for-media-stream`:
 * nobody answers the permission prompt, so headless Chromium refuses getUserMedia with a real
 * NotAllowedError, exactly what a participant who clicked "Block" gets.
 */
const DENYING_ARGS = ['--use-fake-device-for-media-stream', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Before any page script: a machine with no camera and no microphone. This replaces the
 * browser's device layer only (getUserMedia fails as Chromium does when nothing is plugged in,
 * and the device list has no inputs); everything above it is the real client.
 */
const NO_CAPTURE_DEVICES = () => {
  const devices = navigator.mediaDevices;
  const enumerate = devices.enumerateDevices.bind(devices);
  devices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
  devices.enumerateDevices = async () => (await enumerate()).filter((d) => d.kind !== 'videoinput' && d.kind !== 'audioinput');
};

/**
 * Before any page script: keeps every AudioContext the page makes (the level meter's), and holds
 * the page's first device listing until the test releases it, so the test can act while the list
 * is loading. Only that listing is delayed; capture itself is Chromium's fake camera and microphone.
 */
const HOLD_FIRST_DEVICE_LIST = () => {
  const devices = navigator.mediaDevices;
  const enumerate = devices.enumerateDevices.bind(devices);
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let first: Promise<MediaDeviceInfo[]> | null = null;
  devices.enumerateDevices = () => (first ? enumerate() : (first = held.then(enumerate)));
  const page = window as unknown as { __releaseDeviceList: () => Promise<void>; __audioContexts: AudioContext[] };
  // Resolves once the held listing has been answered and every promise waiting on it has run.
  page.__releaseDeviceList = async () => {
    release();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const Native = window.AudioContext;
  const all: AudioContext[] = (page.__audioContexts = []);
  window.AudioContext = class extends Native {
    constructor(...args: ConstructorParameters<typeof AudioContext>) {
      super(...args);
      all.push(this);
    }
  };
};

const DENIED_MESSAGE =
  "The browser is not allowed to use your camera or microphone. Allow access in the address bar's site settings, then try again.";
const NOT_FOUND_MESSAGE = 'No camera or microphone was found. Plug one in (or choose another), then try again.';

/** The preview <video>: its size, how many frames it has shown, and which devices feed it. */
function previewState(video: Locator) {
  return video.evaluate((element: HTMLVideoElement) => {
    const stream = element.srcObject instanceof MediaStream ? element.srcObject : null;
    return {
      videoWidth: element.videoWidth,
      frames: element.getVideoPlaybackQuality().totalVideoFrames,
      videoDeviceId: stream?.getVideoTracks()[0]?.getSettings().deviceId ?? '',
      audioDeviceId: stream?.getAudioTracks()[0]?.getSettings().deviceId ?? '',
      live: stream?.getTracks().every((t) => t.readyState === 'live') ?? false,
    };
  });
}

/** The brightest channel of the preview's current frame (0 is black): a real picture, not an empty box. */
function previewBrightness(video: Locator) {
  return video.evaluate((element: HTMLVideoElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 8;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(element, 0, 0, 8, 8);
    const pixels = context.getImageData(0, 0, 8, 8).data;
    let brightest = 0;
    for (let i = 0; i < pixels.length; i += 4) brightest = Math.max(brightest, pixels[i]!, pixels[i + 1]!, pixels[i + 2]!);
    return brightest;
  });
}

/** The preview shows a picture and new frames keep arriving (a frozen first frame would not do). */
async function expectLivePreview(page: Page): Promise<void> {
  const video = page.getByLabel('Preview of your camera');
  await expect.poll(async () => (await previewState(video)).videoWidth, { timeout: 10_000, message: 'the preview to show a picture' }).toBeGreaterThan(0);
  const before = (await previewState(video)).frames;
  await expect.poll(async () => (await previewState(video)).frames, { timeout: 10_000, message: 'the preview to keep showing new frames' }).toBeGreaterThan(before + 10);
  expect((await previewState(video)).live).toBe(true);
  await expect.poll(() => previewBrightness(video), { timeout: 10_000, message: 'the preview not to be black' }).toBeGreaterThan(16);
}

/**
 * The level meter rises above zero at some point: Chromium's fake microphone beeps at regular
 * intervals, so the meter is polled until a beep (or its decay) is caught.
 */
async function expectMeterMoves(page: Page): Promise<void> {
  const meter = page.getByRole('meter', { name: 'Microphone level' });
  await expect
    .poll(() => meter.evaluate((element: HTMLMeterElement) => element.value), { timeout: 10_000, interval: 50, message: 'the microphone level to move' })
    .toBeGreaterThan(0);
}

describe.skipIf(skipReason !== null)('lobby camera and microphone check', () => {
  let server: RunningServer;
  let browser: Browser;
  let denyingBrowser: Browser;
  const contexts: BrowserContext[] = [];
  /** Invite link hash (`#token`) of each participant, one per test so no test sees another's stored choice. */
  const invites = new Map<string, string>();
  let eventTitle = '';

  beforeAll(async () => {
    [server, browser, denyingBrowser] = await Promise.all([
      startServer(),
      launchBrowser(),
      chromium.launch({ executablePath: CHROMIUM_PATH, args: DENYING_ARGS }),
    ]);

    const { cookie } = await newOrganizer(server.url, { name: 'Olivia Organizer' });
    const api = <T>(path: string, init: { method?: string; body?: unknown } = {}) => apiCall<T>(server.url, path, cookie, init);

    // A draft event: the lobby shows the device check for any event that has not finished.
    eventTitle = 'Check your camera first';
    const event = await api<{ id: string }>('/api/events', { method: 'POST', body: makeEvent({ title: eventTitle }) });
    const ids = new Map<string, string>();
    for (const name of ['Ada Ready', 'Ben Blocked', 'Cleo Cameraless', 'Dan Doubtful']) {
      const created = await api<{ id: string }>(`/api/events/${event.id}/participants`, { method: 'POST', body: makeParticipant({ name }) });
      ids.set(created.id, name);
    }
    const { invites: list } = await api<{ invites: { participantId: string; url: string }[] }>(`/api/events/${event.id}/invites`);
    for (const invite of list) invites.set(ids.get(invite.participantId)!, new URL(invite.url).hash);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await Promise.all([browser?.close(), denyingBrowser?.close()]);
    await server?.stop();
  });

  /** A participant opens their invite link in a fresh context of `on` and lands in the lobby. */
  async function openLobby(on: Browser, name: string, initScript?: () => void): Promise<{ page: Page; errors: string[] }> {
    const context = await on.newContext({ baseURL: server.url, locale: 'en-GB' });
    contexts.push(context);
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto(`/join${invites.get(name)!}`);
    await page.getByRole('heading', { level: 1, name: eventTitle }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/lobby');
    return { page, errors };
  }

  it('shows a participant their live camera and moving microphone level, and remembers the microphone they choose', async () => {
    const { page, errors } = await openLobby(browser, 'Ada Ready');
    const devices = page.getByRole('region', { name: 'Camera and microphone' });
    // Nothing is captured until the participant asks for it.
    expect(await page.getByLabel('Preview of your camera').count()).toBe(0);
    await devices.getByRole('button', { name: 'Check camera and microphone' }).click();

    await expectLivePreview(page);
    await expectMeterMoves(page);

    // The choices list Chromium's fake devices by name, and show the ones actually in use.
    const cameraChoice = devices.getByRole('combobox', { name: 'Camera' });
    const microphoneChoice = devices.getByRole('combobox', { name: 'Microphone' });
    const cameras = await cameraChoice.getByRole('option').allTextContents();
    const microphones = await microphoneChoice.getByRole('option').allTextContents();
    expect(cameras.length).toBeGreaterThan(0);
    expect(cameras.every((label) => /fake/i.test(label))).toBe(true);
    // Chromium fakes several microphones (a default and two more) so there is a real choice to make.
    expect(microphones.length).toBeGreaterThan(1);
    expect(microphones.every((label) => /fake/i.test(label))).toBe(true);
    const video = page.getByLabel('Preview of your camera');
    const inUse = await previewState(video);
    expect(await cameraChoice.inputValue()).toBe(inUse.videoDeviceId);
    expect(await microphoneChoice.inputValue()).toBe(inUse.audioDeviceId);

    // Chromium fakes a single camera, so the microphone is the choice to exercise: pick another one.
    const options = await microphoneChoice
      .getByRole('option')
      .evaluateAll((elements: HTMLOptionElement[]) => elements.map((o) => ({ value: o.value, label: o.label })));
    const other = options.find((o) => o.value !== inUse.audioDeviceId)!;
    await microphoneChoice.selectOption({ label: other.label });
    // The check restarts on the chosen microphone: the stream now comes from it, and still shows and hears.
    await expect.poll(async () => (await previewState(page.getByLabel('Preview of your camera'))).audioDeviceId, { timeout: 10_000 }).toBe(other.value);
    await expect.poll(() => microphoneChoice.inputValue()).toBe(other.value);
    await expectLivePreview(page);
    await expectMeterMoves(page);

    // After a reload the check starts on the remembered microphone, not the browser's default.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: eventTitle }).waitFor();
    await devices.getByRole('button', { name: 'Check camera and microphone' }).click();
    await expectLivePreview(page);
    expect((await previewState(page.getByLabel('Preview of your camera'))).audioDeviceId).toBe(other.value);
    await expect.poll(() => microphoneChoice.inputValue()).toBe(other.value);
    expect(await microphoneChoice.getByRole('option', { selected: true }).textContent()).toBe(other.label);
    await expectMeterMoves(page);

    // Stopping the check lets go of the camera and microphone.
    await devices.getByRole('button', { name: 'Stop the check' }).click();
    await devices.getByRole('button', { name: 'Check camera and microphone' }).waitFor();
    expect(await page.getByLabel('Preview of your camera').count()).toBe(0);

    expect(errors).toEqual([]);
  });

  it('tells a participant who blocked camera and microphone access how to allow it', async () => {
    const { page, errors } = await openLobby(denyingBrowser, 'Ben Blocked');
    const devices = page.getByRole('region', { name: 'Camera and microphone' });
    await devices.getByRole('button', { name: 'Check camera and microphone' }).click();

    await devices.getByRole('alert').filter({ hasText: DENIED_MESSAGE }).waitFor();
    expect(await page.getByLabel('Preview of your camera').count()).toBe(0);
    // The denial is the browser's own: this Chromium really refuses capture with NotAllowedError.
    expect(await page.evaluate(() => navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(() => 'granted', (e: DOMException) => e.name))).toBe(
      'NotAllowedError',
    );

    // Trying again without changing the permission says the same, rather than hanging or going blank.
    await devices.getByRole('button', { name: 'Try again' }).click();
    await devices.getByRole('alert').filter({ hasText: DENIED_MESSAGE }).waitFor();
    await devices.getByRole('button', { name: 'Try again' }).waitFor();

    expect(errors).toEqual([]);
  });

  it('tells a participant with no camera or microphone to plug one in', async () => {
    const { page, errors } = await openLobby(browser, 'Cleo Cameraless', NO_CAPTURE_DEVICES);
    const devices = page.getByRole('region', { name: 'Camera and microphone' });
    await devices.getByRole('button', { name: 'Check camera and microphone' }).click();

    await devices.getByRole('alert').filter({ hasText: NOT_FOUND_MESSAGE }).waitFor();
    await devices.getByRole('button', { name: 'Try again' }).waitFor();
    expect(await page.getByLabel('Preview of your camera').count()).toBe(0);
    expect(await devices.getByRole('combobox').count()).toBe(0);

    expect(errors).toEqual([]);
  });

  it('lets go of the microphone meter when a participant stops the check while devices are still being listed', async () => {
    const { page, errors } = await openLobby(browser, 'Dan Doubtful', HOLD_FIRST_DEVICE_LIST);
    const devices = page.getByRole('region', { name: 'Camera and microphone' });
    const audioContexts = () => page.evaluate(() => (window as unknown as { __audioContexts: AudioContext[] }).__audioContexts.map((a) => a.state));
    await devices.getByRole('button', { name: 'Check camera and microphone' }).click();
    // The preview is up while the device list is still loading; the participant stops right then.
    await devices.getByRole('button', { name: 'Stop the check' }).click();
    await devices.getByRole('button', { name: 'Check camera and microphone' }).waitFor();
    await page.evaluate(() => (window as unknown as { __releaseDeviceList: () => Promise<void> }).__releaseDeviceList());
    // The stopped check must not start a meter late: that AudioContext and its animation loop would run for good.
    expect(await audioContexts()).toEqual([]);

    // A full check afterwards still meters (so the count above does see the meter's AudioContext), and stopping closes it.
    await devices.getByRole('button', { name: 'Check camera and microphone' }).click();
    await expectMeterMoves(page);
    await devices.getByRole('button', { name: 'Stop the check' }).click();
    await devices.getByRole('button', { name: 'Check camera and microphone' }).waitFor();
    await expect.poll(audioContexts).toEqual(['closed']);

    expect(errors).toEqual([]);
  });
});
