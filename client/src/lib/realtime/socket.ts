/**
 * The one place that owns the Socket.IO connection: it connects, forwards every server event into
 * a `LiveEvent`, keeps the estimate of the server clock fresh, and sends the organizer's commands.
 * Components never call `io()` themselves.
 */
import type { ClockState } from '@constellation/shared/clock/state';
import type {
  Ack,
  Announcement,
  ClientToServerEvents,
  ServerToClientEvents,
  VideoConnection,
} from '@constellation/shared/realtime/events';
import { io, type Socket } from 'socket.io-client';
import { localNow } from '../live/local-time.ts';
import type { LiveEvent } from '../state/live-event.svelte.ts';
import { myFeedback } from '../state/feedback.svelte.ts';
import { myMatch } from '../state/feedback-match.svelte.ts';
import type { CallChat } from '../state/call-chat.svelte.ts';
import type { VideoCall } from '../video/video-call.svelte.ts';
import { signallingOver } from '../video/signalling.ts';
import type { VideoRoomsState } from '../video/video-rooms.svelte.ts';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type TimedSocket = ReturnType<LiveSocket['timeout']>;

/** Samples per burst: the lowest round trip of a few is within a millisecond or two on a good network. */
const SYNC_SAMPLES = 6;
const SYNC_GAP_MS = 50;
/** A light resample now and then, so the estimate follows a local clock that drifts over a long event. */
const RESYNC_EVERY_MS = 5 * 60_000;
/** Hidden this long, the computer may have slept: forget the old samples rather than trust them. */
const LONG_HIDDEN_MS = 60_000;
const ACK_TIMEOUT_MS = 8_000;

export type ClockCommandName = 'clock:start' | 'clock:pause' | 'clock:resume' | 'clock:end-round' | 'clock:end-event';

export interface LiveConnection {
  /** An organizer clock command; resolves with the acknowledgement (or a local timeout/offline error). */
  clock(command: ClockCommandName): Promise<Ack<ClockState>>;
  extend(seconds: number): Promise<Ack<ClockState>>;
  announce(text: string): Promise<Ack<Announcement>>;
  /** Organizer: a hidden, watch-only connection to one room of the round running now. */
  observe(roomName: string): Promise<Ack<VideoConnection>>;
  close(): void;
}

export interface ConnectOptions {
  /** Connect as the organizer of this event; participants are identified by their session cookie alone. */
  organizerOf?: string;
  /** A participant's call: fed `video:assigned`, `video:closed`, `partner:no-show`, `seat:changed` and the snapshot's `video`. */
  video?: VideoCall;
  /** An organizer's view of the round's rooms: fed `video:opened`, `video:presence`, `video:no-show` and `seating:changed`. */
  videoRooms?: VideoRoomsState;
  /** A participant's table chat: fed `chat:messaged`, and asks for the chat so far after every snapshot and seat change. */
  chat?: CallChat;
}

let current: LiveConnection | null = null;

