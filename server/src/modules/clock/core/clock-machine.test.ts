import { describe, expect, it } from 'vitest';
import type { ClockActive, ClockState } from '@constellation/shared/clock/state';
import {
  applyAt,
  applyCommand,
  deriveState,
  nextBoundary,
  nextWakeup,
  replay,
  roundWindows,
  stateAt,
  validateCommand,
  type ClockCommand,
  type ClockLogEntry,
  type ClockSettings,
} from './clock-machine.ts';

const T0 = Date.UTC(2025, 5, 1, 9, 0, 0);
const S = 1000;
const MIN = 60 * S;

function makeSettings(overrides: Partial<ClockSettings> = {}): ClockSettings {
  return { roundSeconds: 420, transitionSeconds: 60, rounds: 4, breaks: [], ...overrides };
}

/** Builds a log by applying commands in order, failing loudly if one is rejected. */
function makeLog(settings: ClockSettings, steps: Array<[number, ClockCommand]>): ClockLogEntry[] {
  const log: ClockLogEntry[] = [];
  for (const [at, cmd] of steps) {
    const result = applyCommand(settings, log, cmd, at);
    if (!result.ok) throw new Error(`${cmd.type} at ${at - T0}ms rejected: ${result.reason}`);
    log.push(result.entry);
  }
  return log;
}

function active(state: ClockState): ClockActive {
  if (state.phase === 'lobby' || state.phase === 'finished') throw new Error(`expected an active phase, got ${state.phase}`);
  return state;
}

describe('clock machine: the planned timeline', () => {
  const settings = makeSettings({ roundSeconds: 300, transitionSeconds: 60, rounds: 3 });

  it('waits in the lobby until the organizer starts', () => {
    expect(deriveState(settings, [], T0)).toEqual({ phase: 'lobby', rounds: 3, round: 0, revision: 0 });
    expect(nextBoundary(settings, [], T0)).toBeNull();
  });

  it('starts round 1 at the start command and plans every later round', () => {
    const log = makeLog(settings, [[T0, { type: 'start' }]]);
    const state = active(deriveState(settings, log, T0 + 10 * S));
    expect(state).toMatchObject({
      phase: 'round',
      round: 1,
      startedAt: T0,
      startsAt: T0,
      endsAt: T0 + 5 * MIN,
      warnAt: T0 + 4 * MIN,
      paused: false,
      pausedAt: null,
      remainingMs: null,
      finishesAt: T0 + 17 * MIN,
      revision: 1,
    });
    expect(state.upcoming).toEqual([
      { round: 2, startsAt: T0 + 6 * MIN, endsAt: T0 + 11 * MIN },
      { round: 3, startsAt: T0 + 12 * MIN, endsAt: T0 + 17 * MIN },
    ]);
  });

  it('moves through transitions to the end of the event without any command', () => {
    const log = makeLog(settings, [[T0, { type: 'start' }]]);
    const at = (ms: number) => deriveState(settings, log, T0 + ms);
    expect(at(5 * MIN - 1)).toMatchObject({ phase: 'round', round: 1 });
    expect(at(5 * MIN)).toMatchObject({ phase: 'transition', round: 1, startsAt: T0 + 5 * MIN, endsAt: T0 + 6 * MIN });
    expect(at(6 * MIN)).toMatchObject({ phase: 'round', round: 2, startsAt: T0 + 6 * MIN });
    expect(at(11 * MIN + 30 * S)).toMatchObject({ phase: 'transition', round: 2 });
    expect(at(12 * MIN)).toMatchObject({ phase: 'round', round: 3, upcoming: [] });
    expect(at(17 * MIN)).toEqual({
      phase: 'finished',
      rounds: 3,
      round: 3,
      startedAt: T0,
      endedAt: T0 + 17 * MIN,
      endedEarly: false,
      revision: 1,
    });
  });

  it('holds a longer break instead of the transition after the configured round', () => {
    const withBreak = makeSettings({ roundSeconds: 300, transitionSeconds: 60, rounds: 3, breaks: [{ afterRound: 2, seconds: 600 }] });
    const log = makeLog(withBreak, [[T0, { type: 'start' }]]);
    expect(deriveState(withBreak, log, T0 + 5 * MIN)).toMatchObject({ phase: 'transition', round: 1 });
    expect(deriveState(withBreak, log, T0 + 11 * MIN)).toMatchObject({
      phase: 'break',
      round: 2,
      startsAt: T0 + 11 * MIN,
      endsAt: T0 + 21 * MIN,
      upcoming: [{ round: 3, startsAt: T0 + 21 * MIN, endsAt: T0 + 26 * MIN }],
    });
    expect(deriveState(withBreak, log, T0 + 26 * MIN)).toMatchObject({ phase: 'finished', endedAt: T0 + 26 * MIN });
  });

  it('ignores a break configured after the last round', () => {
    const s = makeSettings({ rounds: 2, breaks: [{ afterRound: 2, seconds: 600 }] });
    const log = makeLog(s, [[T0, { type: 'start' }]]);
    expect(active(deriveState(s, log, T0)).finishesAt).toBe(T0 + (420 + 60 + 420) * S);
  });

  it('runs a single-round event straight to the end', () => {
    const s = makeSettings({ rounds: 1 });
    const log = makeLog(s, [[T0, { type: 'start' }]]);
    expect(active(deriveState(s, log, T0)).finishesAt).toBe(T0 + 420 * S);
    expect(deriveState(s, log, T0 + 420 * S)).toMatchObject({ phase: 'finished', round: 1 });
  });
});

