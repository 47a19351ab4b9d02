import { Type, type Static } from 'typebox';

export const EventStatus = Type.Union([
  Type.Literal('draft'),
  Type.Literal('live'),
  Type.Literal('finished'),
]);
export type EventStatus = Static<typeof EventStatus>;

/** A longer pause after a given round, against fatigue. */
export const EventBreak = Type.Object(
  {
    afterRound: Type.Integer({ minimum: 1, maximum: 19 }),
    seconds: Type.Integer({ minimum: 60, maximum: 3600 }),
  },
  { additionalProperties: false },
);
export type EventBreak = Static<typeof EventBreak>;

/**
 * One round's format: one-to-one tables, or circles of up to `size` mentees around each mentor;
 * with `hosts: 2`, two mentors co-host each circle (every mentee meets both).
 */
export const RoundFormat = Type.Union([
  Type.Object({ kind: Type.Literal('pairs') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('circle'),
      size: Type.Integer({ minimum: 2, maximum: 8 }),
      hosts: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
    },
    { additionalProperties: false },
  ),
]);
export type RoundFormat = Static<typeof RoundFormat>;

const eventFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 5000 }),
  /** ISO 8601 instant. */
  scheduledStart: Type.String({ format: 'date-time' }),
  /** IANA time zone name, for example Europe/Berlin. */
  timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  roundSeconds: Type.Integer({ minimum: 60, maximum: 3600 }),
  transitionSeconds: Type.Integer({ minimum: 10, maximum: 600 }),
  rounds: Type.Integer({ minimum: 1, maximum: 20 }),
  breaks: Type.Array(EventBreak, { maxItems: 19 }),
  /** When mentees outnumber mentors, a mentor may host two mentees at once. */
  allowSharedTables: Type.Boolean(),
  /** Seconds a pair must be in the room together for the meeting to count; null: the lesser of 60 s and half the round. */
  heldAfterSeconds: Type.Union([Type.Integer({ minimum: 1, maximum: 3600 }), Type.Null()]),
  /** Seconds after the start when a missing partner is a no-show and whoever waits is re-paired; null: the lesser of 60 s and a quarter of the round. */
  noShowAfterSeconds: Type.Union([Type.Integer({ minimum: 1, maximum: 3600 }), Type.Null()]),
  /** Reminder emails, in minutes before the start (at most 14 days); empty: no reminders. */
  reminderOffsetsMinutes: Type.Array(Type.Integer({ minimum: 1, maximum: 20160 }), { maxItems: 5, uniqueItems: true }),
  /** The matched pairs' first follow-up: this many days after the event's start… */
  followUpDays: Type.Integer({ minimum: 1, maximum: 90 }),
  /** …at this local time (HH:MM) in the event's time zone; null: the time the event starts. */
  followUpTime: Type.Union([Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }), Type.Null()]),
  /** Seconds before a round's end when each participant's screen chimes and flashes, e.g. [60, 10]; empty: no warnings. */
  warnAtSeconds: Type.Array(Type.Integer({ minimum: 1, maximum: 3600 }), { maxItems: 5, uniqueItems: true }),
  /** The format of each round, one per round (its length equals `rounds`); null: every round one-to-one. */
  roundFormats: Type.Union([Type.Array(RoundFormat, { minItems: 1, maxItems: 20 }), Type.Null()]),
};

export const EventCreateBody = Type.Object(
  {
    title: eventFields.title,
    description: Type.Optional(eventFields.description),
    scheduledStart: eventFields.scheduledStart,
    timeZone: eventFields.timeZone,
    roundSeconds: Type.Optional(eventFields.roundSeconds),
    transitionSeconds: Type.Optional(eventFields.transitionSeconds),
    rounds: Type.Optional(eventFields.rounds),
    breaks: Type.Optional(eventFields.breaks),
    allowSharedTables: Type.Optional(eventFields.allowSharedTables),
    heldAfterSeconds: Type.Optional(eventFields.heldAfterSeconds),
    noShowAfterSeconds: Type.Optional(eventFields.noShowAfterSeconds),
    reminderOffsetsMinutes: Type.Optional(eventFields.reminderOffsetsMinutes),
    followUpDays: Type.Optional(eventFields.followUpDays),
    followUpTime: Type.Optional(eventFields.followUpTime),
    warnAtSeconds: Type.Optional(eventFields.warnAtSeconds),
    roundFormats: Type.Optional(eventFields.roundFormats),
  },
  { additionalProperties: false },
);
export type EventCreateBody = Static<typeof EventCreateBody>;

export const EventUpdateBody = Type.Object(
  {
    title: Type.Optional(eventFields.title),
    description: Type.Optional(eventFields.description),
    scheduledStart: Type.Optional(eventFields.scheduledStart),
    timeZone: Type.Optional(eventFields.timeZone),
    roundSeconds: Type.Optional(eventFields.roundSeconds),
    transitionSeconds: Type.Optional(eventFields.transitionSeconds),
    rounds: Type.Optional(eventFields.rounds),
    breaks: Type.Optional(eventFields.breaks),
    allowSharedTables: Type.Optional(eventFields.allowSharedTables),
    heldAfterSeconds: Type.Optional(eventFields.heldAfterSeconds),
    noShowAfterSeconds: Type.Optional(eventFields.noShowAfterSeconds),
    reminderOffsetsMinutes: Type.Optional(eventFields.reminderOffsetsMinutes),
    followUpDays: Type.Optional(eventFields.followUpDays),
    followUpTime: Type.Optional(eventFields.followUpTime),
    warnAtSeconds: Type.Optional(eventFields.warnAtSeconds),
    roundFormats: Type.Optional(eventFields.roundFormats),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type EventUpdateBody = Static<typeof EventUpdateBody>;

export const Event = Type.Object({
  id: Type.String({ format: 'uuid' }),
  ...eventFields,
  status: EventStatus,
  participantCounts: Type.Object({ mentors: Type.Integer(), mentees: Type.Integer() }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Event = Static<typeof Event>;

export const EventList = Type.Object({ events: Type.Array(Event) });
export type EventList = Static<typeof EventList>;

export const EVENT_DEFAULTS = {
  description: '',
  roundSeconds: 420,
  transitionSeconds: 60,
  rounds: 6,
  breaks: [] as EventBreak[],
  allowSharedTables: false,
  heldAfterSeconds: null,
  noShowAfterSeconds: null,
  reminderOffsetsMinutes: [1440, 60] as number[],
  followUpDays: 7,
  followUpTime: null,
  warnAtSeconds: [60, 10] as number[],
  roundFormats: null,
} as const;
