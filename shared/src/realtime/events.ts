/**
 * The typed Socket.IO contract between the server and every client.
 *
 * - Client-to-server commands are named `domain:verb` and always take an
 *   acknowledgement of the form `{ data } | { error }`.
 * - Server broadcasts are named in the past tense and carry state, not ticks:
 *   a phase carries its absolute `endsAt`; clients count down with their
 *   estimated offset to the server clock (`time:sync`, `clock/sync.ts`).
 * - Every socket that connects, or reconnects without recovered state,
 *   receives one `event:snapshot`.
 *
 * Usage: `new Server<ClientToServerEvents, ServerToClientEvents,
 * InterServerEvents, SocketData>()` and `io() as Socket<ServerToClientEvents,
 * ClientToServerEvents>`.
 */
import { Type, type Static } from 'typebox';
import type { MyMatch } from '../schemas/ratings.ts';
import type { ClockState } from '../clock/state.ts';
import type { DiscussionPrompt } from '../clock/prompts.ts';
import type { Role } from '../schemas/participants.ts';

// ---------------------------------------------------------------------------
// Acknowledgements

export interface AckError {
  /** Stable, machine-readable: e.g. `invalid-payload`, `forbidden`, `not-in-round`. */
  code: string;
  /** For people: says exactly what was wrong. */
  message: string;
}

export type Ack<T> = { data: T } | { error: AckError };
export type AckCallback<T> = (response: Ack<T>) => void;

// ---------------------------------------------------------------------------
// Command payloads (validated on the server; invalid input is answered, never broadcast)

export const ClockExtendPayload = Type.Object(
  { seconds: Type.Integer({ minimum: 1, maximum: 1800 }) },
  { additionalProperties: false },
);
export type ClockExtendPayload = Static<typeof ClockExtendPayload>;

export const AnnouncementSendPayload = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);
export type AnnouncementSendPayload = Static<typeof AnnouncementSendPayload>;

export const TimeSyncPayload = Type.Object(
  {
    /** The client's local time when it sent the request, echoed back to match the reply. */
    t0: Type.Number(),
  },
  { additionalProperties: false },
);
export type TimeSyncPayload = Static<typeof TimeSyncPayload>;

export const VideoObservePayload = Type.Object(
  {
    /** A room of the organizer's own event, in the round running now (as in `video:opened`). */
    roomName: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type VideoObservePayload = Static<typeof VideoObservePayload>;

// Direct video (no media server): the browsers of one table talk WebRTC to each other, and the
// server relays their signalling, only between people holding a token for the same room.

const RoomNameField = Type.String({ minLength: 1, maxLength: 200 });
const IdentityField = Type.String({ minLength: 1, maxLength: 100 });

export const VideoJoinPayload = Type.Object(
  {
    /** The room of a `VideoConnection` whose `serverUrl` is `direct:`, and its token. */
    roomName: RoomNameField,
    token: Type.String({ minLength: 1, maxLength: 2000 }),
    /**
     * The page is back after its socket dropped, still holding its calls: it takes its place in the
     * room again without anyone being told it left or came (when the server still counts it in).
     */
    resume: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type VideoJoinPayload = Static<typeof VideoJoinPayload>;

export const VideoLeavePayload = Type.Object({ roomName: RoomNameField }, { additionalProperties: false });
export type VideoLeavePayload = Static<typeof VideoLeavePayload>;

/** One WebRTC signalling message: a session description, an ICE candidate, or what the sender has switched off. */
export const DirectSignal = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('description'),
      type: Type.Union([Type.Literal('offer'), Type.Literal('answer')]),
      sdp: Type.String({ minLength: 1, maxLength: 100_000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('candidate'),
      /** Empty: the end of the sender's candidates. */
      candidate: Type.String({ maxLength: 2000 }),
      sdpMid: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
      sdpMLineIndex: Type.Union([Type.Integer({ minimum: 0, maximum: 64 }), Type.Null()]),
      usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('media'),
      cameraOff: Type.Boolean(),
      micMuted: Type.Boolean(),
      /** The sender shares a screen: their video track that comes with a stream is it (the camera's has none). */
      screen: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
]);
export type DirectSignal = Static<typeof DirectSignal>;

export const VideoSignalPayload = Type.Object(
  { roomName: RoomNameField, to: IdentityField, signal: DirectSignal },
  { additionalProperties: false },
);
export type VideoSignalPayload = Static<typeof VideoSignalPayload>;

export const VideoMediaPayload = Type.Object(
  {
    roomName: RoomNameField,
    /** `flowing`: the call's media reached a partner (recorded as `published`, as LiveKit's `track_published`). */
    state: Type.Literal('flowing'),
  },
  { additionalProperties: false },
);
export type VideoMediaPayload = Static<typeof VideoMediaPayload>;

/** Text chat between the people seated at one table in the round running now. */
export const CHAT_TEXT_MAX = 1000;
export const ChatSendPayload = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: CHAT_TEXT_MAX }) },
  { additionalProperties: false },
);
export type ChatSendPayload = Static<typeof ChatSendPayload>;

