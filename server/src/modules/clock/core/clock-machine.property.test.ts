import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ClockState } from '@constellation/shared/clock/state';
import {
  deriveState,
  nextWakeup,
  validateCommand,
  type ClockCommand,
  type ClockLogEntry,
  type ClockSettings,
} from './clock-machine.ts';

const T0 = Date.UTC(2025, 5, 1, 9, 0, 0);

const settingsArb: fc.Arbitrary<ClockSettings> = fc.record({
  roundSeconds: fc.integer({ min: 60, max: 900 }),
  transitionSeconds: fc.integer({ min: 10, max: 180 }),
  rounds: fc.integer({ min: 1, max: 6 }),
  breaks: fc.array(fc.record({ afterRound: fc.integer({ min: 1, max: 7 }), seconds: fc.integer({ min: 60, max: 900 }) }), {
    maxLength: 3,
  }),
});

const commandArb: fc.Arbitrary<ClockCommand> = fc.oneof(
  { arbitrary: fc.constant({ type: 'start' as const }), weight: 2 },
  { arbitrary: fc.constant({ type: 'pause' as const }), weight: 3 },
  { arbitrary: fc.constant({ type: 'resume' as const }), weight: 3 },
  // Includes out-of-range values, which must be rejected.
  { arbitrary: fc.integer({ min: -5, max: 1900 }).map((seconds) => ({ type: 'extend' as const, seconds })), weight: 3 },
  { arbitrary: fc.constant({ type: 'endRound' as const }), weight: 2 },
  { arbitrary: fc.constant({ type: 'endEvent' as const }), weight: 1 },
);

/** Jump to exactly the next phase boundary, or one millisecond before it. */
const AT_BOUNDARY = -1;
const JUST_BEFORE_BOUNDARY = -2;

/** Gaps between commands: often zero, tiny or exactly on a boundary, sometimes long enough to skip phases. */
const gapArb = fc.oneof(
  fc.constant(0),
  fc.constant(AT_BOUNDARY),
  fc.constant(JUST_BEFORE_BOUNDARY),
  fc.integer({ min: 1, max: 2000 }),
  fc.integer({ min: 0, max: 15 * 60_000 }),
  fc.integer({ min: 0, max: 2 * 3600_000 }),
);

const stepsArb = fc.array(fc.record({ gap: gapArb, cmd: commandArb }), { maxLength: 40 });

/** The time after `t` that a gap leads to. */
function advanceBy(settings: ClockSettings, log: ClockLogEntry[], t: number, gap: number): number {
  if (gap >= 0) return t + gap;
  const state = deriveState(settings, log, t);
  if (state.phase === 'lobby' || state.phase === 'finished' || state.paused) return t;
  return Math.max(t, gap === AT_BOUNDARY ? state.endsAt : state.endsAt - 1);
}

/** Every phase boundary the state plans, and one millisecond either side. */
function boundariesOf(state: ClockState): number[] {
  if (state.phase === 'lobby' || state.phase === 'finished') return [];
  const times = [state.startsAt, state.endsAt, state.finishesAt, ...state.upcoming.flatMap((r) => [r.startsAt, r.endsAt])];
  if (state.warnAt !== null) times.push(state.warnAt);
  return times.flatMap((x) => [x - 1, x, x + 1]);
}

/** 0 for the lobby, 1.. for the phases in order, then the end: never goes down while time passes. */
function ordinal(state: ClockState): number {
  if (state.phase === 'lobby') return 0;
  if (state.phase === 'finished') return Number.POSITIVE_INFINITY;
  return 2 * (state.round - 1) + (state.phase === 'round' ? 1 : 2);
}

function breakAfter(settings: ClockSettings, round: number): number | undefined {
  const secs = settings.breaks.filter((b) => b.afterRound === round).map((b) => b.seconds);
  return secs.length > 0 ? Math.max(...secs) * 1000 : undefined;
}

function gapMs(settings: ClockSettings, round: number): number {
  return breakAfter(settings, round) ?? settings.transitionSeconds * 1000;
}

