/**
 * The one seam between the call's state machine (`video-call.svelte.ts`) and how media travels:
 * through a LiveKit server (`livekit.transport.ts`) or directly between the browsers over WebRTC
 * with signalling on the app's own socket (`direct.transport.ts`). Each is loaded when the first
 * call starts, so other pages stay light.
 */
import {
  DIRECT_VIDEO_URL,
  type Ack,
  type VideoConnection,
  type VideoJoinPayload,
  type VideoJoined,
  type VideoLeavePayload,
  type VideoLinksPayload,
  type VideoMediaPayload,
  type VideoPeerJoined,
  type VideoPeerLeft,
  type VideoRemoved,
  type VideoSignalPayload,
  type VideoSignalled,
} from '@constellation/shared/realtime/events';
import type { DevicePreferences } from './devices.ts';

/** Connection quality as LiveKit grades it. */
export type Quality = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';

/** Something a `<video>` or `<audio>` element can play (LiveKit's tracks are one). */
export interface MediaView {
  attach(element: HTMLMediaElement): unknown;
  detach(element: HTMLMediaElement): unknown;
}

/** A camera or microphone track of this browser, in the form its transport publishes. */
export interface LocalMedia {
  readonly kind: string;
  readonly mediaStreamTrack: MediaStreamTrack;
  stop(): void;
}

/** One other person in the room, with what they publish. */
export interface RemoteView {
  identity: string;
  name: string;
  video: MediaView | null;
  audio: MediaView | null;
  /** The screen they share, if they do: shown as the main picture, with their camera small. */
  screen: MediaView | null;
  cameraOff: boolean;
  micMuted: boolean;
  quality: Quality;
}

export interface CallView {
  remotes: RemoteView[];
  localVideo: MediaView | null;
  /** This browser's screen, while it shares one. */
  localScreen: MediaView | null;
  quality: Quality;
}

/** What a transport tells the call; nothing after `disconnect()`. */
export interface TransportListener {
  /** Someone came or went, or a track, mute or quality changed: read `view()` again. */
  changed(): void;
  reconnecting(): void;
  reconnected(): void;
  audioBlocked(blocked: boolean): void;
  mediaError(error: unknown): void;
  /** Who is talking now (identities): reported on its own, so the tiles and their videos stay as they are. */
  speaking(identities: string[]): void;
  /** The call is gone: `endedByServer` when the server closed the room or took this person out (nothing to retry). */
  disconnected(endedByServer: boolean): void;
}

export type DeviceRequest = boolean | { deviceId: string };

export interface CallTransport {
  /** Opens the camera and/or microphone, in the form this transport publishes. */
  openDevices(request: { audio: DeviceRequest; video: DeviceRequest }): Promise<LocalMedia[]>;
  connect(connection: VideoConnection): Promise<void>;
  readonly connected: boolean;
  publish(tracks: LocalMedia[]): Promise<void>;
  /** The camera and microphone this browser publishes now (they move with the person to a new room). */
  published(): LocalMedia[];
  /** Copies of tracks (of any call) for this one, sharing the same camera and microphone. */
  duplicate(tracks: LocalMedia[]): LocalMedia[];
  /** Once connected: from now on nobody may receive what this browser publishes here, until `release()`. */
  hold(): Promise<void>;
  /** Lets the others in the room receive what this browser publishes. */
  release(): Promise<void>;
  /** A track that stays off when a standby call goes live: the other side is told it is off. */
  mute(track: LocalMedia): Promise<void>;
  /** Turns the camera or microphone on or off for the other side; throws when the device cannot open. */
  setDevice(device: 'camera' | 'microphone', on: boolean): Promise<void>;
  view(): CallView;
  /** Why this transport cannot share a screen (for the button's tooltip), or null when it can. */
  readonly screenShareUnsupported: string | null;
  /**
   * Starts or stops sharing a screen (the browser asks which one; call it from a click). Resolves
   * when done; throws when the person cancelled the picker or the browser refused.
   */
  setScreenShare(on: boolean): Promise<void>;
  /** After a click, when the browser blocked sound: true when sound plays now. */
  startAudio(): Promise<boolean>;
  disconnect(stopTracks: boolean): void;
}

/** Direct calls' signalling, over the app's authenticated socket (`socket.ts` provides it). */
export interface SignallingChannel {
  join(payload: VideoJoinPayload): Promise<Ack<VideoJoined>>;
  signal(payload: VideoSignalPayload): Promise<Ack<{ delivered: true }>>;
  media(payload: VideoMediaPayload): Promise<Ack<{ recorded: boolean }>>;
  links(payload: VideoLinksPayload): Promise<Ack<{ recorded: true }>>;
  leave(payload: VideoLeavePayload): Promise<Ack<{ left: boolean }>>;
  /** Until the returned function is called. `offline`: the socket itself dropped; `online`: it is back (reconnected). */
  subscribe(handlers: {
    peerJoined(joined: VideoPeerJoined): void;
    peerLeft(left: VideoPeerLeft): void;
    signalled(signalled: VideoSignalled): void;
    removed(removed: VideoRemoved): void;
    offline(): void;
    online(): void;
  }): () => void;
}

export interface TransportContext {
  listener: TransportListener;
  prefs: DevicePreferences;
  signalling: SignallingChannel | null;
}

export type TransportFactory = (context: TransportContext) => CallTransport;

export const isDirect = (connection: VideoConnection): boolean => connection.serverUrl === DIRECT_VIDEO_URL;

/** The transport a connection needs, loaded on first use. */
export async function loadTransport(connection: VideoConnection): Promise<TransportFactory> {
  if (isDirect(connection)) return (await import('./direct.transport.ts')).createDirectTransport;
  return (await import('./livekit.transport.ts')).createLiveKitTransport;
}

/** Fetch the transport a call will need while the person waits, not when their round starts. */
export function preloadTransports(): void {
  void import('./livekit.transport.ts').catch(() => {});
  void import('./direct.transport.ts').catch(() => {});
}
