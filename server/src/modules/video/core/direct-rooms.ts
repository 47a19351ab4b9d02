/**
 * Who is in which direct-call room, and so who may signal whom: the decisions of direct mode (no
 * media server), with no I/O. A member is one socket holding a valid token for the room; a socket
 * is in one room at a time, and one person (identity) once per room: a newer socket replaces theirs.
 *
 * The calls themselves run between the browsers and do not need the socket: a member whose socket
 * drops stays in the room, detached, for as long as a partner still on their socket reports their
 * call with them up (`links`), and takes their place again when their page is back (`resume`).
 */

export interface DirectMember {
  identity: string;
  name: string;
  /** null: detached, the socket dropped while a partner's call with them was up. */
  socketId: string | null;
  joinedAt: number;
  /** Their media reached a partner since they joined (recorded once, as `published`). */
  published: boolean;
  /** Whom this member's page reports its calls reach now (`video:links`). */
  links: Set<string>;
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
  /** A detached member back on a new socket, its calls still up: nobody left or came. */
  resumed: boolean;
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

  join(roomName: string, who: { identity: string; name: string; socketId: string; resume?: boolean }, now: number): JoinResult | Refusal {
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
    const peers = () => [...room.members.values()].filter((m) => m.identity !== who.identity);
    // The same page back on a new socket, its calls held while it was away: it takes its place again.
    if (who.resume && previous?.socketId === null) {
      previous.socketId = who.socketId;
      return { member: previous, peers: peers(), displaced, resumed: true };
    }
    if (previous && previous.socketId !== who.socketId) displaced.push({ roomName, member: previous });
    const member: DirectMember = { identity: who.identity, name: who.name, socketId: who.socketId, joinedAt: now, published: false, links: new Set() };
    room.members.set(who.identity, member);
    room.emptySince = null;
    return { member, peers: peers(), displaced, resumed: false };
  }

  /** The socket's membership of the room, if it holds one. */
  memberOf(roomName: string, socketId: string): DirectMember | undefined {
    const room = this.#rooms.get(roomName);
    return room ? [...room.members.values()].find((m) => m.socketId === socketId) : undefined;
  }

  /** Whom a signal from `socketId` to `to` goes to: only someone in the same room as the sender, on their socket. */
  relayTarget(roomName: string, socketId: string, to: string): { from: DirectMember; target: DirectMember & { socketId: string } } | Refusal {
    const from = this.memberOf(roomName, socketId);
    if (!from) return { code: 'not-in-room', message: `Join "${roomName}" (video:join) before signalling in it` };
    const target = this.#rooms.get(roomName)!.members.get(to);
    if (!target || target.identity === from.identity) return { code: 'not-in-room', message: `${to} is not in the room "${roomName}"` };
    if (target.socketId === null) return { code: 'offline', message: `${to} is reconnecting to the server; their call goes on` };
    return { from, target: target as DirectMember & { socketId: string } };
  }

  /** What the socket's page reports its calls in the room reach now (only people in the room count). */
  setLinks(roomName: string, socketId: string, connected: readonly string[]): DirectMember | undefined {
    const member = this.memberOf(roomName, socketId);
    const room = this.#rooms.get(roomName);
    if (!member || !room) return undefined;
    member.links = new Set(connected.filter((identity) => identity !== member.identity && room.members.has(identity)));
    return member;
  }

  /** A socket dropped: its members stay, detached, until `orphans` finds nobody's call reaching them. */
  detach(socketId: string): void {
    for (const room of this.#rooms.values()) {
      for (const member of room.members.values()) if (member.socketId === socketId) member.socketId = null;
    }
  }

  /**
   * Takes out (and returns) every detached member whom no partner still on their socket reports
   * reaching: their page is gone, or its calls are down too. Called after anything that may make one.
   */
  orphans(now: number): { roomName: string; member: DirectMember }[] {
    const gone: { roomName: string; member: DirectMember }[] = [];
    for (const room of this.#rooms.values()) {
      const reached = (identity: string) => [...room.members.values()].some((m) => m.socketId !== null && m.links.has(identity));
      for (const member of [...room.members.values()]) {
        if (member.socketId === null && !reached(member.identity)) gone.push({ roomName: room.name, member: this.#remove(room, member.identity, now)! });
      }
    }
    return gone;
  }

  /** The socket leaves the room; the member it was, if any. */
  leave(roomName: string, socketId: string, now: number): DirectMember | undefined {
    const room = this.#rooms.get(roomName);
    const member = this.memberOf(roomName, socketId);
    return room && member ? this.#remove(room, member.identity, now) : undefined;
  }

  /** A closed socket leaves every room it was in (`detach` then `orphans` keeps the calls still up). */
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
