import { Type, type Static } from 'typebox';
import { Event } from './events.ts';
import { Participant } from './participants.ts';

/** What a participant's own session may see: their event and themselves. */
export const ParticipantSelf = Type.Object({
  participant: Participant,
  event: Type.Object({
    id: Event.properties.id,
    title: Event.properties.title,
    description: Event.properties.description,
    scheduledStart: Event.properties.scheduledStart,
    timeZone: Event.properties.timeZone,
    roundSeconds: Event.properties.roundSeconds,
    transitionSeconds: Event.properties.transitionSeconds,
    rounds: Event.properties.rounds,
    warnAtSeconds: Event.properties.warnAtSeconds,
    status: Event.properties.status,
  }),
});
export type ParticipantSelf = Static<typeof ParticipantSelf>;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
  /** `off` on a single node (no REDIS_URL); `down` while this node cannot reach Redis: it takes no new sockets then. */
  redis: Type.Union([Type.Literal('off'), Type.Literal('ok'), Type.Literal('down')]),
  /** This app node's name, and how many events it runs the clock, video and no-show checks for. */
  node: Type.String(),
  ownedEvents: Type.Integer({ minimum: 0 }),
  /** Live connections (Socket.IO) this node holds now. */
  sockets: Type.Integer({ minimum: 0 }),
  uptimeSeconds: Type.Number(),
});
export type Health = Static<typeof Health>;

/** `/readyz`: whether a load balancer should send people to this node (only its own faults count). */
export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  redis: Health.properties.redis,
  node: Type.String(),
  sockets: Type.Integer({ minimum: 0 }),
});
export type Readiness = Static<typeof Readiness>;
