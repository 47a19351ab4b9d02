import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The system Chromium; browsers are never downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  // Fake camera and microphone, granted without a prompt, for the video rounds.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--no-sandbox',
  '--disable-gpu',
  // No calls home from the test browser.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Why browser tests cannot run on this machine, or null when they can.
 * A missing Chromium fails the run in CI (a silent skip there would hide a broken pipeline); elsewhere it skips.
 */
export function browserUnavailableReason(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const reason = `Chromium not found at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to one`;
  if (process.env.CI) throw new Error(reason);
  return reason;
}

export async function launchBrowser(): Promise<Browser> {
  const reason = browserUnavailableReason();
  if (reason) throw new Error(reason);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** Collects uncaught page errors and console errors, so a test can assert the page stayed healthy. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs every 4xx response; those are expected answers (a 401 from /api/auth/me, say), not bugs.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${message.text()}`);
    }
  });
  return errors;
}
