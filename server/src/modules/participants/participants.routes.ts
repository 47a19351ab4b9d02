import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, EventIdParams, ParticipantIdParams } from '@constellation/shared/schemas/common';
import {
  CSV_COLUMNS,
  ImportResult,
  Invite,
  InviteList,
  Participant,
  ParticipantCreateBody,
  ParticipantList,
  ParticipantUpdateBody,
  type Profile,
} from '@constellation/shared/schemas/participants';
import { inviteUrl } from '../../lib/crypto.ts';
import { HttpError, conflict, notFound, unprocessable } from '../../lib/http-errors.ts';
import { isValidTimeZone } from '../../lib/validation.ts';
import { inTransaction } from '../../plugins/db.ts';
import { findEvent } from '../events/events.repository.ts';
import { CsvTooLargeError, readParticipantsCsv } from './csv-import.ts';
import {
  deleteParticipant,
  existingEmails,
  findParticipant,
  insertParticipants,
  listLiveInvitations,
  listParticipants,
  regenerateInvitation,
  updateParticipant,
  type LiveInvitation,
} from './participants.repository.ts';

export interface ParticipantsRoutesOptions {
  publicUrl: string;
  secret: string;
}

const CSV_BODY_LIMIT = 20 * 1024 * 1024;
/** Rows per INSERT while importing: each batch is a few milliseconds of work, so other requests are never held up for long. */
const IMPORT_BATCH = 500;

function checkProfile(profile: Profile | undefined): void {
  if (profile?.timeZone !== undefined && !isValidTimeZone(profile.timeZone)) {
    throw new HttpError(400, `body.profile.timeZone "${profile.timeZone}" is not a known IANA time zone`, [
      { field: 'body.profile.timeZone', message: 'is not a known IANA time zone' },
    ]);
  }
}