describe('clock machine: organizer commands', () => {
  const settings = makeSettings({ roundSeconds: 300, transitionSeconds: 60, rounds: 3 });

  it('pauses a round and resumes it with exactly the time that was left', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + 2 * MIN + 123, { type: 'pause' }],
    ]);
    const paused = active(deriveState(settings, log, T0 + 30 * MIN));
    expect(paused).toMatchObject({ phase: 'round', round: 1, paused: true, pausedAt: T0 + 2 * MIN + 123, remainingMs: 3 * MIN - 123 });
    expect(nextBoundary(settings, log, T0 + 30 * MIN)).toBeNull();

    const resumedAt = T0 + 30 * MIN;
    log.push(...makeLogFrom(settings, log, [[resumedAt, { type: 'resume' }]]));
    const resumed = active(deriveState(settings, log, resumedAt));
    expect(resumed.paused).toBe(false);
    expect(resumed.endsAt - resumedAt).toBe(3 * MIN - 123);
    expect(resumed.endsAt - resumed.startsAt).toBe(5 * MIN);
    expect(resumed.upcoming[0]).toEqual({ round: 2, startsAt: resumed.endsAt + MIN, endsAt: resumed.endsAt + 6 * MIN });
  });

  it('pauses a transition too', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + 5 * MIN + 20 * S, { type: 'pause' }],
      [T0 + 8 * MIN, { type: 'resume' }],
    ]);
    expect(deriveState(settings, log, T0 + 8 * MIN + 39 * S)).toMatchObject({ phase: 'transition', round: 1 });
    expect(deriveState(settings, log, T0 + 8 * MIN + 40 * S)).toMatchObject({ phase: 'round', round: 2 });
  });

  it('extends the current round for everyone and moves every later round', () => {
    const before = makeLog(settings, [[T0, { type: 'start' }]]);
    const log = makeLogFrom(settings, before, [[T0 + 4 * MIN + 30 * S, { type: 'extend', seconds: 120 }]]);
    const state = active(deriveState(settings, [...before, ...log], T0 + 4 * MIN + 30 * S));
    expect(state).toMatchObject({ startsAt: T0, endsAt: T0 + 7 * MIN, warnAt: T0 + 6 * MIN, finishesAt: T0 + 19 * MIN });
    expect(state.upcoming.map((r) => r.startsAt)).toEqual([T0 + 8 * MIN, T0 + 14 * MIN]);
  });

  it('extends a paused round by adding to the time left', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + MIN, { type: 'pause' }],
      [T0 + 2 * MIN, { type: 'extend', seconds: 30 }],
    ]);
    expect(deriveState(settings, log, T0 + 3 * MIN)).toMatchObject({ paused: true, remainingMs: 4 * MIN + 30 * S });
  });

  it('ends the round early and starts the transition at once', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + 2 * MIN, { type: 'endRound' }],
    ]);
    expect(deriveState(settings, log, T0 + 2 * MIN)).toMatchObject({
      phase: 'transition',
      round: 1,
      startsAt: T0 + 2 * MIN,
      endsAt: T0 + 3 * MIN,
      upcoming: [
        { round: 2, startsAt: T0 + 3 * MIN, endsAt: T0 + 8 * MIN },
        { round: 3, startsAt: T0 + 9 * MIN, endsAt: T0 + 14 * MIN },
      ],
    });
  });

  it('ends a paused round and carries on unpaused', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + MIN, { type: 'pause' }],
      [T0 + 9 * MIN, { type: 'endRound' }],
    ]);
    expect(deriveState(settings, log, T0 + 9 * MIN)).toMatchObject({ phase: 'transition', paused: false, startsAt: T0 + 9 * MIN });
  });

  it('finishes the event when the last round is ended', () => {
    const s = makeSettings({ rounds: 1 });
    const log = makeLog(s, [
      [T0, { type: 'start' }],
      [T0 + MIN, { type: 'endRound' }],
    ]);
    expect(deriveState(s, log, T0 + MIN)).toMatchObject({ phase: 'finished', round: 1, endedAt: T0 + MIN, endedEarly: false });
  });

  it('ends the event from any phase, and from the lobby', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + 5 * MIN + 10 * S, { type: 'endEvent' }],
    ]);
    expect(deriveState(settings, log, T0 + 6 * MIN)).toMatchObject({ phase: 'finished', round: 1, endedAt: T0 + 5 * MIN + 10 * S, endedEarly: true, revision: 2 });
    const cancelled = makeLog(settings, [[T0, { type: 'endEvent' }]]);
    expect(deriveState(settings, cancelled, T0)).toMatchObject({ phase: 'finished', round: 0, startedAt: null, endedEarly: true });
  });
});

