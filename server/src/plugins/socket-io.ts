import fp from 'fastify-plugin';
import { Server, type Socket } from 'socket.io';
import { rooms, type ClientToServerEvents, type InterServerEvents, type ServerToClientEvents, type SocketData } from '@constellation/shared/realtime/events';
import { sha256 } from '../lib/crypto.ts';
import { UNSTORABLE_MESSAGE, findUnstorable } from '../lib/validation.ts';
import { allowedOrigins, originProblem } from './origin-check.ts';
import { ORGANIZER_COOKIE, PARTICIPANT_COOKIE } from './auth.ts';
import { findOrganizerSession, findParticipantSession } from '../modules/auth/sessions.repository.ts';
import { findEvent } from '../modules/events/events.repository.ts';
import { findParticipant } from '../modules/participants/participants.repository.ts';
import type { Cluster } from '../cluster/cluster.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

declare module 'fastify' {
  interface FastifyInstance {
    io: IoServer;
    /**
     * Closes at once every socket a revoked credential opened: one session (sign-out), every
     * session of a participant (new invite link, removal), or a whole event (deleted).
     */
    revokeSockets: (scope: { sessionToken: string } | { participantId: string } | { eventId: string }) => void;
  }
}

const sessionRoom = (token: string) => rooms.session(sha256(token).toString('hex'));

/** Per socket: a burst of this many messages, refilled at this rate; a client that keeps flooding is disconnected. */
export const SOCKET_MESSAGE_LIMIT = { burst: 60, perSecond: 20, disconnectAfterRefused: 500 } as const;

/**
 * Every incoming message passes here first: a token bucket per socket (answered with a
 * `rate-limited` error, never handled), then a check that no string in it is one PostgreSQL
 * cannot store (answered with `invalid-payload` naming the field).
 */
function guardMessages(socket: Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>): void {
  let tokens: number = SOCKET_MESSAGE_LIMIT.burst;
  let last = Date.now();
  let refused = 0;
  socket.use((packet, next) => {
    const now = Date.now();
    tokens = Math.min(SOCKET_MESSAGE_LIMIT.burst, tokens + ((now - last) / 1000) * SOCKET_MESSAGE_LIMIT.perSecond);
    last = now;
    const ack = packet.at(-1);
    const answer = (code: string, message: string) => typeof ack === 'function' && (ack as (reply: unknown) => void)({ error: { code, message } });
    if (tokens < 1) {
      answer('rate-limited', `Too many messages: at most ${SOCKET_MESSAGE_LIMIT.perSecond} a second; this one was not handled`);
      if (++refused >= SOCKET_MESSAGE_LIMIT.disconnectAfterRefused) socket.disconnect(true);
      return;
    }
    tokens -= 1;
    const field = findUnstorable(packet.slice(1, typeof ack === 'function' ? -1 : undefined), 'payload');
    if (field) return void answer('invalid-payload', `${field.replace(/^payload\.0/, 'payload')} ${UNSTORABLE_MESSAGE}`);
    next();
  });
}

/**
 * Socket.IO on the Fastify server. The handshake is authenticated by the same session cookies
 * as the HTTP API: an organizer must own the event named in `auth.eventId`; a participant is
 * bound to their own event. Anything else is refused before a connection exists.
 */
