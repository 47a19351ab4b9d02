/**
 * Calls with no media server: one RTCPeerConnection to each other person in the room, signalling
 * relayed by the app's server over this page's socket. Whoever enters the room offers to those
 * already there (so a reloaded page re-offers); later renegotiations follow the "perfect
 * negotiation" pattern, the politer side being the one whose identity sorts first.
 *
 * Once up, a connection does not need the socket: when the socket drops, the calls go on, and when
 * it is back the page takes its place in the room again (`resume`) and signalling carries on. The
 * server learns whom each page's calls reach (`video:links`), so it keeps someone whose socket
 * dropped in the call for as long as a partner still reaches them.
 */
import type { DirectSignal, IceServer, VideoConnection, VideoPeer, VideoSignalled } from '@constellation/shared/realtime/events';
import type { CallTransport, CallView, DeviceRequest, LocalMedia, MediaView, Quality, RemoteView, SignallingChannel, TransportContext } from './transport.ts';

/** A browser track wrapped for `<video>`/`<audio>` elements (what LiveKit's tracks do for their own). */
class StreamView implements MediaView, LocalMedia {
  readonly mediaStreamTrack: MediaStreamTrack;
  readonly #stream: MediaStream;

  constructor(track: MediaStreamTrack) {
    this.mediaStreamTrack = track;
    this.#stream = new MediaStream([track]);
  }

  get kind(): string {
    return this.mediaStreamTrack.kind;
  }

  attach(element: HTMLMediaElement): void {
    element.srcObject = this.#stream;
    element.play().catch(() => {}); // autoplay is allowed while the page captures camera or microphone
  }

  detach(element: HTMLMediaElement): void {
    if (element.srcObject === this.#stream) element.srcObject = null;
  }

  stop(): void {
    this.mediaStreamTrack.stop();
  }
}

interface Peer {
  identity: string;
  name: string;
  pc: RTCPeerConnection | null;
  polite: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  /** Signals are handled one after another: a candidate needs the description before it. */
  queue: Promise<void>;
  video: StreamView | null;
  audio: StreamView | null;
  /** Their shared screen's track, shown while they say they share (`screenOn`) and it is live. */
  screen: StreamView | null;
  screenOn: boolean;
  cameraOff: boolean;
  micMuted: boolean;
  flowing: boolean;
}

const QUALITY: Partial<Record<RTCPeerConnectionState, Quality>> = { connected: 'good', disconnected: 'poor', failed: 'lost' };

export function createDirectTransport({ listener, prefs, signalling }: TransportContext): CallTransport {
  if (!signalling) throw new Error('Direct calls need the live connection to the server');
  return new DirectTransport(signalling, listener, prefs);
}

class DirectTransport implements CallTransport {
  readonly #channel: SignallingChannel;
  readonly #listener: TransportContext['listener'];
  readonly #prefs: TransportContext['prefs'];
  readonly #peers = new Map<string, Peer>();
  #local: StreamView[] = [];
  #roomName = '';
  #token = '';
  #me = '';
  #iceServers: IceServer[] = [];
  #connected = false;
  #closed = false;
  #unsubscribe: () => void = () => {};
  #reconnecting = false;
  /** The socket dropped while calls were up: they go on, and the page rejoins when it is back. */
  #away = false;
  /** The identities last reported to the server as reached (`video:links`), sorted and joined. */
  #linksSent: string | null = null;
  /** Switched off by the person (a standby call's disabled tracks are not: they go live at the start). */
  #micMuted = false;
  /** `hold()`: nothing this browser publishes is sent to anyone until `release()`. */
  #held = false;
  /** Who is talking, from the received audio levels (sampled while connected). */
  #speaking = new Set<string>();
  #speakingTimer: ReturnType<typeof setInterval> | undefined;
  /**
   * The shared screen, sent on a transceiver of its own with its stream (the camera's has none, so
   * the other side tells them apart), added and stopped by renegotiating (perfect negotiation).
   */
  #screen: { view: StreamView; stream: MediaStream } | null = null;

  constructor(channel: SignallingChannel, listener: TransportContext['listener'], prefs: TransportContext['prefs']) {
    this.#channel = channel;
    this.#listener = listener;
    this.#prefs = prefs;
    this.#speakingTimer = setInterval(() => this.#sampleSpeaking(), 300);
  }