describe('clock machine: rejected commands', () => {
  const settings = makeSettings({ roundSeconds: 300, transitionSeconds: 60, rounds: 2 });
  const started = makeLog(settings, [[T0, { type: 'start' }]]);
  const paused = makeLog(settings, [
    [T0, { type: 'start' }],
    [T0 + MIN, { type: 'pause' }],
  ]);
  const finished = makeLog(settings, [
    [T0, { type: 'start' }],
    [T0 + MIN, { type: 'endEvent' }],
  ]);

  const cases: Array<[string, ClockLogEntry[], ClockCommand, number, string]> = [
    ['pausing in the lobby', [], { type: 'pause' }, T0, 'not-started'],
    ['extending in the lobby', [], { type: 'extend', seconds: 60 }, T0, 'not-started'],
    ['starting twice', started, { type: 'start' }, T0 + MIN, 'already-started'],
    ['pausing when paused', paused, { type: 'pause' }, T0 + 2 * MIN, 'already-paused'],
    ['resuming a running clock', started, { type: 'resume' }, T0 + MIN, 'not-paused'],
    ['extending during a transition', started, { type: 'extend', seconds: 60 }, T0 + 5 * MIN, 'not-in-round'],
    ['ending a round during a transition', started, { type: 'endRound' }, T0 + 5 * MIN + 1, 'not-in-round'],
    ['extending by nothing', started, { type: 'extend', seconds: 0 }, T0 + MIN, 'invalid-seconds'],
    ['extending by more than half an hour', started, { type: 'extend', seconds: 1801 }, T0 + MIN, 'invalid-seconds'],
    ['extending by a fraction', started, { type: 'extend', seconds: 1.5 }, T0 + MIN, 'invalid-seconds'],
    ['any command after the end', finished, { type: 'pause' }, T0 + 2 * MIN, 'finished'],
    ['ending an event that ran out', started, { type: 'endEvent' }, T0 + 11 * MIN, 'finished'],
    ['a command older than the log', started, { type: 'pause' }, T0 - 1, 'time-went-backwards'],
    ['an unknown command', started, { type: 'rewind' } as unknown as ClockCommand, T0 + MIN, 'unknown-command'],
    ['a command at no valid time', started, { type: 'pause' }, Number.NaN, 'invalid-time'],
  ];

  it.each(cases)('rejects %s with a reason', (_name, log, cmd, now, code) => {
    const verdict = validateCommand(settings, log, cmd, now);
    expect(verdict).toMatchObject({ ok: false, code });
    expect(verdict.ok === false && verdict.reason.length).toBeGreaterThan(10);
    expect(applyCommand(settings, log, cmd, now)).toMatchObject({ ok: false, code });
  });

  it('skips a rejected command found in the log, leaving the clock unchanged', () => {
    const log = [...started, { type: 'resume', at: T0 + MIN } as ClockLogEntry, { type: 'extend', seconds: 0, at: T0 + MIN } as ClockLogEntry];
    expect(deriveState(settings, log, T0 + 2 * MIN)).toEqual(deriveState(settings, started, T0 + 2 * MIN));
  });

  it('does not apply log entries that lie after now', () => {
    expect(deriveState(settings, paused, T0 + MIN - 1)).toEqual(deriveState(settings, started, T0 + MIN - 1));
  });
});

