import type pg from 'pg';
import type { ClockState } from '@constellation/shared/clock/state';
import type { ClockChangeCause } from '@constellation/shared/realtime/events';
import { inTransaction } from '../../plugins/db.ts';
import {
  applyAt,
  replay,
  roundWindows,
  stateAt,
  wakeupOf,
  type ClockCommand,
  type ClockSettings,
  type RoundWindow,
  type ClockLogEntry,
  type ClockRejection,
  type ClockTimeline,
} from './core/clock-machine.ts';
import { appendClockCommand, clockLogLengths, liveEventIds, loadClockLog, loadClockSettings, setEventStatus } from './clock.repository.ts';
import { SoloCluster, type Cluster } from '../../cluster/cluster.ts';

export interface ClockListener {
  changed(eventId: string, clock: ClockState, cause: ClockChangeCause): void;
  warned(eventId: string, round: number, endsAt: number): void;
  /**
   * Hears only the events this node owns (the side effects: video rooms, no-show checks). Other
   * listeners hear every event this node follows (delivery to this node's own sockets).
   */
  ownerOnly?: boolean;
}

/** How often a clustered node compares the logs it follows with the stored ones (a missed notice costs at most this). */
const LOG_POLL_MS = 2_000;

interface LiveClock {
  settings: ClockSettings;
  timeline: ClockTimeline;
  log: ClockLogEntry[];
  timer: NodeJS.Timeout | null;
  /** `${round}:${endsAt}` of the last warning sent, so an early timer never warns twice. */
  warned: string | null;
  /** Serializes commands and timer work for this event. */
  queue: Promise<unknown>;
  /**
   * A write failed with the connection lost: its COMMIT may or may not have landed. The next
   * command first re-reads the stored log, so memory and database never fork.
   */
  uncertain: boolean;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const CAUSES: Record<ClockCommand['type'], (cmd: ClockCommand) => ClockChangeCause> = {
  start: () => ({ kind: 'started' }),
  pause: () => ({ kind: 'paused' }),
  resume: () => ({ kind: 'resumed' }),
  extend: (cmd) => ({ kind: 'extended', seconds: cmd.type === 'extend' ? cmd.seconds : 0 }),
  endRound: () => ({ kind: 'round-ended' }),
  endEvent: () => ({ kind: 'event-ended' }),
};

/**
 * The adapter around the pure clock: keeps each live event's timeline in memory, stores every
 * command in PostgreSQL before acknowledging it, and sets one timer per event for its next
 * phase change or one-minute warning (no ticks). After a restart `resumeLiveEvents` re-arms the
 * timers from the stored log, so rounds end at the same absolute times.
 */
export class ClockService {
  readonly #pool: pg.Pool;
  readonly #now: () => number;
  readonly #clocks = new Map<string, Promise<LiveClock | null>>();
  readonly #listeners: ClockListener[] = [];
  readonly #cluster: Cluster;
  readonly #poll: NodeJS.Timeout | null = null;
  #closed = false;
  /** Asked before `start`: why the event cannot start yet (no plan, a stale plan), or null. */
  startGuard: ((eventId: string) => Promise<{ code: string; reason: string } | null>) | null = null;

  constructor(pool: pg.Pool, now: () => number = Date.now, cluster: Cluster = new SoloCluster()) {
    this.#pool = pool;
    this.#now = now;
    this.#cluster = cluster;
    if (cluster.clustered) {
      // Another node stored a command: follow it at once; the poll catches a notice that got lost.
      cluster.subscribe<{ eventId: string }>('clock:log', ({ eventId }) => void this.refresh(eventId));
      cluster.subscribe<{ eventId: string }>('clock:forget', ({ eventId }) => this.#forget(eventId));
      this.#poll = setInterval(() => void this.#pollLogs(), LOG_POLL_MS);
      this.#poll.unref();
    }
  }

  /** Adds a listener for clock changes and warnings (the gateway, the video orchestrator, ...). */
  listen(listener: ClockListener): void {
    this.#listeners.push(listener);
  }

  #changed(eventId: string, state: ClockState, cause: ClockChangeCause): void {
    const owner = this.#cluster.owns(eventId);
    for (const listener of this.#listeners) if (owner || !listener.ownerOnly) listener.changed(eventId, state, cause);
  }

  /** Re-reads the event's stored log if this node follows it (another node stored a command). */
  async refresh(eventId: string): Promise<void> {
    const pending = this.#clocks.get(eventId);
    if (!pending) {
      // Not followed here: only the event's owner must start following it (its video rooms follow the clock).
      if (!this.#cluster.owns(eventId)) return;
      const clock = await this.#load(eventId).catch(() => null);
      const last = clock?.log.at(-1);
      if (clock && last) this.#changed(eventId, stateAt(clock.timeline, this.#now()), CAUSES[last.type](last));
      return;
    }
    const clock = await pending.catch(() => null);
    if (!clock) return;
    await this.#serialize(clock, () => this.#reconcile(eventId, clock)).catch(() => {
      clock.uncertain = true;
    });
  }

