import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Health, Readiness } from '@constellation/shared/schemas/session';
import db from './plugins/db.ts';
import errorHandler from './plugins/error-handler.ts';
import inputGuard from './plugins/input-guard.ts';
import originCheck from './plugins/origin-check.ts';
import securityHeaders from './plugins/security-headers.ts';
import auth from './plugins/auth.ts';
import authRoutes from './modules/auth/auth.routes.ts';
import eventsRoutes from './modules/events/events.routes.ts';
import participantsRoutes from './modules/participants/participants.routes.ts';
import joinRoutes from './modules/participants/join.routes.ts';
import socketIo from './plugins/socket-io.ts';
import { eventFeedbackRoutes, myFeedbackRoutes } from './modules/ratings/feedback.routes.ts';
import { matchingRoutes, myMatchRoutes } from './modules/matching/matching.routes.ts';
import scheduleRoutes from './modules/schedule/schedule.routes.ts';
import { PlannerRunner } from './modules/schedule/planner.runner.ts';
import { probeVideo } from './modules/schedule/start-checklist.ts';
import { ScheduleService } from './modules/schedule/schedule.service.ts';
import { AttendanceService } from './modules/attendance/attendance.service.ts';
import attendanceRoutes from './modules/attendance/attendance.routes.ts';
import { ClockService } from './modules/clock/clock.service.ts';
import { ClockGateway } from './modules/clock/clock.gateway.ts';
import { LiveKitVideoProvider } from './modules/video/livekit.provider.ts';
import { loadIceServers, loadVideoConfig } from './modules/video/video.config.ts';
import { DirectVideoProvider } from './modules/video/direct.provider.ts';
import { VideoOrchestrator } from './modules/video/video.orchestrator.ts';
import { ChatGateway } from './modules/chat/chat.gateway.ts';
import type { VideoProvider } from './modules/video/video.provider.ts';
import { videoRoutes } from './modules/video/video.routes.ts';
import noShowRoutes from './modules/video/no-shows.routes.ts';
import seatingRoutes from './modules/video/seating.routes.ts';
import { createWebhookVerifier } from './modules/video/webhook.ts';
import { MailService, type MailServiceOptions } from './modules/mail/mail.service.ts';
import mailRoutes from './modules/mail/mail.routes.ts';
import { defaultMailFrom } from './modules/mail/mail.config.ts';
import { CLIENT_DIST } from './paths.ts';
import { RedisCluster, SoloCluster, type Cluster } from './cluster/cluster.ts';

export const DEFAULT_CLIENT_DIST = CLIENT_DIST;

declare module 'fastify' {
  interface FastifyInstance {
    clock: ClockService;
    gateway: ClockGateway;
    video: VideoOrchestrator;
    chat: ChatGateway;
    attendance: AttendanceService;
    schedule: ScheduleService;
    mail: MailService;
    cluster: Cluster;
  }
}

export interface AppOptions {
  pool: pg.Pool;
  publicUrl: string;
  sessionSecret: string;
  /** Folder of the built client; served with an SPA fallback when it exists. */
  clientDist?: string;
  logger?: FastifyServerOptions['logger'];
  /** The server clock (epoch ms); tests may inject their own. */
  now?: () => number;
  rateLimits?: { signIn?: { max: number; timeWindow: number }; invite?: { max: number; timeWindow: number } };
  /**
   * The video rooms: by default LiveKit as configured by LIVEKIT_*; `direct` for browser-to-browser
   * calls with ICE_SERVERS / STUN_URLS / TURN_* (server.ts picks it when there is no LiveKit; see
   * modules/video/video.config.ts).
   */
  video?: VideoProvider | 'direct';
  /** The keys LiveKit signs its webhooks with; by default LIVEKIT_API_KEY and LIVEKIT_API_SECRET. */
  livekit?: { apiKey: string; apiSecret: string };
  /** How long after a round starts a missing partner is flagged; by default NO_SHOW_AFTER_SECONDS or 60 s. */
  noShowAfterMs?: number;
  /** Which X-Forwarded-For hops to believe (TRUST_PROXY); by default none: the TCP peer is the client. */
  trustProxy?: boolean | number | string[];
  /**
   * Several app nodes (REDIS_URL): sockets shared through Redis, each event run by the node holding
   * its lease in PostgreSQL. Without it, this one node runs everything.
   */
  cluster?: { redisUrl: string; nodeId?: string; keyPrefix?: string; leaseTtlMs?: number; leaseTickMs?: number };
  /** Email (SMTP_URL, MAIL_FROM): with no `smtpUrl` every message is held in the event's outbox. */
  mail?: Partial<Omit<MailServiceOptions, 'pool' | 'publicUrl' | 'secret' | 'now' | 'log'>>;
}

