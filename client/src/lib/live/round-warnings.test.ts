import { describe, expect, it } from 'vitest';
import type { ClockActive } from '@constellation/shared/clock/state';
import { pendingWarnings, warningTimeWords } from './round-warnings.ts';

const T0 = 1_700_000_000_000;
const WARN = [60, 10];

/** Round 1 of 2, five minutes from T0. */
function round(overrides: Partial<ClockActive> = {}): ClockActive {
  return {
    phase: 'round',
    rounds: 2,
    round: 1,
    startedAt: T0,
    startsAt: T0,
    endsAt: T0 + 300_000,
    warnAt: T0 + 240_000,
    paused: false,
    pausedAt: null,
    remainingMs: null,
    upcoming: [],
    finishesAt: T0 + 700_000,
    revision: 1,
    ...overrides,
  };
}

const seconds = (warnings: { seconds: number }[]) => warnings.map((w) => w.seconds);

describe('the warnings before the end of a round', () => {
  it('falls due the set number of seconds before the absolute end, soonest first', () => {
    expect(pendingWarnings(round(), [10, 60], T0)).toEqual([
      { round: 1, seconds: 60, at: T0 + 240_000, key: `1:60:${T0 + 300_000}` },
      { round: 1, seconds: 10, at: T0 + 290_000, key: `1:10:${T0 + 300_000}` },
    ]);
  });

  it('keeps only the warnings still ahead, so a reload in the last minute does not chime at once', () => {
    expect(seconds(pendingWarnings(round(), WARN, T0 + 250_000))).toEqual([10]);
    expect(pendingWarnings(round(), WARN, T0 + 295_000)).toEqual([]);
    expect(seconds(pendingWarnings(round(), WARN, T0 + 240_000))).toEqual([10]);
  });

  it('is silent while paused', () => {
    expect(pendingWarnings(round({ paused: true, pausedAt: T0 + 100_000, remainingMs: 200_000 }), WARN, T0 + 100_000)).toEqual([]);
  });

  it('after a resume follows the shifted end, and does not repeat a warning already passed', () => {
    // Paused 30 s at 3 minutes left: every time shifts by 30 s on resume.
    const resumed = round({ startsAt: T0 + 30_000, endsAt: T0 + 330_000, revision: 3 });
    expect(pendingWarnings(resumed, WARN, T0 + 150_000).map((w) => w.at)).toEqual([T0 + 270_000, T0 + 320_000]);
    // Paused at 55 s left, after the one-minute warning: only the ten-second one is still to come.
    const late = round({ startsAt: T0 + 20_000, endsAt: T0 + 320_000, revision: 3 });
    expect(seconds(pendingWarnings(late, WARN, T0 + 265_000))).toEqual([10]);
  });

  it('after an extension in the last minute warns again before the new end', () => {
    const extended = round({ endsAt: T0 + 420_000, revision: 2 });
    const pending = pendingWarnings(extended, WARN, T0 + 260_000);
    expect(pending.map((w) => [w.seconds, w.at])).toEqual([
      [60, T0 + 360_000],
      [10, T0 + 410_000],
    ]);
    // A new end is a new warning, even for the same round and the same threshold.
    expect(pending[0]!.key).not.toBe(pendingWarnings(round(), WARN, T0)[0]!.key);
  });

  it('has nothing to warn about between rounds, after a skip, in the lobby or after the event', () => {
    expect(pendingWarnings(round({ phase: 'transition', endsAt: T0 + 360_000, startsAt: T0 + 300_000, warnAt: null }), WARN, T0 + 300_000)).toEqual([]);
    expect(pendingWarnings({ phase: 'lobby', rounds: 2, round: 0, revision: 0 }, WARN, T0)).toEqual([]);
    expect(pendingWarnings({ phase: 'finished', rounds: 2, round: 2, startedAt: T0, endedAt: T0 + 1, endedEarly: true, revision: 4 }, WARN, T0)).toEqual([]);
    expect(pendingWarnings(null, WARN, T0)).toEqual([]);
  });

  it('leaves out a warning as long as the round itself, and repeats of the same time', () => {
    const short = round({ endsAt: T0 + 60_000 });
    expect(seconds(pendingWarnings(short, [60, 10, 10, 90], T0))).toEqual([10]);
    expect(pendingWarnings(round(), [], T0)).toEqual([]);
  });
});

describe('the words for a warning', () => {
  it('reads as people say it', () => {
    expect(warningTimeWords(60)).toBe('One minute');
    expect(warningTimeWords(10)).toBe('Ten seconds');
    expect(warningTimeWords(120)).toBe('2 minutes');
    expect(warningTimeWords(45)).toBe('45 seconds');
    expect(warningTimeWords(90)).toBe('1 minute 30 seconds');
    expect(warningTimeWords(61)).toBe('1 minute 1 second');
  });
});
