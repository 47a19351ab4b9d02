import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import {
  ChatSendPayload,
  rooms,
  type Ack,
  type ChatHistory,
  type ChatMessage,
  type ChatSendPayload as ChatSendBody,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '@constellation/shared/realtime/events';
import type { IoServer } from '../../plugins/socket-io.ts';
import type { ClockGateway } from '../clock/clock.gateway.ts';
import type { ClockService } from '../clock/clock.service.ts';
import { ackOf, fail, payloadChecker } from '../../plugins/socket-messages.ts';
import { tableOf, tablesOf, type TableRoom } from '../video/core/seating.ts';
import { ChatLog, cleanChatText } from './core/chat-log.ts';
import { SoloCluster, type Cluster } from '../../cluster/cluster.ts';

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Per socket, on top of the limit every message passes: a burst of this many chat messages, refilled at this rate. */
export const CHAT_RATE_LIMIT = { burst: 8, perSecond: 1 } as const;

const checkSend = payloadChecker(ChatSendPayload);

type Seat = { ok: true; round: number; table: TableRoom } | { ok: false; answer: Ack<never> };

/**
 * Text chat between the people seated together in the round running now, over the app's own
 * authenticated socket, so it works whichever way the video travels (and when it does not at all).
 * The server decides who sits together from its own plan (after rescues and moves), never from
 * anything the sender names. Messages live in memory for the round (on every app node that serves the event) and are dropped
 * when the clock leaves it; `chat:history` gives a reloaded page the meeting's chat back.
 */
export class ChatGateway {
  readonly #io: IoServer;
  readonly #clock: ClockService;
  readonly #gateway: ClockGateway;
  readonly #log: FastifyBaseLogger;
  readonly #chat = new ChatLog();
  readonly #cluster: Cluster;
  /** The round each event's clock last moved to (null outside a round): a message racing the round's end is refused. */
  readonly #roundNow = new Map<string, number | null>();

  constructor(deps: { io: IoServer; clock: ClockService; gateway: ClockGateway; log: FastifyBaseLogger; cluster?: Cluster }) {
    this.#io = deps.io;
    this.#cluster = deps.cluster ?? new SoloCluster();
    // A message sent through another node: kept here too, for a page that reloads onto this node.
    this.#cluster.subscribe<{ eventId: string; message: ChatMessage }>('chat:message', ({ eventId, message }) => {
      const followed = (this.#io.of('/').adapter.rooms.get(rooms.event(eventId))?.size ?? 0) > 0;
      if (followed && (this.#roundNow.get(eventId) ?? message.round) === message.round) this.#chat.append(eventId, message);
    });
    this.#clock = deps.clock;
    this.#gateway = deps.gateway;
    this.#log = deps.log;
    deps.clock.listen({
      changed: (eventId, clock) => {
        const round = clock.phase === 'round' ? clock.round : null;
        this.#chat.keepOnly(eventId, round);
        if (clock.phase === 'finished') this.#roundNow.delete(eventId);
        else this.#roundNow.set(eventId, round);
      },
      warned: () => {},
    });
    deps.io.on('connection', (socket) => this.#registerHandlers(socket));
  }

  /** Messages held in memory now, over every event. */
  get held(): number {
    return this.#chat.size;
  }

  #registerHandlers(socket: IoSocket): void {
    const { eventId, viewer } = socket.data;
    let tokens: number = CHAT_RATE_LIMIT.burst;
    let last = Date.now();

    // The acknowledgement is the last argument, whatever came before it (a client may leave the payload out).
    socket.on('chat:send', (...args: unknown[]) => {
      const reply = ackOf<ChatMessage>(args.at(-1));
      const payload = typeof args.at(-1) === 'function' && args.length === 1 ? undefined : args[0];
      if (viewer.kind !== 'participant') return reply(fail('forbidden', 'Only the people seated at a table chat there'));
      const problem = checkSend(payload);
      if (problem) return reply(fail('invalid-payload', problem));
      const text = cleanChatText((payload as ChatSendBody).text);
      if (!text) return reply(fail('invalid-payload', '/text has nothing to read once control characters are removed'));
      const now = Date.now();
      tokens = Math.min(CHAT_RATE_LIMIT.burst, tokens + ((now - last) / 1000) * CHAT_RATE_LIMIT.perSecond);
      last = now;
      if (tokens < 1) return reply(fail('rate-limited', `Too many chat messages: at most ${CHAT_RATE_LIMIT.burst} in a row, then one a second; this one was not sent`));
      tokens -= 1;
      this.#seatOf(eventId, viewer.participantId)
        .then((seat) => {
          if (!seat.ok) return reply(seat.answer);
          if (this.#roundNow.has(eventId) && this.#roundNow.get(eventId) !== seat.round) return reply(fail('not-in-round', 'The round has ended: its chat is closed'));
          const message: ChatMessage = {
            id: randomUUID(),
            round: seat.round,
            seat: seat.table.roomName,
            from: viewer.participantId,
            name: viewer.name,
            text,
            sentAt: this.#clock.now(),
          };
          const appended = this.#chat.append(eventId, message);
          if (!appended.ok) return reply(fail('chat-full', 'This conversation has reached its message limit for the round'));
          reply({ data: message });
          void this.#cluster.broadcast('chat:message', { eventId, message });
          this.#io.to(seat.table.participantIds.map((id) => rooms.participant(id))).emit('chat:messaged', message);
        })
        .catch((error: unknown) => {
          this.#log.error({ err: error }, 'chat:send failed');
          reply(fail('unavailable', 'The message was not sent; try again'));
        });
    });

    socket.on('chat:history', (...args: unknown[]) => {
      const reply = ackOf<ChatHistory>(args.at(-1));
      if (viewer.kind !== 'participant') return reply(fail('forbidden', 'Only the people seated at a table see its chat'));
      this.#seatOf(eventId, viewer.participantId)
        .then((seat) => {
          if (!seat.ok) return reply(seat.answer);
          reply({ data: { round: seat.round, seat: seat.table.roomName, messages: this.#chat.history(eventId, seat.round, seat.table.roomName) } });
        })
        .catch((error: unknown) => {
          this.#log.error({ err: error }, 'chat:history failed');
          reply(fail('unavailable', 'The chat could not be loaded; try again'));
        });
    });
  }

  /** Where the participant sits in the round running now, by the server's own plan. */
  async #seatOf(eventId: string, participantId: string): Promise<Seat> {
    const clock = await this.#clock.state(eventId);
    if (clock?.phase !== 'round') return { ok: false, answer: fail('not-in-round', 'The chat opens when your round starts, with the people at your table') };
    const { plan } = await this.#gateway.plan(eventId);
    const table = tableOf(tablesOf(eventId, plan, clock.round), participantId);
    if (!table) return { ok: false, answer: fail('not-seated', `You have no table in round ${clock.round}, so there is nobody to chat with`) };
    return { ok: true, round: clock.round, table };
  }
}
