/**
 * The live event clock, as a pure function of the event's settings, the
 * append-only log of organizer commands and the current server time.
 *
 * Nothing here ticks: a phase is stored as its absolute end, later phases
 * follow from the planned durations, and `nextWakeup` tells the adapter the
 * one instant it needs a timer for.
 */
import type { Event } from '@constellation/shared/schemas/events';
import {
  WARNING_MS,
  type ClockActive,
  type ClockState,
  type PlannedRound,
} from '@constellation/shared/clock/state';

export type ClockSettings = Pick<Event, 'roundSeconds' | 'transitionSeconds' | 'rounds' | 'breaks'>;

export type ClockCommand =
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Lengthens the current round, and so moves everything after it. */
  | { type: 'extend'; seconds: number }
  /** Ends the current round now; its transition (or the end of the event) starts now. */
  | { type: 'endRound' }
  | { type: 'endEvent' };

/** A command as recorded, with the server time it was accepted at (epoch ms). */
export type ClockLogEntry = ClockCommand & { at: number };

export const EXTEND_MIN_SECONDS = 1;
export const EXTEND_MAX_SECONDS = 1800;

export type ClockRejectionCode =
  | 'invalid-time'
  | 'time-went-backwards'
  | 'unknown-command'
  | 'invalid-seconds'
  | 'not-started'
  | 'already-started'
  | 'finished'
  | 'already-paused'
  | 'not-paused'
  | 'not-in-round';

export interface ClockRejection {
  ok: false;
  code: ClockRejectionCode;
  /** For people: says exactly why. */
  reason: string;
}

export type CommandCheck = { ok: true } | ClockRejection;

// ---------------------------------------------------------------------------
// The plan: phases 0..P-1 alternate round, gap, round, …, round (P = 2·rounds − 1).

export interface ClockPlan {
  rounds: number;
  /** Duration of each phase in ms. */
  durations: number[];
  /** cumulative[p] = durations[0] + … + durations[p]; offsets between phase ends. */
  cumulative: number[];
  /** For each odd (gap) phase: whether it is a configured break. */
  isBreak: boolean[];
}

function planOf(settings: ClockSettings): ClockPlan {
  const rounds = Math.max(1, Math.trunc(settings.rounds));
  const breakAfter = new Map<number, number>();
  for (const b of settings.breaks) {
    // Two breaks after the same round: the longer one wins.
    breakAfter.set(b.afterRound, Math.max(breakAfter.get(b.afterRound) ?? 0, b.seconds));
  }
  const durations: number[] = [];
  const isBreak: boolean[] = [];
  const cumulative: number[] = [];
  let sum = 0;
  for (let p = 0; p < 2 * rounds - 1; p++) {
    let seconds: number;
    if (p % 2 === 0) {
      seconds = settings.roundSeconds;
      isBreak.push(false);
    } else {
      const breakSeconds = breakAfter.get((p + 1) / 2);
      seconds = breakSeconds ?? settings.transitionSeconds;
      isBreak.push(breakSeconds !== undefined);
    }
    const ms = seconds * 1000;
    durations.push(ms);
    sum += ms;
    cumulative.push(sum);
  }
  return { rounds, durations, cumulative, isBreak };
}

const lastPhase = (plan: ClockPlan): number => plan.durations.length - 1;
const roundOfPhase = (p: number): number => Math.floor(p / 2) + 1;
const isRoundPhase = (p: number): boolean => p % 2 === 0;
/** Offset from the end of phase `from` to the end of phase `to` (to ≥ from), if nothing changes. */
const endOffset = (plan: ClockPlan, from: number, to: number): number =>
  (plan.cumulative[to] ?? 0) - (plan.cumulative[from] ?? 0);

// ---------------------------------------------------------------------------
// The folded log: one anchored phase; the phases after it follow the plan.

export type ClockFolded =
  | { kind: 'lobby'; revision: number }
  | {
      kind: 'active';
      startedAt: number;
      phase: number;
      startsAt: number;
      endsAt: number;
      pausedAt: number | null;
      revision: number;
    }
  | {
      kind: 'finished';
      startedAt: number | null;
      endedAt: number;
      round: number;
      endedEarly: boolean;
      revision: number;
    };

type Active = Extract<ClockFolded, { kind: 'active' }>;

