import type { ClockState } from '@constellation/shared/clock/state';
import { seatRoundOf } from '@constellation/shared/clock/seat';
import type { Ack, PartnerNoShow, SeatChanged, VideoAssigned, VideoConnection, VideoSpare, VideoUpcoming } from '@constellation/shared/realtime/events';
import { localNow } from '../live/local-time.ts';
import { describeMediaError, loadDevicePreferences } from './devices.ts';
// The transports (livekit-client, or direct WebRTC) are loaded when the first call starts, so other pages stay light.
import {
  loadTransport,
  preloadTransports,
  type CallTransport,
  type LocalMedia,
  type MediaView,
  type Quality,
  type RemoteView,
  type SignallingChannel,
  type TransportFactory,
  type TransportListener,
} from './transport.ts';

export type { Quality, RemoteView } from './transport.ts';

export type CallStatus =
  /** No room: before the first round, between rounds, after the event. */
  | 'idle'
  | 'sitting-out'
  /**
   * In the next round's room before it starts: connected and publishing, but camera and microphone
   * disabled (black frames, silence), so the call goes live within a frame when the round starts.
   */
  | 'standby'
  | 'connecting'
  | 'connected'
  /** The media or signalling path was lost and is being restored by itself. */
  | 'reconnecting'
  /** Dropped for good; a fresh token (from the next snapshot) or a retry brings the call back. */
  | 'disconnected'
  | 'failed';

export interface VideoCallOptions {
  /** False for the organizer's hidden observer: watch and listen, never publish. */
  publish?: boolean;
}

/** Someone who was in the call and is gone is "reconnecting" this long (a reload, a network drop), then "left". */
export const RECONNECT_GRACE_MS = 20_000;

/** Where someone the person meets stands, as far as this call can tell. */
export type PartnerPresence =
  /** In the call now. */
  | 'here'
  /** Was in the call this round and dropped out (or their connection is lost): probably on the way back. */
  | 'reconnecting'
  /** Was in the call this round, and has been gone longer than a reload or a network drop takes. */
  | 'left'
  /** Not in the call yet this round. */
  | 'waiting';

/** Retries of a dropped call with the token in hand, before waiting for a fresh one. */
const RETRY_DELAYS_MS = [1_000, 3_000, 8_000];

/**
 * A likely rescue's room (`video:spare`), joined unseen beside the call: connected, publishing copies
 * of the camera and microphone that nobody may receive. A rescue naming its room takes it live.
 */
interface Spare {
  round: number;
  roomName: string;
  transport: CallTransport | null;
  /** Connected, held and publishing: true; failed (or dropped): false. */
  ready: Promise<boolean>;
  dropped: boolean;
  /** Where the transport's reports go once the spare is the call; none before. */
  forward: TransportListener | null;
}

/**
 * The participant's video call for the round running now: one room at a time, through a
 * transport (`transport.ts`: a LiveKit room, or direct WebRTC between the browsers) chosen by the
 * connection the server hands out. The socket module feeds it (`video:assigned`, the snapshot's
 * `video`, `video:closed`, `partner:no-show`, clock changes); components read it and attach its
 * tracks to elements. Transient drops are restored by the transport; a lost call is retried, and
 * a reconnecting socket's snapshot brings a fresh token.
 */
