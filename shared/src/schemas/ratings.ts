import { Type, type Static } from 'typebox';
import { AttendanceTally } from './attendance.ts';

const Id = Type.String({ format: 'uuid' });
const Note = Type.String({ maxLength: 2000 });

export const RatingBody = Type.Object(
  {
    fit: Type.Integer({ minimum: 1, maximum: 5 }),
    wouldMentor: Type.Boolean(),
    note: Type.Optional(Note),
  },
  { additionalProperties: false },
);
export type RatingBody = Static<typeof RatingBody>;

export const MenteeNoteBody = Type.Object({ note: Note }, { additionalProperties: false });
export type MenteeNoteBody = Static<typeof MenteeNoteBody>;

export const PreferencesBody = Type.Object(
  {
    /** Mentors met, best first. */
    ranking: Type.Array(Id, { maxItems: 50 }),
    notAFit: Type.Array(Id, { maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type PreferencesBody = Static<typeof PreferencesBody>;

export const CapacityBody = Type.Object({ capacity: Type.Integer({ minimum: 1, maximum: 5 }) }, { additionalProperties: false });
export type CapacityBody = Static<typeof CapacityBody>;

export const MetPerson = Type.Object({
  participantId: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('mentor'), Type.Literal('mentee')]),
  round: Type.Integer(),
  /** Mentors: their own rating of this mentee. */
  rating: Type.Union([Type.Object({ fit: Type.Integer(), wouldMentor: Type.Boolean(), note: Type.String() }), Type.Null()]),
  /** Mentees: their own note about this mentor. */
  note: Type.Union([Type.String(), Type.Null()]),
});
export type MetPerson = Static<typeof MetPerson>;

/** What a participant sees of their own feedback: never anything anyone said about them. */
export const MyFeedback = Type.Object({
  submissionsOpen: Type.Boolean(),
  met: Type.Array(MetPerson),
  ranking: Type.Array(Type.String()),
  notAFit: Type.Array(Type.String()),
  capacity: Type.Integer(),
  capacityConfirmed: Type.Boolean(),
  constellationSize: Type.Integer(),
});
export type MyFeedback = Static<typeof MyFeedback>;

/**
 * A participant's final answer. `pending` until the organizer confirms the pairing; then either
 * `confirmed` with their match(es), or `not-matched` with the plain reason and what happens next.
 */
export const MyMatch = Type.Object({
  status: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('not-matched')]),
  matches: Type.Array(Type.Object({ participantId: Type.String(), name: Type.String(), role: Type.String(), email: Type.String() })),
  /** Not matched: why, in one word (`not-met`, `not-ranked`, `not-a-fit`, `capacity`, `not-seeking`, `left-out`)… */
  reasonCode: Type.Optional(Type.String()),
  /** …and in plain words, to the participant. */
  reason: Type.Optional(Type.String()),
  /** What happens next. */
  next: Type.Optional(Type.String()),
  /** Matched: the first follow-up the organizer set, and the time zone to show it in (the participant's own, else the event's). */
  followUp: Type.Optional(Type.Object({ startsAt: Type.String({ format: 'date-time' }), timeZone: Type.String() })),
  /**
   * Confirmed circles (issue 13): the participant's circle, its mentor and the other members by name
   * (never anyone's ratings, rankings or peer wishes); the group invite is /api/me/match/circle/invite.ics.
   */
  circle: Type.Optional(
    Type.Object({
      mentor: Type.Object({ id: Type.String(), name: Type.String() }),
      members: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    }),
  ),
});
export type MyMatch = Static<typeof MyMatch>;

/** A mentee's rating of a circle they sat in, and the peers of it they would like to keep learning with. */
export const CircleFeedbackBody = Type.Object(
  {
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    note: Type.Optional(Note),
    /** Other mentees present in that circle. */
    peerIds: Type.Array(Id, { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type CircleFeedbackBody = Static<typeof CircleFeedbackBody>;

/** The round, 1–9999, as the path gives it (params are not coerced). */
export const CircleRoundParams = Type.Object({ round: Type.String({ pattern: '^[1-9][0-9]{0,3}$' }) });

/** A circle the mentee sat in (present per attendance), with the peers who were there and the mentee's own answer. */
export const MyCircle = Type.Object({
  round: Type.Integer(),
  mentor: Type.Object({ id: Type.String(), name: Type.String() }),
  /** A co-hosted circle's second mentor. */
  coMentor: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() })),
  peers: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  /** The mentee's own rating and wishes; never anyone else's. */
  feedback: Type.Union([Type.Object({ rating: Type.Integer(), note: Type.String(), peerIds: Type.Array(Type.String()) }), Type.Null()]),
});
export type MyCircle = Static<typeof MyCircle>;

export const MyCircles = Type.Object({ submissionsOpen: Type.Boolean(), circles: Type.Array(MyCircle) });
export type MyCircles = Static<typeof MyCircles>;

export const FeedbackProgress = Type.Object({
  submissionsOpen: Type.Boolean(),
  heldRounds: Type.Integer(),
  mentors: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), rated: Type.Integer(), met: Type.Integer(), capacity: Type.Integer(), capacityConfirmed: Type.Boolean() })),
  mentees: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      ranked: Type.Boolean(),
      met: Type.Integer(),
      /** Circles the mentee sat in, and how many of them they rated. */
      circles: Type.Integer(),
      circlesRated: Type.Integer(),
    }),
  ),
  /** Over all mentees: circle seats held, circles rated, peer wishes named (counts only, never contents). */
  circles: Type.Object({ seats: Type.Integer(), rated: Type.Integer(), peerWishes: Type.Integer() }),
});
export type FeedbackProgress = Static<typeof FeedbackProgress>;

