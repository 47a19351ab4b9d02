import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import { SeatMoveBody, SeatingChange } from '@constellation/shared/schemas/schedule';
import { HttpError, notFound } from '../../lib/http-errors.ts';
import { findEvent } from '../events/events.repository.ts';

const STATUS: Record<string, number> = { 'not-found': 404, 'not-in-round': 409, 'not-seated': 409, 'already-seated': 409, 'co-hosted': 409, 'already-met': 409, forbidden: 409, 'invalid-payload': 400 };

/** The organizer moves people during a round: the same live room change as a rescue. */
const seatingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireOrganizer);

  app.post(
    '/:eventId/live/seats',
    {
      schema: {
        tags: ['schedule'],
        summary: 'During a round: seat a waiting mentee with a mentor (whose partner is missing, say), or swap the mentees of two tables',
        params: EventIdParams,
        body: SeatMoveBody,
        response: { 200: SeatingChange, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      if (!(await findEvent(app.pg, request.organizer!.id, eventId))) throw notFound('Event');
      const body = request.body;
      const result = await app.video.move(eventId, body.kind === 'seat' ? body : { kind: 'swap', menteeIds: [body.menteeIds[0], body.menteeIds[1]] });
      if ('error' in result) throw new HttpError(STATUS[result.error.code] ?? 409, result.error.message);
      return result.data;
    },
  );
};

export default seatingRoutes;
