import type { ClockState } from '@constellation/shared/clock/state';
import type { SeatingChanged, VideoMode, VideoNoShow, VideoPresence, VideoRoomInfo, VideoRooms } from '@constellation/shared/realtime/events';

/** One live change of seats, for the organizer's log: who now meets whom, and whom each replaced. */
export interface SeatingLogEntry {
  /** Local epoch ms when it arrived. */
  at: number;
  round: number;
  kind: SeatingChanged['kind'];
  pairs: {
    mentorId: string;
    menteeId: string;
    roomName: string;
    /** Whichever of the two was left waiting (their partner's seat went), else the mentor. */
    waitingId: string;
    /** Their former partners who lost the seat (did not come, say). */
    replaced: string[];
  }[];
  unseated: string[];
}

/**
 * The organizer's view of the round's video rooms: who is in which room (from LiveKit's webhooks,
 * relayed as `video:presence`) and who has not shown up. The socket module feeds it.
 */
export class VideoRoomsState {
  #round = $state<number | null>(null);
  #mode = $state<VideoMode | null>(null);
  #rooms = $state<VideoRoomInfo[]>([]);
  #noShows = $state<VideoNoShow[]>([]);
  #log = $state<SeatingLogEntry[]>([]);
  #onseating: ((change: SeatingChanged) => void) | null = null;

  get round(): number | null {
    return this.#round;
  }

  /** How calls travel (known once the server listed the rooms): `direct` has nothing to watch through. */
  get mode(): VideoMode | null {
    return this.#mode;
  }

  get rooms(): VideoRoomInfo[] {
    return this.#rooms;
  }

  /** This round's no-shows who have not joined since. */
  get noShows(): VideoNoShow[] {
    return this.#noShows;
  }

  /** Live changes of seats (rescues, moves) in this screen's session, newest first. */
  get log(): SeatingLogEntry[] {
    return this.#log;
  }

  roomOf(participantId: string): VideoRoomInfo | null {
    return this.#rooms.find((r) => r.participantIds.includes(participantId)) ?? null;
  }

  isPresent(participantId: string): boolean {
    return this.roomOf(participantId)?.present.includes(participantId) ?? false;
  }

  isNoShow(participantId: string): boolean {
    return this.#noShows.some((n) => n.participantId === participantId);
  }

  /** `video:opened`, or the answer to `video:rooms` after a (re)connect. */
  applyRooms(rooms: VideoRooms): void {
    if (rooms.round !== this.#round) this.#noShows = [];
    if (rooms.noShows) this.#noShows = rooms.noShows;
    this.#mode = rooms.mode;
    this.#round = rooms.round;
    this.#rooms = rooms.rooms;
  }

  applyPresence(presence: VideoPresence): void {
    if (presence.round !== this.#round) return;
    this.#rooms = this.#rooms.map((room) => {
      if (room.roomName !== presence.roomName) return room;
      const others = room.present.filter((id) => id !== presence.participantId);
      return { ...room, present: presence.joined ? [...others, presence.participantId] : others };
    });
    if (presence.joined) this.#noShows = this.#noShows.filter((n) => n.participantId !== presence.participantId);
  }

  applyNoShow(noShow: VideoNoShow): void {
    if (noShow.round !== this.#round || this.isPresent(noShow.participantId) || this.isNoShow(noShow.participantId)) return;
    this.#noShows = [...this.#noShows, noShow];
  }

  /**
   * `seating:changed`, just before the `video:opened` with the new rooms: logged while the old tables
   * still tell whom each new pair replaced.
   */
  applySeatingChange(change: SeatingChanged): void {
    const unseated = new Set(change.unseated);
    const pairs = change.pairs.map((pair) => {
      const lostBy = (personId: string) =>
        (this.roomOf(personId)?.participantIds ?? []).filter((other) => unseated.has(other) && other !== pair.mentorId && other !== pair.menteeId);
      const [mentorLost, menteeLost] = [lostBy(pair.mentorId), lostBy(pair.menteeId)];
      // The one who was left waiting comes first: "Kwame now meets Amara — Hannah did not come".
      const waitingId = mentorLost.length > 0 || menteeLost.length === 0 ? pair.mentorId : pair.menteeId;
      return { ...pair, waitingId, replaced: [...new Set([...mentorLost, ...menteeLost])] };
    });
    this.#log = [{ at: Date.now(), round: change.round, kind: change.kind, pairs, unseated: change.unseated }, ...this.#log].slice(0, 50);
    this.#onseating?.(change);
  }

  /** Calls `handler` after each live change of seats (to reload the plan); returns the cleanup. */
  onSeatingChange(handler: (change: SeatingChanged) => void): () => void {
    this.#onseating = handler;
    return () => {
      if (this.#onseating === handler) this.#onseating = null;
    };
  }

  clockChanged(clock: ClockState): void {
    if (clock.phase !== 'round' || clock.round !== this.#round) {
      this.#round = null;
      this.#rooms = [];
      this.#noShows = [];
    }
  }
}