export default fp<{ publicUrl: string; cluster: Cluster }>(
  async (app, { publicUrl, cluster }) => {
    const origins = allowedOrigins(publicUrl);
    const io: IoServer = new Server(app.server, {
      path: '/socket.io',
      serveClient: false,
      // Several nodes: rooms, broadcasts and connection state recovery shared through Redis streams.
      ...(cluster.adapter ? { adapter: cluster.adapter as never } : {}),
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
      pingInterval: 10_000,
      pingTimeout: 10_000,
      // A page on another site cannot open a socket with this site's cookies.
      allowRequest: (request, callback) => {
        // A node cut off from Redis would serve a split view of the event: it takes no new sockets (see /healthz).
        if (cluster.redis() === 'down') return callback('unavailable: this node lost Redis; connect again to reach another', false);
        const problem = originProblem(request.headers, origins);
        callback(problem, problem === null);
      },
    });

    /**
     * Revocations by room, numbered: a handshake that was already under way when its session was
     * revoked (its lookups may have seen the session still alive) is refused when it connects.
     */
    let revocations = 0;
    const revokedAt = new Map<string, number>();
    const handshakeStartedAt = new WeakMap<object, number>();
    const revokedDuringHandshake = (socket: { rooms: Set<string> }) => {
      const started = handshakeStartedAt.get(socket) ?? revocations;
      return [...socket.rooms].some((room) => (revokedAt.get(room) ?? -1) >= started);
    };
    const REFUSED = 'unauthorized: open your invite link, or sign in as the organizer of this event';

    io.use(async (socket, next) => {
      handshakeStartedAt.set(socket, revocations);
      try {
        const cookies = app.parseCookie(socket.handshake.headers.cookie ?? '');
        const auth = (socket.handshake.auth ?? {}) as { eventId?: unknown; as?: unknown };
        const eventId = typeof auth.eventId === 'string' ? auth.eventId : undefined;
        const wantsOrganizer = auth.as === 'organizer';

        const participantToken = cookies[PARTICIPANT_COOKIE];
        if (!wantsOrganizer && participantToken) {
          const session = await findParticipantSession(app.pg, participantToken);
          if (session && (!eventId || eventId === session.eventId)) {
            const participant = await findParticipant(app.pg, session.eventId, session.participantId);
            if (participant) {
              socket.data.eventId = session.eventId;
              socket.data.viewer = { kind: 'participant', participantId: participant.id, role: participant.role, name: participant.name };
              // Joined before the connection exists, so a revocation from now on reaches this socket.
              socket.join([sessionRoom(participantToken), rooms.participant(participant.id)]);
              return next(revokedDuringHandshake(socket) ? new Error(REFUSED) : undefined);
            }
          }
        }
        const organizerToken = cookies[ORGANIZER_COOKIE];
        if (organizerToken && eventId && /^[0-9a-f-]{36}$/i.test(eventId)) {
          const organizer = await findOrganizerSession(app.pg, organizerToken);
          if (organizer && (await findEvent(app.pg, organizer.id, eventId))) {
            socket.data.eventId = eventId;
            socket.data.viewer = { kind: 'organizer', organizerId: organizer.id };
            socket.join(sessionRoom(organizerToken));
            return next(revokedDuringHandshake(socket) ? new Error(REFUSED) : undefined);
          }
        }
        next(new Error(REFUSED));
      } catch (error) {
        app.log.error({ err: error }, 'socket handshake failed');
        next(new Error('unavailable: try again in a moment'));
      }
    });

    io.on('connection', (socket) => {
      // Revoked between the end of the handshake and now: closed once every connection listener has run.
      if (revokedDuringHandshake(socket)) process.nextTick(() => socket.disconnect(true));
      guardMessages(socket);
    });
    app.decorate('io', io);
    app.decorate('revokeSockets', (scope: { sessionToken: string } | { participantId: string } | { eventId: string }) => {
      const room =
        'sessionToken' in scope ? sessionRoom(scope.sessionToken) : 'participantId' in scope ? rooms.participant(scope.participantId) : rooms.event(scope.eventId);
      revokedAt.set(room, revocations++);
      // Only handshakes under way need the record: keep the most recent ones.
      if (revokedAt.size > 10_000) revokedAt.delete(revokedAt.keys().next().value!);
      io.in(room).disconnectSockets(true);
    });
    app.addHook('preClose', async () => {
      // A stop (a restart, a rolling deploy) closes the connections, it does not send people away: their
      // pages see the transport close and reconnect by themselves, to this server once it is back or to
      // another node. (`disconnectSockets` would tell them the server closed them for good.)
      io.engine.close();
    });
    app.addHook('onClose', async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
    });
  },
  { name: 'socket-io', dependencies: ['db', 'auth'] },
);
