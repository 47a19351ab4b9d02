import { describe, expect, it } from 'vitest';
import type { ClockActive, ClockState } from '@constellation/shared/clock/state';
import type { ItineraryEntry } from '@constellation/shared/realtime/events';
import { describeClockChange, describeCommandResult, describeSeatingPair, describeWarning, phaseLabel } from './messages.ts';
import { namesOf, nextMeetingAfter, seatOf, seatRoundOf } from './seat.ts';

const prompt = { id: 'culture', title: 'The company and its culture', text: 'How are things done here?' };
const marta = { participantId: 'm', name: 'Marta', role: 'mentor' as const, reasons: ['both in fintech'] };
const itinerary: ItineraryEntry[] = [
  { round: 1, partners: [marta], sittingOut: false, sitOutReason: null, prompt },
  { round: 2, partners: [], sittingOut: true, sitOutReason: 'more mentees than tables this round', prompt },
  {
    round: 3,
    partners: [{ ...marta, participantId: 'g', name: 'Grace' }, { ...marta, participantId: 'a', name: 'Ada' }],
    sittingOut: false,
    sitOutReason: null,
    prompt,
  },
];

function active(phase: ClockActive['phase'], round: number, overrides: Partial<ClockActive> = {}): ClockActive {
  return {
    phase,
    rounds: 3,
    round,
    startedAt: 0,
    startsAt: 1_000,
    endsAt: phase === 'round' ? 301_000 : 61_000,
    warnAt: null,
    paused: false,
    pausedAt: null,
    remainingMs: null,
    upcoming: [],
    finishesAt: 1_000_000,
    revision: 1,
    ...overrides,
  };
}

describe('the seat a participant sees', () => {
  it('is the current round during a round, and the next one during a gap', () => {
    const lobby: ClockState = { phase: 'lobby', rounds: 3, round: 0, revision: 0 };
    expect(seatRoundOf(lobby)).toBe(1);
    expect(seatRoundOf(active('round', 2))).toBe(2);
    expect(seatRoundOf(active('transition', 2))).toBe(3);
    expect(seatRoundOf(active('break', 3))).toBeNull();
    const finished: ClockState = { phase: 'finished', rounds: 3, round: 3, startedAt: 0, endedAt: 9, endedEarly: false, revision: 4 };
    expect(seatRoundOf(finished)).toBeNull();
    expect(seatOf(itinerary, active('transition', 1))?.round).toBe(2);
    expect(seatOf([], active('round', 1))).toBeNull();
  });

  it('names one, two or three partners the way people say them', () => {
    expect(namesOf([marta])).toBe('Marta');
    expect(namesOf(itinerary[2]!.partners)).toBe('Grace and Ada');
    expect(namesOf([...itinerary[2]!.partners, marta])).toBe('Grace, Ada and Marta');
    expect(namesOf([])).toBe('');
  });
});

