import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'socket.io';
import {
  DIRECT_VIDEO_URL,
  VideoJoinPayload,
  VideoLeavePayload,
  VideoLinksPayload,
  VideoMediaPayload,
  VideoSignalPayload,
  type Ack,
  type ClientToServerEvents,
  type IceServer,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
  type VideoJoined,
} from '@constellation/shared/realtime/events';
import type { FastifyBaseLogger } from 'fastify';
import type { IoServer } from '../../plugins/socket-io.ts';
import { DirectRooms, isRefusal, type DirectMember, type DirectRoom } from './core/direct-rooms.ts';
import { ackOf, fail, payloadChecker } from '../../plugins/socket-messages.ts';
import { roomNameFor } from './room-name.ts';
import type { TokenRequest, VideoParticipant, VideoProvider, VideoRoom } from './video.provider.ts';
import type { PresenceChange } from './webhook.ts';

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type DirectPresence = Extract<PresenceChange, { identity: string }>;

const MAX_TTL_SECONDS = 6 * 3600;
const checkJoin = payloadChecker(VideoJoinPayload);
const checkSignal = payloadChecker(VideoSignalPayload);
const checkMedia = payloadChecker(VideoMediaPayload);
const checkLeave = payloadChecker(VideoLeavePayload);
const checkLinks = payloadChecker(VideoLinksPayload);

interface Claims {
  /** room, identity, name, expiry (epoch seconds) */
  r: string;
  i: string;
  n: string;
  e: number;
}

export interface DirectVideoOptions {
  iceServers?: readonly IceServer[];
  now?: () => number;
}

/**
 * Video with no media server: each table's browsers connect to each other over WebRTC, and this
 * provider relays their signalling (offers, answers, ICE candidates) over the participants' own
 * authenticated sockets, only between sockets that joined the same room with a token the
 * orchestrator minted for it. Rooms live in memory (a restart hands out fresh tokens in the
 * snapshots); presence goes into the same log as LiveKit's webhooks: `joined` when a page enters
 * its room, `published` when its media reached a partner, `left` when it leaves, is taken out, or its
 * socket closes with no partner's call reaching it any more. A call does not need the socket once it
 * is up: while a partner still reaches someone whose socket dropped, they are in the call, and their
 * page takes its place again when its socket is back (`resume`), with nobody told they left.
 */
export class DirectVideoProvider implements VideoProvider {
  readonly mode = 'direct' as const;
  readonly serverUrl = DIRECT_VIDEO_URL;
  readonly iceServers: readonly IceServer[];
  readonly #rooms = new DirectRooms();
  /** Tokens are signed with a key of this process: after a restart, snapshots hand out new ones. */
  readonly #key = randomBytes(32);
  readonly #now: () => number;
  #io: IoServer | null = null;
  #onPresence: (change: DirectPresence) => Promise<void> = async () => {};
  #log: FastifyBaseLogger | null = null;

  constructor(options: DirectVideoOptions = {}) {
    this.iceServers = options.iceServers ?? [];
    this.#now = options.now ?? Date.now;
  }

  roomNameFor = roomNameFor;