describe('clock machine: timers', () => {
  const settings = makeSettings({ roundSeconds: 300, transitionSeconds: 60, rounds: 2 });
  const log = makeLog(settings, [[T0, { type: 'start' }]]);

  it('wakes the server for the one-minute warning, then for the end of the round', () => {
    expect(nextWakeup(settings, log, T0)).toEqual({ kind: 'warning', at: T0 + 4 * MIN, round: 1 });
    expect(nextWakeup(settings, log, T0 + 4 * MIN)).toEqual({ kind: 'boundary', at: T0 + 5 * MIN });
    expect(nextWakeup(settings, log, T0 + 5 * MIN)).toEqual({ kind: 'boundary', at: T0 + 6 * MIN });
    expect(nextBoundary(settings, log, T0 + 11 * MIN - 1)).toBe(T0 + 11 * MIN);
    expect(nextWakeup(settings, log, T0 + 11 * MIN)).toBeNull();
  });

  it('re-arms the warning when a round in its last minute is extended', () => {
    const extended = [...log, ...makeLogFrom(settings, log, [[T0 + 4 * MIN + 30 * S, { type: 'extend', seconds: 120 }]])];
    expect(nextWakeup(settings, extended, T0 + 4 * MIN + 30 * S)).toEqual({ kind: 'warning', at: T0 + 6 * MIN, round: 1 });
  });

  it('gives no warning for a round of one minute', () => {
    const short = makeSettings({ roundSeconds: 60, rounds: 1 });
    const l = makeLog(short, [[T0, { type: 'start' }]]);
    expect(nextWakeup(short, l, T0)).toEqual({ kind: 'boundary', at: T0 + MIN });
  });
});

