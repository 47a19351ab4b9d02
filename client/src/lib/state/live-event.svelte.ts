import { phaseRemainingMs } from '@constellation/shared/clock/projection';
import { WARNING_MS, type ClockState } from '@constellation/shared/clock/state';
import { ClockSync, type SyncSample } from '@constellation/shared/clock/sync';
import type {
  Announcement,
  ClockChanged,
  ClockWarned,
  EventSnapshot,
  ItineraryEntry,
  PresenceChanged,
  SeatChanged,
  Viewer,
} from '@constellation/shared/realtime/events';
import { SvelteSet } from 'svelte/reactivity';
import { localNow } from '../live/local-time.ts';
import { describeClockChange, describeWarning } from '../live/messages.ts';
import { seatOf } from '../live/seat.ts';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'closed';

/**
 * One live event as a connected screen sees it: the clock, the viewer's own plan, announcements,
 * presence and the estimated offset to the server clock. `lib/realtime/socket.ts` feeds it; pages
 * only read it. The countdown is always computed from the clock's absolute `endsAt`, never ticked.
 */
export class LiveEvent {
  #snapshot = $state<EventSnapshot | null>(null);
  #clock = $state<ClockState | null>(null);
  #announcements = $state<Announcement[]>([]);
  #online = new SvelteSet<string>();
  #status = $state<ConnectionStatus>('connecting');
  #statusMessage = $state('');
  /** The last change of seat during a round (a rescue, the organizer's move), until the round ends. */
  #seatChange = $state<SeatChanged | null>(null);

  #sync = new ClockSync();
  /** Server time minus local time, from the lowest-round-trip `time:sync` sample. */
  #offset = $state(0);
  #synced = $state(false);
  #syncUncertainty = $state(Number.POSITIVE_INFINITY);
  /** From the snapshot's `serverTime`: good to a round trip or so, used only until the first sample. */
  #hintOffset: number | null = null;

  /** Local time of the last animation frame; only for rendering, never for deciding. */
  #now = $state(localNow());
  /** Sentence for the polite live region. */
  #spoken = $state('');
  #onchange: ((change: ClockChanged) => void) | null = null;
  #sayTimer: ReturnType<typeof setTimeout> | undefined;

  #seat = $derived.by(() => (this.#clock && this.#snapshot ? seatOf(this.#snapshot.itinerary, this.#clock) : null));

  get snapshot(): EventSnapshot | null {
    return this.#snapshot;
  }

  get viewer(): Viewer | null {
    return this.#snapshot?.viewer ?? null;
  }

  get clock(): ClockState | null {
    return this.#clock;
  }

  /** The viewer's entry for the round the clock points at: the current round, or the next one in a gap. */
  get seat(): ItineraryEntry | null {
    return this.#seat;
  }

  get itinerary(): ItineraryEntry[] {
    return this.#snapshot?.itinerary ?? [];
  }

  /** Oldest first. */
  get announcements(): Announcement[] {
    return this.#announcements;
  }

  /** The seat change of the round running now, in words ("Hannah couldn't make it; you are now meeting Kwame…"). */
  get seatChange(): SeatChanged | null {
    const change = this.#seatChange;
    const clock = this.#clock;
    return change && clock?.phase === 'round' && clock.round === change.round ? change : null;
  }

  get latestAnnouncement(): Announcement | null {
    return this.#announcements.at(-1) ?? null;
  }

  isOnline(participantId: string): boolean {
    return this.#online.has(participantId);
  }

  get onlineCount(): number {
    return this.#online.size;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get statusMessage(): string {
    return this.#statusMessage;
  }