/** Structural invariants of any state the machine can derive at `now`. */
function expectValid(settings: ClockSettings, state: ClockState, now: number): void {
  expect(state.rounds).toBe(settings.rounds);
  if (state.phase === 'lobby') {
    expect(state.round).toBe(0);
    return;
  }
  if (state.phase === 'finished') {
    expect(state.endedAt).toBeLessThanOrEqual(now);
    expect(state.round).toBeGreaterThanOrEqual(0);
    expect(state.round).toBeLessThanOrEqual(settings.rounds);
    if (state.startedAt !== null) expect(state.startedAt).toBeLessThanOrEqual(state.endedAt);
    return;
  }
  expect(state.round).toBeGreaterThanOrEqual(1);
  expect(state.round).toBeLessThanOrEqual(settings.rounds);
  expect(state.startedAt).toBeLessThanOrEqual(state.startsAt);
  expect(state.endsAt).toBeGreaterThan(state.startsAt);
  if (state.phase !== 'round') {
    expect(state.round).toBeLessThan(settings.rounds);
    expect(state.phase === 'break').toBe(breakAfter(settings, state.round) !== undefined);
  }
  if (state.paused) {
    expect(state.pausedAt).not.toBeNull();
    const pausedAt = state.pausedAt ?? Number.NaN;
    expect(pausedAt).toBeLessThanOrEqual(now);
    expect(state.startsAt).toBeLessThanOrEqual(pausedAt);
    expect(state.remainingMs).toBe(state.endsAt - pausedAt);
    expect(state.remainingMs).toBeGreaterThan(0);
  } else {
    expect(state.pausedAt).toBeNull();
    expect(state.remainingMs).toBeNull();
    expect(state.startsAt).toBeLessThanOrEqual(now);
    expect(now).toBeLessThan(state.endsAt);
  }
  if (state.warnAt !== null) {
    expect(state.phase).toBe('round');
    expect(state.warnAt).toBeGreaterThan(state.startsAt);
    expect(state.warnAt).toBe(state.endsAt - 60_000);
  }
  // Upcoming rounds follow in order, each after the previous phase, at their planned lengths.
  expect(state.upcoming.map((r) => r.round)).toEqual(
    Array.from({ length: settings.rounds - state.round }, (_, i) => state.round + 1 + i),
  );
  let previousEnd = state.endsAt;
  let previousRound = state.round;
  let inRound = state.phase === 'round';
  for (const r of state.upcoming) {
    expect(r.startsAt).toBe(previousEnd + (inRound ? gapMs(settings, previousRound) : 0));
    expect(r.endsAt - r.startsAt).toBe(settings.roundSeconds * 1000);
    previousEnd = r.endsAt;
    previousRound = r.round;
    inRound = true;
  }
  expect(state.finishesAt).toBe(previousEnd);
}

interface Run {
  log: ClockLogEntry[];
  end: number;
}

/**
 * Plays the steps through validateCommand, checking each command's effect
 * against the state just before it, and returns the accepted log.
 */
function play(settings: ClockSettings, steps: Array<{ gap: number; cmd: ClockCommand }>): Run {
  const log: ClockLogEntry[] = [];
  let t = T0;
  let pausedWith: { remaining: number; extendedMs: number; pausedAt: number; before: ClockState } | null = null;
  for (const { gap, cmd } of steps) {
    t = advanceBy(settings, log, t, gap);
    const before = deriveState(settings, log, t);
    expectValid(settings, before, t);
    const verdict = validateCommand(settings, log, cmd, t);
    const entry: ClockLogEntry = { ...cmd, at: t };
    if (!verdict.ok) {
      expect(verdict.reason).not.toBe('');
      // Even if it were written to the log anyway, it would change nothing.
      expect(deriveState(settings, [...log, entry], t)).toEqual(before);
      continue;
    }
    log.push(entry);
    const after = deriveState(settings, log, t);
    expectValid(settings, after, t);
    expect(after.revision).toBe(before.revision + 1);

    if (cmd.type === 'pause') {
      if (before.phase === 'lobby' || before.phase === 'finished') throw new Error('pause accepted outside a phase');
      pausedWith = { remaining: before.endsAt - t, extendedMs: 0, pausedAt: t, before };
      expect(after).toMatchObject({ paused: true, pausedAt: t, remainingMs: before.endsAt - t, round: before.round, phase: before.phase });
    }
    if (cmd.type === 'extend') {
      if (before.phase !== 'round') throw new Error('extend accepted outside a round');
      const ms = cmd.seconds * 1000;
      if (pausedWith) pausedWith.extendedMs += ms;
      // Only the current round's end and what follows it move, by exactly the extension.
      expect(after).toEqual({
        ...before,
        endsAt: before.endsAt + ms,
        warnAt: before.endsAt + ms - 60_000 > before.startsAt ? before.endsAt + ms - 60_000 : null,
        remainingMs: before.remainingMs === null ? null : before.remainingMs + ms,
        upcoming: before.upcoming.map((r) => ({ ...r, startsAt: r.startsAt + ms, endsAt: r.endsAt + ms })),
        finishesAt: before.finishesAt + ms,
        revision: before.revision + 1,
      });
    }
    if (cmd.type === 'resume') {
      if (!pausedWith || after.phase === 'lobby' || after.phase === 'finished') throw new Error('resume without a pause');
      const pause = t - pausedWith.pausedAt;
      // Exactly the time that was left at the pause (plus any extension made while paused).
      expect(after.endsAt - t).toBe(pausedWith.remaining + pausedWith.extendedMs);
      expect(after.round).toBe(pausedWith.before.round);
      expect(after.phase).toBe(pausedWith.before.phase);
      if (pausedWith.before.phase !== 'lobby' && pausedWith.before.phase !== 'finished') {
        const ext = pausedWith.extendedMs;
        expect(after.startsAt).toBe(pausedWith.before.startsAt + pause);
        expect(after.upcoming).toEqual(
          pausedWith.before.upcoming.map((r) => ({ ...r, startsAt: r.startsAt + pause + ext, endsAt: r.endsAt + pause + ext })),
        );
      }
      pausedWith = null;
    }
    if (cmd.type === 'endRound') {
      if (before.phase !== 'round') throw new Error('endRound accepted outside a round');
      pausedWith = null;
      if (before.round === settings.rounds) {
        expect(after).toMatchObject({ phase: 'finished', endedAt: t, round: before.round });
      } else {
        expect(after).toMatchObject({ phase: breakAfter(settings, before.round) ? 'break' : 'transition', round: before.round, startsAt: t, paused: false });
        expect(after.phase !== 'finished' && after.phase !== 'lobby' && after.endsAt).toBe(t + gapMs(settings, before.round));
      }
    }
    if (cmd.type === 'endEvent') {
      expect(after).toMatchObject({ phase: 'finished', endedAt: t, endedEarly: true });
    }
    if (cmd.type === 'start') expect(after).toMatchObject({ phase: 'round', round: 1, startsAt: t });
  }
  return { log, end: t };
}

