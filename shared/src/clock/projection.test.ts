import { describe, expect, it } from 'vitest';
import type { ClockState } from './state.ts';
import { describeCountdown, formatCountdown, phaseRemainingMs, remainingMs, serverNow } from './projection.ts';

const T = Date.UTC(2025, 5, 1, 9, 0, 0);

const running: ClockState = {
  phase: 'round',
  rounds: 3,
  round: 1,
  startedAt: T,
  startsAt: T,
  endsAt: T + 300_000,
  warnAt: T + 240_000,
  paused: false,
  pausedAt: null,
  remainingMs: null,
  upcoming: [],
  finishesAt: T + 300_000,
  revision: 1,
};

describe('projection', () => {
  it('estimates the server time from the local time and the offset', () => {
    expect(serverNow(1_000, 7_200_000)).toBe(7_201_000);
    expect(serverNow(7_201_000, -7_200_000)).toBe(1_000);
  });

  it('counts down to the absolute end and stops at zero', () => {
    expect(remainingMs(T + 5000, T)).toBe(5000);
    expect(remainingMs(T, T + 5000)).toBe(0);
  });

  it('shows a late joiner the same remaining time as everyone else', () => {
    expect(phaseRemainingMs(running, T + 100_000)).toBe(200_000);
  });

  it('freezes the countdown while paused', () => {
    const paused: ClockState = { ...running, paused: true, pausedAt: T + 100_000, remainingMs: 200_000 };
    expect(phaseRemainingMs(paused, T + 100_000)).toBe(200_000);
    expect(phaseRemainingMs(paused, T + 9_999_999)).toBe(200_000);
  });

  it('has no countdown in the lobby or after the event', () => {
    expect(phaseRemainingMs({ phase: 'lobby', rounds: 3, round: 0, revision: 0 }, T)).toBeNull();
    expect(
      phaseRemainingMs({ phase: 'finished', rounds: 3, round: 3, startedAt: T, endedAt: T, endedEarly: false, revision: 1 }, T),
    ).toBeNull();
  });

  it.each([
    [0, '00:00'],
    [-5000, '00:00'],
    [Number.NaN, '00:00'],
    [1, '00:01'],
    [999, '00:01'],
    [1000, '00:01'],
    [59_001, '01:00'],
    [60_000, '01:00'],
    [61_000, '01:01'],
    [7 * 60_000, '07:00'],
    [59 * 60_000 + 59_000, '59:59'],
    [3600_000, '1:00:00'],
    [3600_000 + 65_000, '1:01:05'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });

  it.each([
    [0, '0 seconds'],
    [1000, '1 second'],
    [60_000, '1 minute'],
    [125_000, '2 minutes 5 seconds'],
  ])('describes %d ms as "%s" for screen readers', (ms, text) => {
    expect(describeCountdown(ms)).toBe(text);
  });
});