/**
 * Whom this page's calls reach now (their WebRTC connection is up), sent whenever that changes: the
 * server counts someone whose socket dropped as still in the call for as long as a partner reaches them.
 */
export const VideoLinksPayload = Type.Object(
  { roomName: RoomNameField, connected: Type.Array(IdentityField, { maxItems: 32 }) },
  { additionalProperties: false },
);
export type VideoLinksPayload = Static<typeof VideoLinksPayload>;

export interface TimeSyncReply {
  t0: number;
  /** Server epoch ms when the request was handled. */
  serverTime: number;
}

// ---------------------------------------------------------------------------
// What is broadcast

export interface Announcement {
  id: string;
  text: string;
  /** Server epoch ms. */
  sentAt: number;
}

/** What caused a `clock:changed`, for the live region ("Round 3 extended by 2 minutes"). */
export type ClockChangeCause =
  | { kind: 'started' }
  | { kind: 'paused' }
  | { kind: 'resumed' }
  | { kind: 'extended'; seconds: number }
  | { kind: 'round-ended' }
  | { kind: 'event-ended' }
  /** A phase ran out on its own. */
  | { kind: 'elapsed' };

export interface ClockChanged {
  clock: ClockState;
  cause: ClockChangeCause;
}

export interface ClockWarned {
  round: number;
  /** Absolute end of the round the warning is about. */
  endsAt: number;
}

export interface SnapshotPartner {
  participantId: string;
  name: string;
  role: Role;
  /** What they have in common, for people: "both in fintech". */
  reasons: string[];
  /** Another mentee at the same table (a mentoring circle, or a shared table): met with the mentor, not rated or ranked. */
  circlePeer?: true;
  /** The other mentor of a co-hosted circle, as a mentor sees them: hosts with them, not rated or ranked. */
  coHost?: true;
}

/** One round of a participant's own plan. */
export interface ItineraryEntry {
  round: number;
  partners: SnapshotPartner[];
  sittingOut: boolean;
  /** Why, when sitting out: "more mentees than tables this round". */
  sitOutReason: string | null;
  prompt: DiscussionPrompt;
}

/** Organizers only: who is connected right now. */
export interface PresenceChanged {
  participantId: string;
  online: boolean;
}

/** How a browser reaches another: STUN and TURN servers, as `RTCIceServer`. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * A connection to exactly one room, minted by the server. `serverUrl` is the LiveKit server, or
 * `direct:` for direct browser-to-browser WebRTC with signalling over this socket (`video:join`).
 */
export interface VideoConnection {
  serverUrl: string;
  roomName: string;
  token: string;
  /** Direct calls: the STUN/TURN servers to use (none on one machine or a LAN). */
  iceServers?: IceServer[];
}

/** The `serverUrl` of a direct call. */
export const DIRECT_VIDEO_URL = 'direct:';

/** Which way calls travel: through a LiveKit server, or directly between the browsers. */
export type VideoMode = 'livekit' | 'direct';

/** Someone else in a direct room. */
export interface VideoPeer {
  identity: string;
  name: string;
}

/** `video:join`'s answer: who is in the room already (they are told of the newcomer). */
export interface VideoJoined {
  roomName: string;
  /** Who you are in the room (the other side's polite/impolite role in WebRTC negotiation follows from it). */
  identity: string;
  peers: VideoPeer[];
  /** A `resume` the server accepted: the page's calls go on as they are (else it offers afresh to everyone). */
  resumed?: boolean;
}

