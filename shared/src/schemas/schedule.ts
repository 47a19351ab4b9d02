import { Type, type Static } from 'typebox';

const Id = Type.String({ format: 'uuid' });

export const Seat = Type.Object({ menteeId: Type.String(), score: Type.Integer(), reasons: Type.Array(Type.String()) });
export const Table = Type.Object({ mentorId: Type.String(), menteeIds: Type.Array(Type.String()), score: Type.Integer(), seats: Type.Array(Seat) });
export const SitOut = Type.Object({
  participantId: Type.String(),
  role: Type.Union([Type.Literal('mentor'), Type.Literal('mentee')]),
  code: Type.String(),
  reason: Type.String(),
});
export const Range = Type.Object({ min: Type.Integer(), max: Type.Integer() });
export const PlanSchema = Type.Object({
  rounds: Type.Array(Type.Object({ index: Type.Integer(), held: Type.Boolean(), tables: Type.Array(Table), sitOuts: Type.Array(SitOut) })),
  totals: Type.Object({
    score: Type.Integer(),
    meetings: Type.Integer(),
    meetingsPerMentee: Range,
    mentorLoads: Range,
    plannedScore: Type.Integer(),
    plannedMeetings: Type.Integer(),
    sharedTables: Type.Integer(),
  }),
  warnings: Type.Array(Type.String()),
});

export const PairConstraint = Type.Object({
  mentorId: Id,
  menteeId: Id,
  kind: Type.Union([Type.Literal('pin'), Type.Literal('forbid')]),
});
export type PairConstraint = Static<typeof PairConstraint>;

export const PlanView = Type.Object({
  plan: Type.Union([PlanSchema, Type.Null()]),
  seed: Type.Union([Type.Integer(), Type.Null()]),
  version: Type.Integer(),
  /** Rounds already held when the plan was made; they never change. */
  heldRounds: Type.Integer(),
  constraints: Type.Array(PairConstraint),
  /** Names for the ids in the plan. */
  people: Type.Record(Type.String(), Type.Object({ name: Type.String(), role: Type.String() })),
  /** Set when participants were added, removed or constraints changed after the plan was made. */
  stale: Type.Boolean(),
  /** Milliseconds the planner took. */
  plannerMs: Type.Union([Type.Number(), Type.Null()]),
});
export type PlanView = Static<typeof PlanView>;

export const GeneratePlanBody = Type.Object(
  { seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })) },
  { additionalProperties: false },
);
export type GeneratePlanBody = Static<typeof GeneratePlanBody>;

export const ReplanBody = Type.Object(
  {
    /** Participants who left or did not show; they get no more meetings. */
    absentIds: Type.Optional(Type.Array(Id, { maxItems: 20_000 })),
  },
  { additionalProperties: false },
);
export type ReplanBody = Static<typeof ReplanBody>;

export const ConstraintParams = Type.Object({ eventId: Id, mentorId: Id, menteeId: Id });
export const ConstraintBody = Type.Object({ kind: Type.Union([Type.Literal('pin'), Type.Literal('forbid')]) }, { additionalProperties: false });

/** The organizer's hand during a round: seat a mentee with a mentor, or swap the mentees of two tables. */
export const SeatMoveBody = Type.Union([
  Type.Object({ kind: Type.Literal('seat'), mentorId: Id, menteeId: Id }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('swap'), menteeIds: Type.Tuple([Id, Id]) }, { additionalProperties: false }),
]);
export type SeatMoveBody = Static<typeof SeatMoveBody>;

export const SeatingChange = Type.Object({
  round: Type.Integer({ minimum: 1 }),
  kind: Type.Union([Type.Literal('rescue'), Type.Literal('move')]),
  pairs: Type.Array(Type.Object({ mentorId: Id, menteeId: Id, roomName: Type.String() })),
  /** Left without a seat by the change. */
  unseated: Type.Array(Id),
});
