/**
 * Turns the absolute times in a ClockState into what a screen shows. Every
 * client computes from the same server `endsAt` and its own offset, so two
 * screens agree to within their sync error, and a late joiner sees the same
 * countdown as everyone else.
 */
import type { ClockState } from './state.ts';

/** The estimated server time at a local time. */
export function serverNow(localNow: number, offset: number): number {
  return localNow + offset;
}

/** Milliseconds left until `endsAt`, never negative. */
export function remainingMs(endsAt: number, serverNowEstimate: number): number {
  return Math.max(0, endsAt - serverNowEstimate);
}

/** What is left of the current phase: frozen while paused; null in the lobby or after the event. */
export function phaseRemainingMs(state: ClockState, serverNowEstimate: number): number | null {
  if (state.phase === 'lobby' || state.phase === 'finished') return null;
  if (state.paused) return state.remainingMs ?? remainingMs(state.endsAt, state.pausedAt ?? serverNowEstimate);
  return remainingMs(state.endsAt, serverNowEstimate);
}

/**
 * mm:ss (h:mm:ss from an hour up). Rounds up, as countdowns do: 0:00 shows
 * only once the time is really over, and a full minute reads 01:00.
 */
export function formatCountdown(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  const mm = String(minutes).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Words for a screen reader's live region, e.g. "1 minute 5 seconds". */
export function describeCountdown(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  const parts: string[] = [];
  if (minutes > 0) parts.push(`${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`);
  if (seconds > 0 || minutes === 0) parts.push(`${seconds} ${seconds === 1 ? 'second' : 'seconds'}`);
  return parts.join(' ');
}