/** Moves a running clock forward to time t; O(log rounds). */
function advance(plan: ClockPlan, f: ClockFolded, t: number): ClockFolded {
  if (f.kind !== 'active' || f.pausedAt !== null || t < f.endsAt) return f;
  const last = lastPhase(plan);
  const eventEnd = f.endsAt + endOffset(plan, f.phase, last);
  if (t >= eventEnd) {
    return {
      kind: 'finished',
      startedAt: f.startedAt,
      endedAt: eventEnd,
      round: plan.rounds,
      endedEarly: false,
      revision: f.revision,
    };
  }
  // Smallest phase j > f.phase whose end is after t.
  let lo = f.phase + 1;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f.endsAt + endOffset(plan, f.phase, mid) > t) hi = mid;
    else lo = mid + 1;
  }
  return {
    ...f,
    phase: lo,
    startsAt: f.endsAt + endOffset(plan, f.phase, lo - 1),
    endsAt: f.endsAt + endOffset(plan, f.phase, lo),
  };
}

const reject = (code: ClockRejectionCode, reason: string): ClockRejection => ({ ok: false, code, reason });
const OK: CommandCheck = { ok: true };

/** Whether cmd may be applied to f (already advanced to the command's time). */
function check(f: ClockFolded, cmd: ClockCommand): CommandCheck {
  const type: string = cmd.type;
  if (!['start', 'pause', 'resume', 'extend', 'endRound', 'endEvent'].includes(type)) {
    return reject('unknown-command', `Unknown clock command "${type}".`);
  }
  if (cmd.type === 'extend') {
    const s = cmd.seconds;
    if (!Number.isInteger(s) || s < EXTEND_MIN_SECONDS || s > EXTEND_MAX_SECONDS) {
      return reject(
        'invalid-seconds',
        `A round can be extended by a whole number of seconds from ${EXTEND_MIN_SECONDS} to ${EXTEND_MAX_SECONDS}.`,
      );
    }
  }
  if (f.kind === 'finished') return reject('finished', 'The event has already finished.');
  if (f.kind === 'lobby') {
    if (cmd.type === 'start' || cmd.type === 'endEvent') return OK;
    return reject('not-started', 'The event has not started yet.');
  }
  switch (cmd.type) {
    case 'start':
      return reject('already-started', 'The event has already started.');
    case 'pause':
      return f.pausedAt === null ? OK : reject('already-paused', 'The clock is already paused.');
    case 'resume':
      return f.pausedAt !== null ? OK : reject('not-paused', 'The clock is not paused.');
    case 'extend':
    case 'endRound':
      return isRoundPhase(f.phase)
        ? OK
        : reject('not-in-round', 'There is no round in progress; wait for the next round to start.');
    case 'endEvent':
      return OK;
  }
}

/** Applies a command already checked against f at time t. */
function apply(plan: ClockPlan, f: ClockFolded, cmd: ClockCommand, t: number): ClockFolded {
  const revision = f.revision + 1;
  if (f.kind === 'lobby') {
    if (cmd.type === 'start') {
      const endsAt = t + (plan.durations[0] ?? 0);
      return { kind: 'active', startedAt: t, phase: 0, startsAt: t, endsAt, pausedAt: null, revision };
    }
    return { kind: 'finished', startedAt: null, endedAt: t, round: 0, endedEarly: true, revision };
  }
  if (f.kind !== 'active') return f;
  switch (cmd.type) {
    case 'start':
      return f;
    case 'pause':
      return { ...f, pausedAt: t, revision };
    case 'resume': {
      const shift = t - (f.pausedAt ?? t);
      return { ...f, startsAt: f.startsAt + shift, endsAt: f.endsAt + shift, pausedAt: null, revision };
    }
    case 'extend':
      return { ...f, endsAt: f.endsAt + cmd.seconds * 1000, revision };
    case 'endRound': {
      if (f.phase === lastPhase(plan)) {
        return { kind: 'finished', startedAt: f.startedAt, endedAt: t, round: plan.rounds, endedEarly: false, revision };
      }
      const next = f.phase + 1;
      // Ending a paused round also ends the pause: the organizer wants to move on.
      return { ...f, phase: next, startsAt: t, endsAt: t + (plan.durations[next] ?? 0), pausedAt: null, revision };
    }
    case 'endEvent':
      return {
        kind: 'finished',
        startedAt: f.startedAt,
        endedAt: t,
        round: roundOfPhase(f.phase),
        endedEarly: true,
        revision,
      };
  }
}

// ---------------------------------------------------------------------------
// Timeline: the folded log, for adapters that keep it in memory between calls.