export interface VideoPeerJoined {
  roomName: string;
  peer: VideoPeer;
  /** Back on the same page after its socket dropped, its call with you still up: keep it (signalling resumes). */
  resumed?: boolean;
}

export interface VideoPeerLeft {
  roomName: string;
  identity: string;
}

/** A signalling message relayed from a partner in the same direct room. */
export interface VideoSignalled {
  roomName: string;
  from: string;
  signal: DirectSignal;
}

/** The server took this socket out of a direct room (the round ended, a re-plan, the same person joined elsewhere). */
export interface VideoRemoved {
  roomName: string;
}

/**
 * A participant's room for a round, sent to each participant when the round starts. `null`
 * when they sit the round out: the screen says so instead of showing an empty call.
 */
export interface VideoAssigned {
  round: number;
  /** Null when sitting out, or when the video room could not be made (then `unavailable` says so). */
  connection: VideoConnection | null;
  unavailable?: string;
  /**
   * The room was made again after the video server lost it (a restart): a call still trying to
   * resume its old session there never will, and joins afresh at once.
   */
  remade?: boolean;
}

/**
 * The participant's room for the next round, sent while the current round ends, during a
 * transition or break, or in the lobby once the first round's rooms exist. The client joins it on
 * standby: connected and publishing, but with camera and microphone disabled (black frames and
 * silence), so when the round starts the call goes live within a frame instead of a full join.
 */
export interface VideoUpcoming {
  round: number;
  connection: VideoConnection;
}

/**
 * A room made for a likely rescue, a few seconds before the no-show point of the round running now:
 * the two people whose partners have not come yet join it unseen (each keeps their media to
 * themselves: nobody may subscribe), so if the rescue happens (`seat:changed` naming this room)
 * they only have to let each other see them. `connection: null`: the rescue did not happen, or
 * not with this room; leave it.
 */
export interface VideoSpare {
  round: number;
  connection: VideoConnection | null;
}

/** The round's rooms were closed (everyone in them was disconnected): leave the call. */
export interface VideoClosed {
  round: number;
}

/** One table's room, for the organizer's run screen and `video:observe`. */
export interface VideoRoomInfo {
  roomName: string;
  mentorId: string;
  /** A co-hosted circle's second mentor. */
  coMentorId?: string;
  /** Everyone seated at the table: the mentor, the co-host if any, then the mentee(s). */
  participantIds: string[];
  /** Seated participants in the room now, as LiveKit's webhooks report it (observers are not counted). */
  present: string[];
}

/** Organizers: the rooms of the round that just started (`video:opened`), or of the round running now (`video:rooms`). */
export interface VideoRooms {
  /** How calls travel: `direct` has no media server, so nobody can watch a table. */
  mode: VideoMode;
  /** The round running now; null (and no rooms) outside a round. */
  round: number | null;
  rooms: VideoRoomInfo[];
  /** The round's no-shows who have not come since (a run screen opened after they were flagged sees them too). */
  noShows?: VideoNoShow[];
}

/** Organizers: someone joined or left a table's room (from LiveKit's signed webhooks). */
export interface VideoPresence {
  round: number;
  roomName: string;
  participantId: string;
  joined: boolean;
}

/** Organizers: a seated participant had not joined their room a while after the round started. */
export interface VideoNoShow {
  round: number;
  participantId: string;
  roomName: string;
}

/**
 * A recorded no-show, as `GET /api/events/:eventId/no-shows` lists it (the HTTP schema lives here,
 * next to `video:no-show`, so both sides share one definition).
 */
export const NoShowRecord = Type.Object({
  round: Type.Integer({ minimum: 1 }),
  participantId: Type.String({ format: 'uuid' }),
  roomName: Type.String(),
  flaggedAt: Type.String({ format: 'date-time' }),
  /** When they joined their room after all, in that round; null if they never did. */
  arrivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** True while they count as absent for re-planning: flagged, and not seen in any room since. */
  absent: Type.Boolean(),
});
export type NoShowRecord = Static<typeof NoShowRecord>;
export const NoShowList = Type.Object({ noShows: Type.Array(NoShowRecord) });
export type NoShowList = Static<typeof NoShowList>;

