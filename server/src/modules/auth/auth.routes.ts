import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Organizer, SignInBody, SignUpBody, SignUpConfirmBody, SignUpPending } from '@constellation/shared/schemas/auth';
import { ErrorBody } from '@constellation/shared/schemas/common';
import { hashPassword, sameToken, signupToken, verifyPassword } from '../../lib/crypto.ts';
import { HttpError, conflict, unauthorized } from '../../lib/http-errors.ts';
import { inTransaction } from '../../plugins/db.ts';
import { subjectOf } from '../mail/core/templates.ts';
import { ORGANIZER_COOKIE, ORGANIZER_SESSION_TTL } from '../../plugins/auth.ts';
import { anyOrganizer, findOrganizerByEmail, insertOrganizer, insertSignup, redeemSignup } from './organizers.repository.ts';
import { createSession, deleteSession } from './sessions.repository.ts';

// Compared against when the email is unknown, so a sign-in takes as long either way.
const DUMMY_HASH = await hashPassword('constellation-timing-equaliser');

export interface AuthRoutesOptions {
  signInRateLimit: { max: number; timeWindow: number };
  /** Derives the sign-up confirmation tokens. */
  secret: string;
}

const SIGNUP_TTL_MS = 24 * 3600 * 1000;
const CHECK_EMAIL = 'Check your email: we sent you a link to finish signing up (or to sign in, if you already have an account).';
const BAD_LINK = 'This confirmation link is not valid or has expired: sign up again to get a new one';

const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, { signInRateLimit, secret }) => {
  app.post(
    '/signup',
    {
      config: { rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Create an organizer account and sign in',
        description:
          'With email configured (SMTP_URL) and at least one organizer on the instance, the answer is 202 "check your email" whether ' +
          'or not the address has an account: a new address gets a confirmation link, a known one a note to sign in instead. ' +
          'Otherwise (the first organizer, or no SMTP) the account is created at once: 201, or 409 for a known address.',
        body: SignUpBody,
        response: { 201: Organizer, 202: SignUpPending, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const name = request.body.name.trim() || request.body.name;
      const passwordHash = await hashPassword(password);
      if (app.mail.configured && (await anyOrganizer(app.pg))) {
        // Same work, same answer, whoever owns the address: only its mailbox learns which it was.
        const known = await findOrganizerByEmail(app.pg, email);
        await inTransaction(app.pg, async (client) => {
          const signupId = known ? undefined : await insertSignup(client, { email, name, passwordHash, expiresAt: new Date(app.mail.now().getTime() + SIGNUP_TTL_MS) });
          const kind = known ? ('signup-exists' as const) : ('signup-confirm' as const);
          await app.mail.enqueue(client, [{ eventId: null, participantId: null, signupId, recipient: email, kind, subject: subjectOf(kind, { name }), payload: { name } }]);
        });
        app.mail.kick();
        return reply.status(202).send({ status: 'check-email' as const, message: CHECK_EMAIL });
      }
      const organizer = await insertOrganizer(app.pg, { email, name, passwordHash });
      if (!organizer) throw conflict('An account with this email already exists; sign in instead');
      const token = await createSession(app.pg, { organizerId: organizer.id }, ORGANIZER_SESSION_TTL);
      app.setSessionCookie(reply, ORGANIZER_COOKIE, token, ORGANIZER_SESSION_TTL);
      return reply.status(201).send(organizer);
    },
  );

  app.post(
    '/signup/confirm',
    {
      config: { rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Finish a sign-up from its emailed link: creates the account and signs in',
        body: SignUpConfirmBody,
        response: { 201: Organizer, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const [id = '', token = ''] = request.body.token.split('.');
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) || !sameToken(signupToken(secret, id), token)) throw new HttpError(400, BAD_LINK);
      const organizer = await inTransaction(app.pg, async (client) => {
        const signup = await redeemSignup(client, id, app.mail.now());
        if (!signup) throw new HttpError(400, BAD_LINK);
        const created = await insertOrganizer(client, signup);
        if (!created) throw conflict('An account with this email already exists; sign in instead');
        return created;
      });
      const session = await createSession(app.pg, { organizerId: organizer.id }, ORGANIZER_SESSION_TTL);
      app.setSessionCookie(reply, ORGANIZER_COOKIE, session, ORGANIZER_SESSION_TTL);
      return reply.status(201).send(organizer);
    },
  );

  app.post(
    '/signin',
    {
      config: { rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in as an organizer',
        body: SignInBody,
        response: { 200: Organizer, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const found = await findOrganizerByEmail(app.pg, email);
      const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !ok) throw unauthorized('Wrong email or password');
      const token = await createSession(app.pg, { organizerId: found.id }, ORGANIZER_SESSION_TTL);
      app.setSessionCookie(reply, ORGANIZER_COOKIE, token, ORGANIZER_SESSION_TTL);
      return { id: found.id, email: found.email, name: found.name };
    },
  );

  app.post(
    '/signout',
    { schema: { tags: ['auth'], summary: 'End the organizer session', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const token = request.cookies[ORGANIZER_COOKIE];
      if (token) {
        await deleteSession(app.pg, token);
        app.revokeSockets({ sessionToken: token });
      }
      reply.clearCookie(ORGANIZER_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      preHandler: app.requireOrganizer,
      schema: { tags: ['auth'], summary: 'The signed-in organizer', response: { 200: Organizer, 401: ErrorBody } },
    },
    async (request) => request.organizer!,
  );
};

export default authRoutes;
