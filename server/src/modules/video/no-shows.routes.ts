import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, EventIdParams, ParticipantIdParams } from '@constellation/shared/schemas/common';
import { NoShowList } from '@constellation/shared/realtime/events';
import { notFound } from '../../lib/http-errors.ts';
import { findEvent } from '../events/events.repository.ts';
import { clearNoShows, listNoShows } from './video.repository.ts';

/** The organizer's view of recorded no-shows; re-planning treats those still `absent` as absent. */
const noShowRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireOrganizer);

  async function ownEvent(organizerId: string, eventId: string): Promise<void> {
    if (!(await findEvent(app.pg, organizerId, eventId))) throw notFound('Event');
  }

  app.get(
    '/:eventId/no-shows',
    {
      schema: {
        tags: ['schedule'],
        summary: 'Participants who did not join their video room in time, round by round',
        params: EventIdParams,
        response: { 200: NoShowList, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      await ownEvent(request.organizer!.id, request.params.eventId);
      return { noShows: await listNoShows(app.pg, request.params.eventId) };
    },
  );

  app.delete(
    '/:eventId/no-shows/:participantId',
    {
      schema: {
        tags: ['schedule'],
        summary: "Forget a participant's no-shows (they are here after all), so the next re-plan seats them again",
        params: ParticipantIdParams,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId, participantId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      if (!(await clearNoShows(app.pg, eventId, participantId))) throw notFound('No-show');
      return reply.status(204).send(null);
    },
  );
};

export default noShowRoutes;