describe('what the live region says', () => {
  it('announces a new round with the partner, or the sit-out with its reason', () => {
    expect(describeClockChange(active('round', 1), { kind: 'started' }, itinerary[0]!)).toBe(
      'Round 1 of 3 has started. You are meeting Marta.',
    );
    expect(describeClockChange(active('round', 2), { kind: 'elapsed' }, itinerary[1]!)).toBe(
      'Round 2 of 3 has started. You sit this round out. Why: more mentees than tables this round.',
    );
  });

  it('says who is next during a transition, and how long a break lasts', () => {
    expect(describeClockChange(active('transition', 2), { kind: 'round-ended' }, itinerary[2]!)).toBe(
      'Round 2 is over. Next: Grace and Ada, in 1 minute.',
    );
    expect(describeClockChange(active('break', 1, { endsAt: 601_000 }), { kind: 'elapsed' }, null)).toBe(
      'Round 1 is over. Break for 10 minutes.',
    );
  });

  it('reports pauses, extensions and the end of the event', () => {
    expect(describeClockChange(active('round', 1, { paused: true }), { kind: 'paused' }, itinerary[0]!)).toBe(
      'The organizer paused the clock.',
    );
    expect(describeClockChange(active('round', 3), { kind: 'extended', seconds: 120 }, null)).toBe(
      'Round 3 extended by 2 minutes.',
    );
    const finished: ClockState = { phase: 'finished', rounds: 3, round: 2, startedAt: 0, endedAt: 9, endedEarly: true, revision: 4 };
    expect(describeClockChange(finished, { kind: 'event-ended' }, null)).toMatch(/finished/);
    expect(phaseLabel(active('round', 2))).toBe('Round 2 of 3');
  });

  it('names the partner in the one-minute warning', () => {
    expect(describeWarning(1, itinerary[0]!)).toBe('One minute left with Marta.');
    expect(describeWarning(2, itinerary[1]!)).toBe('One minute left in round 2.');
    expect(describeWarning(1, itinerary[0]!, 10)).toBe('Ten seconds left with Marta.');
    expect(describeWarning(2, itinerary[1]!, 120)).toBe('2 minutes left in round 2.');
  });
});

describe('what the organizer hears after a command', () => {
  it('confirms each command with the round it touched', () => {
    expect(describeCommandResult('extend', active('round', 2), 300)).toBe('Round 2 extended by 5 minutes.');
    expect(describeCommandResult('end-round', active('transition', 2))).toBe('Round 2 ended.');
    expect(describeCommandResult('start', active('round', 1))).toBe('The event has started: round 1 of 3 is running.');
  });
});

describe('describeSeatingPair', () => {
  const names: Record<string, string> = { k: 'Kwame', a: 'Amara', h: 'Hannah', c: 'Carl' };
  const name = (id: string) => names[id] ?? id;

  it('names whoever was waiting first, and who did not come', () => {
    expect(describeSeatingPair('rescue', { mentorId: 'k', menteeId: 'a', waitingId: 'k', replaced: ['h'] }, name)).toBe(
      'Rescued: Kwame now meets Amara — Hannah did not come',
    );
    expect(describeSeatingPair('rescue', { mentorId: 'k', menteeId: 'a', waitingId: 'a', replaced: ['h', 'c'] }, name)).toBe(
      'Rescued: Amara now meets Kwame — Hannah and Carl did not come',
    );
  });

  it('says an organizer move plainly', () => {
    expect(describeSeatingPair('move', { mentorId: 'k', menteeId: 'a', waitingId: 'k', replaced: [] }, name)).toBe('Moved: Kwame now meets Amara');
    expect(describeSeatingPair('move', { mentorId: 'k', menteeId: 'a', waitingId: 'k', replaced: ['h'] }, name)).toBe(
      'Moved: Kwame now meets Amara — Hannah has no seat this round',
    );
  });
});

describe('the next conversation of someone sitting out', () => {
  it('is the first later round with a partner, at its planned start', () => {
    const clock = active('round', 2, { upcoming: [{ round: 3, startsAt: 400_000, endsAt: 700_000 }] });
    expect(nextMeetingAfter(itinerary, clock, 2)).toEqual({ entry: itinerary[2], startsAt: 400_000 });
    // Between rounds 1 and 2, sitting out round 2: the meeting after it.
    expect(nextMeetingAfter(itinerary, active('transition', 1, { upcoming: [{ round: 2, startsAt: 61_000, endsAt: 361_000 }, { round: 3, startsAt: 421_000, endsAt: 721_000 }] }), 2)).toEqual({
      entry: itinerary[2],
      startsAt: 421_000,
    });
  });

  it('has no time in the lobby, and is null when no conversation is left', () => {
    expect(nextMeetingAfter(itinerary, { phase: 'lobby', rounds: 3, round: 0, revision: 0 }, 0)).toEqual({ entry: itinerary[0], startsAt: null });
    expect(nextMeetingAfter(itinerary, active('round', 3), 3)).toBeNull();
  });
});
