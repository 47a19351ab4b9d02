import type { ClockState } from '@constellation/shared/clock/state';
import type { VideoNoShow, VideoPresence, VideoRoomInfo, VideoRooms } from '@constellation/shared/realtime/events';

/**
 * The organizer's view of the round's video rooms: who is in which room (from LiveKit's webhooks,
 * relayed as `video:presence`) and who has not shown up. The socket module feeds it.
 */
export class VideoRoomsState {
  #round = $state<number | null>(null);
  #rooms = $state<VideoRoomInfo[]>([]);
  #noShows = $state<VideoNoShow[]>([]);

  get round(): number | null {
    return this.#round;
  }

  get rooms(): VideoRoomInfo[] {
    return this.#rooms;
  }

  /** This round's no-shows who have not joined since. */
  get noShows(): VideoNoShow[] {
    return this.#noShows;
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

  clockChanged(clock: ClockState): void {
    if (clock.phase !== 'round' || clock.round !== this.#round) {
      this.#round = null;
      this.#rooms = [];
      this.#noShows = [];
    }
  }
}