export class VideoCall {
  readonly #publish: boolean;
  #status = $state<CallStatus>('idle');
  #round = $state<number | null>(null);
  #roomName = $state<string | null>(null);
  #remotes = $state.raw<RemoteView[]>([]);
  #localVideo = $state.raw<MediaView | null>(null);
  /** This browser's shared screen, while it shares one. */
  #localScreen = $state.raw<MediaView | null>(null);
  /** Why the call's transport cannot share a screen (direct calls), or null. */
  #screenShareUnsupported = $state<string | null>(null);
  #screenShareError = $state('');
  #micOn = $state(true);
  #cameraOn = $state(true);
  /** The camera or microphone went off because it failed to open, not by the person's choice: the next call tries it again. */
  #offByFailure = { camera: false, microphone: false };
  #quality = $state<Quality>('unknown');
  #error = $state('');
  #mediaError = $state('');
  #noShow = $state<PartnerNoShow | null>(null);
  /** Partners of this round the server flagged as not come (a circle may go on without some). */
  #flagged = $state.raw<ReadonlySet<string>>(new Set());
  #audioBlocked = $state(false);
  /** Local times (`localNow()`): when this round's room was handed over, and its first remote frame shown. */
  #assignedAt = $state<number | null>(null);
  #firstFrameAt = $state<number | null>(null);
  /** Who has been in the call this round; of them, who is gone now and since when (local time). */
  #seen = new Set<string>();
  #away = $state.raw<ReadonlyMap<string, number>>(new Map());
  /** Bumped when someone's grace runs out, so "reconnecting" turns into "left" on screen. */
  #graceTick = $state(0);
  #graceTimers: ReturnType<typeof setTimeout>[] = [];
  /** Who is talking in the call now. */
  #speaking = $state.raw<ReadonlySet<string>>(new Set());

  #room: CallTransport | null = null;
  /** Direct calls' signalling over the app's socket (the socket module provides it). */
  #signalling: SignallingChannel | null = null;
  #connection: VideoConnection | null = null;
  /** Waiting in the next round's room: nothing the camera or microphone captures leaves the browser. */
  #standby = false;
  /** Local tracks published (or being published) disabled on standby, enabled when the round starts. */
  #held: LocalMedia[] = [];
  /** On standby: a copy of the camera for the person's own preview; the published original stays disabled. */
  #preview = $state.raw<MediaStreamTrack | null>(null);
  /** The standby call could not open the camera and microphone together: try each alone when it goes live. */
  #devicesPending = false;
  /** Bumped on every join and leave, so a superseded attempt gives up instead of racing the new one. */
  #generation = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retries = 0;
  #spare: Spare | null = null;
  /** Asks the server for a token to the event's lounge (the socket module provides it). */
  #loungeChannel: (() => Promise<Ack<VideoConnection>>) | null = null;
  #loungeError = $state('');

