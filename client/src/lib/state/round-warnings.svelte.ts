import type { ClockState } from '@constellation/shared/clock/state';
import { playChime } from '../live/chime.ts';
import { pendingWarnings, type RoundWarning } from '../live/round-warnings.ts';

const MUTED_KEY = 'constellation.chime-muted';
/** How long the flash stays on screen. */
const FLASH_MS = 3_000;

function storedMuted(): boolean {
  try {
    return localStorage.getItem(MUTED_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * The chime, the flash and the spoken sentence before a round ends, at the event's own times. Each
 * clock state the page takes in re-plans the timers from the round's absolute end (see
 * `pendingWarnings`), so a pause, an extension or an ended round re-plans them too.
 */
export class RoundWarnings {
  #muted = $state(storedMuted());
  #flash = $state<RoundWarning | null>(null);
  #timers: ReturnType<typeof setTimeout>[] = [];
  #flashTimer: ReturnType<typeof setTimeout> | undefined;
  #played = new Set<string>();
  #onwarn: (warning: RoundWarning) => void;

  constructor(onwarn: (warning: RoundWarning) => void) {
    this.#onwarn = onwarn;
  }

  /** Whether the person turned the chime off (remembered in this browser). */
  get muted(): boolean {
    return this.#muted;
  }

  /** The warning flashing on screen now, if any. */
  get flash(): RoundWarning | null {
    return this.#flash;
  }

  toggleMute(): void {
    this.#muted = !this.#muted;
    try {
      localStorage.setItem(MUTED_KEY, this.#muted ? '1' : '0');
    } catch {
      // Private browsing without storage: the choice holds for this page only.
    }
  }

  /** Plans the warnings of `clock`, taken in at estimated server time `serverNow`; replaces the previous plan. */
  plan(clock: ClockState | null, warnAtSeconds: readonly number[], serverNow: number): void {
    this.#clearTimers();
    for (const warning of pendingWarnings(clock, warnAtSeconds, serverNow)) {
      if (this.#played.has(warning.key)) continue;
      this.#timers.push(setTimeout(() => this.#fire(warning), warning.at - serverNow));
    }
  }

  dispose(): void {
    this.#clearTimers();
    clearTimeout(this.#flashTimer);
  }

  #fire(warning: RoundWarning): void {
    if (this.#played.has(warning.key)) return;
    this.#played.add(warning.key);
    if (!this.#muted) playChime(warning.seconds <= 10);
    this.#flash = warning;
    clearTimeout(this.#flashTimer);
    this.#flashTimer = setTimeout(() => (this.#flash = null), FLASH_MS);
    this.#onwarn(warning);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
  }
}
