import type { ClockState } from '@constellation/shared/clock/state';
import type { ItineraryEntry, SnapshotPartner } from '@constellation/shared/realtime/events';

/**
 * The round a participant's partners and prompt belong to: the current round, or during a
 * transition or break the next one; null after the event. Mirrors the server's snapshot, so the
 * screen follows round changes from `clock:changed` alone.
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

/** The participant's entry for `seatRoundOf(clock)`, or null when there is none. */
export function seatOf(itinerary: readonly ItineraryEntry[], clock: ClockState): ItineraryEntry | null {
  const round = seatRoundOf(clock);
  if (round === null) return null;
  return itinerary.find((entry) => entry.round === round) ?? null;
}

/** "Marta", "Ada and Alan", "Ada, Alan and Grace". */
export function namesOf(partners: readonly SnapshotPartner[]): string {
  const names = partners.map((p) => p.name);
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
