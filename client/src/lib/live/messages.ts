import type { ClockState } from '@constellation/shared/clock/state';
import type { ClockChangeCause, ItineraryEntry } from '@constellation/shared/realtime/events';
import { formatDuration } from '../time.ts';
import { warningTimeWords } from './round-warnings.ts';
import { namesOf } from './seat.ts';

/** What a phase is called on screen: "Round 2 of 5", "Break", "Waiting to start". */
export function phaseLabel(clock: ClockState): string {
  switch (clock.phase) {
    case 'lobby':
      return 'Waiting to start';
    case 'round':
      return `Round ${clock.round} of ${clock.rounds}`;
    case 'transition':
      return `Between rounds ${clock.round} and ${clock.round + 1}`;
    case 'break':
      return `Break after round ${clock.round}`;
    case 'finished':
      return 'Finished';
  }
}

function gapSeconds(clock: ClockState): number {
  return clock.phase === 'transition' || clock.phase === 'break' ? Math.round((clock.endsAt - clock.startsAt) / 1000) : 0;
}

/**
 * One sentence for the polite live region when the clock changes. `seat` is the viewer's own
 * entry for the round the clock now points at (see `seatOf`); organizers pass null.
 */
export function describeClockChange(clock: ClockState, cause: ClockChangeCause, seat: ItineraryEntry | null): string {
  if (clock.phase === 'finished') return 'The event has finished. Thank you for taking part.';
  switch (cause.kind) {
    case 'paused':
      return 'The organizer paused the clock.';
    case 'resumed':
      return 'The clock is running again.';
    case 'extended':
      return `Round ${clock.round} extended by ${formatDuration(cause.seconds)}.`;
    default:
      break;
  }
  if (clock.phase === 'round') {
    const opening = `Round ${clock.round} of ${clock.rounds} has started.`;
    if (!seat) return opening;
    if (seat.sittingOut) return `${opening} You sit this round out. ${sitOutSentence(seat.sitOutReason)}`;
    return `${opening} You are meeting ${namesOf(seat.partners)}.`;
  }
  if (clock.phase === 'transition' || clock.phase === 'break') {
    const over =
      clock.phase === 'break'
        ? `Round ${clock.round} is over. Break for ${formatDuration(gapSeconds(clock))}.`
        : `Round ${clock.round} is over.`;
    if (!seat) return over;
    if (seat.sittingOut) return `${over} You sit out round ${seat.round}.`;
    return `${over} Next: ${namesOf(seat.partners)}, in ${formatDuration(gapSeconds(clock))}.`;
  }
  return '';
}

/** A warning before a round ends: "One minute left with Marta.", "Ten seconds left in round 2." */
export function describeWarning(round: number, seat: ItineraryEntry | null, seconds = 60): string {
  const left = `${warningTimeWords(seconds)} left`;
  if (seat && seat.round === round && !seat.sittingOut && seat.partners.length > 0) {
    return `${left} with ${namesOf(seat.partners)}.`;
  }
  return `${left} in round ${round}.`;
}

export type OrganizerCommand = 'start' | 'pause' | 'resume' | 'extend' | 'end-round' | 'end-event';

/** Confirms an organizer's own command, from the clock its acknowledgement carries. */
export function describeCommandResult(command: OrganizerCommand, clock: ClockState, seconds = 0): string {
  switch (command) {
    case 'start':
      return `The event has started: round 1 of ${clock.rounds} is running.`;
    case 'pause':
      return 'The clock is paused for everyone.';
    case 'resume':
      return 'The clock is running again for everyone.';
    case 'extend':
      return `Round ${clock.round} extended by ${formatDuration(seconds)}.`;
    case 'end-round':
      return clock.phase === 'finished' ? 'The last round ended; the event has finished.' : `Round ${clock.round} ended.`;
    case 'end-event':
      return 'The event has ended for everyone.';
  }
}

/** The planner's reason as a sentence of its own: "Why: more mentees than tables this round." */
export function sitOutSentence(reason: string | null): string {
  const text = reason?.trim().replace(/\.$/, '');
  return text ? `Why: ${text}.` : 'No partner is planned for you this round.';
}

/** "A", "A and B", "A, B and C". */
function listOf(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * One line of the organizer's log of live seat changes: "Rescued: Kwame now meets Amara — Hannah did
 * not come", "Moved: Ada now meets Ben".
 */
export function describeSeatingPair(
  kind: 'rescue' | 'move',
  pair: { mentorId: string; menteeId: string; waitingId: string; replaced: string[] },
  name: (participantId: string) => string,
): string {
  const other = pair.waitingId === pair.mentorId ? pair.menteeId : pair.mentorId;
  const head = `${kind === 'rescue' ? 'Rescued' : 'Moved'}: ${name(pair.waitingId)} now meets ${name(other)}`;
  if (pair.replaced.length === 0) return head;
  const who = listOf(pair.replaced.map(name));
  return kind === 'rescue' ? `${head} — ${who} did not come` : `${head} — ${who} ${pair.replaced.length === 1 ? 'has' : 'have'} no seat this round`;
}