describe('clock machine: in-memory timeline', () => {
  it('gives the same answers as replaying the whole log', () => {
    const settings = makeSettings({ rounds: 3, breaks: [{ afterRound: 1, seconds: 300 }] });
    const steps: Array<[number, ClockCommand]> = [
      [T0, { type: 'start' }],
      [T0 + 3 * MIN, { type: 'pause' }],
      [T0 + 4 * MIN, { type: 'extend', seconds: 90 }],
      [T0 + 6 * MIN, { type: 'resume' }],
      [T0 + 9 * MIN, { type: 'endRound' }],
    ];
    let timeline = replay(settings, [], T0);
    const log: ClockLogEntry[] = [];
    for (const [at, cmd] of steps) {
      const result = applyAt(timeline, cmd, at);
      if (!result.ok) throw new Error(result.reason);
      timeline = result.timeline;
      log.push(result.entry);
      expect(stateAt(timeline, at)).toEqual(deriveState(settings, log, at));
    }
    for (let t = T0 + 9 * MIN; t < T0 + 60 * MIN; t += 37 * S) {
      expect(stateAt(timeline, t)).toEqual(deriveState(settings, log, t));
    }
  });
});

/** Applies more commands after an existing log; returns only the new entries. */
function makeLogFrom(settings: ClockSettings, log: ClockLogEntry[], steps: Array<[number, ClockCommand]>): ClockLogEntry[] {
  const all = [...log];
  const added: ClockLogEntry[] = [];
  for (const [at, cmd] of steps) {
    const result = applyCommand(settings, all, cmd, at);
    if (!result.ok) throw new Error(`${cmd.type} rejected: ${result.reason}`);
    all.push(result.entry);
    added.push(result.entry);
  }
  return added;
}

describe('clock machine: when rounds really ran', () => {
  const settings = makeSettings({ roundSeconds: 300, transitionSeconds: 60, rounds: 3 });

  it('gives each started round its window, the one in progress with its planned end', () => {
    const log = makeLog(settings, [[T0, { type: 'start' }]]);
    expect(roundWindows(settings, log, T0 - 1)).toEqual([]);
    expect(roundWindows(settings, log, T0 + 10 * S)).toEqual([{ round: 1, startsAt: T0, endsAt: T0 + 5 * MIN, ended: false }]);
    expect(roundWindows(settings, log, T0 + 7 * MIN)).toEqual([
      { round: 1, startsAt: T0, endsAt: T0 + 5 * MIN, ended: true },
      { round: 2, startsAt: T0 + 6 * MIN, endsAt: T0 + 11 * MIN, ended: false },
    ]);
    const all = roundWindows(settings, log, T0 + 60 * MIN);
    expect(all.map((w) => [w.round, w.startsAt - T0, w.endsAt - T0, w.ended])).toEqual([
      [1, 0, 5 * MIN, true],
      [2, 6 * MIN, 11 * MIN, true],
      [3, 12 * MIN, 17 * MIN, true],
    ]);
  });

  it('moves the end with an early end, an extension and a pause, and keeps the real start', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + 2 * MIN, { type: 'endRound' }],
      [T0 + 3 * MIN, { type: 'extend', seconds: 30 }],
      [T0 + 4 * MIN, { type: 'pause' }],
      [T0 + 5 * MIN, { type: 'resume' }],
      [T0 + 13 * MIN, { type: 'endEvent' }],
    ]);
    expect(roundWindows(settings, log, T0 + 60 * MIN).map((w) => [w.round, w.startsAt - T0, w.endsAt - T0, w.ended])).toEqual([
      [1, 0, 2 * MIN, true],
      // round 2 starts after the 60 s transition, runs 5 min + 30 s extension + 1 min pause
      [2, 3 * MIN, 9.5 * MIN, true],
      [3, 10.5 * MIN, 13 * MIN, true],
    ]);
  });

  it('ends the round in progress when the event is ended, and knows no round in the lobby', () => {
    const log = makeLog(settings, [
      [T0, { type: 'start' }],
      [T0 + 1 * MIN, { type: 'endEvent' }],
    ]);
    expect(roundWindows(settings, log, T0 + 60 * MIN)).toEqual([{ round: 1, startsAt: T0, endsAt: T0 + MIN, ended: true }]);
    expect(roundWindows(settings, [], T0)).toEqual([]);
  });
});
