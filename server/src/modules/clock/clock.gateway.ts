import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import {
  AnnouncementSendPayload,
  ClockExtendPayload,
  TimeSyncPayload,
  rooms,
  type Announcement,
  type ItineraryEntry,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
  type EventSnapshot,
} from '@constellation/shared/realtime/events';
import type { ClockState } from '@constellation/shared/clock/state';
import type { Socket } from 'socket.io';
import type { IoServer } from '../../plugins/socket-io.ts';
import { ackOf, fail, payloadChecker } from '../../plugins/socket-messages.ts';
import type { Plan } from '../schedule/core/index.ts';
import { loadPlan, loadPlannerPeople } from '../schedule/schedule.repository.ts';
import type { ClockCommand } from './core/clock-machine.ts';
import { insertAnnouncement, listAnnouncements } from './clock.repository.ts';
import type { ClockService } from './clock.service.ts';
import { SoloCluster, type Cluster } from '../../cluster/cluster.ts';
import { buildSnapshot, itineraryOf, type Person } from './snapshot.ts';

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

interface EventData {
  plan: Plan | null;
  people: Map<string, Person>;
  itineraries: Map<string, ItineraryEntry[]>;
  announcements: Announcement[];
}

const MAX_ANNOUNCEMENTS_IN_SNAPSHOT = 50;

const checkExtend = payloadChecker(ClockExtendPayload);
const checkAnnouncement = payloadChecker(AnnouncementSendPayload);
const checkTimeSync = payloadChecker(TimeSyncPayload);

/**
 * The live event over Socket.IO: snapshots on connect, organizer clock commands, announcements,
 * clock sync samples, and presence for the organizer's run screen. Every handler validates the
 * payload, calls the core, persists, acknowledges, and only then tells the others.
 */
export class ClockGateway {
  readonly #io: IoServer;
  readonly #pool: pg.Pool;
  readonly #clock: ClockService;
  readonly #log: FastifyBaseLogger;
  readonly #cluster: Cluster;
  readonly #data = new Map<string, Promise<EventData>>();
  /** eventId → participantId → number of connected sockets. */
  readonly #online = new Map<string, Map<string, number>>();

  /** Optional: adds the recipient's video rooms (now, and on standby for the next round) to their snapshot (the video feature). */
  videoFor: ((eventId: string, viewer: SocketData['viewer'], clock: ClockState) => Promise<Pick<EventSnapshot, 'video' | 'videoNext'>>) | null = null;

