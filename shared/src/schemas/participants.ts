import { Type, type Static } from 'typebox';
import { Email } from './auth.ts';

export const Role = Type.Union([Type.Literal('mentor'), Type.Literal('mentee')]);
export type Role = Static<typeof Role>;

const Tag = Type.String({ minLength: 1, maxLength: 80 });

/** What the planner's compatibility score reads. Every field is optional. */
export const Profile = Type.Object(
  {
    industry: Type.Optional(Type.String({ maxLength: 80 })),
    /** Mentor: what they offer (strengths they can teach); mentee: what they want (skills to build). CSV: offers / wants. */
    skills: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
    yearsExperience: Type.Optional(Type.Integer({ minimum: 0, maximum: 70 })),
    goals: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
    challenges: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
    workingStyle: Type.Optional(Type.String({ maxLength: 80 })),
    /** IANA time zone name. */
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type Profile = Static<typeof Profile>;

export const ParticipantCreateBody = Type.Object(
  {
    role: Role,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    email: Email,
    profile: Type.Optional(Profile),
    /** Mentor only: how many mentees they can take on. */
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    /** Mentee only: how many mentors they may end with. */
    constellationSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  },
  { additionalProperties: false },
);
export type ParticipantCreateBody = Static<typeof ParticipantCreateBody>;

export const ParticipantUpdateBody = Type.Object(
  {
    role: Type.Optional(Role),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    email: Type.Optional(Email),
    profile: Type.Optional(Profile),
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    constellationSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ParticipantUpdateBody = Static<typeof ParticipantUpdateBody>;

export const Participant = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventId: Type.String({ format: 'uuid' }),
  role: Role,
  name: Type.String(),
  email: Type.String(),
  profile: Profile,
  capacity: Type.Integer(),
  constellationSize: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Participant = Static<typeof Participant>;

export const ParticipantList = Type.Object({ participants: Type.Array(Participant) });
export type ParticipantList = Static<typeof ParticipantList>;

export const ImportResult = Type.Object({
  imported: Type.Integer(),
  /** Things worth checking although every row was valid, e.g. mentee rows read from the old `skills` column. */
  notes: Type.Array(Type.String()),
});
export type ImportResult = Static<typeof ImportResult>;

/**
 * Columns of the CSV import, in the documented order. Only the first three are required.
 * `offers` (mentors: strengths they can teach) and `wants` (mentees: skills they want to build) both
 * fill the profile's `skills`, which the planner matches against each other.
 */
export const CSV_COLUMNS = [
  'role',
  'name',
  'email',
  'industry',
  'offers',
  'wants',
  'years_experience',
  'goals',
  'challenges',
  'working_style',
  'time_zone',
  'capacity',
  'constellation_size',
] as const;
/** Still read: `skills`, strengths on a mentor's row and wanted skills on a mentee's (hence the note). */
export const CSV_LEGACY_COLUMNS = ['skills'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number] | (typeof CSV_LEGACY_COLUMNS)[number];
export const CSV_REQUIRED_COLUMNS: readonly CsvColumn[] = ['role', 'name', 'email'];
/** Separator inside the multi-valued columns (offers, wants, goals, challenges). */
export const CSV_LIST_SEPARATOR = ';';

export const Invite = Type.Object({
  participantId: Type.String({ format: 'uuid' }),
  url: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Invite = Static<typeof Invite>;
export const InviteList = Type.Object({ invites: Type.Array(Invite) });
export type InviteList = Static<typeof InviteList>;

export const JoinBody = Type.Object(
  { token: Type.String({ minLength: 16, maxLength: 200 }) },
  { additionalProperties: false },
);
export type JoinBody = Static<typeof JoinBody>;