/** To the partner left waiting: their partner has not joined, with a message for the screen. */
export interface PartnerNoShow {
  round: number;
  partnerId: string;
  message: string;
}

/**
 * To a participant whose seat changed during a round: a live rescue (their partner did not come and
 * someone else who was waiting did), the organizer's move, or a late arrival offered a seat. The
 * new room comes with it (`connection`, null when there is no one to meet right now).
 */
export interface SeatChanged {
  round: number;
  /** In words: "Hannah couldn't make it; you are now meeting Kwame, who wants …". */
  message: string;
  partners: SnapshotPartner[];
  connection: VideoConnection | null;
}

/** Organizers: a live change of seats in the round running now. */
export interface SeatingChanged {
  round: number;
  kind: 'rescue' | 'move';
  pairs: { mentorId: string; menteeId: string; roomName: string }[];
  /** Who was left without a seat by the change (their partner was re-paired), e.g. the no-shows. */
  unseated: string[];
}

/**
 * One message of a table's chat. Only the people seated together in the round running now see it,
 * and only for that round: the server keeps it in memory and drops it when the round ends.
 */
export interface ChatMessage {
  id: string;
  round: number;
  /** The meeting it belongs to (the table's video room): a rescue or move starts a new one. */
  seat: string;
  /** The sender's participant id. */
  from: string;
  name: string;
  text: string;
  /** Server epoch ms. */
  sentAt: number;
}

/** `chat:history`'s answer: the chat of the recipient's table in the round running now, oldest first. */
export interface ChatHistory {
  round: number;
  seat: string;
  messages: ChatMessage[];
}

export type Viewer =
  | { kind: 'organizer'; organizerId: string }
  | { kind: 'participant'; participantId: string; role: Role; name: string };

/**
 * Everything one recipient needs to render the live event from scratch. The
 * phase, round and absolute `endsAt` are in `clock`, the same object
 * `clock:changed` replaces, so the two can never disagree.
 */
export interface EventSnapshot {
  eventId: string;
  /** Server epoch ms when the snapshot was built: a coarse hint, not a sync sample. */
  serverTime: number;
  clock: ClockState;
  viewer: Viewer;
  /**
   * The round the partners and prompt belong to: the current round, or during
   * a transition or break the next one; null in the lobby before a plan exists,
   * after the event, and for organizers.
   */
  seatRound: number | null;
  /** The recipient's partner(s) in `seatRound`; two when a mentor hosts two mentees. */
  partners: SnapshotPartner[];
  /** True when the recipient sits out `seatRound`, so the screen can say so instead of showing an empty room. */
  sittingOut: boolean;
  prompt: DiscussionPrompt | null;
  /** Oldest first. */
  announcements: Announcement[];
  /** Why the recipient sits out `seatRound`, when they do. */
  sitOutReason: string | null;
  /**
   * Participants: their whole plan, so a client follows round changes from `clock:changed`
   * alone; a new snapshot arrives whenever the plan changes. Empty for organizers.
   */
  itinerary: ItineraryEntry[];
  /** Organizers: participant ids connected now; then `presence:changed`. Empty for participants. */
  online: string[];
  /** Present only while the recipient has a room to join. */
  video?: VideoConnection;
  /** Before a round (lobby, transition, break): the room to wait in on standby, once it exists. */
  videoNext?: VideoUpcoming;
}

// ---------------------------------------------------------------------------
// The contract