  constructor(deps: { io: IoServer; pool: pg.Pool; clock: ClockService; log: FastifyBaseLogger; cluster?: Cluster }) {
    this.#io = deps.io;
    this.#pool = deps.pool;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#cluster = deps.cluster ?? new SoloCluster();
    // Every node follows the stored clock and tells its own sockets (with several nodes, each tells its own).
    deps.clock.listen({
      changed: (eventId, clock, cause) => this.#io.local.to(rooms.event(eventId)).emit('clock:changed', { clock, cause }),
      warned: (eventId, round, endsAt) => this.#io.local.to(rooms.event(eventId)).emit('clock:warned', { round, endsAt }),
    });
    this.#cluster.subscribe<{ eventId: string; participantIds?: string[] }>('plan:changed', ({ eventId, participantIds }) => {
      void this.#planChangedHere(eventId, participantIds).catch((error: unknown) => this.#log.error({ err: error }, 'snapshots after a plan change failed'));
    });
    // Another node's announcement: into this node's cache, and to this node's sockets.
    this.#cluster.subscribe<{ eventId: string; announcement: Announcement }>('announcement', ({ eventId, announcement }) => {
      void this.#data.get(eventId)?.then((data) => {
        if (!data.announcements.some((a) => a.id === announcement.id)) data.announcements.push(announcement);
      });
      this.#io.local.to(rooms.event(eventId)).emit('announcement:sent', announcement);
    });
    // Plan changes and announcements other nodes made while Redis was away never reached this one: start afresh.
    this.#cluster.onRedisBack(() => {
      this.#data.clear();
      void this.#io.local
        .fetchSockets()
        .then((sockets) => Promise.all(sockets.map((s) => this.#sendSnapshot(s))))
        .catch((error: unknown) => this.#log.error({ err: error }, 'snapshots after Redis came back failed'));
    });
    this.#io.on('connection', (socket) => void this.#onConnection(socket));
  }

  /** Participants connected to an event now (on any node). */
  async online(eventId: string): Promise<string[]> {
    const here = [...(this.#online.get(eventId)?.keys() ?? [])];
    if (!this.#cluster.clustered) return here;
    try {
      const sockets = await this.#io.in(rooms.event(eventId)).timeout(2_000).fetchSockets();
      const ids = new Set<string>();
      for (const s of sockets) if (s.data.viewer?.kind === 'participant') ids.add(s.data.viewer.participantId);
      return [...ids];
    } catch (error) {
      // A node that does not answer (it just died): what this one knows.
      this.#log.warn({ err: error }, 'presence across nodes unavailable; using this node only');
      return here;
    }
  }

  /** The plan or the people changed: reload and send every connected participant (or only `participantIds`) a fresh snapshot, on every node. */
  async planChanged(eventId: string, participantIds?: readonly string[]): Promise<void> {
    void this.#cluster.broadcast('plan:changed', { eventId, participantIds });
    await this.#planChangedHere(eventId, participantIds);
  }

  async #planChangedHere(eventId: string, participantIds?: readonly string[]): Promise<void> {
    this.#data.delete(eventId);
    const sockets = await this.#io.local.in(participantIds ? participantIds.map((id) => rooms.participant(id)) : rooms.event(eventId)).fetchSockets();
    await Promise.all(sockets.map((s) => this.#sendSnapshot(s)));
  }

  async #onConnection(socket: IoSocket): Promise<void> {
    const { eventId, viewer } = socket.data;
    socket.join(rooms.event(eventId));
    if (viewer.kind === 'organizer') socket.join(rooms.organizers(eventId));
    else {
      socket.join(rooms.participant(viewer.participantId));
      this.#presence(eventId, viewer.participantId, +1);
      socket.on('disconnect', () => this.#presence(eventId, viewer.participantId, -1));
    }
    this.#registerHandlers(socket);
    // A recovered socket is replayed what it missed, except (with several nodes) the clock changes, which
    // each node tells its own sockets without passing through Redis: it gets a fresh snapshot instead.
    if (!socket.recovered || this.#cluster.clustered) await this.#sendSnapshot(socket).catch((error) => this.#log.error({ err: error }, 'snapshot failed'));
  }

  #registerHandlers(socket: IoSocket): void {
    const { eventId, viewer } = socket.data;
    const organizerId = viewer.kind === 'organizer' ? viewer.organizerId : null;

    socket.on('time:sync', (payload, ack) => {
      const reply = ackOf<{ t0: number; serverTime: number }>(ack);
      const problem = checkTimeSync(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      reply({ data: { t0: payload.t0, serverTime: this.#clock.now() } });
    });

    const command = (cmd: ClockCommand | ((payload: unknown) => ClockCommand | string)) => (...args: unknown[]) => {
      const ack = ackOf<never>(args.at(-1));
      if (!organizerId) return ack(fail('forbidden', 'Only the organizer runs the clock'));
      const resolved = typeof cmd === 'function' ? cmd(args[0]) : cmd;
      if (typeof resolved === 'string') return ack(fail('invalid-payload', resolved));
      this.#clock
        .command(eventId, resolved, organizerId)
        .then((result) => ack(result.ok ? ({ data: result.state } as never) : fail(result.code, result.reason)))
        .catch((error) => {
          this.#log.error({ err: error }, 'clock command failed');
          ack(fail('unavailable', 'The database is unavailable: the command was not saved, the clock runs on as before. Try again in a few seconds.'));
        });
    };
    socket.on('clock:start', command({ type: 'start' }));
    socket.on('clock:pause', command({ type: 'pause' }));
    socket.on('clock:resume', command({ type: 'resume' }));
    socket.on('clock:end-round', command({ type: 'endRound' }));
    socket.on('clock:end-event', command({ type: 'endEvent' }));
    socket.on(
      'clock:extend',
      command((payload) => checkExtend(payload) ?? { type: 'extend', seconds: (payload as ClockExtendPayload).seconds }),
    );

    socket.on('announcement:send', (payload, ack) => {
      const reply = ackOf<Announcement>(ack);
      if (!organizerId) return reply(fail('forbidden', 'Only the organizer sends announcements'));
      const problem = checkAnnouncement(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      const text = payload.text.trim();
      if (!text) return reply(fail('invalid-payload', '/text must not be blank'));
      insertAnnouncement(this.#pool, eventId, text, this.#clock.now())
        .then(async (announcement) => {
          (await this.#eventData(eventId)).announcements.push(announcement);
          this.#io.local.to(rooms.event(eventId)).emit('announcement:sent', announcement);
          // The other nodes tell their sockets on this notice. It is in Redis before the organizer hears
          // "sent", so a node that dies right after answering has lost nobody's copy.
          await this.#cluster.broadcast('announcement', { eventId, announcement });
          reply({ data: announcement });
        })
        .catch((error) => {
          this.#log.error({ err: error }, 'announcement failed');
          reply(fail('unavailable', 'The announcement was not saved; try again'));
        });
    });
  }

  async #sendSnapshot(socket: { data: SocketData; emit: IoSocket['emit']; disconnect(close?: boolean): unknown }): Promise<void> {
    const { eventId, viewer } = socket.data;
    const [clock, data] = await Promise.all([this.#clock.state(eventId), this.#eventData(eventId)]);
    if (!clock) return void socket.disconnect(true);
    const itinerary = viewer.kind === 'participant' ? this.#itinerary(data, viewer.participantId) : [];
    const snapshot = buildSnapshot({
        eventId,
        viewer,
        clock,
        itinerary,
        announcements: data.announcements.slice(-MAX_ANNOUNCEMENTS_IN_SNAPSHOT),
        online: viewer.kind === 'organizer' ? await this.online(eventId) : [],
        serverTime: this.#clock.now(),
      });
    const video = await this.videoFor?.(eventId, viewer, clock).catch((error: unknown) => {
      this.#log.error({ err: error }, 'video connection for snapshot failed');
      return undefined;
    });
    socket.emit('event:snapshot', video ? { ...snapshot, ...video } : snapshot);
  }

  /** The plan of an event as the gateway holds it (loaded once, refreshed by planChanged). */
  async plan(eventId: string): Promise<{ plan: Plan | null; people: ReadonlyMap<string, Person> }> {
    const data = await this.#eventData(eventId);
    return { plan: data.plan, people: data.people };
  }

  #itinerary(data: EventData, participantId: string): ItineraryEntry[] {
    let itinerary = data.itineraries.get(participantId);
    if (!itinerary) {
      itinerary = itineraryOf(data.plan, participantId, data.people);
      data.itineraries.set(participantId, itinerary);
    }
    return itinerary;
  }

  #eventData(eventId: string): Promise<EventData> {
    let pending = this.#data.get(eventId);
    if (!pending) {
      pending = (async () => {
        const [record, people, announcements] = await Promise.all([loadPlan(this.#pool, eventId), loadPlannerPeople(this.#pool, eventId), listAnnouncements(this.#pool, eventId)]);
        const byId = new Map<string, Person>();
        for (const m of people.mentors) byId.set(m.id, { name: m.name, role: 'mentor' });
        for (const m of people.mentees) byId.set(m.id, { name: m.name, role: 'mentee' });
        return { plan: record?.plan ?? null, people: byId, itineraries: new Map(), announcements };
      })();
      pending.catch(() => this.#data.delete(eventId));
      this.#data.set(eventId, pending);
    }
    return pending;
  }

  #presence(eventId: string, participantId: string, delta: number): void {
    let counts = this.#online.get(eventId);
    if (!counts) this.#online.set(eventId, (counts = new Map()));
    const before = counts.get(participantId) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) counts.delete(participantId);
    else counts.set(participantId, after);
    if ((before === 0) !== (after === 0)) {
      this.#io.to(rooms.organizers(eventId)).emit('presence:changed', { participantId, online: after > 0 });
    }
  }
}