const failure = <T>(code: string, message: string): Ack<T> => ({ error: { code, message } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens the live connection for a screen (closing any previous one) and feeds `live` until `close()`. */
export function openLiveConnection(live: LiveEvent, options: ConnectOptions = {}): LiveConnection {
  current?.close();

  const socket: LiveSocket = io({
    path: '/socket.io',
    auth: options.organizerOf ? { eventId: options.organizerOf, as: 'organizer' } : {},
    // A WebSocket first: one connection, which any app node behind a load balancer can take; long-polling
    // only when a WebSocket cannot get through (deploy/haproxy.cfg pins its requests to one node).
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
  });
  let closed = false;
  let everConnected = false;
  let syncRun = 0;
  let hiddenSince: number | null = null;

  live.setStatus('connecting');

  /** A burst of `time:sync` samples; a newer burst (after a reconnect) supersedes an older one. */
  async function syncClock(samples = SYNC_SAMPLES): Promise<void> {
    const run = ++syncRun;
    for (let i = 0; i < samples; i++) {
      if (run !== syncRun || !socket.connected) return;
      const t0 = localNow();
      try {
        const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('time:sync', { t0 });
        const t1 = localNow();
        if (run === syncRun && 'data' in ack) live.addSyncSample({ t0, ts: ack.data.serverTime, t1 });
      } catch {
        return; // no answer in time: the next connect or resample tries again
      }
      if (i < samples - 1) await sleep(SYNC_GAP_MS);
    }
  }

  socket.on('connect', () => {
    live.setStatus('connected');
    // A reconnect may follow a sleep or a network change: start the estimate afresh.
    if (everConnected) live.resetSync();
    everConnected = true;
    void syncClock();
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;
    if (reason === 'io server disconnect') live.setStatus('refused', 'The server closed the connection: this event is no longer available.');
    else live.setStatus('reconnecting');
  });
  socket.on('connect_error', (error) => {
    if (closed) return;
    // The server refused the handshake (no session, not this organizer's event): retrying will not help.
    if (!socket.active) live.setStatus('refused', error.message.replace(/^\w+:\s*/, ''));
    else live.setStatus('reconnecting');
  });

  socket.on('event:snapshot', (snapshot) => live.applySnapshot(snapshot, localNow()));
  socket.on('clock:changed', (change) => live.applyClockChange(change));
  socket.on('clock:warned', (warning) => live.applyWarning(warning));
  socket.on('announcement:sent', (announcement) => live.addAnnouncement(announcement));
  socket.on('presence:changed', (change) => live.applyPresence(change));
  // Feedback and the final match arrive live too (the feedback page also polls, for when no socket is open).
  socket.on('submissions:changed', (change) => myFeedback.setSubmissionsOpen(change.open));
  socket.on('match:confirmed', (match) => myMatch.receive(match));
  // The organizer corrected attendance of one of this participant's meetings: who they can rate or rank changed.
  socket.on('attendance:changed', () => void myFeedback.refresh());
  // A participant's seat changed mid-round: the words for the screen and the live region (the call follows below).
  socket.on('seat:changed', (change) => live.applySeatChange(change));
  // Video rounds, into their own state. Listeners are added beside the ones above, which stay as they are.
  const { video, videoRooms, chat } = options;
  if (video) {
    // Direct calls (no media server) signal over this socket.
    video.useSignalling(signallingOver(socket));
    socket.on('event:snapshot', (snapshot) => video.applySnapshot(snapshot.video, snapshot.videoNext, snapshot.clock));
    socket.on('clock:changed', (change) => video.clockChanged(change.clock));
    socket.on('video:assigned', (assignment) => video.assign(assignment));
    socket.on('video:upcoming', (upcoming) => video.standBy(upcoming));
    socket.on('video:closed', (closed) => video.closeRound(closed.round));
    socket.on('partner:no-show', (noShow) => video.partnerNoShow(noShow));
    video.useLounge(() => ask((timed) => timed.emitWithAck('lounge:join')));
    socket.on('video:spare', (spare) => video.spare(spare));
    socket.on('seat:changed', (change) => video.seatChanged(change));
  }
  if (chat) {
    chat.useChannel({
      send: (text) => ask((timed) => timed.emitWithAck('chat:send', { text })),
      history: () => ask((timed) => timed.emitWithAck('chat:history')),
    });
    socket.on('event:snapshot', (snapshot) => chat.applySnapshot(snapshot.viewer.kind === 'participant' ? snapshot.viewer.participantId : null, snapshot.clock));
    socket.on('clock:changed', (change) => chat.clockChanged(change.clock));
    socket.on('chat:messaged', (message) => chat.receive(message));
    socket.on('seat:changed', () => void chat.load());
  }
  if (videoRooms) {
    socket.on('clock:changed', (change) => videoRooms.clockChanged(change.clock));
    socket.on('video:opened', (opened) => videoRooms.applyRooms(opened));
    socket.on('video:presence', (presence) => videoRooms.applyPresence(presence));
    socket.on('video:no-show', (noShow) => videoRooms.applyNoShow(noShow));
    // Before the `video:opened` that follows it, while the old tables still tell who was replaced.
    socket.on('seating:changed', (change) => videoRooms.applySeatingChange(change));
    // Presence may have changed while this screen was away: ask for the rooms as they are now.
    socket.on('event:snapshot', () => {
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('video:rooms')
        .then((ack) => 'data' in ack && videoRooms.applyRooms(ack.data))
        .catch(() => {}); // the next reconnect asks again
    });
  }

  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      hiddenSince = Date.now();
      return;
    }
    if (hiddenSince !== null && Math.abs(Date.now() - hiddenSince) > LONG_HIDDEN_MS) live.resetSync();
    hiddenSince = null;
    void syncClock();
  };
  document.addEventListener('visibilitychange', onVisibility);
  const resync = setInterval(() => void syncClock(3), RESYNC_EVERY_MS);

  async function ask<T>(send: (timed: TimedSocket) => Promise<Ack<T>>): Promise<Ack<T>> {
    if (!socket.connected) return failure('offline', 'Not connected to the server; reconnecting. Try again in a moment.');
    try {
      return await send(socket.timeout(ACK_TIMEOUT_MS));
    } catch {
      return failure('timeout', 'The server did not answer in time. Check the clock before trying again.');
    }
  }

  /** An accepted clock command shows at once on this screen; everyone else hears `clock:changed`. */
  function applied(ack: Ack<ClockState>): Ack<ClockState> {
    if ('data' in ack) live.applyClockState(ack.data);
    return ack;
  }

  const connection: LiveConnection = {
    clock: async (command) => applied(await ask((timed) => timed.emitWithAck(command))),
    extend: async (seconds) => applied(await ask((timed) => timed.emitWithAck('clock:extend', { seconds }))),
    announce: (text) => ask((timed) => timed.emitWithAck('announcement:send', { text })),
    observe: (roomName) => ask((timed) => timed.emitWithAck('video:observe', { roomName })),
    close() {
      if (closed) return;
      closed = true;
      syncRun++;
      clearInterval(resync);
      document.removeEventListener('visibilitychange', onVisibility);
      socket.removeAllListeners();
      socket.disconnect();
      video?.leave();
      video?.useLounge(null);
      chat?.useChannel(null);
      live.setStatus('closed');
      if (current === connection) current = null;
    },
  };
  current = connection;
  return connection;
}
