import {
  AccessToken,
  ParticipantInfo_State,
  RoomServiceClient,
  ServerError,
  TrackSource,
  type ParticipantInfo,
  type Room,
  type VideoGrant,
} from 'livekit-server-sdk';
import { roomNameFor } from './room-name.ts';
import type { VideoConfig } from './video.config.ts';
import type {
  TokenRequest,
  VideoParticipant,
  VideoParticipantState,
  VideoProvider,
  VideoRoom,
  VideoTrackSource,
} from './video.provider.ts';

/** A mentoring pair talks, sees each other and may show a screen (a portfolio, some code): no screen audio, no data channel messages. */
const PARTICIPANT_GRANT = {
  roomJoin: true,
  canPublish: true,
  canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE],
  canSubscribe: true,
  canPublishData: false,
  canUpdateOwnMetadata: false,
} as const satisfies VideoGrant;

/** An organizer looking in on a table: invisible to the pair and unable to publish anything. */
const OBSERVER_GRANT = {
  roomJoin: true,
  hidden: true,
  canPublish: false,
  canSubscribe: true,
  canPublishData: false,
  canUpdateOwnMetadata: false,
} as const satisfies VideoGrant;

/** Longer than any round plus its transition; a token is only needed to join, not to stay. */
const MAX_TTL_SECONDS = 6 * 3600;

export class LiveKitVideoProvider implements VideoProvider {
  readonly mode = 'livekit' as const;
  readonly serverUrl: string;
  readonly #apiKey: string;
  readonly #apiSecret: string;
  readonly #rooms: RoomServiceClient;

  /** `apiUrl` defaults to `url`: the server SDK accepts a ws(s):// URL and speaks http(s) to it. */
  constructor(config: Pick<VideoConfig, 'url' | 'apiKey' | 'apiSecret'> & { apiUrl?: string }) {
    this.serverUrl = config.url;
    this.#apiKey = config.apiKey;
    this.#apiSecret = config.apiSecret;
    // Self-hosted: no LiveKit Cloud region failover, and fail fast when the server is down.
    this.#rooms = new RoomServiceClient(config.apiUrl ?? config.url, config.apiKey, config.apiSecret, {
      failover: false,
      requestTimeout: 10,
    });
  }

  roomNameFor = roomNameFor;

  async ensureRoom(name: string, options: { emptyTimeoutSec: number; maxParticipants: number }): Promise<VideoRoom> {
    const room = await this.#rooms.createRoom({
      name,
      emptyTimeout: options.emptyTimeoutSec,
      // A dropped connection gets the same grace period to come back before the room closes.
      departureTimeout: options.emptyTimeoutSec,
      maxParticipants: options.maxParticipants,
    });
    return toVideoRoom(room);
  }

  mintParticipantToken(request: TokenRequest): Promise<string> {
    return this.#mint(request, PARTICIPANT_GRANT);
  }

  mintObserverToken(request: TokenRequest): Promise<string> {
    return this.#mint(request, OBSERVER_GRANT);
  }

  async closeRoom(name: string): Promise<void> {
    // Removing first gives each client a "removed" disconnect reason instead of a vanished room.
    const participants = await this.listParticipants(name);
    await Promise.all(
      participants.map((p) => this.removeParticipant(name, p.identity)),
    );
    await this.#rooms.deleteRoom(name).catch(ignoreNotFound);
  }

  async removeParticipant(roomName: string, identity: string): Promise<void> {
    await this.#rooms.removeParticipant(roomName, identity).catch(ignoreNotFound);
  }

  async listRooms(names?: string[]): Promise<VideoRoom[]> {
    // An empty filter means "all rooms" to LiveKit, not "none of them".
    if (names && names.length === 0) return [];
    const rooms = await this.#rooms.listRooms(names);
    return rooms.map(toVideoRoom);
  }

  async listParticipants(roomName: string): Promise<VideoParticipant[]> {
    try {
      const participants = await this.#rooms.listParticipants(roomName);
      return participants.map(toVideoParticipant);
    } catch (error) {
      ignoreNotFound(error);
      return [];
    }
  }

  async #mint({ roomName, identity, name, ttlSeconds }: TokenRequest, grant: VideoGrant): Promise<string> {
    if (!roomName) throw new RangeError('roomName is required');
    if (!identity) throw new RangeError('identity is required');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
      throw new RangeError(`ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}, got ${ttlSeconds}`);
    }
    const token = new AccessToken(this.#apiKey, this.#apiSecret, { identity, name, ttl: ttlSeconds });
    token.addGrant({ ...grant, room: roomName });
    return token.toJwt();
  }
}

function ignoreNotFound(error: unknown): void {
  if (error instanceof ServerError && (error.code === 'not_found' || error.status === 404)) return;
  throw error;
}

function toVideoRoom(room: Room): VideoRoom {
  return {
    name: room.name,
    numParticipants: room.numParticipants,
    maxParticipants: room.maxParticipants,
    emptyTimeoutSec: room.emptyTimeout,
    createdAt: new Date(Number(room.creationTimeMs || room.creationTime * 1000n)),
  };
}

const STATES: Record<ParticipantInfo_State, VideoParticipantState> = {
  [ParticipantInfo_State.JOINING]: 'joining',
  [ParticipantInfo_State.JOINED]: 'joined',
  [ParticipantInfo_State.ACTIVE]: 'active',
  [ParticipantInfo_State.DISCONNECTED]: 'disconnected',
};

const SOURCES: Record<TrackSource, VideoTrackSource> = {
  [TrackSource.UNKNOWN]: 'unknown',
  [TrackSource.CAMERA]: 'camera',
  [TrackSource.MICROPHONE]: 'microphone',
  [TrackSource.SCREEN_SHARE]: 'screen_share',
  [TrackSource.SCREEN_SHARE_AUDIO]: 'screen_share_audio',
};

function toVideoParticipant(p: ParticipantInfo): VideoParticipant {
  const permission = p.permission;
  return {
    identity: p.identity,
    name: p.name,
    state: STATES[p.state] ?? 'joining',
    joinedAt: new Date(Number(p.joinedAtMs || p.joinedAt * 1000n)),
    publishedSources: p.tracks.map((t) => SOURCES[t.source] ?? 'unknown'),
    permission: {
      canSubscribe: permission?.canSubscribe ?? false,
      canPublish: permission?.canPublish ?? false,
      canPublishData: permission?.canPublishData ?? false,
      canPublishSources: (permission?.canPublishSources ?? []).map((s) => SOURCES[s] ?? 'unknown'),
      hidden: permission?.hidden ?? false,
    },
  };
}
