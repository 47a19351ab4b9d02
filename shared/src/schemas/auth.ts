import { Type, type Static } from 'typebox';

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });

export const SignUpBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 10, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    /** From an organizer's invite link (everything after `#invite=`): a new address joins at once, without the owner's approval. */
    invite: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type SignUpBody = Static<typeof SignUpBody>;

export const SignInBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBody>;

export const Organizer = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  /** The instance's owner (its first organizer): approves the other sign-ups. */
  owner: Type.Boolean(),
});
export type Organizer = Static<typeof Organizer>;

/**
 * Sign-up once the instance has an owner: the same answer for a new and a known address. With email
 * configured the link comes by email (`check-email`); without, the owner approves (`awaiting-approval`).
 */
export const SignUpPending = Type.Object({ status: Type.Union([Type.Literal('check-email'), Type.Literal('awaiting-approval')]), message: Type.String() });
export type SignUpPending = Static<typeof SignUpPending>;

/** The token from the confirmation link (everything after `#`). */
export const SignUpConfirmBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type SignUpConfirmBody = Static<typeof SignUpConfirmBody>;

/** A sign-up waiting for its email link or for the owner's approval. */
export const SignupRequest = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type SignupRequest = Static<typeof SignupRequest>;

/** A sign-up's email as the outbox holds it (no SMTP: the owner reads it here). */
export const SignupMessage = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('signup-confirm'), Type.Literal('signup-exists')]),
  recipient: Type.String(),
  subject: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('held')]),
  createdAt: Type.String({ format: 'date-time' }),
  /** The plain-text body, its link included. */
  text: Type.String(),
});
export type SignupMessage = Static<typeof SignupMessage>;

/** The owner's view of sign-ups: pending requests (oldest first) and the instance's sign-up outbox (newest first). */
export const SignupRequests = Type.Object({
  smtpConfigured: Type.Boolean(),
  requests: Type.Array(SignupRequest),
  messages: Type.Array(SignupMessage),
});
export type SignupRequests = Static<typeof SignupRequests>;

export const SignupRequestParams = Type.Object({ requestId: Type.String({ format: 'uuid' }) });
export type SignupRequestParams = Static<typeof SignupRequestParams>;

/** A single-use link that lets a colleague become an organizer at once. */
export const OrganizerInvite = Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });
export type OrganizerInvite = Static<typeof OrganizerInvite>;