  /** Starts relaying on `io`; `onPresence` records joins, leaves and media (awaited before a join is acknowledged). */
  attach(io: IoServer, onPresence: (change: DirectPresence) => Promise<void>, log: FastifyBaseLogger): void {
    this.#io = io;
    this.#onPresence = onPresence;
    this.#log = log;
    io.on('connection', (socket) => this.#registerHandlers(socket));
  }

  async ensureRoom(name: string, options: { emptyTimeoutSec: number; maxParticipants: number }): Promise<VideoRoom> {
    return toVideoRoom(this.#rooms.ensure(name, options, this.#now()));
  }

  async mintParticipantToken({ roomName, identity, name, ttlSeconds }: TokenRequest): Promise<string> {
    if (!roomName) throw new RangeError('roomName is required');
    if (!identity) throw new RangeError('identity is required');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
      throw new RangeError(`ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}, got ${ttlSeconds}`);
    }
    const claims: Claims = { r: roomName, i: identity, n: name, e: Math.floor(this.#now() / 1000) + ttlSeconds };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.#sign(body)}`;
  }

  async mintObserverToken(): Promise<string> {
    throw new Error('Hidden observers need LiveKit: direct calls have no server in the media path');
  }

  async closeRoom(name: string): Promise<void> {
    const members = this.#rooms.close(name);
    await Promise.all(members.map((member) => this.#gone(name, member, { removed: true, peers: [] })));
  }

  async listRooms(names?: string[]): Promise<VideoRoom[]> {
    return this.#rooms.list(this.#now(), names).map(toVideoRoom);
  }

  async listParticipants(roomName: string): Promise<VideoParticipant[]> {
    const room = this.#rooms.get(roomName);
    return room ? [...room.members.values()].map(toVideoParticipant) : [];
  }

  async removeParticipant(roomName: string, identity: string): Promise<void> {
    const member = this.#rooms.remove(roomName, identity, this.#now());
    if (member) await this.#gone(roomName, member, { removed: true });
    this.#goneOrphans();
  }

  // ---------------------------------------------------------------------------

  #registerHandlers(socket: IoSocket): void {
    const { viewer } = socket.data;
    const participantId = viewer.kind === 'participant' ? viewer.participantId : null;

    socket.on('video:join', (payload, ack) => {
      const reply = ackOf<VideoJoined>(ack, payload);
      if (!participantId) return reply(fail('forbidden', 'Only participants join calls; organizers watch tables through LiveKit'));
      const problem = checkJoin(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      this.#join(socket, participantId, payload.roomName, payload.token, payload.resume === true).then(reply, (error: unknown) => {
        this.#log?.error({ err: error }, 'video:join failed');
        reply(fail('unavailable', 'The call could not be joined; try again'));
      });
    });

    socket.on('video:signal', (payload, ack) => {
      const reply = ackOf<{ delivered: true }>(ack, payload);
      const problem = checkSignal(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      const route = this.#rooms.relayTarget(payload.roomName, socket.id, payload.to);
      if (isRefusal(route)) return reply({ error: route });
      this.#io?.to(route.target.socketId).emit('video:signalled', { roomName: payload.roomName, from: route.from.identity, signal: payload.signal });
      reply({ data: { delivered: true } });
    });

    socket.on('video:media', (payload, ack) => {
      const reply = ackOf<{ recorded: boolean }>(ack, payload);
      const problem = checkMedia(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      const member = this.#rooms.memberOf(payload.roomName, socket.id);
      if (!member) return reply(fail('not-in-room', `Join "${payload.roomName}" (video:join) first`));
      if (member.published) return reply({ data: { recorded: false } });
      member.published = true;
      this.#record('track_published', payload.roomName, member).then(
        () => reply({ data: { recorded: true } }),
        () => reply(fail('unavailable', 'Nothing was recorded; try again')),
      );
    });

    socket.on('video:links', (payload, ack) => {
      const reply = ackOf<{ recorded: true }>(ack, payload);
      const problem = checkLinks(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      if (!this.#rooms.setLinks(payload.roomName, socket.id, payload.connected)) return reply(fail('not-in-room', `Join "${payload.roomName}" (video:join) first`));
      // Someone detached whom this page no longer reaches: their call is over.
      this.#goneOrphans();
      reply({ data: { recorded: true } });
    });

    socket.on('video:leave', (payload, ack) => {
      const reply = ackOf<{ left: boolean }>(ack, payload);
      const problem = checkLeave(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      const member = this.#rooms.leave(payload.roomName, socket.id, this.#now());
      if (!member) return reply({ data: { left: false } });
      this.#gone(payload.roomName, member, { removed: false }).then(
        () => reply({ data: { left: true } }),
        () => reply({ data: { left: true } }),
      );
      this.#goneOrphans();
    });

    // The calls may well outlive the socket: whoever a partner still reaches stays in, detached.
    socket.on('disconnect', () => {
      this.#rooms.detach(socket.id);
      this.#goneOrphans();
    });
  }

  /** Detached members no partner reaches any more have left (their page closed, or its calls are down too). */
  #goneOrphans(): void {
    for (const { roomName, member } of this.#rooms.orphans(this.#now())) void this.#gone(roomName, member, { removed: false });
  }

  async #join(socket: IoSocket, participantId: string, roomName: string, token: string, resume: boolean): Promise<Ack<VideoJoined>> {
    const claims = this.#verify(token);
    if (typeof claims === 'string') return fail('invalid-token', claims);
    if (claims.r !== roomName) return fail('invalid-token', `This token opens "${claims.r}", not "${roomName}"`);
    if (claims.i !== participantId) return fail('forbidden', 'This token was issued to someone else');
    const joined = this.#rooms.join(roomName, { identity: participantId, name: claims.n, socketId: socket.id, resume }, this.#now());
    if (isRefusal(joined)) return { error: joined };
    // The same person's older page in this room, or this socket's previous room.
    await Promise.all(joined.displaced.map(({ roomName: from, member }) => this.#gone(from, member, { removed: from === roomName || member.socketId !== socket.id })));
    this.#goneOrphans();
    const peer = { identity: participantId, name: claims.n };
    // Back from a dropped socket: the partners keep their calls with this page (and re-send what it missed).
    for (const other of joined.peers) if (other.socketId) this.#io?.to(other.socketId).emit('video:peer-joined', { roomName, peer, ...(joined.resumed ? { resumed: true } : {}) });
    // Never recorded as gone, so nothing to record again.
    if (!joined.resumed) await this.#record('participant_joined', roomName, joined.member).catch(() => {});
    const data: VideoJoined = { roomName, identity: participantId, peers: joined.peers.map((m) => ({ identity: m.identity, name: m.name })) };
    return { data: joined.resumed ? { ...data, resumed: true } : data };
  }

  /** Someone is out of a room: the others hear it, a removed socket is told, and the leave is recorded. */
  async #gone(roomName: string, member: DirectMember, { removed, peers }: { removed: boolean; peers?: DirectMember[] }): Promise<void> {
    if (removed && member.socketId) this.#io?.to(member.socketId).emit('video:removed', { roomName });
    const others = (peers ?? [...(this.#rooms.get(roomName)?.members.values() ?? [])]).filter((other) => other.identity !== member.identity);
    for (const other of others) if (other.socketId) this.#io?.to(other.socketId).emit('video:peer-left', { roomName, identity: member.identity });
    await this.#record('participant_left', roomName, member).catch(() => {});
  }

  async #record(kind: DirectPresence['kind'], roomName: string, member: DirectMember): Promise<void> {
    try {
      await this.#onPresence({ kind, roomName, identity: member.identity, name: member.name, hidden: false, at: new Date(this.#now()) });
    } catch (error) {
      this.#log?.error({ err: error, room: roomName }, 'recording direct-call presence failed');
      throw error;
    }
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }

  #verify(token: string): Claims | string {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return 'The token is malformed';
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'The token was not issued by this server (or the server restarted): reconnect for a fresh one';
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Claims;
    } catch {
      return 'The token is malformed';
    }
    if (claims.e * 1000 < this.#now()) return 'The token has expired: reconnect for a fresh one';
    return claims;
  }
}

function toVideoRoom(room: DirectRoom): VideoRoom {
  return {
    name: room.name,
    numParticipants: room.members.size,
    maxParticipants: room.maxParticipants,
    emptyTimeoutSec: room.emptyTimeoutSec,
    createdAt: new Date(room.createdAt),
  };
}

function toVideoParticipant(member: DirectMember): VideoParticipant {
  return {
    identity: member.identity,
    name: member.name,
    // In the room over signalling with its camera and microphone: as present as LiveKit's 'active'.
    state: 'active',
    joinedAt: new Date(member.joinedAt),
    publishedSources: member.published ? ['camera', 'microphone'] : [],
    permission: { canSubscribe: true, canPublish: true, canPublishData: false, canPublishSources: ['camera', 'microphone'], hidden: false },
  };
}
