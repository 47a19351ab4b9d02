import { Type, type Static } from 'typebox';

const Id = Type.String({ format: 'uuid' });

export const MeetingOutcome = Type.Union([
  Type.Literal('held'),
  Type.Literal('cut-short'),
  Type.Literal('no-show'),
  Type.Literal('dropped'),
  Type.Literal('in-progress'),
]);
export type MeetingOutcome = Static<typeof MeetingOutcome>;

export const AttendanceCorrection = Type.Object({
  round: Type.Integer({ minimum: 1 }),
  mentorId: Id,
  menteeId: Id,
  met: Type.Boolean(),
  reason: Type.String(),
  organizerId: Type.Union([Id, Type.Null()]),
  at: Type.String({ format: 'date-time' }),
});
export type AttendanceCorrection = Static<typeof AttendanceCorrection>;

/** One seat (a mentor and a mentee put together in a round) and what really happened at it. */
export const SeatAttendance = Type.Object({
  round: Type.Integer({ minimum: 1 }),
  mentorId: Id,
  menteeId: Id,
  roomName: Type.String(),
  /** How they came to sit together: the plan, a live rescue, or the organizer's move. */
  source: Type.Union([Type.Literal('plan'), Type.Literal('rescue'), Type.Literal('move')]),
  /** A live change seated them at this instant (null: from the round's start)… */
  seatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** …or took the seat away at this one (null: kept to the end). */
  replacedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Seconds the two were in the room together during the round. */
  togetherSeconds: Type.Integer({ minimum: 0 }),
  outcome: MeetingOutcome,
  noShowIds: Type.Array(Id),
  droppedIds: Type.Array(Id),
  correction: Type.Union([AttendanceCorrection, Type.Null()]),
  /** Counts as a meeting held: the organizer's correction, or else `outcome === 'held'`. */
  met: Type.Boolean(),
});
export type SeatAttendance = Static<typeof SeatAttendance>;

export const AttendanceTally = Type.Object({
  planned: Type.Integer({ minimum: 0 }),
  held: Type.Integer({ minimum: 0 }),
  cutShort: Type.Integer({ minimum: 0 }),
  noShow: Type.Integer({ minimum: 0 }),
  dropped: Type.Integer({ minimum: 0 }),
});
export type AttendanceTally = Static<typeof AttendanceTally>;

export const AttendanceView = Type.Object({
  /** A pair together at least this long met ("held"); less is "cut short". */
  heldAfterSeconds: Type.Integer(),
  /** A partner still missing this long after the start is a no-show, and whoever waits is re-paired. */
  noShowAfterSeconds: Type.Integer(),
  rounds: Type.Array(
    Type.Object({
      round: Type.Integer({ minimum: 1 }),
      startsAt: Type.String({ format: 'date-time' }),
      endsAt: Type.String({ format: 'date-time' }),
      ended: Type.Boolean(),
      tally: AttendanceTally,
      seats: Type.Array(SeatAttendance),
    }),
  ),
  perPerson: Type.Array(Type.Intersect([Type.Object({ participantId: Id, name: Type.String(), role: Type.String() }), AttendanceTally])),
  /** Every correction, oldest first: the audit trail. */
  corrections: Type.Array(AttendanceCorrection),
  people: Type.Record(Type.String(), Type.Object({ name: Type.String(), role: Type.String() })),
});
export type AttendanceView = Static<typeof AttendanceView>;

/** Path parameters are strings: the round is a number from 1 to 9999 written out. */
export const AttendanceSeatParams = Type.Object({ eventId: Id, round: Type.String({ pattern: '^[1-9][0-9]{0,3}$' }), mentorId: Id, menteeId: Id });
export const AttendanceCorrectionBody = Type.Object(
  {
    met: Type.Boolean(),
    /** Why: "talked by phone when video failed". Kept in the audit trail. */
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type AttendanceCorrectionBody = Static<typeof AttendanceCorrectionBody>;