const participantsRoutes: FastifyPluginAsyncTypebox<ParticipantsRoutesOptions> = async (app, { publicUrl, secret }) => {
  app.addHook('preHandler', app.requireOrganizer);
  // The CSV body stays a stream: the import route reads it a chunk at a time, after authentication,
  // counting bytes as it goes. A declared length over the limit is refused before reading anything.
  app.addContentTypeParser('text/csv', (request, payload, done) => {
    const declared = Number(request.headers['content-length']);
    if (declared > CSV_BODY_LIMIT) return done(new HttpError(413, new CsvTooLargeError(CSV_BODY_LIMIT).message), undefined);
    done(null, payload);
  });

  /** Live screens show names from a cache: refresh it when the people change. */
  const peopleChanged = (eventId: string) => void app.gateway.planChanged(eventId).catch((error: unknown) => app.log.error({ err: error }, 'refreshing live event failed'));

  const toInvite = (invitation: LiveInvitation) => ({
    participantId: invitation.participantId,
    url: inviteUrl(publicUrl, secret, invitation.id),
    createdAt: invitation.createdAt.toISOString(),
  });

  /** 404 unless the signed-in organizer owns the event. */
  async function ownEvent(organizerId: string, eventId: string) {
    const event = await findEvent(app.pg, organizerId, eventId);
    if (!event) throw notFound('Event');
    return event;
  }

  app.get(
    '/:eventId/participants',
    { schema: { tags: ['participants'], summary: "The event's participants", params: EventIdParams, response: { 200: ParticipantList, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      await ownEvent(request.organizer!.id, request.params.eventId);
      return { participants: await listParticipants(app.pg, request.params.eventId) };
    },
  );

  app.post(
    '/:eventId/participants',
    {
      schema: {
        tags: ['participants'],
        summary: 'Add one participant (an invite link is issued with it)',
        params: EventIdParams,
        body: ParticipantCreateBody,
        response: { 201: Participant, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      checkProfile(request.body.profile);
      if ((await existingEmails(app.pg, eventId)).has(request.body.email.toLowerCase())) {
        throw conflict(`${request.body.email} is already a participant of this event`);
      }
      const [id] = await inTransaction(app.pg, (client) => insertParticipants(client, eventId, [request.body], secret));
      peopleChanged(eventId);
      return reply.status(201).send((await findParticipant(app.pg, eventId, id!))!);
    },
  );

  app.post(
    '/:eventId/participants/import',
    {
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        tags: ['participants'],
        summary: 'Import participants from a CSV file (all rows or none)',
        description:
          'Body: the CSV text with content-type text/csv. UTF-8, with or without BOM; a header row naming columns among ' +
          `${CSV_COLUMNS.join(',')} (role, name and email required); offers (mentors: strengths they can teach), ` +
          'wants (mentees: skills they want to build), goals and challenges hold several values separated by ";". ' +
          'The old skills column is still read (a note in the result says how, for mentee rows).',
        params: EventIdParams,
        consumes: ['text/csv'],
        response: { 201: ImportResult, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      const body: unknown = request.body;
      if (!(body instanceof Readable)) throw new HttpError(415, 'Send the file itself with content-type text/csv');
      // Parsed and validated as it streams in, outside any transaction.
      let parsed;
      try {
        parsed = await readParticipantsCsv(body, await existingEmails(app.pg, eventId), CSV_BODY_LIMIT);
      } catch (error) {
        if (error instanceof CsvTooLargeError) throw new HttpError(413, error.message);
        throw error;
      }
      if (!parsed.ok) throw parsed.status ? new HttpError(parsed.status, parsed.message, parsed.problems) : unprocessable(parsed.message, parsed.problems);
      const rows = parsed.rows;
      const { notes } = parsed;
      const imported = await inTransaction(app.pg, async (client) => {
        // Lock the event row so two imports into the same event cannot both pass the email check.
        await client.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE', [eventId]);
        const existing = await existingEmails(client, eventId);
        const taken = rows.flatMap((row, i) => (existing.has(row.email.toLowerCase()) ? [{ row: i + 2, column: 'email', message: `${row.email} is already a participant of this event` }] : []));
        if (taken.length) throw unprocessable(`${taken.length} problem(s) found; nothing was imported`, taken.slice(0, 1000));
        for (let i = 0; i < rows.length; i += IMPORT_BATCH) await insertParticipants(client, eventId, rows.slice(i, i + IMPORT_BATCH), secret);
        return rows.length;
      });
      peopleChanged(eventId);
      return reply.status(201).send({ imported, notes });
    },
  );

  app.patch(
    '/:eventId/participants/:participantId',
    {
      schema: {
        tags: ['participants'],
        summary: 'Change a participant',
        params: ParticipantIdParams,
        body: ParticipantUpdateBody,
        response: { 200: Participant, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { eventId, participantId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      checkProfile(request.body.profile);
      try {
        const participant = await updateParticipant(app.pg, eventId, participantId, request.body);
        if (!participant) throw notFound('Participant');
        peopleChanged(eventId);
        return participant;
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw conflict(`${request.body.email} is already a participant of this event`);
        throw error;
      }
    },
  );

  app.delete(
    '/:eventId/participants/:participantId',
    {
      schema: { tags: ['participants'], summary: 'Remove a participant', params: ParticipantIdParams, response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody } },
    },
    async (request, reply) => {
      const { eventId, participantId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      if (!(await deleteParticipant(app.pg, eventId, participantId))) throw notFound('Participant');
      app.revokeSockets({ participantId });
      peopleChanged(eventId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/:eventId/invites',
    { schema: { tags: ['invites'], summary: "Every participant's personal join link", params: EventIdParams, response: { 200: InviteList, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      await ownEvent(request.organizer!.id, request.params.eventId);
      return { invites: (await listLiveInvitations(app.pg, request.params.eventId)).map(toInvite) };
    },
  );

  app.post(
    '/:eventId/participants/:participantId/invite',
    {
      schema: {
        tags: ['invites'],
        summary: "Regenerate a participant's join link; the old link stops working",
        params: ParticipantIdParams,
        response: { 200: Invite, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { eventId, participantId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      if (!(await findParticipant(app.pg, eventId, participantId))) throw notFound('Participant');
      const invitation = await inTransaction(app.pg, (client) => regenerateInvitation(client, eventId, participantId, secret));
      // The old link's sessions are gone: so are the sockets they opened.
      app.revokeSockets({ participantId });
      return toInvite(invitation);
    },
  );
};

export default participantsRoutes;
