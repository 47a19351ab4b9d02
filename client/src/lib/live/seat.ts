import type { ClockState } from '@constellation/shared/clock/state';
import { seatRoundOf } from '@constellation/shared/clock/seat';
import type { ItineraryEntry, SnapshotPartner } from '@constellation/shared/realtime/events';
import { partnersInOrder } from './hosts.ts';

export { seatRoundOf };

/** The participant's entry for `seatRoundOf(clock)`, or null when there is none. */
export function seatOf(itinerary: readonly ItineraryEntry[], clock: ClockState): ItineraryEntry | null {
  const round = seatRoundOf(clock);
  if (round === null) return null;
  return itinerary.find((entry) => entry.round === round) ?? null;
}

/** "Marta", "Ada and Alan", "Ada, Alan and Grace"; a co-hosted circle's other mentor last: "Ada, Alan and Ben (co-host)". */
export function namesOf(partners: readonly SnapshotPartner[]): string {
  const names = partnersInOrder(partners).map((p) => (p.coHost ? `${p.name} (co-host)` : p.name));
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The participant's next conversation after a round they sit out, and when it starts (server ms) if the clock knows. */
export interface NextMeeting {
  entry: ItineraryEntry;
  startsAt: number | null;
}

/** The first round after `afterRound` in which the participant has a partner; null when they have none left. */
export function nextMeetingAfter(itinerary: readonly ItineraryEntry[], clock: ClockState, afterRound: number): NextMeeting | null {
  const entry = itinerary.find((e) => e.round > afterRound && !e.sittingOut && e.partners.length > 0);
  if (!entry) return null;
  const planned = clock.phase === 'lobby' || clock.phase === 'finished' ? undefined : clock.upcoming.find((u) => u.round === entry.round);
  return { entry, startsAt: planned?.startsAt ?? null };
}