/** Trusts the nearest `hops` proxies (what Fastify does for a number, which its types do not accept). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** Builds the whole application without listening, so tests build the same app. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Rate limits key on request.ip: only a configured proxy may say who the client is.
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : (options.trustProxy ?? false),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const startedAt = Date.now();

  // Video rooms: whatever the options leave out comes from the environment, as the server's configuration reads it.
  const videoConfig = options.video && options.livekit ? null : loadVideoConfig(process.env);
  const direct = options.video === 'direct';
  const videoProvider: VideoProvider =
    typeof options.video === 'object' ? options.video : direct ? new DirectVideoProvider({ iceServers: loadIceServers(process.env) }) : new LiveKitVideoProvider(videoConfig!);

  // Infrastructure
  await app.register(errorHandler);
  await app.register(securityHeaders, { publicUrl: options.publicUrl, videoServerUrl: videoProvider.mode === 'livekit' ? videoProvider.serverUrl : undefined });
  await app.register(inputGuard);
  await app.register(originCheck, { publicUrl: options.publicUrl });
  await app.register(db, { pool: options.pool });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Constellation API', description: 'Speed-mentoring events with live video rounds', version: '0.1.0' },
      tags: [
        { name: 'auth', description: 'Organizer accounts and sessions' },
        { name: 'events', description: "An organizer's events" },
        { name: 'participants', description: 'Mentors and mentees of an event' },
        { name: 'invites', description: 'Personal join links' },
        { name: 'participant', description: 'What a participant sees of their own event' },
        { name: 'schedule', description: 'The rotation plan: who meets whom in which round, and why' },
        { name: 'feedback', description: 'Ratings, notes, rankings and capacities (private to their author and organizers)' },
        { name: 'matching', description: 'The final pairing: proposals, review, confirmation, exports' },
        { name: 'mail', description: 'Invitations, reminders and outcomes by email, and the outbox' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Adapters
  const cluster: Cluster = options.cluster ? new RedisCluster({ ...options.cluster, pool: options.pool, log: app.log }) : new SoloCluster();
  await cluster.connect();
  app.decorate('cluster', cluster);
  await app.register(auth, { secureCookies: options.publicUrl.startsWith('https:') });
  await app.register(socketIo, { publicUrl: options.publicUrl, cluster });
  const clock = new ClockService(options.pool, options.now, cluster);
  const gateway = new ClockGateway({ io: app.io, pool: options.pool, clock, log: app.log, cluster });
  const planner = new PlannerRunner();
  const advisor = new PlannerRunner();
  const attendance = new AttendanceService(options.pool, clock);
  const schedule = new ScheduleService({ pool: options.pool, planner, advisor, clock, attendance, onPlanChanged: (eventId) => gateway.planChanged(eventId), cluster });
  clock.startGuard = (eventId) => schedule.startProblem(eventId);
  app.decorate('clock', clock);
  app.decorate('gateway', gateway);
  app.decorate('attendance', attendance);
  app.decorate('schedule', schedule);
  app.addHook('onReady', async () => {
    await clock.resumeLiveEvents();
  });
  app.addHook('onClose', async () => {
    clock.close();
    await Promise.all([planner.close(), advisor.close()]);
  });

  // Video: one LiveKit room per table per round, following the clock; presence from LiveKit's webhooks.
  const verifyWebhook = createWebhookVerifier(options.livekit ?? videoConfig!);
  const video = new VideoOrchestrator({
    provider: videoProvider,
    gateway,
    clock,
    io: app.io,
    pool: options.pool,
    log: app.log,
    attendance,
    onSeatingChanged: (eventId) => schedule.replan(eventId),
    options: { noShowAfterMs: options.noShowAfterMs ?? videoConfig?.noShowAfterMs ?? undefined },
    cluster,
  });
  app.decorate('video', video);
  // Direct calls: presence from the signalling, into the same log as LiveKit's webhooks.
  if (videoProvider instanceof DirectVideoProvider) {
    videoProvider.attach(app.io, (change) => video.presence(change, { id: `direct:${randomUUID()}`, event: change.kind, roomName: change.roomName, change }), app.log);
  }
  app.addHook('onReady', async () => {
    // In the background: a LiveKit that is slow to answer must not hold up the start.
    void video.resume().catch((error: unknown) => app.log.error({ err: error }, 'resuming video rooms failed'));
  });
  app.addHook('onClose', async () => {
    await video.close();
  });

  // Chat between the people at one table, for the round running now (in memory only).
  app.decorate('chat', new ChatGateway({ io: app.io, clock, gateway, log: app.log, cluster }));

  // Event leases: taken once every listener above is in place; handed back on a clean stop.
  app.addHook('onReady', async () => cluster.start());
  app.addHook('onClose', async () => cluster.close());

  // Email: a durable outbox and its sender loop.
  const mail = new MailService({
    ...options.mail,
    pool: options.pool,
    publicUrl: options.publicUrl,
    secret: options.sessionSecret,
    now: options.now ?? Date.now,
    log: app.log,
    smtpUrl: options.mail?.smtpUrl ?? null,
    from: options.mail?.from ?? defaultMailFrom(options.publicUrl),
  });
  app.decorate('mail', mail);
  app.addHook('onReady', async () => mail.start());
  app.addHook('onClose', async () => {
    await mail.close();
  });

  // Features
  const signIn = options.rateLimits?.signIn ?? { max: 10, timeWindow: 60_000 };
  const invite = options.rateLimits?.invite ?? { max: 30, timeWindow: 60_000 };
  await app.register(authRoutes, { prefix: '/api/auth', signInRateLimit: signIn, secret: options.sessionSecret, publicUrl: options.publicUrl });
  await app.register(eventsRoutes, { prefix: '/api/events' });
  await app.register(participantsRoutes, { prefix: '/api/events', publicUrl: options.publicUrl, secret: options.sessionSecret });
  await app.register(joinRoutes, { prefix: '/api', inviteRateLimit: invite, secret: options.sessionSecret });
  await app.register(scheduleRoutes, {
    prefix: '/api/events',
    schedule,
    videoCheck: () => probeVideo(videoProvider),
    online: (eventId) => gateway.online(eventId),
  });
  await app.register(attendanceRoutes, { prefix: '/api/events' });
  await app.register(myFeedbackRoutes, { prefix: '/api/me' });
  await app.register(myMatchRoutes, { prefix: '/api/me' });
  await app.register(eventFeedbackRoutes, { prefix: '/api/events' });
  await app.register(matchingRoutes, { prefix: '/api/events' });
  await app.register(videoRoutes, { verifyWebhook, onPresence: (change, webhook) => video.presence(change, webhook) });
  await app.register(noShowRoutes, { prefix: '/api/events' });
  await app.register(seatingRoutes, { prefix: '/api/events' });
  await app.register(mailRoutes, { prefix: '/api/events', mail });

  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: "The app's and the database's state", response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const database = await options.pool
        .query('SELECT 1')
        .then(() => 'ok' as const)
        .catch(() => 'down' as const);
      const redis = cluster.redis();
      const healthy = database === 'ok' && redis !== 'down';
      const body = {
        status: healthy ? ('ok' as const) : ('degraded' as const),
        database,
        redis,
        node: cluster.nodeId,
        ownedEvents: cluster.owned().length,
        sockets: app.io.of('/').sockets.size,
        uptimeSeconds: (Date.now() - startedAt) / 1000,
      };
      // 503 takes this node out of the load balancer's rotation until it is whole again.
      return reply.status(healthy ? 200 : 503).send(body);
    },
  );

  // For a load balancer: whether this node should get people. Only its own faults count (it does not
  // answer, or it lost Redis and would serve a split view); PostgreSQL is shared, and an outage of it
  // is answered per request by every node alike (see deploy/haproxy.cfg).
  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Whether a load balancer should send people to this node', response: { 200: Readiness, 503: Readiness } } },
    async (_request, reply) => {
      const redis = cluster.redis();
      const body = { status: redis === 'down' ? ('degraded' as const) : ('ok' as const), redis, node: cluster.nodeId, sockets: app.io.of('/').sockets.size };
      return reply.status(redis === 'down' ? 503 : 200).send(body);
    },
  );

  const clientDist = options.clientDist ?? DEFAULT_CLIENT_DIST;
  const hasClient = existsSync(`${clientDist}/index.html`);
  if (hasClient) await app.register(fastifyStatic, { root: clientDist, wildcard: false, index: false });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isApi = path.startsWith('/api/') || path === '/api' || path.startsWith('/socket.io') || path.startsWith('/docs');
    if (hasClient && request.method === 'GET' && !isApi) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `No route for ${request.method} ${path}` });
  });

  return app;
}
