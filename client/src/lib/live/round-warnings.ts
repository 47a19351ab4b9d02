import type { ClockState } from '@constellation/shared/clock/state';

/** One chime-and-flash before the end of a round. */
export interface RoundWarning {
  round: number;
  /** Seconds before the round's end. */
  seconds: number;
  /** When it is due, in estimated server time (epoch ms). */
  at: number;
  /** The same warning of the same round end: played at most once. */
  key: string;
}

/**
 * The warnings of the running round still ahead at `seenAt` (estimated server time when this clock state
 * was taken in), soonest first: each `warnAtSeconds` before the round's absolute `endsAt`.
 *
 * - Paused: none. A resume brings a new state whose ends have shifted; a warning whose moment passed
 *   before the pause is then behind `seenAt` and does not sound again.
 * - Extended: the new `endsAt` puts the warnings ahead again, so the new last minute is felt too.
 * - Ended early (skip) or between rounds: none.
 * - A warning at or beyond the round's whole length would sound at its start: left out.
 */
export function pendingWarnings(clock: ClockState | null, warnAtSeconds: readonly number[], seenAt: number): RoundWarning[] {
  if (!clock || clock.phase !== 'round' || clock.paused) return [];
  const warnings: RoundWarning[] = [];
  for (const seconds of new Set(warnAtSeconds)) {
    const at = clock.endsAt - seconds * 1000;
    if (at <= clock.startsAt || at <= seenAt) continue;
    warnings.push({ round: clock.round, seconds, at, key: `${clock.round}:${seconds}:${clock.endsAt}` });
  }
  return warnings.sort((a, b) => a.at - b.at);
}

/** "One minute", "Ten seconds", "2 minutes", "45 seconds", "1 minute 30 seconds". */
export function warningTimeWords(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return rest === 10 ? 'Ten seconds' : `${rest} seconds`;
  const head = minutes === 1 ? (rest === 0 ? 'One minute' : '1 minute') : `${minutes} minutes`;
  return rest === 0 ? head : `${head} ${rest} ${rest === 1 ? 'second' : 'seconds'}`;
}
