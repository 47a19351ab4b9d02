import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

/** queued: waiting for its (next) attempt; sent: accepted by the SMTP server; failed: refused for good (retry by hand); held: kept in the outbox, no SMTP configured. */
export const MailStatus = Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('held')]);
export type MailStatus = Static<typeof MailStatus>;

export const MailKind = Type.Union([Type.Literal('invitation'), Type.Literal('reminder'), Type.Literal('outcome'), Type.Literal('signup-confirm'), Type.Literal('signup-exists')]);
export type MailKind = Static<typeof MailKind>;

export const MailMessage = Type.Object({
  id: Type.String(),
  participantId: Type.String(),
  kind: MailKind,
  recipient: Type.String(),
  subject: Type.String(),
  status: MailStatus,
  attempts: Type.Integer(),
  /** What the SMTP server (or the connection) said on the last failed attempt. */
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The plain-text body as the recipient reads it, their link included. */
  text: Type.String(),
});
export type MailMessage = Static<typeof MailMessage>;

export const Outbox = Type.Object({
  /** False: no SMTP_URL, messages are held here for the organizer to pass on. */
  smtpConfigured: Type.Boolean(),
  counts: Type.Object({ queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(), held: Type.Integer() }),
  /** Newest first, at most 500. */
  messages: Type.Array(MailMessage),
});
export type Outbox = Static<typeof Outbox>;

export const InvitationsBody = Type.Object(
  {
    /** Only these participants; all of them when left out. Sending again re-sends. */
    participantIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 20_000, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type InvitationsBody = Static<typeof InvitationsBody>;

export const InvitationsQueued = Type.Object({ messages: Type.Integer(), status: Type.Union([Type.Literal('queued'), Type.Literal('held')]) });
export type InvitationsQueued = Static<typeof InvitationsQueued>;

export const MessageIdParams = Type.Object({ eventId: Uuid, messageId: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) });