  constructor(options: VideoCallOptions = {}) {
    this.#publish = options.publish ?? true;
    // Fetch the video library while the person waits in the lobby, not when their round starts.
    if (this.#publish) preloadTransports();
  }

  get status(): CallStatus {
    return this.#status;
  }
  get round(): number | null {
    return this.#round;
  }
  get roomName(): string | null {
    return this.#roomName;
  }
  get remotes(): RemoteView[] {
    return this.#remotes;
  }
  get localVideo(): MediaView | null {
    return this.#localVideo;
  }
  get localScreen(): MediaView | null {
    return this.#localScreen;
  }
  get screenSharing(): boolean {
    return this.#localScreen !== null;
  }
  /** Why screen share is not offered in this call, for the button's tooltip; null when it is. */
  get screenShareUnsupported(): string | null {
    return this.#screenShareUnsupported;
  }
  /** Why sharing the screen did not start (refused, or a browser that cannot), for people. */
  get screenShareError(): string {
    return this.#screenShareError;
  }
  get microphoneOn(): boolean {
    return this.#micOn;
  }
  get cameraOn(): boolean {
    return this.#cameraOn;
  }
  get quality(): Quality {
    return this.#quality;
  }
  /** Why the call could not connect, for people. */
  get error(): string {
    return this.#error;
  }
  /** Why the camera or microphone could not be published; the call goes on without them. */
  get mediaError(): string {
    return this.#mediaError;
  }
  /** Partners of the call's round who were flagged as not come. */
  get flagged(): ReadonlySet<string> {
    return this.#flagged;
  }

  get noShow(): PartnerNoShow | null {
    return this.#noShow;
  }
  /** The browser refused to play sound without a click: show a button that calls `startAudio()`. */
  get audioBlocked(): boolean {
    return this.#audioBlocked;
  }
  get assignedAt(): number | null {
    return this.#assignedAt;
  }
  get firstFrameAt(): number | null {
    return this.#firstFrameAt;
  }
  /** Whether this person in the call is talking now. */
  isSpeaking(identity: string): boolean {
    return this.#speaking.has(identity);
  }

  /** Where a partner stands: in the call, reconnecting after being in it, gone for good, or not come yet. */
  presenceOf(identity: string): PartnerPresence {
    void this.#graceTick;
    const remote = this.#remotes.find((r) => r.identity === identity);
    if (remote) return remote.quality === 'lost' ? 'reconnecting' : 'here';
    const since = this.#away.get(identity);
    if (since === undefined) return 'waiting';
    return localNow() - since < RECONNECT_GRACE_MS ? 'reconnecting' : 'left';
  }

  /** On standby, the person's own camera, for them alone: nothing of it is sent until the round starts. */
  get standbyPreview(): MediaStreamTrack | null {
    return this.#preview;
  }
  /** In the next round's room (or on the way into it), waiting for the round to start. */
  get standby(): boolean {
    return this.#standby;
  }
  /** In a room, or on the way into one. */
  get active(): boolean {
    return this.#status === 'connecting' || this.#status === 'connected' || this.#status === 'reconnecting' || this.#status === 'disconnected';
  }

  // --- fed by the socket module -------------------------------------------------------------

  /** The socket module's signalling channel, for direct calls. */
  useSignalling(channel: SignallingChannel | null): void {
    this.#signalling = channel;
  }

  /** The socket module's way to ask for the lounge. */
  useLounge(channel: (() => Promise<Ack<VideoConnection>>) | null): void {
    this.#loungeChannel = channel;
  }

  /** In the event's lounge: the group room of the people sitting the round out. */
  get inLounge(): boolean {
    return this.#roomName?.endsWith('_tlounge') ?? false;
  }

  /** Why the lounge could not be joined, for people. */
  get loungeError(): string {
    return this.#loungeError;
  }

  /**
   * Someone sitting the round running now out joins the event's lounge, a group call of whoever is
   * free. It ends with the round, when they leave, or when a rescue seats them at a table.
   */
  async joinLounge(round: number): Promise<void> {
    this.#loungeError = '';
    const ack = this.#loungeChannel ? await this.#loungeChannel() : { error: { code: 'offline', message: 'Not connected to the server' } };
    if ('error' in ack) return void (this.#loungeError = ack.error.message);
    await this.join(ack.data, round);
  }

  /** Back out of the lounge, sitting out again. */
  leaveLounge(): void {
    if (!this.inLounge) return;
    const round = this.#round;
    this.leave();
    this.#round = round;
    this.#status = 'sitting-out';
  }

  /** `video:assigned`: this round's room, or null when sitting out. */
  assign(assignment: VideoAssigned): void {
    if (assignment.connection) {
      // A room made again: the camera and microphone still open go along into the new session.
      const reuse = assignment.remade ? this.#openTracks() : undefined;
      void this.join(assignment.connection, assignment.round, { afresh: assignment.remade === true, reuse });
    }
    else {
      this.leave();
      this.#round = assignment.round;
      // Seated, but the video room could not be made: say so instead of showing an empty call.
      if (assignment.unavailable) {
        this.#status = 'failed';
        this.#error = assignment.unavailable;
      } else this.#status = 'sitting-out';
    }
  }

  /** `video:upcoming`: the next round's room, to wait in on standby. A live call is never cut short for it. */
  standBy(upcoming: VideoUpcoming): void {
    if (this.#round !== null && !this.#standby && this.#round < upcoming.round && this.active) return;
    void this.join(upcoming.connection, upcoming.round, { standby: true });
  }

  /** The snapshot on every (re)connect: a fresh token while the round runs, the standby room before one. */
  applySnapshot(video: VideoConnection | undefined, videoNext: VideoUpcoming | undefined, clock: ClockState): void {
    if (video && clock.phase === 'round') void this.join(video, clock.round);
    else if (videoNext && clock.phase !== 'round') this.standBy(videoNext);
    // No standby room yet (it is being made, and `video:upcoming` follows): keep the one held for that round.
    else if (clock.phase !== 'round' && !(this.#standby && this.#round === seatRoundOf(clock))) this.leave();
  }

  /** `video:closed`: the round's rooms are gone. */
  closeRound(round: number): void {
    if (this.#round === round) this.leave();
  }

  /**
   * The round starting is what takes a standby call live, on every side at the same moment. Belt
   * and braces for a missed `video:closed`: outside the call's round there is no call.
   */
  clockChanged(clock: ClockState): void {
    if (this.#round === null) return;
    if (this.#standby) {
      if (clock.phase === 'round' && clock.round === this.#round) this.#goLive();
      else if (seatRoundOf(clock) !== this.#round) this.leave();
      return;
    }
    if (clock.phase !== 'round' || clock.round !== this.#round) this.leave();
  }

  /**
   * `video:spare`: a room for a rescue that may come at the no-show point. The call joins it unseen
   * now, so a rescue into it (`seat:changed`) only has to let the new partner see and hear this
   * person. `connection: null`: no rescue into it; leave it.
   */
  spare(spare: VideoSpare): void {
    const connection = spare.connection;
    if (!connection) return this.#dropSpare();
    if (!this.#publish || spare.round !== this.#round || this.#standby || !this.#room?.connected) return;
    if (this.#spare?.roomName === connection.roomName) return;
    this.#dropSpare();
    const entry: Spare = { round: spare.round, roomName: connection.roomName, transport: null, ready: Promise.resolve(false), dropped: false, forward: null };
    const listener: TransportListener = {
      changed: () => entry.forward?.changed(),
      reconnecting: () => entry.forward?.reconnecting(),
      reconnected: () => entry.forward?.reconnected(),
      audioBlocked: (blocked) => entry.forward?.audioBlocked(blocked),
      mediaError: (error) => entry.forward?.mediaError(error),
      speaking: (identities) => entry.forward?.speaking(identities),
      disconnected: (endedByServer) => {
        if (entry.forward) entry.forward.disconnected(endedByServer);
        else if (this.#spare === entry) this.#dropSpare();
      },
    };
    entry.ready = (async () => {
      const create = await loadTransport(connection);
      if (entry.dropped) return false;
      const transport = create({ listener, prefs: loadDevicePreferences(), signalling: this.#signalling });
      entry.transport = transport;
      await transport.connect(connection);
      if (entry.dropped) return false;
      await transport.hold();
      const live = this.#openTracks().filter((t) => t.mediaStreamTrack.readyState === 'live' && (t.kind === 'video' ? this.#cameraOn : this.#micOn));
      await transport.publish(transport.duplicate(live));
      return !entry.dropped;
    })().catch(() => false);
    this.#spare = entry;
  }

  /**
   * `seat:changed`: a new partner in the round running now (a rescue, the organizer's move), in a new
   * room joined at once; or nobody, and the call ends for this round. The old no-show notice goes.
   */
  seatChanged(change: SeatChanged): void {
    this.#noShow = null;
    this.#flagged = new Set();
    const spare = this.#spare;
    if (change.connection && spare && spare.roomName === change.connection.roomName && spare.round === change.round) {
      this.#spare = null;
      void this.#takeSpare(spare, change.connection, change.round);
      return;
    }
    this.#dropSpare();
    // Moving from a live call of this round to another: the camera and microphone already open go
    // along (no second device prompt, no re-opening them: the new partner sees you sooner).
    if (change.connection && this.#room?.connected && !this.#standby && this.#round === change.round) {
      void this.join(change.connection, change.round, { reuse: this.#openTracks() });
      return;
    }
    this.assign({ round: change.round, connection: change.connection });
  }

  partnerNoShow(noShow: PartnerNoShow): void {
    if (noShow.round !== this.#round) return;
    this.#noShow = noShow;
    this.#flagged = new Set([...this.#flagged, noShow.partnerId]);
  }

  // --- controls -----------------------------------------------------------------------------

  async toggleMicrophone(): Promise<void> {
    this.#micOn = !this.#micOn;
    this.#offByFailure.microphone = false;
    // On standby the choice is applied when the round starts: until then everything stays disabled.
    if (!this.#standby) await this.#applyDevice('microphone', this.#micOn);
  }

  async toggleCamera(): Promise<void> {
    this.#cameraOn = !this.#cameraOn;
    this.#offByFailure.camera = false;
    if (!this.#standby) await this.#applyDevice('camera', this.#cameraOn);
  }

  /** Starts or stops sharing a screen (from a click: the browser asks which screen). */
  async toggleScreenShare(): Promise<void> {
    const room = this.#room;
    if (!room || !room.connected || !this.#publish || this.#standby || room.screenShareUnsupported) return;
    const on = !this.#localScreen;
    this.#screenShareError = '';
    try {
      await room.setScreenShare(on);
    } catch (error) {
      // Cancelling the browser's picker is a choice, not a failure.
      const cancelled = error instanceof DOMException && error.name === 'NotAllowedError';
      if (room === this.#room && !cancelled) this.#screenShareError = `Your screen could not be shared${error instanceof Error && error.message ? ` (${error.message})` : ''}.`;
    }
    if (room === this.#room) this.#refresh();
  }

  async startAudio(): Promise<void> {
    const room = this.#room;
    if (room) this.#audioBlocked = !(await room.startAudio());
  }

  /** The remote video element showed its first frame of this round. */
  markFirstFrame(at: number = localNow()): void {
    if (this.#firstFrameAt === null && this.#assignedAt !== null) this.#firstFrameAt = at;
  }

  /**
   * Joins a room (leaving any other); the same room again is a no-op unless the call was lost.
   * `standby` joins the next round's room ahead of it, with camera and microphone disabled; joining
   * that room without `standby` (the round started) takes it live. `afresh`: the room was made again
   * after the video server lost it, so a call still trying to resume there joins anew at once.
   */
  async join(
    connection: VideoConnection,
    round: number,
    { standby = false, reuse, afresh = false }: { standby?: boolean; reuse?: LocalMedia[]; afresh?: boolean } = {},
  ): Promise<void> {
    const sameRoom = this.#roomName === connection.roomName && this.#round === round;
    if (sameRoom) {
      this.#connection = connection; // a fresh token, for the next retry
      if (!standby) this.#goLive();
      const lost = this.#status === 'disconnected' || this.#status === 'failed' || (afresh && this.#status === 'reconnecting');
      if (!lost) return;
    }
    // `reuse`: live tracks moving to the new room with the person; the old room lets go of them unstopped.
    this.leave(sameRoom ? 'keep' : 'reset', { stopTracks: !reuse?.length });
    const generation = this.#generation;
    this.#connection = connection;
    this.#round = round;
    this.#roomName = connection.roomName;
    this.#standby = standby;
    this.#status = 'connecting';
    this.#error = '';
    if (!this.#standby) this.#assignedAt ??= localNow();

    let create: TransportFactory;
    try {
      create = await loadTransport(connection);
    } catch {
      if (generation !== this.#generation) return;
      this.#status = 'failed';
      this.#error = 'The video call could not be loaded. Check your connection and reload the page.';
      return;
    }
    if (generation !== this.#generation) return;
    const prefs = loadDevicePreferences();
    let room: CallTransport;
    try {
      room = create({ listener: this.#listenerFor(generation), prefs, signalling: this.#signalling });
    } catch (error) {
      this.#status = 'failed';
      this.#error = `The video call could not start${error instanceof Error && error.message ? ` (${error.message})` : ''}. Reload the page.`;
      return;
    }
    this.#room = room;
    // Open the camera and microphone while the signalling connects, not after: it is the slow part.
    const localTracks = reuse?.length ? Promise.resolve(reuse) : this.#publish ? this.#openForCall(room, generation) : Promise.resolve(null);
    try {
      await room.connect(connection);
    } catch (error) {
      void localTracks.then((tracks) => tracks?.forEach((track) => track.stop()));
      if (generation !== this.#generation) return;
      this.#room = null;
      room.disconnect(true);
      this.#status = 'failed';
      this.#error = `The video call could not connect${error instanceof Error && error.message ? ` (${error.message})` : ''}. Retrying…`;
      this.#scheduleRetry(generation);
      return;
    }
    if (generation !== this.#generation) return void room.disconnect(true);
    this.#status = this.#standby ? 'standby' : 'connected';
    this.#retries = 0;
    this.#refresh();
    if (this.#publish) {
      const tracks = await localTracks;
      if (generation !== this.#generation) return void tracks?.forEach((track) => track.stop());
      if (tracks) {
        await room.publish(tracks);
        this.#refresh();
      } else if (this.#standby) {
        this.#devicesPending = true;
        void this.#retryStandbyDevices(room, generation);
      } else {
        // Opening both at once failed (a device is missing or refused): try each alone, with a clear message.
        await this.#openDevicesOneByOne();
      }
    }
  }

  /** Leaves the room, if any; `keep` keeps the round's measurements and no-show (a rejoin of the same room). */
  leave(mode: 'reset' | 'keep' = 'reset', { stopTracks = true } = {}): void {
    this.#generation++;
    if (mode === 'reset') this.#dropSpare();
    clearTimeout(this.#retryTimer);
    const room = this.#room;
    this.#room = null;
    room?.disconnect(stopTracks);
    this.#held = [];
    this.#stopPreview();
    this.#devicesPending = false;
    this.#remotes = [];
    this.#localVideo = null;
    this.#localScreen = null;
    this.#screenShareError = '';
    this.#quality = 'unknown';
    this.#audioBlocked = false;
    if (this.#speaking.size > 0) this.#speaking = new Set();
    if (mode === 'keep') return;
    this.#standby = false;
    this.#retries = 0;
    this.#connection = null;
    this.#roomName = null;
    this.#round = null;
    this.#status = 'idle';
    this.#error = '';
    this.#mediaError = '';
    this.#noShow = null;
    this.#flagged = new Set();
    this.#assignedAt = null;
    this.#firstFrameAt = null;
    this.#forgetPresence();
  }

  dispose(): void {
    this.leave();
  }

  // --- internals ----------------------------------------------------------------------------

  /**
   * The rescue came into the spare room: it becomes the call. The person is already connected and
   * publishing there, so the new partner sees them as soon as they are let through; the old room goes.
   */
  async #takeSpare(spare: Spare, connection: VideoConnection, round: number): Promise<void> {
    const before = this.#generation;
    const ready = await spare.ready;
    const transport = spare.transport;
    if (before !== this.#generation) return void transport?.disconnect(true);
    if (!ready || !transport?.connected) {
      // Not there after all: the ordinary move, carrying the open camera and microphone along.
      transport?.disconnect(true);
      return void this.join(connection, round, { reuse: this.#openTracks() });
    }
    // The old room and its tracks go; the spare publishes its own copies of them.
    this.leave();
    const generation = this.#generation;
    this.#connection = connection;
    this.#round = round;
    this.#roomName = connection.roomName;
    this.#room = transport;
    this.#status = 'connected';
    this.#assignedAt = localNow();
    spare.forward = this.#listenerFor(generation);
    await transport.release();
    if (generation !== this.#generation) return;
    this.#refresh();
    // As the person has it now: a copy of something switched off since is muted, and only a device
    // that has no copy at all is opened anew (re-enabling a live copy would reopen the camera).
    const copies = transport.published();
    for (const track of copies) {
      if (!(track.kind === 'video' ? this.#cameraOn : this.#micOn)) void transport.mute(track).catch(() => {});
    }
    if (this.#cameraOn && !copies.some((t) => t.kind === 'video')) await this.#applyDevice('camera', true);
    if (this.#micOn && !copies.some((t) => t.kind === 'audio')) await this.#applyDevice('microphone', true);
  }

  #dropSpare(): void {
    const spare = this.#spare;
    if (!spare) return;
    this.#spare = null;
    spare.dropped = true;
    spare.transport?.disconnect(true);
  }

  /** The round started: the standby call's camera and microphone go on (as the person left them). */
  #goLive(): void {
    if (!this.#standby) return;
    this.#standby = false;
    this.#assignedAt = localNow();
    this.#firstFrameAt = null;
    for (const track of this.#held) {
      const on = track.kind === 'video' ? this.#cameraOn : this.#micOn;
      if (on) track.mediaStreamTrack.enabled = true;
      // Muting through the transport tells the other side the camera or microphone is off.
      else void this.#room?.mute(track).catch(() => {});
    }
    this.#held = [];
    this.#stopPreview();
    if (this.#status === 'standby') this.#status = 'connected';
    if (this.#devicesPending) {
      // The standby call could not open a device: try each again, now that it counts.
      this.#devicesPending = false;
      void this.#openDevicesOneByOne();
    }
    this.#refresh();
  }

  /**
   * Opens the camera and microphone (as the person left them) for the call being joined; on standby
   * they are disabled before they are ever published (nothing captured leaves the browser) and a
   * copy of the camera is the person's own preview. Null when they could not be opened together.
   */
  #openForCall(room: CallTransport, generation: number): Promise<LocalMedia[] | null> {
    const prefs = loadDevicePreferences();
    // A device that only failed to open last time (busy, a slow machine) is tried again for this call.
    const camera = this.#cameraOn || this.#offByFailure.camera;
    const microphone = this.#micOn || this.#offByFailure.microphone;
    return room
      .openDevices({
        audio: microphone ? (prefs.audioDeviceId ? { deviceId: prefs.audioDeviceId } : true) : false,
        video: camera ? (prefs.videoDeviceId ? { deviceId: prefs.videoDeviceId } : true) : false,
      })
      .then((tracks) => {
        if (generation === this.#generation) {
          if (this.#offByFailure.camera && tracks.some((track) => track.kind === 'video')) [this.#cameraOn, this.#offByFailure.camera] = [true, false];
          if (this.#offByFailure.microphone && tracks.some((track) => track.kind === 'audio')) [this.#micOn, this.#offByFailure.microphone] = [true, false];
          if (!this.#offByFailure.camera && !this.#offByFailure.microphone) this.#mediaError = '';
        }
        if (this.#standby && generation === this.#generation) {
          const camera = tracks.find((track) => track.kind === 'video');
          if (camera) this.#preview = camera.mediaStreamTrack.clone();
          for (const track of tracks) track.mediaStreamTrack.enabled = false;
          this.#held = tracks;
        }
        return tracks;
      })
      .catch(() => null);
  }

  /**
   * On standby, the camera and microphone could not be opened (busy, or a slow machine): try again a
   * few times while waiting, so the person sees their preview and the call goes live with them.
   */
  async #retryStandbyDevices(room: CallTransport, generation: number): Promise<void> {
    for (const delay of [1_000, 2_000, 4_000, 8_000]) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (generation !== this.#generation || !this.#standby || !this.#devicesPending) return;
      const tracks = await this.#openForCall(room, generation);
      if (!tracks) continue;
      if (generation !== this.#generation || !this.#standby) return void tracks.forEach((track) => track.stop());
      this.#devicesPending = false;
      await room.publish(tracks);
      this.#refresh();
      return;
    }
  }

  /** The camera and microphone published in the call now (none while on standby). */
  #openTracks(): LocalMedia[] {
    const room = this.#room;
    return room && !this.#standby ? room.published() : [];
  }

  #stopPreview(): void {
    this.#preview?.stop();
    this.#preview = null;
  }

  #openDevicesOneByOne(): Promise<unknown> {
    return Promise.all([this.#applyDevice('camera', this.#cameraOn), this.#applyDevice('microphone', this.#micOn)]);
  }

  /** What the transport reports, for as long as this attempt is the current one. */
  #listenerFor(generation: number) {
    const current = () => generation === this.#generation;
    return {
      changed: () => current() && this.#refresh(),
      reconnecting: () => current() && (this.#status = 'reconnecting'),
      reconnected: () => {
        if (!current()) return;
        this.#status = this.#standby ? 'standby' : 'connected';
        this.#refresh();
      },
      audioBlocked: (blocked: boolean) => current() && (this.#audioBlocked = blocked),
      mediaError: (error: unknown) => current() && (this.#mediaError = describeMediaError(error)),
      speaking: (identities: string[]) => current() && (this.#speaking = new Set(identities)),
      disconnected: (endedByServer: boolean) => {
        if (!current()) return;
        this.#remotes = [];
        this.#localVideo = null;
        this.#localScreen = null;
        this.#room = null;
        if (endedByServer) {
          // The round is over (`video:closed` follows); nothing to retry.
          this.#status = 'idle';
          return;
        }
        this.#status = 'disconnected';
        this.#scheduleRetry(generation);
      },
    };
  }

  #scheduleRetry(generation: number): void {
    const delay = RETRY_DELAYS_MS[this.#retries];
    const connection = this.#connection;
    const round = this.#round;
    if (delay === undefined || !connection || round === null) return;
    this.#retries++;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (generation === this.#generation) void this.join(connection, round, { standby: this.#standby });
    }, delay);
  }

  /** Rebuilds what the screen shows from the transport: cheap, and never out of step with it. */
  #refresh(): void {
    const room = this.#room;
    if (!room) return;
    const view = room.view();
    this.#remotes = view.remotes;
    this.#localVideo = view.localVideo;
    this.#localScreen = view.localScreen;
    this.#screenShareUnsupported = room.screenShareUnsupported;
    this.#quality = view.quality;
    this.#notePresence(view.remotes);
  }

  /** Who came and who went since the last look: someone gone after being here is reconnecting, then left. */
  #notePresence(remotes: readonly RemoteView[]): void {
    const here = new Set(remotes.map((r) => r.identity));
    const away = new Map(this.#away);
    for (const identity of here) {
      this.#seen.add(identity);
      away.delete(identity);
    }
    for (const identity of this.#seen) {
      if (here.has(identity) || away.has(identity)) continue;
      away.set(identity, localNow());
      this.#graceTimers.push(setTimeout(() => this.#graceTick++, RECONNECT_GRACE_MS + 50));
    }
    if (away.size !== this.#away.size || [...away].some(([id, since]) => this.#away.get(id) !== since)) this.#away = away;
  }

  #forgetPresence(): void {
    this.#seen.clear();
    if (this.#away.size > 0) this.#away = new Map();
    this.#graceTimers.forEach(clearTimeout);
    this.#graceTimers = [];
  }

  async #applyDevice(device: 'camera' | 'microphone', on: boolean): Promise<void> {
    const room = this.#room;
    if (!room || !this.#publish || !room.connected) return;
    try {
      await room.setDevice(device, on);
      if (on) this.#mediaError = '';
    } catch (error) {
      if (room !== this.#room) return;
      this.#mediaError = describeMediaError(error, device);
      if (device === 'camera') this.#cameraOn = false;
      else this.#micOn = false;
      this.#offByFailure[device] = true;
    }
    if (room === this.#room) this.#refresh();
  }
}
