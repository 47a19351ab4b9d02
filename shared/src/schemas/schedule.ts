import { Type, type Static } from 'typebox';
import { RoundFormat } from './events.ts';

const Id = Type.String({ format: 'uuid' });

export const Seat = Type.Object({ menteeId: Type.String(), score: Type.Integer(), reasons: Type.Array(Type.String()) });
export const Table = Type.Object({
  mentorId: Type.String(),
  menteeIds: Type.Array(Type.String()),
  score: Type.Integer(),
  seats: Type.Array(Seat),
  /** Co-hosted circles: the second mentor, and their fit with each mentee (in menteeIds order). */
  coMentorId: Type.Optional(Type.String()),
  coSeats: Type.Optional(Type.Array(Seat)),
  /** Circle rounds: the table's mentees with something in common, two by two, and why. */
  peers: Type.Optional(Type.Array(Type.Object({ menteeIds: Type.Array(Type.String()), score: Type.Integer(), reasons: Type.Array(Type.String()) }))),
});
export const SitOut = Type.Object({
  participantId: Type.String(),
  role: Type.Union([Type.Literal('mentor'), Type.Literal('mentee')]),
  code: Type.String(),
  reason: Type.String(),
});
export const Range = Type.Object({ min: Type.Integer(), max: Type.Integer() });
const Objective = Type.Object({ meetings: Type.Integer(), balance: Type.Integer(), score: Type.Integer() });
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
  /** Only for events with round formats: how close the plan is to the optimum (exact, or the gap to a proven bound). */
  optimality: Type.Optional(Type.Object({ exact: Type.Boolean(), bound: Objective, achieved: Objective, gap: Objective })),
  /** Only for events with round formats: pairs of mentees who share a circle, and those who share more than one. */
  circlePeers: Type.Optional(Type.Object({ peerPairs: Type.Integer(), repeatedPeerPairs: Type.Integer(), affinity: Type.Optional(Type.Integer()) })),
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
  /** The event's format of each round (mentoring circles); null: every round one-to-one. */
  roundFormats: Type.Optional(Type.Union([Type.Array(RoundFormat), Type.Null()])),
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

const Share = Type.Number({ minimum: 0, maximum: 1 });
const AdviceFigures = { meetingsPerMentee: Range, sitOutShare: Share, sharedTables: Type.Integer() };

/** How thin a plan is; see server/src/modules/schedule/core/health.ts. */
export const PlanHealthSchema = Type.Object({
  level: Type.Union([Type.Literal('good'), Type.Literal('fair'), Type.Literal('thin')]),
  plannedRounds: Type.Integer(),
  mentors: Type.Integer(),
  mentees: Type.Integer(),
  /** Share of the mentees' planned round slots spent sitting out, 0…1. */
  sitOutShare: Share,
  sitOutsPerRound: Range,
  /** Sit-outs because every seat of the round was taken. */
  tableShortSitOuts: Type.Integer(),
  meetingsPerMentee: Range,
  /** Mentees with the fewest meetings (at most 20), when that is fewer than `reach`. */
  fewest: Type.Array(Type.String()),
  mentorLoads: Range,
  /** The most distinct mentors a mentee can meet: min(rounds, mentors). */
  reach: Type.Integer(),
});

/** A change to the event, with the figures of the plan the planner makes for it. */
export const AdviceSchema = Type.Union([
  Type.Object({ kind: Type.Literal('more-rounds'), rounds: Type.Integer(), ...AdviceFigures }),
  Type.Object({ kind: Type.Literal('shared-tables'), ...AdviceFigures }),
  Type.Object({ kind: Type.Literal('more-mentors'), mentors: Type.Integer(), ...AdviceFigures }),
]);
export type Advice = Static<typeof AdviceSchema>;

export const PlanHealthView = Type.Object({
  /** Null when there is no plan, or it is out of date (re-plan first). */
  health: Type.Union([PlanHealthSchema, Type.Null()]),
  advice: Type.Array(AdviceSchema),
  /** The plan version these figures describe (0: none). */
  version: Type.Integer(),
  stale: Type.Boolean(),
});
export type PlanHealthView = Static<typeof PlanHealthView>;

const CheckItem = Type.Object({ ok: Type.Boolean(), detail: Type.String() });

/** What the organizer checks before pressing Start. */
export const StartChecklist = Type.Object({
  plan: CheckItem,
  video: Type.Object({ ok: Type.Boolean(), detail: Type.String(), serverUrl: Type.String() }),
  connected: Type.Object({
    ok: Type.Boolean(),
    detail: Type.String(),
    mentors: Type.Object({ online: Type.Integer(), total: Type.Integer() }),
    mentees: Type.Object({ online: Type.Integer(), total: Type.Integer() }),
  }),
});
export type StartChecklist = Static<typeof StartChecklist>;
