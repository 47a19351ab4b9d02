import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '@constellation/shared/schemas/common';
import { JoinBody } from '@constellation/shared/schemas/participants';
import { ParticipantSelf } from '@constellation/shared/schemas/session';
import { unauthorized } from '../../lib/http-errors.ts';
import { PARTICIPANT_COOKIE, PARTICIPANT_SESSION_TTL } from '../../plugins/auth.ts';
import { createSession } from '../auth/sessions.repository.ts';
import { findEventById } from '../events/events.repository.ts';
import { findParticipant, redeemInviteToken } from './participants.repository.ts';

export interface JoinRoutesOptions {
  inviteRateLimit: { max: number; timeWindow: number };
  /** SESSION_SECRET: invite tokens are derived from it, so a new secret revokes every link. */
  secret: string;
}

async function participantSelf(app: Parameters<FastifyPluginAsyncTypebox>[0], eventId: string, participantId: string) {
  const [participant, event] = await Promise.all([findParticipant(app.pg, eventId, participantId), findEventById(app.pg, eventId)]);
  if (!participant || !event) throw unauthorized('Your invitation is no longer valid');
  const { id, title, description, scheduledStart, timeZone, roundSeconds, transitionSeconds, rounds, warnAtSeconds, status } = event;
  return { participant, event: { id, title, description, scheduledStart, timeZone, roundSeconds, transitionSeconds, rounds, warnAtSeconds, status } };
}

/** Participant entry: an invite token becomes a session scoped to one event and one role. */
const joinRoutes: FastifyPluginAsyncTypebox<JoinRoutesOptions> = async (app, { inviteRateLimit, secret }) => {
  app.post(
    '/join',
    {
      config: { rateLimit: inviteRateLimit },
      schema: {
        tags: ['participant'],
        summary: 'Open a personal invite link: starts a participant session',
        body: JoinBody,
        response: { 200: ParticipantSelf, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const redeemed = await redeemInviteToken(app.pg, request.body.token, secret);
      if (!redeemed) throw unauthorized('This invite link is no longer valid; ask the organizer for a new one');
      const token = await createSession(app.pg, redeemed, PARTICIPANT_SESSION_TTL);
      app.setSessionCookie(reply, PARTICIPANT_COOKIE, token, PARTICIPANT_SESSION_TTL);
      return participantSelf(app, redeemed.eventId, redeemed.participantId);
    },
  );

  app.get(
    '/me',
    {
      preHandler: app.requireParticipant,
      schema: { tags: ['participant'], summary: "The participant's own event and profile", response: { 200: ParticipantSelf, 401: ErrorBody } },
    },
    async (request) => {
      const { eventId, participantId } = request.participantSession!;
      return participantSelf(app, eventId, participantId);
    },
  );
};

export default joinRoutes;
