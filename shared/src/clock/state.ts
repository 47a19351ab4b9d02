/**
 * The live event clock as every client sees it. All times are absolute server
 * epoch milliseconds: a client renders the countdown from `endsAt` and its own
 * estimate of the server clock (see `projection.ts`), never from a tick.
 */

export type ClockPhase = 'lobby' | 'round' | 'transition' | 'break' | 'finished';

/** How long before a round ends the warning goes out. */
export const WARNING_MS = 60_000;

export interface PlannedRound {
  /** 1-based. */
  round: number;
  startsAt: number;
  endsAt: number;
}

export interface ClockLobby {
  phase: 'lobby';
  /** Rounds planned for the event. */
  rounds: number;
  round: 0;
  /** Number of organizer commands applied so far; orders broadcasts. */
  revision: number;
}

export interface ClockActive {
  phase: 'round' | 'transition' | 'break';
  rounds: number;
  /** 1-based. During a transition or break: the round that just ended. */
  round: number;
  /** When the event was started. */
  startedAt: number;
  /**
   * The span of the phase's running time. A pause shifts both ends by its
   * length, so `endsAt - startsAt` is always the time the phase actually runs.
   */
  startsAt: number;
  endsAt: number;
  /** Round only: when the one-minute warning is due; null for a round of a minute or less. */
  warnAt: number | null;
  paused: boolean;
  /** While paused every time above and below stays as it stood at the pause; it shifts on resume. */
  pausedAt: number | null;
  /** While paused: what remains of the phase, kept exactly until resume. */
  remainingMs: number | null;
  /** Rounds after `round`, with their planned times. */
  upcoming: PlannedRound[];
  /** Planned end of the last round, i.e. of the event. */
  finishesAt: number;
  revision: number;
}

export interface ClockFinished {
  phase: 'finished';
  rounds: number;
  /** The last round that ran; 0 when the event was ended from the lobby. */
  round: number;
  startedAt: number | null;
  endedAt: number;
  /** True when the organizer ended the event before the last round was over. */
  endedEarly: boolean;
  revision: number;
}

export type ClockState = ClockLobby | ClockActive | ClockFinished;