export const SubmissionsBody = Type.Object({ open: Type.Boolean() }, { additionalProperties: false });

export const Pair = Type.Object({ mentorId: Id, menteeId: Id }, { additionalProperties: false });
export type Pair = Static<typeof Pair>;

/** Statistics of a proposal or of the current pairing (organizers only). */
export const PairingStats = Type.Object({
  pairs: Type.Integer(),
  matchedMentees: Type.Integer(),
  matchedMentors: Type.Integer(),
  firstChoices: Type.Integer(),
  averageRank: Type.Union([Type.Number(), Type.Null()]),
  blockingPairs: Type.Integer(),
  welfare: Type.Number(),
  unmatchedMentees: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
  unmatchedMentors: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
});
export type PairingStats = Static<typeof PairingStats>;

export const ProposedPair = Type.Object({
  mentorId: Type.String(),
  menteeId: Type.String(),
  /** The mentee's rank of the mentor (1 = first choice), null when unranked. */
  menteeRank: Type.Union([Type.Integer(), Type.Null()]),
  /** The mentor's fit rating of the mentee. */
  mentorFit: Type.Union([Type.Integer(), Type.Null()]),
});

/** A circle of a proposal or of the pairing (organizers only): its mentor, members, and the mutual peer wishes it meets. */
export const CircleView = Type.Object({
  mentorId: Type.String(),
  menteeIds: Type.Array(Type.String()),
  mutualWishes: Type.Array(Type.Tuple([Type.String(), Type.String()])),
});
export type CircleView = Static<typeof CircleView>;

export const CirclesOptimality = Type.Object({
  /** False only when the search hit its node budget: then `wishesBound` is a proven bound and `gap` what may be missing. */
  exact: Type.Boolean(),
  wishesBound: Type.Integer(),
  gap: Type.Integer(),
  nodes: Type.Integer(),
  rotations: Type.Integer(),
});

/** The circles proposal: stable circles with the most mutual peer wishes, then the best ranks. */
export const CirclesProposal = Type.Object({
  pairs: Type.Array(ProposedPair),
  circles: Type.Array(CircleView),
  /** Mutual wishes met, and all mutual wishes between mentees who can be placed. */
  mutualWishes: Type.Integer(),
  mutualWishPairs: Type.Integer(),
  stats: PairingStats,
  optimality: CirclesOptimality,
  people: Type.Record(Type.String(), Type.Object({ name: Type.String(), role: Type.String() })),
});
export type CirclesProposal = Static<typeof CirclesProposal>;

export const Proposals = Type.Object({
  stable: Type.Object({ pairs: Type.Array(ProposedPair), stats: PairingStats }),
  welfare: Type.Object({ pairs: Type.Array(ProposedPair), stats: PairingStats }),
  people: Type.Record(Type.String(), Type.Object({ name: Type.String(), role: Type.String() })),
});
export type Proposals = Static<typeof Proposals>;

export const Pairing = Type.Object({
  status: Type.Union([Type.Literal('none'), Type.Literal('proposed'), Type.Literal('confirmed')]),
  source: Type.Union([Type.Literal('stable'), Type.Literal('welfare'), Type.Literal('manual'), Type.Literal('circles'), Type.Null()]),
  pairs: Type.Array(ProposedPair),
  stats: PairingStats,
  /** A circles pairing: each mentor's circle, and how many mutual peer wishes they meet in all. */
  circles: Type.Optional(Type.Array(CircleView)),
  mutualWishes: Type.Optional(Type.Integer()),
  /** For manual changes: capacity violations, invalid pairs, blocking pairs, in words. */
  warnings: Type.Array(Type.String()),
  people: Type.Record(Type.String(), Type.Object({ name: Type.String(), role: Type.String() })),
});
export type Pairing = Static<typeof Pairing>;

export const PairingBody = Type.Object(
  {
    /** `circles`: each mentee in at most one pair, the pairs of a mentor forming their circle. */
    source: Type.Union([Type.Literal('stable'), Type.Literal('welfare'), Type.Literal('manual'), Type.Literal('circles')]),
    pairs: Type.Array(Pair, { maxItems: 50_000 }),
  },
  { additionalProperties: false },
);
export type PairingBody = Static<typeof PairingBody>;

export const EventReport = Type.Object({
  participants: Type.Object({ mentors: Type.Integer(), mentees: Type.Integer() }),
  roundsHeld: Type.Integer(),
  /** Seats of the rounds held: planned (or seated live), and what became of them. */
  meetingsPlanned: Type.Integer(),
  /** Together at least `heldAfterSeconds` (or marked met by the organizer). */
  meetingsHeld: Type.Integer(),
  meetingsCutShort: Type.Integer(),
  meetingsDropped: Type.Integer(),
  /** Seats where someone never came. */
  noShows: Type.Integer(),
  heldAfterSeconds: Type.Integer(),
  byRound: Type.Array(Type.Intersect([Type.Object({ round: Type.Integer() }), AttendanceTally])),
  byPerson: Type.Array(Type.Intersect([Type.Object({ participantId: Type.String(), name: Type.String(), role: Type.String() }), AttendanceTally])),
  responseRates: Type.Object({ mentorsRated: Type.Number(), menteesRanked: Type.Number() }),
  matches: Type.Integer(),
  /** How many confirmed matches gave the mentee their rank-k choice; index 0 = first choice; last = unranked. */
  rankDistribution: Type.Array(Type.Object({ rank: Type.Union([Type.Integer(), Type.Null()]), count: Type.Integer() })),
});
export type EventReport = Static<typeof EventReport>;