describe('clock machine properties', () => {
  it('leaves a valid state after every command sequence, checking each command against the state before it', () => {
    fc.assert(
      fc.property(settingsArb, stepsArb, (settings, steps) => {
        play(settings, steps);
      }),
      { numRuns: 400 },
    );
  });

  it('only moves forward as time passes without commands', () => {
    fc.assert(
      fc.property(
        settingsArb,
        stepsArb,
        fc.array(fc.integer({ min: 0, max: 4 * 3600_000 }), { minLength: 2, maxLength: 12 }),
        (settings, steps, offsets) => {
          const { log, end } = play(settings, steps);
          const boundaries = boundariesOf(deriveState(settings, log, end)).filter((x) => x >= end);
          const times = [...offsets.map((o) => end + o), ...boundaries].sort((a, b) => a - b);
          let previous: ClockState | null = null;
          for (const t of times) {
            const state = deriveState(settings, log, t);
            expectValid(settings, state, t);
            if (previous) {
              expect(ordinal(state)).toBeGreaterThanOrEqual(ordinal(previous));
              if (ordinal(state) === ordinal(previous)) expect(state).toEqual(previous);
            }
            previous = state;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with a naive model that keeps every phase as absolute times', () => {
    fc.assert(
      fc.property(
        settingsArb,
        stepsArb,
        fc.array(fc.integer({ min: 0, max: 3 * 3600_000 }), { maxLength: 6 }),
        (settings, steps, probes) => {
          const model = new NaiveClock(settings);
          const log: ClockLogEntry[] = [];
          let t = T0;
          for (const { gap, cmd } of steps) {
            t = advanceBy(settings, log, t, gap);
            const accepted = validateCommand(settings, log, cmd, t).ok;
            expect(accepted).toBe(model.accepts(cmd, t));
            if (accepted) {
              model.apply(cmd, t);
              log.push({ ...cmd, at: t });
            }
            expect(deriveState(settings, log, t)).toEqual(model.stateAt(t));
          }
          const boundaries = boundariesOf(deriveState(settings, log, t)).filter((x) => x >= t);
          for (const at of [...probes.map((p) => t + p), ...boundaries]) {
            expect(deriveState(settings, log, at)).toEqual(model.stateAt(at));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('always has the next timer in the future, and none while nothing runs', () => {
    fc.assert(
      fc.property(settingsArb, stepsArb, fc.integer({ min: 0, max: 3600_000 }), (settings, steps, extra) => {
        const { log, end } = play(settings, steps);
        const now = end + extra;
        const state = deriveState(settings, log, now);
        const wake = nextWakeup(settings, log, now);
        if (state.phase === 'lobby' || state.phase === 'finished' || state.paused) {
          expect(wake).toBeNull();
        } else {
          expect(wake).not.toBeNull();
          expect(wake?.at).toBeGreaterThan(now);
          expect(wake?.at).toBeLessThanOrEqual(state.endsAt);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// An independent, deliberately naive model: every phase stored with absolute
// times, every command rewriting the affected ones in a loop.

interface NaivePhase {
  kind: 'round' | 'transition' | 'break';
  round: number;
  start: number;
  end: number;
}

class NaiveClock {
  private phases: NaivePhase[] = [];
  private started: number | null = null;
  private pausedAt: number | null = null;
  private ended: { at: number; round: number; early: boolean } | null = null;
  private revision = 0;

  private readonly settings: ClockSettings;

  constructor(settings: ClockSettings) {
    this.settings = settings;
  }

  /** Index of the phase running at t, or -1 once all phases are over. */
  private indexAt(t: number): number {
    const at = this.pausedAt ?? t;
    return this.phases.findIndex((p) => p.end > at);
  }

  private finishedAt(t: number): { at: number; round: number; early: boolean } | null {
    if (this.ended) return this.ended;
    if (this.started !== null && this.indexAt(t) === -1) {
      return { at: (this.phases.at(-1) as NaivePhase).end, round: this.settings.rounds, early: false };
    }
    return null;
  }

  accepts(cmd: ClockCommand, t: number): boolean {
    if (cmd.type === 'extend' && !(Number.isInteger(cmd.seconds) && cmd.seconds >= 1 && cmd.seconds <= 1800)) return false;
    if (this.finishedAt(t)) return false;
    if (this.started === null) return cmd.type === 'start' || cmd.type === 'endEvent';
    const current = this.phases[this.indexAt(t)] as NaivePhase;
    switch (cmd.type) {
      case 'start':
        return false;
      case 'pause':
        return this.pausedAt === null;
      case 'resume':
        return this.pausedAt !== null;
      case 'extend':
      case 'endRound':
        return current.kind === 'round';
      case 'endEvent':
        return true;
    }
  }

  apply(cmd: ClockCommand, t: number): void {
    this.revision++;
    if (cmd.type === 'start') {
      this.started = t;
      let at = t;
      for (let k = 1; k <= this.settings.rounds; k++) {
        this.phases.push({ kind: 'round', round: k, start: at, end: at + this.settings.roundSeconds * 1000 });
        at += this.settings.roundSeconds * 1000;
        if (k < this.settings.rounds) {
          const isBreak = breakAfter(this.settings, k) !== undefined;
          this.phases.push({ kind: isBreak ? 'break' : 'transition', round: k, start: at, end: at + gapMs(this.settings, k) });
          at += gapMs(this.settings, k);
        }
      }
      return;
    }
    if (this.started === null) {
      this.ended = { at: t, round: 0, early: true };
      return;
    }
    const i = this.indexAt(t);
    const shiftFrom = (from: number, ms: number) => {
      for (let j = from; j < this.phases.length; j++) {
        const p = this.phases[j] as NaivePhase;
        p.start += ms;
        p.end += ms;
      }
    };
    const current = this.phases[i] as NaivePhase;
    switch (cmd.type) {
      case 'pause':
        this.pausedAt = t;
        break;
      case 'resume':
        shiftFrom(i, t - (this.pausedAt as number));
        this.pausedAt = null;
        break;
      case 'extend':
        current.end += cmd.seconds * 1000;
        shiftFrom(i + 1, cmd.seconds * 1000);
        break;
      case 'endRound': {
        this.pausedAt = null;
        if (i === this.phases.length - 1) {
          this.ended = { at: t, round: current.round, early: false };
          break;
        }
        const next = this.phases[i + 1] as NaivePhase;
        const delta = t - next.start;
        current.end = t;
        shiftFrom(i + 1, delta);
        break;
      }
      case 'endEvent':
        this.ended = { at: t, round: current.round, early: true };
        break;
    }
  }

  stateAt(t: number): ClockState {
    const rounds = this.settings.rounds;
    const finished = this.finishedAt(t);
    if (finished) {
      return { phase: 'finished', rounds, round: finished.round, startedAt: this.started, endedAt: finished.at, endedEarly: finished.early, revision: this.revision };
    }
    if (this.started === null) return { phase: 'lobby', rounds, round: 0, revision: this.revision };
    const i = this.indexAt(t);
    const p = this.phases[i] as NaivePhase;
    const later = this.phases.slice(i + 1).filter((q) => q.kind === 'round');
    return {
      phase: p.kind,
      rounds,
      round: p.round,
      startedAt: this.started,
      startsAt: p.start,
      endsAt: p.end,
      warnAt: p.kind === 'round' && p.end - 60_000 > p.start ? p.end - 60_000 : null,
      paused: this.pausedAt !== null,
      pausedAt: this.pausedAt,
      remainingMs: this.pausedAt === null ? null : p.end - this.pausedAt,
      upcoming: later.map((q) => ({ round: q.round, startsAt: q.start, endsAt: q.end })),
      finishesAt: (this.phases.at(-1) as NaivePhase).end,
      revision: this.revision,
    };
  }
}