  get offset(): number {
    return this.#offset;
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Half the round trip of the sample in use: the most the offset can be wrong by. */
  get syncUncertaintyMs(): number {
    return this.#syncUncertainty;
  }

  get spoken(): string {
    return this.#spoken;
  }

  /**
   * Whether the running round is in its last minute. Derived from the clock rather than kept from
   * `clock:warned`, so an extension clears it and a reload restores it.
   */
  get lastMinute(): boolean {
    const clock = this.#clock;
    if (!clock || clock.phase !== 'round' || clock.warnAt === null) return false;
    const remaining = this.remainingMs;
    return remaining !== null && remaining > 0 && remaining <= WARNING_MS;
  }

  /** Estimated server time at a local time (`localNow()`). */
  serverTimeAt(local: number): number {
    return local + (this.#synced ? this.#offset : (this.#hintOffset ?? 0));
  }

  /** What remains of the current phase at a local time; frozen while paused, null in the lobby and after the end. */
  remainingAt(local: number): number | null {
    return this.#clock ? phaseRemainingMs(this.#clock, this.serverTimeAt(local)) : null;
  }

  /** Local time of the last rendered frame. */
  get now(): number {
    return this.#now;
  }

  /** What remains of the current phase, as of the last rendered frame. */
  get remainingMs(): number | null {
    return this.remainingAt(this.#now);
  }

  /** Calls `handler` with every clock change after it is applied; returns the cleanup. */
  onClockChange(handler: (change: ClockChanged) => void): () => void {
    this.#onchange = handler;
    return () => {
      if (this.#onchange === handler) this.#onchange = null;
    };
  }

  // --- fed by the socket module -------------------------------------------------------------

  applySnapshot(snapshot: EventSnapshot, receivedAt: number): void {
    this.#snapshot = snapshot;
    this.#clock = snapshot.clock;
    this.#announcements = snapshot.announcements;
    this.#online.clear();
    for (const id of snapshot.online) this.#online.add(id);
    if (!this.#synced) this.#hintOffset = snapshot.serverTime - receivedAt;
  }

  applyClockChange(change: ClockChanged): void {
    // Revisions order organizer commands; a phase that elapsed on its own keeps the revision.
    if (this.#clock && change.clock.revision < this.#clock.revision) return;
    this.#clock = change.clock;
    // Participants hear every change; organizers hear the ones they did not cause themselves.
    if (this.viewer?.kind === 'participant') this.say(describeClockChange(change.clock, change.cause, this.#seat));
    else if (change.cause.kind === 'elapsed') this.say(describeClockChange(change.clock, change.cause, null));
    this.#onchange?.(change);
  }

  /** The state an organizer command's acknowledgement carries: shown at once, before the broadcast. */
  applyClockState(clock: ClockState): void {
    if (this.#clock && clock.revision < this.#clock.revision) return;
    this.#clock = clock;
  }

  applyWarning(warning: ClockWarned): void {
    // A participant's page speaks its own warnings, at the times the event sets (see RoundWarnings).
    if (this.viewer?.kind !== 'participant') this.say(describeWarning(warning.round, null));
  }

  addAnnouncement(announcement: Announcement): void {
    if (this.#announcements.some((a) => a.id === announcement.id)) return;
    this.#announcements = [...this.#announcements, announcement];
    if (this.viewer?.kind === 'participant') this.say(`Announcement from the organizer: ${announcement.text}`);
  }

  applyPresence(change: PresenceChanged): void {
    if (change.online) this.#online.add(change.participantId);
    else this.#online.delete(change.participantId);
  }

  /**
   * `seat:changed`: the participant's seat in the running round changed. The itinerary entry follows
   * at once, so the screen never shows the old partner; the fresh snapshot right after replaces it.
   */
  applySeatChange(change: SeatChanged): void {
    this.#seatChange = change;
    const snapshot = this.#snapshot;
    if (snapshot) {
      const seated = change.partners.length > 0;
      const itinerary = snapshot.itinerary.map((entry) =>
        entry.round === change.round
          ? { ...entry, partners: change.partners, sittingOut: !seated, sitOutReason: seated ? null : entry.sitOutReason }
          : entry,
      );
      this.#snapshot = { ...snapshot, itinerary, ...(snapshot.seatRound === change.round ? { partners: change.partners, sittingOut: !seated } : {}) };
    }
    this.say(change.message);
  }

  addSyncSample(sample: SyncSample): void {
    this.#sync.addSample(sample);
    if (!this.#sync.synced) return;
    this.#offset = this.#sync.offset;
    this.#syncUncertainty = this.#sync.uncertaintyMs;
    this.#synced = true;
  }

  /** Forgets the samples (after a reconnect, or a long time hidden); the last offset stays in use until new ones come. */
  resetSync(): void {
    this.#sync.reset();
  }

  setStatus(status: ConnectionStatus, message = ''): void {
    this.#status = status;
    this.#statusMessage = message;
  }

  /** Puts a sentence in the live region, emptied first so the same sentence twice is read twice. */
  say(message: string): void {
    if (!message) return;
    clearTimeout(this.#sayTimer);
    this.#spoken = '';
    this.#sayTimer = setTimeout(() => (this.#spoken = message), 50);
  }

  /** Advances `now` every animation frame while a countdown runs; returns the cleanup. */
  tick(): () => void {
    let frame = 0;
    const step = () => {
      const clock = this.#clock;
      // Paused, in the lobby or after the event nothing moves: skip the re-render.
      if (clock && (clock.phase === 'round' || clock.phase === 'transition' || clock.phase === 'break') && !clock.paused) {
        this.#now = localNow();
      }
      frame = requestAnimationFrame(step);
    };
    step();
    return () => cancelAnimationFrame(frame);
  }
}
