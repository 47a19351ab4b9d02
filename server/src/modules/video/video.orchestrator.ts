import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Socket } from 'socket.io';
import type { Plan } from '../schedule/core/index.ts';
import type { ClockActive, ClockState } from '@constellation/shared/clock/state';
import {
  VideoObservePayload,
  rooms,
  type Ack,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
  type EventSnapshot,
  type VideoConnection,
  type VideoRooms,
  type VideoUpcoming,
  type SeatingChanged,
  type SnapshotPartner,
} from '@constellation/shared/realtime/events';
import type { IoServer } from '../../plugins/socket-io.ts';
import type { ClockGateway } from '../clock/clock.gateway.ts';
import type { ClockService } from '../clock/clock.service.ts';
import { liveEventIds, loadClockSettings } from '../clock/clock.repository.ts';
import { seatRoundOf } from '@constellation/shared/clock/seat';
import { roundEndsAt, secondsUntil, strandedAt, tableOf, tablesOf, waitingPartners, type TableRoom } from './core/seating.ts';
import { parseRoomName } from './room-name.ts';
import { ackOf, fail, payloadChecker } from '../../plugins/socket-messages.ts';
import type { VideoProvider } from './video.provider.ts';
import { absentInRound, markArrived, presentInRound, recordNoShow, recordPresence, replaceSeats, showedUpInRound } from './video.repository.ts';
import type { AttendanceService } from '../attendance/attendance.service.ts';
import { inTransaction } from '../../plugins/db.ts';
import { findEventById } from '../events/events.repository.ts';
import { listConstraints, loadPlannerPeople, storeSeating } from '../schedule/schedule.repository.ts';
import { planRescue, rescueMessage, type RescuePair } from './core/rescue.ts';
import { reseat, type SeatMove } from './core/reseat.ts';
import { roomNameFor } from './room-name.ts';
import type { PresenceChange, VerifiedWebhook } from './webhook.ts';
import { OwnerUnavailableError, SoloCluster, startInTime, type CallContext, type Cluster } from '../../cluster/cluster.ts';

type PersonRow = Awaited<ReturnType<typeof loadPlannerPeople>>['mentors'][number];
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface VideoOrchestratorOptions {
  /**
   * A seated participant not in their room this long after the round started is flagged, and whoever
   * waits for them re-paired. Default: the event's setting, else the lesser of 60 s and a quarter round.
   */
  noShowAfterMs?: number;
  /** Added to every room's lifetime, so a room outlives its round's planned end. Default 120 s. */
  emptyTimeoutSec?: number;
  /** How often a running round's rooms are checked for, to make again those a LiveKit restart lost. Default 2 s. */
  watchRoomsMs?: number;
}

export interface VideoOrchestratorDeps {
  provider: VideoProvider;
  gateway: ClockGateway;
  clock: ClockService;
  io: IoServer;
  pool: pg.Pool;
  log: FastifyBaseLogger;
  /** What really happened at each seat: who already met (never re-paired), the event's no-show point. */
  attendance: AttendanceService;
  /** After a live change of seats: re-plan the remaining rounds from what really happened. */
  onSeatingChanged?: (eventId: string) => Promise<void>;
  options?: VideoOrchestratorOptions;
  /** With several app nodes: this orchestrator acts only for the events this node owns, and the others' requests reach it through the cluster. */
  cluster?: Cluster;
}

/** The organizer's hand: seat a waiting mentee with a mentor, or swap the mentees of two tables. */
export type SeatRequest = { kind: 'seat'; mentorId: string; menteeId: string } | { kind: 'swap'; menteeIds: [string, string] };

/** Room for the organizers' hidden observers on top of the seated participants. */
const OBSERVER_SLOTS = 2;
/** A token outlives its round by this much: joining late or rejoining after a drop still works. */
const TOKEN_SLACK_SEC = 5 * 60;
/** Rooms made in the lobby wait this long for the event to start (then they are made again at the start). */
const LOBBY_HOLD_SEC = 15 * 60;
/**
 * How long before the no-show point the likely rescue pairs join their rescue rooms unseen (at most
 * half the way to it): the slow part of a rescue, connecting to a new room, is then done before it.
 */
const RESCUE_LEAD_MS = 8_000;
const VIDEO_UNAVAILABLE = 'Video is unavailable for this round. The organizer has been told; talk by phone or chat if you can.';
const CO_HOSTED = 'A co-hosted circle keeps its people together for the round: nobody can be moved into or out of it (a rescue still seats anyone its hosts leave waiting)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface OpenRound {
  round: number;
  tables: TableRoom[];
  /** Rooms that exist on the video server: only these get tokens. */
  ready: Set<string>;
  noShowTimer: NodeJS.Timeout | null;
  noShowChecked: boolean;
  /** The no-show point, after the round's start. */
  noShowAfterMs: number;
  /** Rooms handed out ahead of the no-show point to the pairs a rescue would make then (`video:spare`). */
  spares: SpareRoom[];
  /** The round's lounge, once someone sitting out asked for it. */
  lounge: string | null;
}

/** A likely rescue pair's room, joined unseen before the no-show point. */
interface SpareRoom {
  mentorId: string;
  menteeId: string;
  /** The table id in the room's name: the seat keeps it if the rescue happens. */
  room: string;
  roomName: string;
}

interface PreparedRound {
  round: number;
  /** Every room made for the round so far, so stale ones (after a re-plan) can be closed when it starts. */
  names: Set<string>;
  /** The plan the standby tokens were handed out for: another one means people may sit elsewhere now. */
  plan: Plan | null;
  at: number;
}

interface EventVideo {
  /** Serializes this event's round changes, provisioning and no-show checks, in clock order. */
  queue: Promise<unknown>;
  open: OpenRound | null;
  /** The next round's rooms, made ahead of it; their participants wait in them on standby. */
  prepared: PreparedRound | null;
  /** A round whose rooms are queued to be made (at most one request queued at a time). */
  preparing: number | null;
  /** People who arrived after the no-show point, waiting for the one queued look for a seat. */
  arrivals: Set<string>;
}

const checkObserve = payloadChecker(VideoObservePayload);


/**
 * Runs the video side of the live event: follows the clock and, for every round, opens one LiveKit
 * room per table, made ahead of time during the gap before it (or in the lobby for the first
 * round). Each seated participant gets a token for their own next room as soon as it exists
 * (`video:upcoming`) and waits in it on standby, camera and microphone disabled, so the call goes
 * live the moment the round starts; `video:assigned` at the start covers everyone else. The round's
 * rooms close when it ends. LiveKit's webhooks feed presence; a partner still missing
 * `noShowAfterMs` after the start is flagged. Tokens come only from the server's own plan lookup:
 * nothing a participant sends names a room, and whoever a re-plan moved is removed from their old room.
 */
export class VideoOrchestrator {
  readonly #provider: VideoProvider;
  readonly #gateway: ClockGateway;
  readonly #clock: ClockService;
  readonly #io: IoServer;
  readonly #pool: pg.Pool;
  readonly #log: FastifyBaseLogger;
  readonly #noShowOverrideMs: number | null;
  readonly #emptyTimeoutSec: number;
  readonly #attendance: AttendanceService;
  readonly #onSeatingChanged: (eventId: string) => Promise<void>;
  readonly #cluster: Cluster;
  #roomSerial = 0;
  readonly #events = new Map<string, EventVideo>();
  readonly #watchdog: NodeJS.Timeout;
  #closed = false;

