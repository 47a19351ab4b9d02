import type { ClockState } from './state.ts';

/**
 * The round a participant's partners and prompt belong to: the current round, or during a
 * transition or break the next one; null after the event. The server's snapshots and the
 * client's screens both use it, so they always agree.
 */
export function seatRoundOf(clock: ClockState): number | null {
  switch (clock.phase) {
    case 'lobby':
      return clock.rounds >= 1 ? 1 : null;
    case 'round':
      return clock.round;
    case 'transition':
    case 'break':
      return clock.round < clock.rounds ? clock.round + 1 : null;
    case 'finished':
      return null;
  }
}
