/**
 * Who is in which direct-call room, and so who may signal whom: the decisions of direct mode (no
 * media server), with no I/O. A member is one socket holding a valid token for the room; a socket
 * is in one room at a time, and one person (identity) once per room: a newer socket replaces theirs.
 */

export interface DirectMember {
  identity: string;
  name: string;
  socketId: string;
  joinedAt: number;
  /** Their media reached a partner since they joined (recorded once, as `published`). */
  published: boolean;
}

export interface DirectRoom {
  name: string;
  createdAt: number;
  emptyTimeoutSec: number;
  maxParticipants: number;
  /** Since when nobody is in it (creation, or the last one leaving); null while occupied. */
  emptySince: number | null;
  members: Map<string, DirectMember>;
}

export type Refusal = { code: string; message: string };

/** What a join changed: the others already there, and who had to go (the same person's older socket, this socket's other room). */
export interface JoinResult {
  member: DirectMember;
  peers: DirectMember[];
  displaced: { roomName: string; member: DirectMember }[];
}

export class DirectRooms {
  readonly #rooms = new Map<string, DirectRoom>();

  /** Creates the room; one already open is returned as it is (as LiveKit keeps its first options). */
  ensure(name: string, options: { emptyTimeoutSec: number; maxParticipants: number }, now: number): DirectRoom {
    this.prune(now);
    let room = this.#rooms.get(name);
    if (!room) {
      room = { name, createdAt: now, emptyTimeoutSec: options.emptyTimeoutSec, maxParticipants: options.maxParticipants, emptySince: now, members: new Map() };
      this.#rooms.set(name, room);
    }
    return room;
  }

  get(name: string): DirectRoom | undefined {
    return this.#rooms.get(name);
  }

  /** Every open room, or those of `names` that are open; rooms empty for longer than their timeout are gone. */
  list(now: number, names?: readonly string[]): DirectRoom[] {
    this.prune(now);
    if (!names) return [...this.#rooms.values()];
    return names.flatMap((name) => this.#rooms.get(name) ?? []);
  }

  prune(now: number): void {
    for (const [name, room] of this.#rooms) {
      if (room.emptySince !== null && now - room.emptySince > room.emptyTimeoutSec * 1000) this.#rooms.delete(name);
    }
  }

  join(roomName: string, who: { identity: string; name: string; socketId: string }, now: number): JoinResult | Refusal {
    this.prune(now);
    const room = this.#rooms.get(roomName);
    if (!room) return { code: 'not-found', message: `The room "${roomName}" is closed: its round is over or was re-planned` };
    const displaced: JoinResult['displaced'] = [];
    const previous = room.members.get(who.identity);
    const others = room.members.size - (previous ? 1 : 0);
    if (others >= room.maxParticipants) return { code: 'room-full', message: `The room "${roomName}" is full` };
    // One room per socket: a call that moves leaves its old room.
    for (const other of this.#rooms.values()) {
      if (other === room) continue;
      const member = [...other.members.values()].find((m) => m.socketId === who.socketId);
      if (member) displaced.push({ roomName: other.name, member: this.#remove(other, member.identity, now)! });
    }
    if (previous && previous.socketId !== who.socketId) displaced.push({ roomName, member: previous });
    const member: DirectMember = { ...who, joinedAt: now, published: false };
    room.members.set(who.identity, member);
    room.emptySince = null;
    return { member, peers: [...room.members.values()].filter((m) => m.identity !== who.identity), displaced };
  }

  /** The socket's membership of the room, if it holds one. */
  memberOf(roomName: string, socketId: string): DirectMember | undefined {
    const room = this.#rooms.get(roomName);
    return room ? [...room.members.values()].find((m) => m.socketId === socketId) : undefined;
  }

  /** Whom a signal from `socketId` to `to` goes to: only someone in the same room as the sender. */
  relayTarget(roomName: string, socketId: string, to: string): { from: DirectMember; target: DirectMember } | Refusal {
    const from = this.memberOf(roomName, socketId);
    if (!from) return { code: 'not-in-room', message: `Join "${roomName}" (video:join) before signalling in it` };
    const target = this.#rooms.get(roomName)!.members.get(to);
    if (!target || target.identity === from.identity) return { code: 'not-in-room', message: `${to} is not in the room "${roomName}"` };
    return { from, target };
  }

  /** The socket leaves the room; the member it was, if any. */
  leave(roomName: string, socketId: string, now: number): DirectMember | undefined {
    const room = this.#rooms.get(roomName);
    const member = this.memberOf(roomName, socketId);
    return room && member ? this.#remove(room, member.identity, now) : undefined;
  }

  /** A closed socket leaves every room it was in. */
  leaveAll(socketId: string, now: number): { roomName: string; member: DirectMember }[] {
    const left: { roomName: string; member: DirectMember }[] = [];
    for (const room of this.#rooms.values()) {
      const member = [...room.members.values()].find((m) => m.socketId === socketId);
      if (member) left.push({ roomName: room.name, member: this.#remove(room, member.identity, now)! });
    }
    return left;
  }

  /** Takes one person out of a room (a re-plan moved them). */
  remove(roomName: string, identity: string, now: number): DirectMember | undefined {
    const room = this.#rooms.get(roomName);
    return room ? this.#remove(room, identity, now) : undefined;
  }

  /** Closes the room; everyone who was in it. */
  close(roomName: string): DirectMember[] {
    const room = this.#rooms.get(roomName);
    this.#rooms.delete(roomName);
    return room ? [...room.members.values()] : [];
  }

  #remove(room: DirectRoom, identity: string, now: number): DirectMember | undefined {
    const member = room.members.get(identity);
    if (!member) return undefined;
    room.members.delete(identity);
    if (room.members.size === 0) room.emptySince = now;
    return member;
  }
}

export const isRefusal = (value: object): value is Refusal => 'code' in value && 'message' in value;
