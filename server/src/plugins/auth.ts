import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Organizer } from '@constellation/shared/schemas/auth';
import { findOrganizerSession, findParticipantSession, type ParticipantSession } from '../modules/auth/sessions.repository.ts';
import { unauthorized } from '../lib/http-errors.ts';

export const ORGANIZER_COOKIE = 'cst_org';
export const PARTICIPANT_COOKIE = 'cst_part';
export const ORGANIZER_SESSION_TTL = 30 * 24 * 3600;
export const PARTICIPANT_SESSION_TTL = 14 * 24 * 3600;

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: the request must carry a live organizer session. */
    requireOrganizer: (request: FastifyRequest) => Promise<void>;
    /** preHandler: the request must carry a live participant session. */
    requireParticipant: (request: FastifyRequest) => Promise<void>;
    setSessionCookie: (reply: FastifyReply, name: string, token: string, ttlSeconds: number) => void;
  }
  interface FastifyRequest {
    organizer: Organizer | null;
    participantSession: ParticipantSession | null;
  }
}

/**
 * Cookie sessions: a random token in an httpOnly, SameSite=Lax cookie, its SHA-256 in the sessions
 * table. Organizers and participants have separate cookies so one browser can be both.
 */
export default fp<{ secureCookies: boolean }>(
  async (app, { secureCookies }) => {
    await app.register(cookie);
    app.decorateRequest('organizer', null);
    app.decorateRequest('participantSession', null);

    app.decorate('requireOrganizer', async (request: FastifyRequest) => {
      const token = request.cookies[ORGANIZER_COOKIE];
      const organizer = token ? await findOrganizerSession(app.pg, token) : null;
      if (!organizer) throw unauthorized('Sign in as an organizer first');
      request.organizer = organizer;
    });

    app.decorate('requireParticipant', async (request: FastifyRequest) => {
      const token = request.cookies[PARTICIPANT_COOKIE];
      const session = token ? await findParticipantSession(app.pg, token) : null;
      if (!session) throw unauthorized('Open your personal invite link first');
      request.participantSession = session;
    });

    app.decorate('setSessionCookie', (reply: FastifyReply, name: string, token: string, ttlSeconds: number) => {
      reply.setCookie(name, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        path: '/',
        maxAge: ttlSeconds,
      });
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