export interface ClockTimeline {
  readonly plan: ClockPlan;
  readonly folded: ClockFolded;
  /** Time of the last log entry read (applied or not); commands may not go back before it. */
  readonly lastAt: number;
}

/**
 * Folds the log up to `now` (entries after `now` are not yet in effect).
 * Entries that were invalid at their time are skipped, so a bad row cannot
 * corrupt the clock. O(entries · log rounds).
 */
export function replay(settings: ClockSettings, log: readonly ClockLogEntry[], now: number): ClockTimeline {
  const plan = planOf(settings);
  let folded: ClockFolded = { kind: 'lobby', revision: 0 };
  let lastAt = -Infinity;
  for (const entry of log) {
    if (!Number.isFinite(entry.at) || entry.at < lastAt) continue;
    if (entry.at > now) break;
    lastAt = entry.at;
    const advanced = advance(plan, folded, entry.at);
    folded = check(advanced, entry).ok ? apply(plan, advanced, entry, entry.at) : advanced;
  }
  return { plan, folded, lastAt };
}

/** When a round really ran: from its start to its end (planned, while it has not ended yet). Pauses are inside it. */
export interface RoundWindow {
  /** 1-based. */
  round: number;
  startsAt: number;
  endsAt: number;
  ended: boolean;
}

/**
 * Every round that has started by `now`, with the instants it started and ended as the log made
 * them happen (an early end, an extension, a pause all move the end). Attendance is measured
 * inside these windows. Replays the log like `replay`, noting each round phase it passes.
 */
export function roundWindows(settings: ClockSettings, log: readonly ClockLogEntry[], now: number): RoundWindow[] {
  const plan = planOf(settings);
  const windows: RoundWindow[] = [];
  let f: ClockFolded = { kind: 'lobby', revision: 0 };
  const see = (g: ClockFolded): void => {
    if (g.kind !== 'active' || !isRoundPhase(g.phase)) return;
    const round = roundOfPhase(g.phase);
    const last = windows.at(-1);
    if (last?.round === round) last.endsAt = g.endsAt;
    else windows.push({ round, startsAt: g.startsAt, endsAt: g.endsAt, ended: false });
  };
  const end = (at: number): void => {
    const last = windows.at(-1);
    if (last && !last.ended) Object.assign(last, { endsAt: at, ended: true });
  };
  // Phase by phase, so that no round passed through unattended is missed.
  const runTo = (t: number): void => {
    while (f.kind === 'active' && f.pausedAt === null && t >= f.endsAt) {
      if (isRoundPhase(f.phase)) end(f.endsAt);
      f = advance(plan, f, f.endsAt);
      see(f);
    }
  };
  let lastAt = -Infinity;
  for (const entry of log) {
    if (!Number.isFinite(entry.at) || entry.at < lastAt) continue;
    if (entry.at > now) break;
    lastAt = entry.at;
    runTo(entry.at);
    if (!check(f, entry).ok) continue;
    const next = apply(plan, f, entry, entry.at);
    if (f.kind === 'active' && isRoundPhase(f.phase) && (next.kind !== 'active' || next.phase !== f.phase)) end(entry.at);
    f = next;
    see(f);
  }
  runTo(now);
  return windows;
}

/** Checks a command at `now` against a timeline. */
export function checkAt(timeline: ClockTimeline, cmd: ClockCommand, now: number): CommandCheck {
  if (!Number.isFinite(now)) return reject('invalid-time', 'The command time is not a valid instant.');
  if (now < timeline.lastAt) {
    return reject('time-went-backwards', 'The command is older than the last recorded clock command.');
  }
  return check(advance(timeline.plan, timeline.folded, now), cmd);
}

/** Applies a command at `now`, or says why not; O(log rounds). */
export function applyAt(
  timeline: ClockTimeline,
  cmd: ClockCommand,
  now: number,
): { ok: true; timeline: ClockTimeline; entry: ClockLogEntry } | ClockRejection {
  const verdict = checkAt(timeline, cmd, now);
  if (!verdict.ok) return verdict;
  const advanced = advance(timeline.plan, timeline.folded, now);
  return {
    ok: true,
    timeline: { plan: timeline.plan, folded: apply(timeline.plan, advanced, cmd, now), lastAt: now },
    entry: { ...cmd, at: now },
  };
}