export interface ServerToClientEvents {
  'event:snapshot': (snapshot: EventSnapshot) => void;
  'clock:changed': (change: ClockChanged) => void;
  'clock:warned': (warning: ClockWarned) => void;
  'announcement:sent': (announcement: Announcement) => void;
  'presence:changed': (change: PresenceChanged) => void;
  // Video rounds. Each participant: their own room (or null) when a round starts; everyone: the round's rooms closed.
  'video:assigned': (assignment: VideoAssigned) => void;
  'video:upcoming': (upcoming: VideoUpcoming) => void;
  /** A room for a rescue that may come at the no-show point, to wait in unseen. */
  'video:spare': (spare: VideoSpare) => void;
  'video:closed': (closed: VideoClosed) => void;
  /** The partner waiting in an empty room. */
  'partner:no-show': (noShow: PartnerNoShow) => void;
  /** Your seat changed during the round: a rescue, a move, or a seat for a late arrival. */
  'seat:changed': (change: SeatChanged) => void;
  /** The organizer corrected attendance of one of your meetings: your rating or ranking list may change. */
  'attendance:changed': (change: { round: number }) => void;
  // Organizers only.
  'seating:changed': (change: SeatingChanged) => void;
  'video:opened': (rooms: VideoRooms) => void;
  'video:presence': (presence: VideoPresence) => void;
  'video:no-show': (noShow: VideoNoShow) => void;
  /** Organizers only: someone saved a rating, ranking or capacity (no content, just who). */
  'feedback:submitted': (change: { participantId: string }) => void;
  /** The organizer closed or reopened ratings and rankings. */
  'submissions:changed': (change: { open: boolean }) => void;
  /** Sent to each participant alone, with only their own match(es). */
  'match:confirmed': (match: MyMatch) => void;
  // Direct calls (no media server): signalling relayed between the people of one room.
  'video:peer-joined': (joined: VideoPeerJoined) => void;
  'video:peer-left': (left: VideoPeerLeft) => void;
  'video:signalled': (signalled: VideoSignalled) => void;
  'video:removed': (removed: VideoRemoved) => void;
  /** A chat message at the recipient's table (their own included, to every page they have open). */
  'chat:messaged': (message: ChatMessage) => void;
}

export interface ClientToServerEvents {
  // Organizer only; each acknowledges with the clock as it stands after the command.
  'clock:start': (ack: AckCallback<ClockState>) => void;
  'clock:pause': (ack: AckCallback<ClockState>) => void;
  'clock:resume': (ack: AckCallback<ClockState>) => void;
  'clock:extend': (payload: ClockExtendPayload, ack: AckCallback<ClockState>) => void;
  'clock:end-round': (ack: AckCallback<ClockState>) => void;
  'clock:end-event': (ack: AckCallback<ClockState>) => void;
  'announcement:send': (payload: AnnouncementSendPayload, ack: AckCallback<Announcement>) => void;
  // Anyone: one NTP-style sample for the client's offset estimate.
  'time:sync': (payload: TimeSyncPayload, ack: AckCallback<TimeSyncReply>) => void;
  // Organizer only: a hidden, watch-only connection to one room of their event in the round running now.
  'video:observe': (payload: VideoObservePayload, ack: AckCallback<VideoConnection>) => void;
  // Organizer only: the rooms of the round running now, with who is in them (after a reconnect).
  'video:rooms': (ack: AckCallback<VideoRooms>) => void;
  // Participants in direct mode: enter a room with its token, relay a signal to someone in it, leave it.
  'video:join': (payload: VideoJoinPayload, ack: AckCallback<VideoJoined>) => void;
  'video:signal': (payload: VideoSignalPayload, ack: AckCallback<{ delivered: true }>) => void;
  'video:media': (payload: VideoMediaPayload, ack: AckCallback<{ recorded: boolean }>) => void;
  'video:links': (payload: VideoLinksPayload, ack: AckCallback<{ recorded: true }>) => void;
  'video:leave': (payload: VideoLeavePayload, ack: AckCallback<{ left: boolean }>) => void;
  // Participants sitting the round running now out: a token for the event's lounge, a group room for whoever is free (LiveKit only).
  'lounge:join': (ack: AckCallback<VideoConnection>) => void;
  // Participants seated together in the round running now: a message to the table, and the table's chat so far.
  'chat:send': (payload: ChatSendPayload, ack: AckCallback<ChatMessage>) => void;
  'chat:history': (ack: AckCallback<ChatHistory>) => void;
}

/** Between server instances (Socket.IO adapter); none yet. */
export type InterServerEvents = Record<string, never>;

/** Set by the auth middleware when the socket connects. */
export interface SocketData {
  eventId: string;
  viewer: Viewer;
}

/** Socket.IO room names, so the gateway and tests agree. */
export const rooms = {
  event: (eventId: string) => `event:${eventId}`,
  organizers: (eventId: string) => `event:${eventId}:organizers`,
  participant: (participantId: string) => `participant:${participantId}`,
  /** Every socket opened with one session (by the SHA-256 of its token, hex): closed when the session ends. */
  session: (tokenHash: string) => `session:${tokenHash}`,
} as const;