  async #pollLogs(): Promise<void> {
    const ids = [...this.#clocks.keys()];
    if (ids.length === 0 || this.#closed) return;
    try {
      const stored = await clockLogLengths(this.#pool, ids);
      await Promise.all(
        ids.map(async (id) => {
          const clock = await this.#clocks.get(id)?.catch(() => null);
          // (A finished event changes no more.)
          if (!clock || stateAt(clock.timeline, Math.max(this.#now(), clock.timeline.lastAt)).phase === 'finished') return;
          if ((stored.get(id) ?? 0) !== clock.log.length) await this.refresh(id);
        }),
      );
    } catch {
      // The database is away: the next poll tries again.
    }
  }

  now(): number {
    return this.#now();
  }

  /** The event's clock now; lobby for an event that never started. */
  async state(eventId: string): Promise<ClockState | null> {
    const clock = await this.#load(eventId);
    return clock ? stateAt(clock.timeline, Math.max(this.#now(), clock.timeline.lastAt)) : null;
  }

  /** Rounds that have started: they can no longer be re-planned, and their pairs have met. */
  async heldRounds(eventId: string): Promise<number> {
    // During a round, a gap or after the end, `round` is the latest round that started.
    return (await this.state(eventId))?.round ?? 0;
  }

  /** When each round that has started really ran (see `roundWindows`). */
  async windows(eventId: string): Promise<RoundWindow[]> {
    const clock = await this.#load(eventId);
    return clock ? roundWindows(clock.settings, clock.log, Math.max(this.#now(), clock.timeline.lastAt)) : [];
  }

  /** Validates, stores, then applies an organizer command. Resolves once it is durable. */
  async command(
    eventId: string,
    cmd: ClockCommand,
    organizerId: string | null,
  ): Promise<{ ok: true; state: ClockState } | ClockRejection | { ok: false; code: string; reason: string }> {
    const clock = await this.#load(eventId);
    if (!clock) return { ok: false, code: 'not-started', reason: 'No such event' };
    if (cmd.type === 'start' && this.startGuard && stateAt(clock.timeline, this.#now()).phase === 'lobby') {
      const problem = await this.startGuard(eventId);
      if (problem) return { ok: false, ...problem };
    }
    return this.#serialize(clock, async () => {
      // With several nodes, another one may have stored a command this node has not heard of yet.
      if (clock.uncertain || this.#cluster.clustered) await this.#reconcile(eventId, clock);
      try {
        return await this.#apply(eventId, clock, cmd, organizerId);
      } catch (error) {
        // Another node stored a command at the same position a moment before: apply this one after it.
        if ((error as { code?: string }).code !== '23505') throw error;
        await this.#reconcile(eventId, clock);
        return this.#apply(eventId, clock, cmd, organizerId);
      }
    });
  }

  async #apply(eventId: string, clock: LiveClock, cmd: ClockCommand, organizerId: string | null): Promise<{ ok: true; state: ClockState } | ClockRejection> {
    const now = this.#now();
    const result = applyAt(clock.timeline, cmd, now);
    if (!result.ok) return result;
    const state = stateAt(result.timeline, now);
    try {
      await inTransaction(this.#pool, async (client) => {
        await appendClockCommand(client, eventId, clock.log.length + 1, result.entry, organizerId);
        if (cmd.type === 'start') await setEventStatus(client, eventId, 'live');
        if (state.phase === 'finished') await setEventStatus(client, eventId, 'finished');
      });
    } catch (error) {
      // Not acknowledged; the clock keeps running from memory as it was.
      clock.uncertain = true;
      throw error;
    }
    clock.log.push(result.entry);
    clock.timeline = result.timeline;
    this.#arm(eventId, clock);
    this.#changed(eventId, state, CAUSES[cmd.type](cmd));
    void this.#cluster.broadcast('clock:log', { eventId });
    return { ok: true as const, state };
  }

  /** After an uncertain write: adopt whatever the stored log says happened (a COMMIT that landed unacknowledged). */
  async #reconcile(eventId: string, clock: LiveClock): Promise<void> {
    const log = await loadClockLog(this.#pool, eventId);
    clock.uncertain = false;
    if (log.length === clock.log.length) return;
    const settings = await loadClockSettings(this.#pool, eventId);
    if (!settings) return;
    clock.log = log;
    clock.timeline = replay(settings, log, Math.max(this.#now(), log.at(-1)?.at ?? 0));
    this.#arm(eventId, clock);
    const last = log.at(-1);
    if (last) this.#changed(eventId, stateAt(clock.timeline, this.#now()), CAUSES[last.type](last));
  }

  /** Re-arms the timers of every live event, after a (re)start of the server. */
  async resumeLiveEvents(): Promise<number> {
    const ids = await liveEventIds(this.#pool);
    await Promise.all(ids.map((id) => this.#load(id)));
    return ids.length;
  }

  /** Forgets an event's cached clock (its settings changed or it was deleted). */
  forget(eventId: string): void {
    this.#forget(eventId);
    void this.#cluster.broadcast('clock:forget', { eventId });
  }

  #forget(eventId: string): void {
    const pending = this.#clocks.get(eventId);
    this.#clocks.delete(eventId);
    void pending?.then((clock) => clock?.timer && clearTimeout(clock.timer));
    // With several nodes, a node that followed the event goes on following it, from the new settings:
    // the next command stored elsewhere must reach its sockets.
    if (pending && this.#cluster.clustered) void this.#load(eventId).catch(() => {});
  }

  close(): void {
    this.#closed = true;
    if (this.#poll) clearInterval(this.#poll);
    for (const pending of this.#clocks.values()) void pending.then((clock) => clock?.timer && clearTimeout(clock.timer));
    this.#clocks.clear();
  }

  #load(eventId: string): Promise<LiveClock | null> {
    let pending = this.#clocks.get(eventId);
    if (!pending) {
      pending = (async () => {
        const settings = await loadClockSettings(this.#pool, eventId);
        if (!settings) return null;
        const log = await loadClockLog(this.#pool, eventId);
        // Replay up to the last stored command even if this machine's clock is behind it.
        const timeline = replay(settings, log, Math.max(this.#now(), log.at(-1)?.at ?? 0));
        const clock: LiveClock = { settings, timeline, log, timer: null, warned: null, queue: Promise.resolve(), uncertain: false };
        const state = stateAt(clock.timeline, this.#now());
        if (state.phase === 'round' && state.warnAt !== null && state.warnAt <= this.#now()) clock.warned = `${state.round}:${state.endsAt}`;
        this.#arm(eventId, clock);
        return clock;
      })();
      pending.catch(() => this.#clocks.delete(eventId));
      this.#clocks.set(eventId, pending);
    }
    return pending;
  }

  #serialize<T>(clock: LiveClock, work: () => Promise<T>): Promise<T> {
    const run = clock.queue.then(work, work);
    clock.queue = run.catch(() => {});
    return run;
  }

  #arm(eventId: string, clock: LiveClock): void {
    if (clock.timer) clearTimeout(clock.timer);
    clock.timer = null;
    if (this.#closed) return;
    const now = this.#now();
    const state = stateAt(clock.timeline, Math.max(now, clock.timeline.lastAt));
    let wakeup = wakeupOf(state, now);
    // A warning already sent for this round and end time is not due again.
    if (wakeup?.kind === 'warning' && clock.warned === `${wakeup.round}:${state.phase === 'round' ? state.endsAt : 0}`) {
      wakeup = state.phase === 'round' && !state.paused ? { kind: 'boundary', at: state.endsAt } : null;
    }
    if (wakeup) this.#schedule(eventId, clock, wakeup, now);
  }

  /** Sets the event's one timer for `due`. */
  #schedule(eventId: string, clock: LiveClock, due: { kind: 'warning' | 'boundary'; at: number; round?: number }, now: number): void {
    if (clock.timer) clearTimeout(clock.timer);
    const fire = () => void this.#serialize(clock, async () => this.#fire(eventId, clock, due)).catch(() => this.#arm(eventId, clock));
    clock.timer = setTimeout(fire, Math.min(Math.max(0, due.at - now), MAX_TIMER_MS));
    clock.timer.unref?.();
  }

  async #fire(eventId: string, clock: LiveClock, wakeup: { kind: 'warning' | 'boundary'; at: number; round?: number }): Promise<void> {
    const now = this.#now();
    // Woke early (timers may fire a millisecond before their time): wait for the same wakeup. Re-arming
    // from the clock instead would, a moment later, find the boundary passed and skip it: a round
    // change nobody would be told of.
    if (now < wakeup.at) return this.#schedule(eventId, clock, wakeup, now);
    const state = stateAt(clock.timeline, now);
    if (wakeup.kind === 'warning') {
      if (state.phase === 'round' && !state.paused && state.warnAt !== null && now < state.endsAt) {
        const key = `${state.round}:${state.endsAt}`;
        if (clock.warned !== key) {
          clock.warned = key;
          for (const listener of this.#listeners) listener.warned(eventId, state.round, state.endsAt);
        }
      }
    } else {
      // With several nodes, a command stored elsewhere may have moved this boundary: check before telling anyone.
      // (The database away: go by what this node knows, as a single node would.)
      const stored = this.#cluster.clustered ? await clockLogLengths(this.#pool, [eventId]).catch(() => null) : null;
      if (stored && (stored.get(eventId) ?? 0) !== clock.log.length) return this.#reconcile(eventId, clock);
      if (state.phase === 'finished') await setEventStatus(this.#pool, eventId, 'finished').catch(() => {});
      this.#changed(eventId, state, { kind: 'elapsed' });
    }
    this.#arm(eventId, clock);
  }
}
