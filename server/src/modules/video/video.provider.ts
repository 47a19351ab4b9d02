import type { IceServer, VideoMode } from '@constellation/shared/realtime/events';
import type { RoomRef } from './room-name.ts';

export type { RoomRef } from './room-name.ts';

export interface RoomOptions {
  /** Seconds the room stays open while nobody has joined yet, or after everyone left. */
  emptyTimeoutSec: number;
  /** Hidden observers count towards this limit too: leave room for them. */
  maxParticipants: number;
}

export interface VideoRoom {
  name: string;
  numParticipants: number;
  maxParticipants: number;
  emptyTimeoutSec: number;
  createdAt: Date;
}

export type VideoParticipantState = 'joining' | 'joined' | 'active' | 'disconnected';
export type VideoTrackSource = 'camera' | 'microphone' | 'screen_share' | 'screen_share_audio' | 'unknown';

export interface VideoParticipant {
  identity: string;
  name: string;
  state: VideoParticipantState;
  joinedAt: Date;
  /** The kinds of tracks the participant publishes right now. */
  publishedSources: VideoTrackSource[];
  /** What the server lets this participant do, as it understood the token. */
  permission: {
    canSubscribe: boolean;
    canPublish: boolean;
    canPublishData: boolean;
    canPublishSources: VideoTrackSource[];
    hidden: boolean;
  };
}

export interface TokenRequest {
  roomName: string;
  /** The participant id: presence webhooks report it back as `identity`. */
  identity: string;
  /** Display name shown to the other side. */
  name: string;
  /** Long enough to join at any moment of the round; a connected participant is not cut off when it expires. */
  ttlSeconds: number;
}

/** What a browser needs to join its room; tokens are minted on the server only. */
export interface ConnectionDetails {
  serverUrl: string;
  roomName: string;
  token: string;
}

/** The video feature's port: the clock and the schedule talk to this, never to LiveKit. */
export interface VideoProvider {
  /** `livekit`: a media server carries the calls; `direct`: the browsers connect to each other (no observers). */
  readonly mode: VideoMode;
  /** The URL browsers connect to (ws:// or wss://), or `direct:`. */
  readonly serverUrl: string;
  /** Direct calls: the STUN/TURN servers handed to browsers with each connection. */
  readonly iceServers?: readonly IceServer[];
  roomNameFor(ref: RoomRef): string;
  /** Creates the room; a room already open under this name is returned as it is (LiveKit keeps its first options). */
  ensureRoom(name: string, options: RoomOptions): Promise<VideoRoom>;
  /** Joins exactly one room, may publish camera, microphone and a shared screen only, may subscribe, no data messages. */
  mintParticipantToken(request: TokenRequest): Promise<string>;
  /** Joins exactly one room invisibly, may subscribe, may publish nothing (LiveKit only: direct mode throws). */
  mintObserverToken(request: TokenRequest): Promise<string>;
  /** Disconnects everyone, then deletes the room; closing a room that is already gone succeeds. */
  closeRoom(name: string): Promise<void>;
  /** All rooms, or only those of the given names that exist. */
  listRooms(names?: string[]): Promise<VideoRoom[]>;
  /** Empty when the room does not exist. */
  listParticipants(roomName: string): Promise<VideoParticipant[]>;
  /** Disconnects one participant from a room; one who is not there (or a room that is gone) is fine. */
  removeParticipant(roomName: string, identity: string): Promise<void>;
}