  constructor(deps: VideoOrchestratorDeps) {
    this.#provider = deps.provider;
    this.#gateway = deps.gateway;
    this.#clock = deps.clock;
    this.#io = deps.io;
    this.#pool = deps.pool;
    this.#log = deps.log;
    this.#noShowOverrideMs = deps.options?.noShowAfterMs ?? null;
    this.#attendance = deps.attendance;
    this.#onSeatingChanged = deps.onSeatingChanged ?? ((eventId) => deps.gateway.planChanged(eventId));
    this.#emptyTimeoutSec = deps.options?.emptyTimeoutSec ?? 120;

    this.#cluster = deps.cluster ?? new SoloCluster();
    deps.clock.listen({
      changed: (eventId, clock) => this.#enqueue(eventId, () => this.#follow(eventId, clock)),
      warned: () => {},
      ownerOnly: true,
    });
    // Whatever needs this event's rooms runs on its owner: here, or over the cluster.
    const cluster = this.#cluster;
    cluster.handle<{ viewer: SocketData['viewer']; clock: ClockState }, Pick<EventSnapshot, 'video' | 'videoNext'>>('video.connectionFor', (eventId, { viewer, clock }) =>
      this.connectionFor(eventId, viewer, clock),
    );
    cluster.handle<{ participantId: string; connected: boolean }, null>('video.arrived', (eventId, { participantId, connected }) => {
      if (!connected || this.#events.get(eventId)?.open?.noShowChecked) this.#arrivedSoon(eventId, participantId);
      return null;
    });
    cluster.handle<{ organizerId: string; roomName: string }, Ack<VideoConnection>>('video.observe', (eventId, { organizerId, roomName }) => this.#observe(eventId, organizerId, roomName));
    cluster.handle<{ participantId: string; name: string }, Ack<VideoConnection>>('video.lounge', (eventId, { participantId, name }) => this.#lounge(eventId, participantId, name));
    cluster.handle<null, VideoRooms>('video.rooms', (eventId) => this.#roomsNow(eventId));
    cluster.handle<SeatRequest, Ack<SeatingChanged>>('video.move', (eventId, request, context) => this.#moveHere(eventId, request, context));
    // A node that takes an event over adopts its round, like a restarted server; one that loses it lets go.
    cluster.onAcquired((eventId) => void this.#enqueue(eventId, () => this.#adopt(eventId)));
    cluster.onLost((eventId) => {
      const ev = this.#events.get(eventId);
      if (ev?.open?.noShowTimer) clearTimeout(ev.open.noShowTimer);
      this.#events.delete(eventId);
    });
    // (A finished event has no rooms: nothing to ask its owner, and no reason to take it over.)
    // With several nodes the snapshot waits at most 1.5 s for the owner (it may be changing hands): the
    // clock must reach a reconnecting page on time; the video follows from the owner's own notices.
    deps.gateway.videoFor = async (eventId, viewer, clock) =>
      clock.phase === 'finished' ? {} : cluster.call(eventId, 'video.connectionFor', { viewer, clock }, { timeoutMs: 1_500 });
    this.#watchdog = setInterval(() => this.#watchRooms(), deps.options?.watchRoomsMs ?? 2_000);
    this.#watchdog.unref();
    deps.io.on('connection', (socket) => this.#registerHandlers(socket));
  }

  /**
   * After a (re)start: adopts the round running now in every live event (its rooms are made again
   * if LiveKit lost them, and its no-show check is re-armed), and closes rooms of rounds that ended
   * while the server was down. Participants get their tokens from their reconnect snapshots.
   */
  async resume(): Promise<void> {
    // With several nodes, each event is adopted by the node that takes its lease (see the constructor).
    if (this.#cluster.clustered) return;
    const ids = await liveEventIds(this.#pool);
    await Promise.all(ids.map((eventId) => this.#enqueue(eventId, () => this.#adopt(eventId))));
  }

  /** Stops the timers and waits for work in progress; rooms stay open for the next start to adopt. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    for (const ev of this.#events.values()) if (ev.open?.noShowTimer) clearTimeout(ev.open.noShowTimer);
    await Promise.allSettled([...this.#events.values()].map((ev) => ev.queue));
  }

  /**
   * The snapshot's video part: while a round runs, a fresh token for the participant's own room;
   * before a round, the room to wait in on standby once it exists. Anyone's snapshot before a round
   * gets that round's rooms made if they are not yet (or were made for an older plan).
   */
  async connectionFor(eventId: string, viewer: SocketData['viewer'], clock: ClockState): Promise<Pick<EventSnapshot, 'video' | 'videoNext'>> {
    if (clock.phase === 'finished') return {};
    const { plan } = await this.#gateway.plan(eventId);
    const ev = this.#event(eventId);
    if (clock.phase === 'round') {
      if (viewer.kind === 'organizer') return {};
      const table = tableOf(tablesOf(eventId, plan, clock.round), viewer.participantId);
      if (!table) return {};
      const open = ev.open;
      if (open?.round === clock.round && !open.ready.has(table.roomName)) return {};
      return { video: await this.#connection(table.roomName, viewer.participantId, viewer.name, this.#tokenTtl(clock, clock.round)) };
    }
    const next = seatRoundOf(clock);
    if (next === null) return {};
    const prepared = ev.prepared?.round === next ? ev.prepared : null;
    const stale = !prepared || prepared.plan !== plan || (clock.phase === 'lobby' && Date.now() - prepared.at > (LOBBY_HOLD_SEC * 1000) / 2);
    if (stale) {
      this.#prepareSoon(eventId, next);
      return {};
    }
    if (viewer.kind === 'organizer') return {};
    const table = tableOf(tablesOf(eventId, plan, next), viewer.participantId);
    if (!table) return {};
    if (!prepared.names.has(table.roomName)) {
      // Their room could not be made (LiveKit was slow or away): try again; `video:upcoming` follows.
      this.#prepareSoon(eventId, next);
      return {};
    }
    const connection = await this.#connection(table.roomName, viewer.participantId, viewer.name, await this.#standbyTtl(eventId, clock, next));
    return { videoNext: { round: next, connection } };
  }

  /**
   * A verified webhook from LiveKit: records who joined or left which room and tells the organizers.
   * Throwing answers 500, and LiveKit retries; a retry of a recorded webhook changes nothing.
   */
  async presence(change: PresenceChange, webhook: VerifiedWebhook): Promise<void> {
    if (change.kind === 'room_finished' || change.hidden) return;
    const ref = parseRoomName(change.roomName);
    // Rooms this app did not name, and identities that are not participants (observers are hidden).
    if (!ref || !UUID.test(ref.eventId) || !UUID.test(change.identity)) return;
    const joined = change.kind === 'participant_joined';
    const kind = joined ? 'joined' : change.kind === 'participant_left' ? 'left' : 'published';
    let recorded: boolean;
    try {
      recorded = await recordPresence(this.#pool, {
        eventId: ref.eventId,
        participantId: change.identity,
        round: ref.round,
        roomName: change.roomName,
        kind,
        at: change.at,
        webhookId: webhook.id || `${webhook.event}:${change.roomName}:${change.identity}:${change.at.getTime()}`,
      });
    } catch (error) {
      // A participant removed from the event, or an event deleted: nothing to record, nothing to retry.
      if (isUnrecordable(error)) return void this.#log.warn({ room: change.roomName }, 'presence the schema refuses ignored');
      throw error;
    }
    if (!recorded || kind === 'published') return;
    // A no-show who comes after all may find their partner re-paired: they are offered a seat.
    if (joined && (await markArrived(this.#pool, ref.eventId, ref.round, change.identity, change.at))) this.#arrived(ref.eventId, change.identity, false);
    this.#io.to(rooms.organizers(ref.eventId)).emit('video:presence', {
      round: ref.round,
      roomName: change.roomName,
      participantId: change.identity,
      joined,
    });
  }

  // ---------------------------------------------------------------------------
  // Following the clock

  async #follow(eventId: string, clock: ClockState): Promise<void> {
    const ev = this.#event(eventId);
    if (ev.open && !(clock.phase === 'round' && clock.round === ev.open.round)) await this.#closeRound(eventId, ev);
    if (clock.phase === 'round') {
      if (!ev.open) await this.#openRound(eventId, ev, clock);
      this.#armNoShow(eventId, ev, clock);
      return;
    }
    if (clock.phase === 'finished') return void this.#events.delete(eventId);
    const next = seatRoundOf(clock);
    if (next !== null && clock.phase !== 'lobby') await this.#prepare(eventId, ev, next, clock);
  }

  async #openRound(eventId: string, ev: EventVideo, clock: ClockActive): Promise<void> {
    const round = clock.round;
    const { plan, people } = await this.#gateway.plan(eventId);
    const tables = tablesOf(eventId, plan, round);
    const now = this.#clock.now();
    const endsAt = roundEndsAt(clock, round, now) ?? now;
    const prepared = ev.prepared?.round === round ? ev.prepared : null;
    // People wait on standby in rooms made for the plan of that moment: after a re-plan, whoever sits elsewhere now leaves.
    const ready = await this.#provision(tables, secondsUntil(endsAt, now, this.#emptyTimeoutSec), { evict: prepared !== null && prepared.plan !== plan });
    // Rooms made ahead for tables a re-plan has since removed.
    if (prepared) {
      const planned = new Set(tables.map((t) => t.roomName));
      await this.#closeRooms([...prepared.names].filter((name) => !planned.has(name)));
    }
    ev.prepared = null;
    ev.open = { round, tables, ready, noShowTimer: null, noShowChecked: false, noShowAfterMs: await this.#noShowAfterMs(eventId), spares: [], lounge: null };

    const ttlSeconds = this.#tokenTtl(clock, round);
    const seated = new Set(tables.flatMap((t) => t.participantIds));
    await Promise.all(
      tables.flatMap((table) =>
        table.participantIds.map(async (participantId) => {
          const person = people.get(participantId);
          if (!person) return; // removed from the event since the round was planned
          if (!ready.has(table.roomName)) {
            // A token for a room that does not exist would only show a failing call.
            this.#io.to(rooms.participant(participantId)).emit('video:assigned', { round, connection: null, unavailable: VIDEO_UNAVAILABLE });
            return;
          }
          try {
            const connection = await this.#connection(table.roomName, participantId, person.name, ttlSeconds);
            this.#io.to(rooms.participant(participantId)).emit('video:assigned', { round, connection });
          } catch (error) {
            this.#log.error({ err: error, room: table.roomName }, 'minting a video token failed');
          }
        }),
      ),
    );
    // Sit-outs, and anyone added since the plan was made: a message instead of an empty call.
    for (const participantId of people.keys()) {
      if (!seated.has(participantId)) this.#io.to(rooms.participant(participantId)).emit('video:assigned', { round, connection: null });
    }
    this.#io.to(rooms.organizers(eventId)).emit('video:opened', await this.#roomsOf(eventId, round, tables));
  }

  /** A LiveKit restart loses every room: each running round is checked, one event at a time, in its queue. */
  #watchRooms(): void {
    for (const [eventId, ev] of this.#events) {
      const open = ev.open;
      if (open) void this.#enqueue(eventId, () => this.#restoreRooms(eventId, open));
    }
  }

  /**
   * Makes again the rooms of the running round that LiveKit no longer has, and hands their people
   * their room again (`video:assigned`), so calls come back by themselves. LiveKit still down: the
   * next check tries again. The no-show check already ignores rooms LiveKit lost.
   */
  async #restoreRooms(eventId: string, open: OpenRound): Promise<void> {
    if (this.#event(eventId).open !== open) return;
    let listed: Set<string>;
    try {
      listed = new Set((await this.#provider.listRooms(open.tables.map((t) => t.roomName))).map((room) => room.name));
    } catch {
      return;
    }
    const lost = open.tables.filter((t) => !listed.has(t.roomName));
    if (lost.length === 0) return;
    const clock = await this.#clock.state(eventId);
    if (clock?.phase !== 'round' || clock.round !== open.round) return;
    const now = this.#clock.now();
    const ready = await this.#provision(lost, secondsUntil(roundEndsAt(clock, open.round, now) ?? now, now, this.#emptyTimeoutSec));
    open.ready = new Set([...open.ready, ...ready]);
    this.#log.warn({ eventId, round: open.round, rooms: [...ready] }, 'video rooms lost by LiveKit were made again');
    const { people } = await this.#gateway.plan(eventId);
    const ttlSeconds = this.#tokenTtl(clock, open.round);
    for (const table of lost.filter((t) => ready.has(t.roomName))) {
      for (const participantId of table.participantIds) {
        const person = people.get(participantId);
        if (!person) continue;
        const connection = await this.#connection(table.roomName, participantId, person.name, ttlSeconds);
        this.#io.to(rooms.participant(participantId)).emit('video:assigned', { round: open.round, connection, remade: true });
      }
    }
  }

  async #closeRound(eventId: string, ev: EventVideo): Promise<void> {
    const open = ev.open!;
    ev.open = null;
    if (open.noShowTimer) clearTimeout(open.noShowTimer);
    await this.#closeRooms([...open.tables.map((t) => t.roomName), ...open.spares.map((s) => s.roomName), ...(open.lounge ? [open.lounge] : [])]);
    this.#io.to(rooms.event(eventId)).emit('video:closed', { round: open.round });
  }

  /**
   * Makes a round's rooms before it (during the gap, or in the lobby for the first round) and hands
   * each seated participant a token for theirs, to wait in on standby (`video:upcoming`).
   */
  async #prepare(eventId: string, ev: EventVideo, round: number, clock: ClockState): Promise<void> {
    const { plan, people } = await this.#gateway.plan(eventId);
    const tables = tablesOf(eventId, plan, round);
    if (tables.length === 0) return;
    const now = this.#clock.now();
    // Rooms and tokens last until the round ends; in the lobby nobody knows when that is, so the hold period and a round.
    const endsAt = roundEndsAt(clock, round, now);
    const lobbyHoldSec = endsAt === null ? await this.#lobbyHoldSec(eventId) : 0;
    const lifetimeSec = endsAt !== null ? secondsUntil(endsAt, now, this.#emptyTimeoutSec) : lobbyHoldSec + this.#emptyTimeoutSec;
    const ttlSeconds = endsAt !== null ? this.#tokenTtl(clock, round) : lobbyHoldSec + TOKEN_SLACK_SEC;
    const previous = ev.prepared?.round === round ? ev.prepared : null;
    const ready = await this.#provision(tables, lifetimeSec, { evict: previous !== null });
    ev.prepared = { round, names: new Set([...(previous?.names ?? []), ...ready]), plan, at: Date.now() };

    const results = await Promise.allSettled(
      tables
        .filter((table) => ready.has(table.roomName))
        .flatMap((table) =>
          table.participantIds.map(async (participantId) => {
            const person = people.get(participantId);
            if (!person) return;
            const upcoming: VideoUpcoming = { round, connection: await this.#connection(table.roomName, participantId, person.name, ttlSeconds) };
            this.#io.to(rooms.participant(participantId)).emit('video:upcoming', upcoming);
          }),
        ),
    );
    this.#logFailures(results, 'minting a standby video token failed');
  }

  /** Queues making `round`'s rooms ahead of it, once, if the clock still points at it by then. */
  #prepareSoon(eventId: string, round: number): void {
    const ev = this.#event(eventId);
    if (ev.preparing === round) return;
    ev.preparing = round;
    void this.#enqueue(eventId, async () => {
      ev.preparing = null;
      const clock = await this.#clock.state(eventId);
      if (clock && clock.phase !== 'round' && seatRoundOf(clock) === round) await this.#prepare(eventId, ev, round, clock);
    });
  }

  /**
   * Makes sure each table's room exists and will last `lifetimeSec` from now. A room that would
   * expire too soon, or is too small after a re-plan, is made again while nobody is in it.
   */
  async #provision(tables: TableRoom[], lifetimeSec: number, { evict = false } = {}): Promise<Set<string>> {
    const ready = new Set<string>();
    if (tables.length === 0) return ready;
    const names = tables.map((t) => t.roomName);
    const existing = new Map(
      (await this.#provider.listRooms(names).catch((error: unknown) => {
        this.#log.error({ err: error }, 'listing video rooms failed');
        return [];
      })).map((room) => [room.name, room]),
    );
    const mustLastUntil = Date.now() + (lifetimeSec - this.#emptyTimeoutSec) * 1000;
    const results = await Promise.allSettled(
      tables.map(async (table) => {
        const maxParticipants = table.participantIds.length + OBSERVER_SLOTS;
        const room = existing.get(table.roomName);
        if (room) {
          const expiresAt = room.createdAt.getTime() + room.emptyTimeoutSec * 1000;
          const fits = room.maxParticipants === 0 || room.maxParticipants >= maxParticipants;
          // (LiveKit counts a participant only once their media connects: ask it for the list.)
          if (evict) await this.#evictStrangers(table);
          if ((expiresAt >= mustLastUntil && fits) || room.numParticipants > 0) return void ready.add(table.roomName);
          await this.#provider.closeRoom(table.roomName);
        }
        await this.#provider.ensureRoom(table.roomName, { emptyTimeoutSec: lifetimeSec, maxParticipants });
        ready.add(table.roomName);
      }),
    );
    this.#logFailures(results, 'making a video room failed');
    return ready;
  }

  /** Removes from a table's room everyone the plan no longer seats there (hidden observers stay). */
  async #evictStrangers(table: TableRoom): Promise<void> {
    const inRoom = await this.#provider.listParticipants(table.roomName);
    const strangers = inRoom.filter((p) => !p.permission.hidden && !table.participantIds.includes(p.identity));
    await Promise.all(strangers.map((p) => this.#provider.removeParticipant(table.roomName, p.identity)));
  }

  async #closeRooms(names: string[]): Promise<void> {
    const results = await Promise.allSettled(names.map((name) => this.#provider.closeRoom(name)));
    this.#logFailures(results, 'closing a video room failed');
  }

  async #adopt(eventId: string): Promise<void> {
    const clock = await this.#clock.state(eventId);
    if (!clock || clock.phase === 'lobby') return;
    const ev = this.#event(eventId);
    const { plan } = await this.#gateway.plan(eventId);
    // Rooms of rounds that ended while this server was not watching.
    const lastEnded = clock.phase === 'round' ? clock.round - 1 : clock.round;
    const stale = Array.from({ length: Math.max(0, lastEnded) }, (_, i) => tablesOf(eventId, plan, i + 1)).flat().map((t) => t.roomName);
    if (stale.length > 0) {
      const left = await this.#provider.listRooms(stale).catch(() => []);
      await this.#closeRooms(left.map((room) => room.name));
    }
    if (clock.phase === 'round' && !ev.open) {
      const tables = tablesOf(eventId, plan, clock.round);
      const now = this.#clock.now();
      const ready = await this.#provision(tables, secondsUntil(roundEndsAt(clock, clock.round, now) ?? now, now, this.#emptyTimeoutSec));
      ev.open = { round: clock.round, tables, ready, noShowTimer: null, noShowChecked: false, noShowAfterMs: await this.#noShowAfterMs(eventId), spares: [], lounge: null };
      this.#armNoShow(eventId, ev, clock);
    } else if (clock.phase === 'transition' || clock.phase === 'break') {
      const next = seatRoundOf(clock);
      if (next !== null) await this.#prepare(eventId, ev, next, clock);
    }
  }

  // ---------------------------------------------------------------------------
  // No-shows

  #armNoShow(eventId: string, ev: EventVideo, clock: ClockActive): void {
    const open = ev.open;
    if (!open || open.noShowChecked || this.#closed) return;
    if (open.noShowTimer) clearTimeout(open.noShowTimer);
    open.noShowTimer = null;
    // A paused round is not waited on; resuming shifts its start and re-arms the check.
    if (clock.paused) return;
    const noShowAt = clock.startsAt + open.noShowAfterMs;
    // First (LiveKit only: a direct call connects in a moment) the likely rescue pairs' rooms, then the no-show point.
    const spareAt = noShowAt - Math.min(RESCUE_LEAD_MS, open.noShowAfterMs / 2);
    const spareDue = this.#provider.mode === 'livekit' && open.spares.length === 0 && this.#clock.now() < spareAt;
    const timer = setTimeout(
      () => {
        open.noShowTimer = null;
        if (spareDue) {
          this.#enqueue(eventId, () => this.#prepareRescue(eventId, open));
          this.#armNoShow(eventId, ev, clock);
        } else this.#enqueue(eventId, () => this.#checkNoShows(eventId, open));
      },
      Math.max(0, (spareDue ? spareAt : noShowAt) - this.#clock.now()),
    );
    open.noShowTimer = timer;
    timer.unref?.();
  }

  async #checkNoShows(eventId: string, open: OpenRound): Promise<void> {
    const ev = this.#event(eventId);
    if (ev.open !== open || open.noShowChecked) return;
    const clock = await this.#clock.state(eventId);
    if (clock?.phase !== 'round' || clock.round !== open.round || clock.paused) return;
    if (this.#clock.now() < clock.startsAt + open.noShowAfterMs) return this.#armNoShow(eventId, ev, clock);
    open.noShowChecked = true;
    const round = open.round;

    await this.#flagNoShows(eventId, open, clock);
    // Whoever is left waiting is re-paired at once with someone else left waiting.
    await this.#rescue(eventId, open);
  }

  async #flagNoShows(eventId: string, open: OpenRound, clock: ClockActive): Promise<void> {
    const round = open.round;
    const joined = await showedUpInRound(this.#pool, eventId, round, new Date(clock.startsAt));
    const suspects = open.tables.filter((t) => t.participantIds.some((id) => !joined.has(id)));
    if (suspects.length === 0) return;
    // Only rooms that exist: when LiveKit lost a room, nobody could have joined it.
    let existing: Set<string>;
    try {
      existing = new Set((await this.#provider.listRooms(suspects.map((t) => t.roomName))).map((r) => r.name));
    } catch (error) {
      this.#log.error({ err: error }, 'no-show check skipped: LiveKit did not answer');
      return;
    }
    const { people } = await this.#gateway.plan(eventId);
    const at = new Date(this.#clock.now());
    // Webhooks can lag behind a join: LiveKit's own lists settle it, asked for every room at once (the rescue waits on them).
    const checked = suspects.filter((t) => existing.has(t.roomName));
    const lists = await Promise.allSettled(checked.map((t) => this.#provider.listParticipants(t.roomName)));
    for (const [k, table] of checked.entries()) {
      const list = lists[k]!;
      if (list.status === 'rejected') {
        this.#log.error({ err: list.reason, room: table.roomName }, 'no-show check of a room skipped');
        continue;
      }
      // Only those whose media flows: one stuck with signalling alone (a firewall, say) shows their partner nothing.
      const listed = new Set(list.value.filter((p) => !p.permission.hidden && p.state === 'active').map((p) => p.identity));
      const present = new Set(table.participantIds.filter((id) => joined.has(id) || listed.has(id)));
      for (const participantId of table.participantIds.filter((id) => !present.has(id))) {
        let flagged: boolean;
        try {
          flagged = await recordNoShow(this.#pool, { eventId, round, participantId, roomName: table.roomName, at });
        } catch (error) {
          if (!isUnrecordable(error)) throw error;
          continue; // removed from the event meanwhile
        }
        if (!flagged) continue;
        this.#io.to(rooms.organizers(eventId)).emit('video:no-show', { round, participantId, roomName: table.roomName });
        const name = people.get(participantId)?.name ?? 'Your partner';
        for (const partnerId of waitingPartners(table, participantId, present)) {
          // A circle (or a shared table) goes on with whoever came: only someone left alone is looked after.
          const stillWith = table.participantIds.filter((id) => id !== partnerId && present.has(id));
          const message =
            stillWith.length > 0
              ? `${name} has not joined. Your conversation goes on with ${stillWith.map((id) => people.get(id)?.name ?? 'the others').join(', ')}.`
              : `${name} has not joined the call yet. We are looking for someone else for you to meet right now.`;
          this.#io.to(rooms.participant(partnerId)).emit('partner:no-show', { round, partnerId: participantId, message });
        }
      }
    }
  }

  // ---------------------------------------------------------------------------
  // Organizer commands

  #registerHandlers(socket: IoSocket): void {
    const { eventId, viewer } = socket.data;
    const organizerId = viewer.kind === 'organizer' ? viewer.organizerId : null;
    // A participant whose page opens after the no-show point: a late arrival, offered a seat.
    if (viewer.kind === 'participant') this.#arrived(eventId, viewer.participantId, true);

    socket.on('video:observe', (payload, ack) => {
      const reply = ackOf<VideoConnection>(ack);
      if (!organizerId) return reply(fail('forbidden', 'Only the organizer can look into a room'));
      const problem = checkObserve(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      this.#cluster
        .call<Ack<VideoConnection>>(eventId, 'video.observe', { organizerId, roomName: payload.roomName })
        .then(reply)
        .catch((error: unknown) => {
          this.#log.error({ err: error }, 'video:observe failed');
          reply(fail('unavailable', 'No connection could be made; try again'));
        });
    });

    socket.on('lounge:join', (ack) => {
      const reply = ackOf<VideoConnection>(ack);
      if (viewer.kind !== 'participant') return reply(fail('forbidden', 'The lounge is for participants sitting a round out'));
      this.#cluster
        .call<Ack<VideoConnection>>(eventId, 'video.lounge', { participantId: viewer.participantId, name: viewer.name })
        .then(reply)
        .catch((error: unknown) => {
          this.#log.error({ err: error }, 'lounge:join failed');
          reply(fail('unavailable', 'The lounge could not be opened; try again'));
        });
    });

    socket.on('video:rooms', (ack) => {
      const reply = ackOf<VideoRooms>(ack);
      if (!organizerId) return reply(fail('forbidden', 'Only the organizer sees every room'));
      this.#cluster
        .call<VideoRooms>(eventId, 'video.rooms', null)
        .then((data) => reply({ data }))
        .catch((error: unknown) => {
          this.#log.error({ err: error }, 'video:rooms failed');
          reply(fail('unavailable', 'The rooms could not be listed; try again'));
        });
    });
  }

  async #observe(eventId: string, organizerId: string, roomName: string): Promise<Ack<VideoConnection>> {
    if (this.#provider.mode === 'direct') {
      return fail('livekit-required', 'Watching a table needs a LiveKit server: calls go directly between the browsers now, with nothing in between to watch through');
    }
    const ref = parseRoomName(roomName);
    if (!ref || ref.eventId !== eventId) return fail('not-found', `"${roomName}" is not a room of this event`);
    const clock = await this.#clock.state(eventId);
    if (clock?.phase !== 'round' || clock.round !== ref.round) {
      return fail('not-in-round', `Round ${ref.round} is not running: only the rooms of the round in progress can be observed`);
    }
    const { plan } = await this.#gateway.plan(eventId);
    if (!tablesOf(eventId, plan, ref.round).some((t) => t.roomName === roomName)) {
      return fail('not-found', `No table of round ${ref.round} has the room "${roomName}"`);
    }
    const token = await this.#provider.mintObserverToken({
      roomName,
      identity: `observer-${organizerId}`,
      name: 'Organizer',
      ttlSeconds: this.#tokenTtl(clock, ref.round),
    });
    return { data: { serverUrl: this.#provider.serverUrl, roomName, token } };
  }

  /**
   * The event's lounge in the round running now: one group room for everyone sitting it out (and
   * anyone without a seat), made when the first asks, closed with the round's rooms. A rescue or a
   * move takes someone from it to a table like from anywhere else.
   */
  async #lounge(eventId: string, participantId: string, name: string): Promise<Ack<VideoConnection>> {
    if (this.#provider.mode === 'direct') {
      return fail('livekit-required', 'The lounge needs a LiveKit server: calls go directly between two browsers now, and a lounge is a room for many');
    }
    const clock = await this.#clock.state(eventId);
    const open = this.#events.get(eventId)?.open;
    if (clock?.phase !== 'round' || !open || open.round !== clock.round) return fail('not-in-round', 'The lounge is open while a round runs');
    if (open.tables.some((t) => t.participantIds.includes(participantId))) {
      return fail('seated', 'You have a conversation this round: your call is your room');
    }
    const roomName = roomNameFor({ eventId, round: open.round, tableId: 'lounge' });
    if (open.lounge !== roomName) {
      const now = this.#clock.now();
      const lifetimeSec = secondsUntil(roundEndsAt(clock, open.round, now) ?? now, now, this.#emptyTimeoutSec);
      await this.#provider.ensureRoom(roomName, { emptyTimeoutSec: lifetimeSec, maxParticipants: 0 });
      open.lounge = roomName;
    }
    return { data: await this.#connection(roomName, participantId, name, this.#tokenTtl(clock, open.round)) };
  }

  async #roomsNow(eventId: string): Promise<VideoRooms> {
    const clock = await this.#clock.state(eventId);
    if (clock?.phase !== 'round') return { mode: this.#provider.mode, round: null, rooms: [] };
    const { plan } = await this.#gateway.plan(eventId);
    return this.#roomsOf(eventId, clock.round, tablesOf(eventId, plan, clock.round));
  }

  /** A round's rooms and who is in each now (people on standby joined before the round started). */
  async #roomsOf(eventId: string, round: number, tables: TableRoom[]): Promise<VideoRooms> {
    const [present, absent] = await Promise.all([presentInRound(this.#pool, eventId, round), absentInRound(this.#pool, eventId, round)]);
    return {
      mode: this.#provider.mode,
      round,
      noShows: tables.flatMap((t) => t.participantIds.filter((id) => absent.has(id)).map((participantId) => ({ round, participantId, roomName: t.roomName }))),
      rooms: tables.map((t) => ({
        roomName: t.roomName,
        mentorId: t.mentorId,
        ...(t.coMentorId ? { coMentorId: t.coMentorId } : {}),
        participantIds: t.participantIds,
        present: (present.get(t.roomName) ?? []).filter((id) => t.participantIds.includes(id)),
      })),
    };
  }

  // ---------------------------------------------------------------------------
  // Live rescue and the organizer's moves

  /** The event's no-show point: this server's override, else the event's setting or its default. */
  async #noShowAfterMs(eventId: string): Promise<number> {
    if (this.#noShowOverrideMs !== null) return this.#noShowOverrideMs;
    return (await this.#attendance.thresholds(eventId))?.noShowMs ?? 60_000;
  }

  /**
   * Someone arrived after the no-show point (their page opened, or a flagged no-show joined a room).
   * Arrivals are gathered and looked at together, once: a reconnect storm costs one look, and
   * someone already seated with a partner who is here costs none.
   */
  /**
   * Someone's page connected (`connected`), or a flagged no-show joined a room: the owner looks for
   * a seat for them if the round's no-show point has passed (see `#arrivedSoon`).
   */
  #arrived(eventId: string, participantId: string, connected: boolean): void {
    if (connected && !this.#cluster.clustered && !this.#events.get(eventId)?.open?.noShowChecked) return;
    void (async () => {
      // With several nodes, only a page that opens during a round is worth a call to the owner.
      if (connected && this.#cluster.clustered && (await this.#clock.state(eventId))?.phase !== 'round') return;
      await this.#cluster.call(eventId, 'video.arrived', { participantId, connected });
    })().catch((error: unknown) => this.#log.warn({ err: error, eventId }, 'a late arrival could not be handed to the event owner'));
  }

  #arrivedSoon(eventId: string, participantId: string): void {
    const ev = this.#event(eventId);
    const queued = ev.arrivals.size > 0;
    ev.arrivals.add(participantId);
    if (queued) return;
    void this.#enqueue(eventId, async () => {
      const arrivals = new Set(ev.arrivals);
      ev.arrivals.clear();
      const open = ev.open;
      if (!open?.noShowChecked) return;
      const at = new Date(this.#clock.now());
      const absent = await absentInRound(this.#pool, eventId, open.round);
      const { plan } = await this.#gateway.plan(eventId);
      const tables = tablesOf(eventId, plan, open.round);
      let arrived = false;
      for (const id of arrivals) {
        // Here after all: no longer absent for re-planning, and in the running for a seat now.
        if (absent.has(id)) arrived = (await markArrived(this.#pool, eventId, open.round, id, at)) || arrived;
        absent.delete(id);
      }
      const looking = [...arrivals].filter((id) => {
        const table = tableOf(tables, id);
        if (!table) return true;
        const partners = table.mentorIds.includes(id) ? table.menteeIds : table.mentorIds;
        return partners.every((p) => absent.has(p));
      });
      const changed = looking.length > 0 && (await this.#rescue(eventId, open, new Set(looking)));
      if (arrived && !changed) void this.#onSeatingChanged(eventId).catch((error: unknown) => this.#log.error({ err: error }, 're-planning after a late arrival failed'));
    });
  }

  /**
   * Pairs the people left waiting in the round running now: present mentors whose mentees are all
   * flagged absent, present mentees whose mentor is, and present people without a seat (sitting
   * out, or arrived late). Never a pair that already met, never a forbidden pair; the most pairs,
   * then the highest compatibility (`planRescue`). Each pair gets a fresh room and is told in words;
   * `arrivals` who stay without a partner are told when they will be seated. True when seats changed.
   */
  async #rescue(eventId: string, open: OpenRound, arrivals: ReadonlySet<string> = new Set()): Promise<boolean> {
    const ev = this.#event(eventId);
    if (ev.open !== open || this.#closed) return false;
    const clock = await this.#clock.state(eventId);
    if (clock?.phase !== 'round' || clock.round !== open.round) return false;
    const round = open.round;
    const found = await this.#strandedPairs(eventId, open, await absentInRound(this.#pool, eventId, round));
    const pairs = found?.pairs ?? [];
    // Rooms handed out ahead for pairs that did not come about: their people leave them.
    const spares = open.spares;
    open.spares = [];
    const unused = spares.filter((s) => !pairs.some((p) => p.mentorId === s.mentorId && p.menteeId === s.menteeId));
    if (unused.length > 0) void this.#dropSpares(eventId, round, unused);
    if (!found) return false;
    const { waitingFor, profiles, seated } = found;
    if (pairs.length > 0) {
      const name = (id: string) => profiles.get(id)?.name ?? '';
      await this.#reseat(eventId, open, clock, pairs, 'rescue', (pair, side) => {
        const partnerId = side === 'mentor' ? pair.menteeId : pair.mentorId;
        return rescueMessage({
          absentName: (waitingFor.get(side === 'mentor' ? pair.mentorId : pair.menteeId) ?? []).map(name),
          partner: { name: name(partnerId), role: side === 'mentor' ? 'mentee' : 'mentor' },
          reasons: pair.reasons,
        });
      }, spares);
    }
    const paired = new Set(pairs.flatMap((p) => [p.mentorId, p.menteeId]));
    const name = (id: string) => profiles.get(id)?.name ?? 'Your partner';
    // Left waiting, and nobody to meet instead: say so, and keep their room in case the partner comes.
    for (const [id, missing] of waitingFor) {
      if (paired.has(id) || arrivals.has(id)) continue;
      const message = `${missing.map(name).join(' and ')} ${missing.length > 1 ? 'have' : 'has'} not joined, and nobody else is free to meet right now. Stay here in case they come; the organizer knows, and you meet someone new next round.`;
      this.#io.to(rooms.participant(id)).emit('partner:no-show', { round, partnerId: missing[0]!, message });
    }
    for (const id of arrivals) {
      // Seated with someone who is here, or just paired: their call says the rest.
      if (paired.has(id) || (seated.has(id) && !waitingFor.has(id))) continue;
      const message = waitingFor.has(id)
        ? 'Welcome! Your partner has not come yet and nobody else is free right now. Stay here: you meet someone as soon as they are, and from the next round in any case.'
        : 'Welcome! Everyone is in a conversation right now and nobody is free to meet you this round. The organizer knows you are here: you will be seated from the next round.';
      this.#io.to(rooms.participant(id)).emit('seat:changed', { round, message, partners: [], connection: null });
    }
    return pairs.length > 0;
  }

  /**
   * Who is left waiting in the running round if `absent` stay away, and the rescue pairs among them:
   * present mentors whose mentees are all absent, present mentees whose mentor is, and present people
   * without a seat (sitting out, or arrived late). Never a pair that already met, never a forbidden
   * pair; the most pairs, then the highest compatibility (`planRescue`). Null without a plan.
   */
  async #strandedPairs(eventId: string, open: OpenRound, absent: ReadonlySet<string>) {
    const round = open.round;
    const { plan } = await this.#gateway.plan(eventId);
    if (!plan?.rounds[round - 1]) return null;
    const online = new Set(await this.#gateway.online(eventId));
    const { people, met, constraints, event } = await this.#pairingFacts(eventId);
    const here = (id: string) => online.has(id) && !absent.has(id);
    const tables = tablesOf(eventId, plan, round);
    const seated = new Set(tables.flatMap((t) => t.participantIds));
    const waitingFor = new Map<string, string[]>();
    for (const t of tables) {
      for (const { id, waitingFor: missing } of strandedAt(t, absent)) if (here(id)) waitingFor.set(id, missing);
    }
    const profiles = new Map([...people.mentors, ...people.mentees].map((p) => [p.id, p]));
    const stranded = (list: PersonRow[]) => list.filter((p) => waitingFor.has(p.id) || (!seated.has(p.id) && here(p.id)));
    const mentors = stranded(people.mentors);
    const mentees = stranded(people.mentees);
    const excluded = [...met, ...constraints.filter((c) => c.kind === 'forbid')];
    const { pairs } = mentors.length && mentees.length ? planRescue({ mentors, mentees, excluded, scoreOptions: { at: event?.scheduledStart } }) : { pairs: [] };
    return { pairs, waitingFor, profiles, seated };
  }

  /**
   * A few seconds before the no-show point: the pairs a rescue would make if everyone not in a room
   * yet stays away get their rescue room now, and join it unseen (`video:spare`). At the no-show
   * point the rescue that really happens uses these rooms, and the pairs it does not make leave them.
   */
  async #prepareRescue(eventId: string, open: OpenRound): Promise<void> {
    if (this.#event(eventId).open !== open || open.noShowChecked || open.spares.length > 0 || this.#closed) return;
    const clock = await this.#clock.state(eventId);
    if (clock?.phase !== 'round' || clock.round !== open.round || clock.paused) return;
    const round = open.round;
    const joined = await showedUpInRound(this.#pool, eventId, round, new Date(clock.startsAt));
    const notYet = new Set(open.tables.flatMap((t) => t.participantIds).filter((id) => !joined.has(id)));
    const absent = await absentInRound(this.#pool, eventId, round);
    // Only people in a room now: someone whose page is open but not yet in the call may still be on the way.
    const found = await this.#strandedPairs(eventId, open, new Set([...absent, ...notYet]));
    if (!found || found.pairs.length === 0) return;
    const now = this.#clock.now();
    const lifetimeSec = secondsUntil(roundEndsAt(clock, round, now) ?? now, now, this.#emptyTimeoutSec);
    const spares = found.pairs.map((p): SpareRoom => {
      const room = this.#rescueRoomId(p.mentorId, now);
      return { mentorId: p.mentorId, menteeId: p.menteeId, room, roomName: roomNameFor({ eventId, round, tableId: room }) };
    });
    const made = await Promise.allSettled(spares.map((s) => this.#provider.ensureRoom(s.roomName, { emptyTimeoutSec: lifetimeSec, maxParticipants: 2 + OBSERVER_SLOTS })));
    this.#logFailures(made, 'making a spare rescue room failed');
    open.spares = spares.filter((_, k) => made[k]!.status === 'fulfilled');
    const ttlSeconds = this.#tokenTtl(clock, round);
    const results = await Promise.allSettled(
      open.spares.flatMap((spare) =>
        [spare.mentorId, spare.menteeId].map(async (id) => {
          const connection = await this.#connection(spare.roomName, id, found.profiles.get(id)?.name ?? '', ttlSeconds);
          this.#io.to(rooms.participant(id)).emit('video:spare', { round, connection });
        }),
      ),
    );
    this.#logFailures(results, 'minting a spare rescue token failed');
  }

  /** Spare rooms no rescue used: their people are told to leave, and the rooms close. */
  async #dropSpares(eventId: string, round: number, spares: readonly SpareRoom[]): Promise<void> {
    for (const spare of spares) {
      for (const id of [spare.mentorId, spare.menteeId]) this.#io.to(rooms.participant(id)).emit('video:spare', { round, connection: null });
    }
    await this.#closeRooms(spares.map((s) => s.roomName));
  }

  /** What every live pairing (a rescue, a move) is decided on: profiles, who already met, forbids and pins, the event. */
  async #pairingFacts(eventId: string) {
    const [people, met, constraints, event] = await Promise.all([
      loadPlannerPeople(this.#pool, eventId),
      this.#attendance.heldMeetings(eventId),
      listConstraints(this.#pool, eventId),
      findEventById(this.#pool, eventId),
    ]);
    return { people, met, constraints, event };
  }

  #rescueRoomId(mentorId: string, now: number): string {
    return `${mentorId}-x${(now * 100 + (this.#roomSerial++ % 100)).toString(36)}`;
  }

  /**
   * The organizer moves people during the round running now: seats a mentee with a mentor (whose
   * partner is missing, say), or swaps the mentees of two tables. Same rules as a rescue: never a
   * pair that already met, never a forbidden pair; the same fresh rooms and messages.
   */
  move(eventId: string, request: SeatRequest): Promise<Ack<SeatingChanged>> {
    // Behind a round's opening for a big event it may wait its turn a while: it starts in time or not at all.
    return this.#cluster.call(eventId, 'video.move', request, { timeoutMs: 15_000 });
  }

  #moveHere(eventId: string, request: SeatRequest, context?: CallContext): Promise<Ack<SeatingChanged>> {
    return new Promise((resolve, reject) => {
      void this.#enqueue(eventId, async () => {
        try {
          startInTime(context, 'The move');
          resolve(await this.#move(eventId, request));
        } catch (error) {
          reject(error);
        }
      }).finally(() => reject(new OwnerUnavailableError('The move was not done: this node no longer runs the event')));
    });
  }

  async #move(eventId: string, request: SeatRequest): Promise<Ack<SeatingChanged>> {
    const ev = this.#event(eventId);
    const clock = await this.#clock.state(eventId);
    const open = ev.open;
    if (clock?.phase !== 'round' || !open || open.round !== clock.round) return fail('not-in-round', 'People can be moved only while a round is running');
    const round = open.round;
    const { plan } = await this.#gateway.plan(eventId);
    const { people, met, constraints, event } = await this.#pairingFacts(eventId);
    const mentorsById = new Map(people.mentors.map((p) => [p.id, p]));
    const menteesById = new Map(people.mentees.map((p) => [p.id, p]));
    const tables = tablesOf(eventId, plan, round);
    let wanted: { mentorId: string; menteeId: string }[];
    if (request.kind === 'seat') {
      if (!mentorsById.has(request.mentorId)) return fail('not-found', `${request.mentorId} is not a mentor of this event`);
      if (!menteesById.has(request.menteeId)) return fail('not-found', `${request.menteeId} is not a mentee of this event`);
      wanted = [{ mentorId: request.mentorId, menteeId: request.menteeId }];
      const involved = tables.filter((t) => t.coMentorId && (t.mentorIds.includes(request.mentorId) || t.menteeIds.includes(request.menteeId)));
      if (involved.length > 0) return fail('co-hosted', CO_HOSTED);
    } else {
      const [a, b] = request.menteeIds;
      if (a === b) return fail('invalid-payload', 'Swap two different mentees');
      const tableOfMentee = (id: string) => tables.find((t) => t.menteeIds.includes(id));
      const [ta, tb] = [tableOfMentee(a), tableOfMentee(b)];
      if (!ta || !tb) return fail('not-seated', 'Both mentees must be seated at a table this round to swap them');
      if (ta === tb) return fail('invalid-payload', 'The two mentees sit at the same table');
      if (ta.coMentorId || tb.coMentorId) return fail('co-hosted', CO_HOSTED);
      wanted = [{ mentorId: ta.mentorId, menteeId: b }, { mentorId: tb.mentorId, menteeId: a }];
    }
    const name = (id: string) => mentorsById.get(id)?.name ?? menteesById.get(id)?.name ?? id;
    for (const pair of wanted) {
      const label = `${name(pair.mentorId)} and ${name(pair.menteeId)}`;
      if (met.some((m) => m.mentorId === pair.mentorId && m.menteeId === pair.menteeId)) return fail('already-met', `${label} already met`);
      if (constraints.some((c) => c.kind === 'forbid' && c.mentorId === pair.mentorId && c.menteeId === pair.menteeId)) return fail('forbidden', `${label} must not meet (a forbid)`);
      if (tables.some((t) => t.mentorId === pair.mentorId && t.participantIds.length === 2 && t.menteeIds[0] === pair.menteeId)) return fail('already-seated', `${label} already sit together`);
    }
    const scored = planRescue({
      mentors: wanted.map((w) => mentorsById.get(w.mentorId)!),
      mentees: wanted.map((w) => menteesById.get(w.menteeId)!),
      excluded: [],
      scoreOptions: { at: event?.scheduledStart },
    }).pairs;
    const pairs: RescuePair[] = wanted.map((w) => scored.find((p) => p.mentorId === w.mentorId && p.menteeId === w.menteeId) ?? { ...w, score: 0, reasons: [] });
    const change = await this.#reseat(eventId, open, clock, pairs, 'move', (pair, side) => {
      const partnerId = side === 'mentor' ? pair.menteeId : pair.mentorId;
      const base = rescueMessage({ partner: { name: name(partnerId), role: side === 'mentor' ? 'mentee' : 'mentor' }, reasons: pair.reasons });
      return base.replace(/^You have a conversation this round after all: you are now meeting/, 'The organizer moved you: you are now meeting');
    });
    return { data: change };
  }

  /** Stores and announces new seats of the running round, each pair in a fresh room; re-plans the rest in the background. */
  async #reseat(
    eventId: string,
    open: OpenRound,
    clock: ClockActive,
    pairs: readonly RescuePair[],
    source: 'rescue' | 'move',
    messageFor: (pair: RescuePair, side: 'mentor' | 'mentee') => string,
    spares: readonly SpareRoom[] = [],
  ): Promise<SeatingChanged> {
    const round = open.round;
    const now = this.#clock.now();
    const moves: (SeatMove & { roomName: string; spare: boolean })[] = pairs.map((p) => {
      // The pair's spare room, where both already wait unseen; else a fresh one.
      const spare = spares.find((s) => s.mentorId === p.mentorId && s.menteeId === p.menteeId);
      const room = spare?.room ?? this.#rescueRoomId(p.mentorId, now);
      return { ...p, room, roomName: roomNameFor({ eventId, round, tableId: room }), spare: spare !== undefined };
    });
    // Rooms first: the tokens handed out must open something (a spare room exists already).
    const endsAt = roundEndsAt(clock, round, now) ?? now;
    const lifetimeSec = secondsUntil(endsAt, now, this.#emptyTimeoutSec);
    const made = await Promise.allSettled(
      moves.map(async (m) => void (m.spare || (await this.#provider.ensureRoom(m.roomName, { emptyTimeoutSec: lifetimeSec, maxParticipants: 2 + OBSERVER_SLOTS })))),
    );
    this.#logFailures(made, 'making a rescue room failed');
    const { plan, people } = await this.#gateway.plan(eventId);
    const name = (id: string) => people.get(id)?.name ?? 'Your partner';
    const reseated = reseat(plan!, round, moves, () =>
      source === 'rescue'
        ? 'You had not joined in time, so your partner was paired with someone else who was waiting. You will be seated again from the next round.'
        : 'The organizer gave your seat to someone else this round. You will be seated again from the next round.',
    );
    await inTransaction(this.#pool, async (client) => {
      // Fenced: a node that lost the event meanwhile changes no seats.
      await this.#cluster.guard(client, eventId);
      await replaceSeats(client, eventId, round, moves, new Date(now), source);
      await storeSeating(client, eventId, reseated.plan);
    });
    open.tables = tablesOf(eventId, reseated.plan, round);
    made.forEach((result, k) => result.status === 'fulfilled' && open.ready.add(moves[k]!.roomName));

    const ttlSeconds = this.#tokenTtl(clock, round);
    const partner = (id: string, reasons: string[]): SnapshotPartner => ({ participantId: id, name: name(id), role: people.get(id)?.role ?? 'mentee', reasons });
    await Promise.all(
      moves.flatMap((m, k) =>
        (['mentor', 'mentee'] as const).map(async (side) => {
          const self = side === 'mentor' ? m.mentorId : m.menteeId;
          const other = side === 'mentor' ? m.menteeId : m.mentorId;
          const connection = made[k]!.status === 'fulfilled' ? await this.#connection(m.roomName, self, name(self), ttlSeconds) : null;
          this.#io.to(rooms.participant(self)).emit('seat:changed', { round, message: messageFor(pairs[k]!, side), partners: [partner(other, m.reasons)], connection });
        }),
      ),
    );
    for (const id of reseated.unseated) {
      this.#io.to(rooms.participant(id)).emit('seat:changed', {
        round,
        message: reseated.plan.rounds[round - 1]!.sitOuts.find((s) => s.participantId === id)?.reason ?? 'You have no partner this round',
        partners: [],
        connection: null,
      });
    }
    // Fresh snapshots (partner card, itinerary) for everyone whose seat changed; the others follow with the re-plan.
    await this.#gateway.planChanged(eventId, [...moves.flatMap((m) => [m.mentorId, m.menteeId]), ...reseated.unseated]);
    const change: SeatingChanged = { round, kind: source, pairs: moves.map((m) => ({ mentorId: m.mentorId, menteeId: m.menteeId, roomName: m.roomName })), unseated: reseated.unseated };
    this.#io.to(rooms.organizers(eventId)).emit('seating:changed', change);
    this.#io.to(rooms.organizers(eventId)).emit('video:opened', await this.#roomsOf(eventId, round, open.tables));
    // The rounds still to come, re-planned from what really happened (in the background: the clock's queue must not wait on the planner).
    void this.#onSeatingChanged(eventId).catch((error: unknown) => this.#log.error({ err: error, eventId }, 're-planning after a seat change failed'));
    return change;
  }

  // ---------------------------------------------------------------------------

  async #connection(roomName: string, identity: string, name: string, ttlSeconds: number): Promise<VideoConnection> {
    const token = await this.#provider.mintParticipantToken({ roomName, identity, name, ttlSeconds });
    const iceServers = this.#provider.iceServers;
    return { serverUrl: this.#provider.serverUrl, roomName, token, ...(iceServers?.length ? { iceServers: [...iceServers] } : {}) };
  }

  /** A standby token lasts until its round ends; in the lobby, as long as the rooms are held. */
  async #standbyTtl(eventId: string, clock: ClockState, round: number): Promise<number> {
    if (roundEndsAt(clock, round, this.#clock.now()) !== null) return this.#tokenTtl(clock, round);
    return (await this.#lobbyHoldSec(eventId)) + TOKEN_SLACK_SEC;
  }

  /** Rooms made in the lobby wait for the start this long, and hold a round after it. */
  async #lobbyHoldSec(eventId: string): Promise<number> {
    return LOBBY_HOLD_SEC + ((await loadClockSettings(this.#pool, eventId))?.roundSeconds ?? 0);
  }

  #tokenTtl(clock: ClockState, round: number): number {
    const now = this.#clock.now();
    return secondsUntil(roundEndsAt(clock, round, now) ?? now, now, TOKEN_SLACK_SEC, { min: 60 });
  }

  #event(eventId: string): EventVideo {
    let ev = this.#events.get(eventId);
    if (!ev) this.#events.set(eventId, (ev = { queue: Promise.resolve(), open: null, prepared: null, preparing: null, arrivals: new Set() }));
    return ev;
  }

  #enqueue(eventId: string, work: () => Promise<void>): Promise<void> {
    const ev = this.#event(eventId);
    const run = ev.queue.then(async () => {
      // A node that lost the event (another took it over) does nothing more for it: timers, rescues, moves.
      if (this.#closed || !this.#cluster.owns(eventId)) return;
      try {
        await work();
      } catch (error) {
        this.#log.error({ err: error, eventId }, 'video orchestration failed');
      }
    });
    ev.queue = run;
    return run;
  }

  #logFailures(results: PromiseSettledResult<unknown>[], message: string): void {
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) this.#log.error({ err: failed[0]!.reason, failed: failed.length, of: results.length }, message);
  }
}

/**
 * Rows the schema refuses, which no retry will fix: a participant or event that no longer exists
 * (foreign key), or a room name that does not belong to its event and round (check).
 */
function isUnrecordable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '23503' || code === '23514' || code === '22P02';
}
