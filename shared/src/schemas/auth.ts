import { Type, type Static } from 'typebox';

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });

export const SignUpBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 10, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
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
});
export type Organizer = Static<typeof Organizer>;

/** Sign-up when email is configured and the instance has an organizer already: the same answer for a new and a known address. */
export const SignUpPending = Type.Object({ status: Type.Literal('check-email'), message: Type.String() });
export type SignUpPending = Static<typeof SignUpPending>;

/** The token from the confirmation link (everything after `#`). */
export const SignUpConfirmBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export type SignUpConfirmBody = Static<typeof SignUpConfirmBody>;