/** The clock as seen at `now` (not before the timeline's last command); O(rounds) for the planned rounds. */
export function stateAt(timeline: ClockTimeline, now: number): ClockState {
  const { plan } = timeline;
  const f = advance(plan, timeline.folded, now);
  if (f.kind === 'lobby') return { phase: 'lobby', rounds: plan.rounds, round: 0, revision: f.revision };
  if (f.kind === 'finished') {
    return {
      phase: 'finished',
      rounds: plan.rounds,
      round: f.round,
      startedAt: f.startedAt,
      endedAt: f.endedAt,
      endedEarly: f.endedEarly,
      revision: f.revision,
    };
  }
  return activeState(plan, f);
}

function activeState(plan: ClockPlan, f: Active): ClockActive {
  const round = roundOfPhase(f.phase);
  const inRound = isRoundPhase(f.phase);
  const upcoming: PlannedRound[] = [];
  for (let k = round + 1; k <= plan.rounds; k++) {
    const q = 2 * (k - 1);
    upcoming.push({
      round: k,
      startsAt: f.endsAt + endOffset(plan, f.phase, q - 1),
      endsAt: f.endsAt + endOffset(plan, f.phase, q),
    });
  }
  const warnAt = f.endsAt - WARNING_MS;
  return {
    phase: inRound ? 'round' : plan.isBreak[f.phase] ? 'break' : 'transition',
    rounds: plan.rounds,
    round,
    startedAt: f.startedAt,
    startsAt: f.startsAt,
    endsAt: f.endsAt,
    warnAt: inRound && warnAt > f.startsAt ? warnAt : null,
    paused: f.pausedAt !== null,
    pausedAt: f.pausedAt,
    remainingMs: f.pausedAt === null ? null : f.endsAt - f.pausedAt,
    upcoming,
    finishesAt: f.endsAt + endOffset(plan, f.phase, lastPhase(plan)),
    revision: f.revision,
  };
}

// ---------------------------------------------------------------------------
// The stateless API: settings + log + now.

/** The clock at `now`, from the settings and the command log. */
export function deriveState(settings: ClockSettings, log: readonly ClockLogEntry[], now: number): ClockState {
  return stateAt(replay(settings, log, now), now);
}

/** Whether `cmd`, issued at `now`, may be appended to the log. Rejections carry a code and a reason. */
export function validateCommand(
  settings: ClockSettings,
  log: readonly ClockLogEntry[],
  cmd: ClockCommand,
  now: number,
): CommandCheck {
  const last = log.at(-1);
  if (last !== undefined && now < last.at) {
    return reject('time-went-backwards', 'The command is older than the last recorded clock command.');
  }
  return checkAt(replay(settings, log, now), cmd, now);
}

/** Validates and, if valid, returns the log entry to append and the resulting state. */
export function applyCommand(
  settings: ClockSettings,
  log: readonly ClockLogEntry[],
  cmd: ClockCommand,
  now: number,
): { ok: true; entry: ClockLogEntry; state: ClockState } | ClockRejection {
  const last = log.at(-1);
  if (last !== undefined && now < last.at) {
    return reject('time-went-backwards', 'The command is older than the last recorded clock command.');
  }
  const result = applyAt(replay(settings, log, now), cmd, now);
  if (!result.ok) return result;
  return { ok: true, entry: result.entry, state: stateAt(result.timeline, now) };
}

/** The next instant after `now` at which the phase changes by itself; null when nothing will (lobby, paused, finished). */
export function nextBoundary(settings: ClockSettings, log: readonly ClockLogEntry[], now: number): number | null {
  return boundaryOf(deriveState(settings, log, now));
}

export type ClockWakeup = { kind: 'warning'; at: number; round: number } | { kind: 'boundary'; at: number };

/**
 * The one instant the adapter should set a timer for: the round's one-minute
 * warning if still ahead, else the next phase boundary. Re-ask after it fires
 * or after any command (an extension re-arms the warning).
 */
export function nextWakeup(settings: ClockSettings, log: readonly ClockLogEntry[], now: number): ClockWakeup | null {
  return wakeupOf(deriveState(settings, log, now), now);
}

export function boundaryOf(state: ClockState): number | null {
  return state.phase === 'lobby' || state.phase === 'finished' || state.paused ? null : state.endsAt;
}

export function wakeupOf(state: ClockState, now: number): ClockWakeup | null {
  const at = boundaryOf(state);
  if (at === null || state.phase === 'lobby' || state.phase === 'finished') return null;
  if (state.warnAt !== null && state.warnAt > now) return { kind: 'warning', at: state.warnAt, round: state.round };
  return { kind: 'boundary', at };
}