  /** Who is talking: the level of the audio each peer sends (RTP's own audio level, 0–1). */
  #sampleSpeaking(): void {
    if (!this.#connected) return;
    const speaking = new Set<string>();
    for (const peer of this.#peers.values()) {
      const receiver = peer.pc?.getReceivers().find((r) => r.track.kind === 'audio');
      const level = receiver?.getSynchronizationSources()[0]?.audioLevel ?? 0;
      if (level > 0.02 && !peer.micMuted) speaking.add(peer.identity);
    }
    if (speaking.size === this.#speaking.size && [...speaking].every((id) => this.#speaking.has(id))) return;
    this.#speaking = speaking;
    this.#listener.speaking([...speaking]);
  }

  get connected(): boolean {
    return this.#connected;
  }

  async openDevices(request: { audio: DeviceRequest; video: DeviceRequest }): Promise<LocalMedia[]> {
    const constraint = (r: DeviceRequest) => (typeof r === 'object' ? { deviceId: { exact: r.deviceId } } : r);
    const stream = await navigator.mediaDevices.getUserMedia({ audio: constraint(request.audio), video: constraint(request.video) });
    return stream.getTracks().map((track) => new StreamView(track));
  }

  async connect(connection: VideoConnection): Promise<void> {
    this.#roomName = connection.roomName;
    this.#token = connection.token;
    this.#iceServers = connection.iceServers ?? [];
    this.#unsubscribe = this.#channel.subscribe({
      peerJoined: ({ roomName, peer, resumed }) => {
        if (roomName !== this.#roomName || peer.identity === this.#me) return;
        const known = this.#peers.get(peer.identity);
        // Their socket is back, the call with them never stopped: tell them what they may have missed.
        if (resumed && known?.pc) return void this.#tell(known, this.#mediaState());
        // A page of someone already here (a reload): their new page offers afresh.
        this.#drop(peer.identity);
        this.#peers.set(peer.identity, this.#peer(peer.identity, peer.name));
        this.#listener.changed();
      },
      peerLeft: ({ roomName, identity }) => {
        if (roomName !== this.#roomName) return;
        this.#drop(identity);
        this.#listener.changed();
      },
      signalled: (signalled) => this.#onSignal(signalled),
      removed: ({ roomName }) => roomName === this.#roomName && this.#lost(true),
      offline: () => this.#offline(),
      online: () => void this.#resume(),
    });
    const ack = await this.#channel.join({ roomName: connection.roomName, token: connection.token });
    if ('error' in ack) {
      this.#unsubscribe();
      throw new Error(ack.error.message);
    }
    if (this.#closed) return;
    this.#me = ack.data.identity;
    this.#connected = true;
    this.#offerTo(ack.data.peers);
    this.#listener.changed();
  }

  async publish(tracks: LocalMedia[]): Promise<void> {
    for (const track of tracks as StreamView[]) {
      this.#local = [...this.#local.filter((t) => t.kind !== track.kind), track];
      for (const peer of this.#peers.values()) if (peer.pc) this.#send(peer, track);
    }
    this.#tellMedia();
    this.#listener.changed();
  }

  published(): LocalMedia[] {
    return this.#local;
  }

  duplicate(tracks: LocalMedia[]): LocalMedia[] {
    return tracks.map((track) => new StreamView(track.mediaStreamTrack.clone()));
  }

  async hold(): Promise<void> {
    this.#held = true;
  }

  async release(): Promise<void> {
    this.#held = false;
    for (const peer of this.#peers.values()) if (peer.pc) for (const track of this.#local) this.#send(peer, track);
  }

  async mute(track: LocalMedia): Promise<void> {
    await this.setDevice(track.kind === 'video' ? 'camera' : 'microphone', false);
  }

  async setDevice(device: 'camera' | 'microphone', on: boolean): Promise<void> {
    const kind = device === 'camera' ? 'video' : 'audio';
    const current = this.#local.find((t) => t.kind === kind && t.mediaStreamTrack.readyState === 'live');
    if (device === 'microphone') this.#micMuted = !on;
    if (on && current) current.mediaStreamTrack.enabled = true;
    else if (on) {
      const chosen = device === 'camera' ? this.#prefs.videoDeviceId : this.#prefs.audioDeviceId;
      const [track] = await this.openDevices({ audio: kind === 'audio' && (chosen ? { deviceId: chosen } : true), video: kind === 'video' && (chosen ? { deviceId: chosen } : true) });
      if (this.#closed) return void track?.stop();
      if (track) await this.publish([track]);
    } else if (current && kind === 'video') {
      // A camera that is off is released (its light goes out), as LiveKit does.
      this.#local = this.#local.filter((t) => t !== current);
      for (const peer of this.#peers.values()) this.#transceiverOf(peer, 'video')?.sender.replaceTrack(null).catch(() => {});
      current.stop();
    } else if (current) current.mediaStreamTrack.enabled = false;
    this.#tellMedia();
    this.#listener.changed();
  }

  readonly screenShareUnsupported = null;

  async setScreenShare(on: boolean): Promise<void> {
    if (on === (this.#screen !== null)) return;
    if (!on) return this.#stopScreen();
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const [track] = stream.getVideoTracks();
    if (!track) return;
    if (this.#closed) return void track.stop();
    this.#screen = { view: new StreamView(track), stream };
    // The browser's own "Stop sharing" ends the track.
    track.addEventListener('ended', () => this.#screen?.view.mediaStreamTrack === track && this.#stopScreen());
    for (const peer of this.#peers.values()) this.#sendScreen(peer);
    this.#tellMedia();
    this.#listener.changed();
  }

  view(): CallView {
    const remotes: RemoteView[] = [...this.#peers.values()].map((peer) => ({
      identity: peer.identity,
      name: peer.name,
      video: peer.video,
      audio: peer.audio,
      screen: peer.screenOn && peer.screen?.mediaStreamTrack.readyState === 'live' ? peer.screen : null,
      cameraOff: peer.cameraOff,
      micMuted: peer.micMuted,
      quality: (peer.pc && QUALITY[peer.pc.connectionState]) ?? 'unknown',
    }));
    const camera = this.#local.find((t) => t.kind === 'video' && t.mediaStreamTrack.readyState === 'live');
    const states = remotes.map((r) => r.quality);
    const quality: Quality = states.includes('good') ? 'good' : (states[0] ?? 'unknown');
    return { remotes, localVideo: camera ?? null, localScreen: this.#screen?.view ?? null, quality };
  }

  async startAudio(): Promise<boolean> {
    return true;
  }

  disconnect(stopTracks: boolean): void {
    if (this.#closed) return;
    const wasIn = this.#connected;
    this.#closed = true;
    clearInterval(this.#speakingTimer);
    this.#connected = false;
    this.#unsubscribe();
    for (const identity of [...this.#peers.keys()]) this.#drop(identity);
    if (wasIn) void this.#channel.leave({ roomName: this.#roomName }).catch(() => {});
    if (stopTracks) for (const track of this.#local) track.stop();
    // A shared screen never moves along to another room.
    this.#screen?.view.stop();
    this.#screen = null;
  }

  // ---------------------------------------------------------------------------

  /** The newcomer offers to everyone in the room it has no connection with. */
  #offerTo(peers: VideoPeer[]): void {
    for (const peer of peers) {
      const known = this.#peers.get(peer.identity) ?? this.#peer(peer.identity, peer.name);
      this.#peers.set(peer.identity, known);
      if (!known.pc) this.#open(known, { offer: true });
    }
  }

  /** The socket dropped. Calls that are up go on without it; with none up there is nothing to keep. */
  #offline(): void {
    if (this.#closed || !this.#connected) return;
    if (![...this.#peers.values()].some((peer) => peer.pc?.connectionState === 'connected')) return this.#lost(false);
    this.#away = true;
  }

  /**
   * The socket is back: the page takes its place in the room again. The server keeps the calls when
   * a partner still reached this page meanwhile; otherwise everyone was told it left, and it offers
   * afresh, as a newly opened page does.
   */
  async #resume(): Promise<void> {
    if (!this.#away || this.#closed) return;
    this.#away = false;
    const ack = await this.#channel.join({ roomName: this.#roomName, token: this.#token, resume: true });
    // Closed meanwhile, or the socket dropped again: its next return resumes.
    if (this.#closed || this.#away) return;
    // The room is closed, or the token no longer valid (the server restarted): the call is made anew.
    if ('error' in ack) return this.#lost(false);
    const inRoom = new Set(ack.data.peers.map((peer) => peer.identity));
    for (const identity of [...this.#peers.keys()]) if (!ack.data.resumed || !inRoom.has(identity)) this.#drop(identity);
    this.#offerTo(ack.data.peers);
    this.#linksSent = null;
    this.#reportLinks();
    this.#tellMedia();
    this.#listener.changed();
  }

  /** Tells the server whom this page's calls reach, when that changed. */
  #reportLinks(): void {
    if (this.#closed || !this.#connected || this.#away) return;
    const reached = [...this.#peers.values()].filter((peer) => peer.pc?.connectionState === 'connected').map((peer) => peer.identity).sort();
    const key = reached.join(' ');
    if (key === this.#linksSent) return;
    this.#linksSent = key;
    void this.#channel.links({ roomName: this.#roomName, connected: reached }).then(
      (ack) => {
        if ('error' in ack && this.#linksSent === key) this.#linksSent = null; // the next change or resume sends it again
      },
      () => {},
    );
  }

  #tell(peer: Peer, signal: DirectSignal): void {
    void this.#channel.signal({ roomName: this.#roomName, to: peer.identity, signal }).catch(() => {});
  }

  #peer(identity: string, name: string): Peer {
    return {
      identity,
      name,
      pc: null,
      polite: this.#me < identity,
      makingOffer: false,
      ignoreOffer: false,
      queue: Promise.resolve(),
      video: null,
      audio: null,
      screen: null,
      screenOn: false,
      cameraOff: false,
      micMuted: false,
      flowing: false,
    };
  }

  /** The connection to one peer. The offering side sets up both kinds of media (receiving only where it has nothing to send). */
  #open(peer: Peer, { offer }: { offer: boolean }): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceServers: this.#iceServers });
    peer.pc = pc;
    peer.polite = this.#me < peer.identity;
    const signal = (message: DirectSignal) => void this.#channel.signal({ roomName: this.#roomName, to: peer.identity, signal: message }).catch(() => {});
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        const description = pc.localDescription;
        if (description && (description.type === 'offer' || description.type === 'answer')) signal({ kind: 'description', type: description.type, sdp: description.sdp });
      } catch {
        // A collision the other side resolves; the next negotiation tries again.
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate?.candidate) signal({ kind: 'candidate', candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex, usernameFragment: candidate.usernameFragment });
    };
    pc.ontrack = ({ track, streams }) => {
      if (track.kind === 'video' && streams.length > 0) {
        // Only a shared screen comes with a stream.
        peer.screen = new StreamView(track);
        track.addEventListener('ended', () => this.#listener.changed());
      } else if (track.kind === 'video') peer.video = new StreamView(track);
      else peer.audio = new StreamView(track);
      this.#listener.changed();
    };
    pc.onconnectionstatechange = () => {
      if (this.#closed || this.#peers.get(peer.identity) !== peer) return;
      const state = pc.connectionState;
      if (state === 'connected' && !peer.flowing) {
        peer.flowing = true;
        void this.#channel.media({ roomName: this.#roomName, state: 'flowing' }).catch(() => {});
      }
      if (state === 'failed') pc.restartIce();
      this.#followReconnecting();
      this.#reportLinks();
      this.#listener.changed();
    };
    if (offer) {
      for (const kind of ['audio', 'video'] as const) {
        const track = this.#local.find((t) => t.kind === kind);
        pc.addTransceiver(track?.mediaStreamTrack ?? kind, { direction: track ? 'sendrecv' : 'recvonly' });
      }
      this.#sendScreen(peer);
    }
    // Who has what switched off, for the other side's screen.
    signal(this.#mediaState());
    return pc;
  }

  #transceiverOf(peer: Peer, kind: string): RTCRtpTransceiver | undefined {
    return peer.pc?.getTransceivers().find((t) => t.receiver.track.kind === kind && t.currentDirection !== 'stopped');
  }

  /** Sends a local track to a peer, on the transceiver of its kind (renegotiating only when that direction changes). */
  #send(peer: Peer, track: StreamView): void {
    if (this.#held) return;
    const transceiver = this.#transceiverOf(peer, track.kind);
    if (!transceiver) return void peer.pc?.addTransceiver(track.mediaStreamTrack, { direction: 'sendrecv' });
    if (transceiver.sender.track !== track.mediaStreamTrack) void transceiver.sender.replaceTrack(track.mediaStreamTrack).catch(() => {});
    if (transceiver.direction !== 'sendrecv') transceiver.direction = 'sendrecv';
  }

  #onSignal({ roomName, from, signal }: VideoSignalled): void {
    if (roomName !== this.#roomName || this.#closed) return;
    let peer = this.#peers.get(from);
    if (!peer) this.#peers.set(from, (peer = this.#peer(from, from)));
    const current = peer;
    current.queue = current.queue.then(() => this.#handle(current, signal)).catch(() => {});
  }

  async #handle(peer: Peer, signal: DirectSignal): Promise<void> {
    if (this.#closed || this.#peers.get(peer.identity) !== peer) return;
    if (signal.kind === 'media') {
      peer.cameraOff = signal.cameraOff;
      peer.micMuted = signal.micMuted;
      peer.screenOn = signal.screen === true;
      return this.#listener.changed();
    }
    const pc = peer.pc ?? this.#open(peer, { offer: false });
    if (signal.kind === 'candidate') {
      try {
        await pc.addIceCandidate({ candidate: signal.candidate, sdpMid: signal.sdpMid, sdpMLineIndex: signal.sdpMLineIndex, usernameFragment: signal.usernameFragment ?? null });
      } catch (error) {
        if (!peer.ignoreOffer) throw error;
      }
      return;
    }
    const collision = signal.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
    peer.ignoreOffer = !peer.polite && collision;
    if (peer.ignoreOffer) return;
    await pc.setRemoteDescription({ type: signal.type, sdp: signal.sdp });
    if (signal.type !== 'offer') return;
    // An offer may bring new transceivers: this side's camera and microphone go on them (idempotent).
    for (const track of this.#local) this.#send(peer, track);
    await pc.setLocalDescription();
    // A screen shared before this connection existed: added now, offered in a renegotiation of its own once this answer is out.
    if (this.#screen && !this.#screenSender(peer)) queueMicrotask(() => this.#sendScreen(peer));
    const answer = pc.localDescription;
    if (answer) void this.#channel.signal({ roomName: this.#roomName, to: peer.identity, signal: { kind: 'description', type: 'answer', sdp: answer.sdp } }).catch(() => {});
  }

  #mediaState(): DirectSignal {
    const live = (kind: string) => this.#local.some((t) => t.kind === kind && t.mediaStreamTrack.readyState === 'live');
    return { kind: 'media', cameraOff: !live('video'), micMuted: this.#micMuted || !live('audio'), screen: this.#screen !== null };
  }

  /** The transceiver sending this side's shared screen to a peer, if any. */
  #screenSender(peer: Peer): RTCRtpTransceiver | undefined {
    const track = this.#screen?.view.mediaStreamTrack;
    return track ? peer.pc?.getTransceivers().find((t) => t.sender.track === track && t.currentDirection !== 'stopped') : undefined;
  }

  /** Sends the shared screen to a peer on a transceiver of its own, with its stream (which marks it as the screen). */
  #sendScreen(peer: Peer): void {
    const screen = this.#screen;
    if (!screen || !peer.pc || this.#screenSender(peer)) return;
    peer.pc.addTransceiver(screen.view.mediaStreamTrack, { direction: 'sendonly', streams: [screen.stream] });
  }

  #stopScreen(): void {
    const screen = this.#screen;
    if (!screen) return;
    // Stopping the transceivers renegotiates; the other side's track ends and the media signal says so at once.
    for (const peer of this.#peers.values()) {
      const transceiver = peer.pc?.getTransceivers().find((t) => t.sender.track === screen.view.mediaStreamTrack);
      try {
        transceiver?.stop();
      } catch {
        // The connection is closing anyway.
      }
    }
    this.#screen = null;
    screen.view.stop();
    this.#tellMedia();
    this.#listener.changed();
  }

  #tellMedia(): void {
    const state = this.#mediaState();
    for (const peer of this.#peers.values()) if (peer.pc) this.#tell(peer, state);
  }

  /** Every connection interrupted at once: the call shows it is reconnecting until one is back. */
  #followReconnecting(): void {
    const states = [...this.#peers.values()].flatMap((p) => (p.pc ? [p.pc.connectionState] : []));
    const down = states.length > 0 && states.every((s) => s === 'disconnected' || s === 'failed');
    if (down && !this.#reconnecting) this.#listener.reconnecting();
    if (!down && this.#reconnecting && states.includes('connected')) this.#listener.reconnected();
    this.#reconnecting = down || (this.#reconnecting && !states.includes('connected'));
  }

  #drop(identity: string): void {
    const peer = this.#peers.get(identity);
    if (!peer) return;
    this.#peers.delete(identity);
    peer.pc?.close();
    if (peer.pc) this.#reportLinks();
  }

  /** The room is gone for this page (taken out, or the socket dropped): as LiveKit does, its camera and microphone stop. */
  #lost(endedByServer: boolean): void {
    if (this.#closed) return;
    clearInterval(this.#speakingTimer);
    this.#connected = false;
    for (const identity of [...this.#peers.keys()]) this.#drop(identity);
    this.#unsubscribe();
    this.#closed = true;
    for (const track of this.#local) track.stop();
    this.#listener.disconnected(endedByServer);
  }
}
