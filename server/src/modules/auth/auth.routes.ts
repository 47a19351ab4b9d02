import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Organizer, SignInBody, SignUpBody } from '@constellation/shared/schemas/auth';
import { ErrorBody } from '@constellation/shared/schemas/common';
import { hashPassword, verifyPassword } from '../../lib/crypto.ts';
import { conflict, unauthorized } from '../../lib/http-errors.ts';
import { ORGANIZER_COOKIE, ORGANIZER_SESSION_TTL } from '../../plugins/auth.ts';
import { findOrganizerByEmail, insertOrganizer } from './organizers.repository.ts';
import { createSession, deleteSession } from './sessions.repository.ts';

// Compared against when the email is unknown, so a sign-in takes as long either way.
const DUMMY_HASH = await hashPassword('constellation-timing-equaliser');

export interface AuthRoutesOptions {
  signInRateLimit: { max: number; timeWindow: number };
}

const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, { signInRateLimit }) => {
  app.post(
    '/signup',
    {
      config: { rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Create an organizer account and sign in',
        body: SignUpBody,
        response: { 201: Organizer, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, name, password } = request.body;
      const organizer = await insertOrganizer(app.pg, { email, name: name.trim() || name, passwordHash: await hashPassword(password) });
      if (!organizer) throw conflict('An account with this email already exists; sign in instead');
      const token = await createSession(app.pg, { organizerId: organizer.id }, ORGANIZER_SESSION_TTL);
      app.setSessionCookie(reply, ORGANIZER_COOKIE, token, ORGANIZER_SESSION_TTL);
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
