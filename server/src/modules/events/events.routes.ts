import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import { Event, EventCreateBody, EventList, EventUpdateBody, type EventBreak, type RoundFormat } from '@constellation/shared/schemas/events';
import { HttpError, notFound } from '../../lib/http-errors.ts';
import { isValidTimeZone } from '../../lib/validation.ts';
import { deleteEvent, findEvent, insertEvent, listEvents, updateEvent } from './events.repository.ts';

/** Rules JSON Schema cannot express: a real time zone, breaks inside the event, one format per round. */
function checkEventRules(input: { timeZone?: string; breaks?: EventBreak[]; rounds?: number; roundFormats?: RoundFormat[] | null }, current?: Event): void {
  if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
    throw new HttpError(400, `body.timeZone "${input.timeZone}" is not a known IANA time zone (for example Europe/Berlin)`, [
      { field: 'body.timeZone', message: 'is not a known IANA time zone' },
    ]);
  }
  const rounds = input.rounds ?? current?.rounds ?? 6;
  const breaks = input.breaks ?? current?.breaks ?? [];
  const seen = new Set<number>();
  for (const [i, b] of breaks.entries()) {
    if (b.afterRound >= rounds) {
      throw new HttpError(400, `body.breaks.${i}.afterRound must be before the last round (${rounds})`, [
        { field: `body.breaks.${i}.afterRound`, message: `must be less than the number of rounds (${rounds})` },
      ]);
    }
    if (seen.has(b.afterRound)) {
      throw new HttpError(400, `body.breaks.${i}.afterRound repeats round ${b.afterRound}`, [
        { field: `body.breaks.${i}.afterRound`, message: 'two breaks after the same round' },
      ]);
    }
    seen.add(b.afterRound);
  }
  const formats = input.roundFormats === undefined ? (current?.roundFormats ?? null) : input.roundFormats;
  if (formats !== null && formats.length !== rounds) {
    const field = input.roundFormats === undefined ? 'body.rounds' : 'body.roundFormats';
    throw new HttpError(400, `body.roundFormats must have one format per round: ${formats.length} formats for ${rounds} rounds${input.roundFormats === undefined ? ' (change roundFormats with rounds, or set it to null)' : ''}`, [
      { field, message: `roundFormats has ${formats.length} entries, rounds is ${rounds}` },
    ]);
  }
}

const eventsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireOrganizer);

  app.get(
    '/',
    { schema: { tags: ['events'], summary: "The organizer's events", response: { 200: EventList, 401: ErrorBody } } },
    async (request) => ({ events: await listEvents(app.pg, request.organizer!.id) }),
  );

  app.post(
    '/',
    {
      schema: {
        tags: ['events'],
        summary: 'Create an event',
        body: EventCreateBody,
        response: { 201: Event, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      checkEventRules(request.body);
      return reply.status(201).send(await insertEvent(app.pg, request.organizer!.id, request.body));
    },
  );

  app.get(
    '/:eventId',
    { schema: { tags: ['events'], summary: 'One event', params: EventIdParams, response: { 200: Event, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      const event = await findEvent(app.pg, request.organizer!.id, request.params.eventId);
      if (!event) throw notFound('Event');
      return event;
    },
  );

  app.patch(
    '/:eventId',
    {
      schema: {
        tags: ['events'],
        summary: 'Change an event',
        params: EventIdParams,
        body: EventUpdateBody,
        response: { 200: Event, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const current = await findEvent(app.pg, request.organizer!.id, request.params.eventId);
      if (!current) throw notFound('Event');
      checkEventRules(request.body, current);
      const timing = (['roundSeconds', 'transitionSeconds', 'rounds', 'breaks', 'roundFormats'] as const).filter((k) => request.body[k] !== undefined);
      if (current.status !== 'draft' && timing.length > 0) {
        throw new HttpError(409, `The event has started: ${timing.join(', ')} can no longer change (extend the round instead)`);
      }
      const event = await updateEvent(app.pg, request.organizer!.id, request.params.eventId, request.body);
      if (!event) throw notFound('Event');
      app.clock.forget(event.id);
      return event;
    },
  );

  app.delete(
    '/:eventId',
    {
      schema: { tags: ['events'], summary: 'Delete an event and everything in it', params: EventIdParams, response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody } },
    },
    async (request, reply) => {
      if (!(await deleteEvent(app.pg, request.organizer!.id, request.params.eventId))) throw notFound('Event');
      app.clock.forget(request.params.eventId);
      app.revokeSockets({ eventId: request.params.eventId });
      return reply.status(204).send(null);
    },
  );
};

export default eventsRoutes;
