import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import { InvitationsBody, InvitationsQueued, MailMessage, MessageIdParams, Outbox } from '@constellation/shared/schemas/mail';
import { HttpError, conflict, notFound } from '../../lib/http-errors.ts';
import { findEvent } from '../events/events.repository.ts';
import { countOutbox, listOutbox, messageStatus, recipientsOf, requeue, type OutboxRow } from './mail.repository.ts';
import { draftsFor, type MailService } from './mail.service.ts';

const OUTBOX_LIMIT = 500;

/** The organizer's side of email: send invitations, read the outbox, retry a failed message. */
const mailRoutes: FastifyPluginAsyncTypebox<{ mail: MailService }> = async (app, { mail }) => {
  app.addHook('preHandler', app.requireOrganizer);

  async function ownEvent(organizerId: string, eventId: string) {
    const event = await findEvent(app.pg, organizerId, eventId);
    if (!event) throw notFound('Event');
    return event;
  }

  const toMessage = (row: OutboxRow): MailMessage => ({
    id: row.id,
    participantId: row.participantId,
    kind: row.kind,
    recipient: row.recipient,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    text: mail.render(row).text,
  });

  app.post(
    '/:eventId/mail/invitations',
    {
      schema: {
        tags: ['mail'],
        summary: 'Email every participant (or those listed) their personal invitation; again re-sends',
        params: EventIdParams,
        body: InvitationsBody,
        response: { 202: InvitationsQueued, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const event = await ownEvent(request.organizer!.id, eventId);
      const wanted = request.body.participantIds ?? null;
      const recipients = await recipientsOf(app.pg, eventId, wanted);
      if (wanted && recipients.length < wanted.length) {
        const known = new Set(recipients.map((r) => r.id));
        const unknown = wanted.flatMap((id, i) => (known.has(id) ? [] : [{ field: `body.participantIds.${i}`, message: 'is not a participant of this event' }]));
        throw new HttpError(400, `${unknown.length} of the participants listed are not in this event; nothing was sent`, unknown);
      }
      const organizerName = request.organizer!.name;
      const drafts = draftsFor('invitation', event, recipients, (r, timeZone) => ({ eventTitle: event.title, name: r.name, timeZone, startsAt: event.scheduledStart, role: r.role, organizerName }));
      // Written before the answer: an acknowledged invitation survives a restart.
      const messages = await mail.enqueue(app.pg, drafts);
      mail.kick();
      return reply.status(202).send({ messages, status: mail.configured ? 'queued' : 'held' });
    },
  );

  app.get(
    '/:eventId/mail',
    { schema: { tags: ['mail'], summary: "The event's outbox: every message, its status and the last error", params: EventIdParams, response: { 200: Outbox, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      const { eventId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      const [rows, counts] = await Promise.all([listOutbox(app.pg, eventId, OUTBOX_LIMIT), countOutbox(app.pg, eventId)]);
      return { smtpConfigured: mail.configured, counts, messages: rows.map(toMessage) };
    },
  );

  app.post(
    '/:eventId/mail/:messageId/retry',
    {
      schema: {
        tags: ['mail'],
        summary: 'Send a failed (or held) message again now',
        params: MessageIdParams,
        response: { 200: MailMessage, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { eventId, messageId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      if (!mail.configured) throw conflict('No SMTP server is configured (SMTP_URL), so messages stay in the outbox');
      const row = await requeue(app.pg, eventId, messageId, mail.now());
      if (!row) {
        const status = await messageStatus(app.pg, eventId, messageId);
        if (!status) throw notFound('Message');
        throw conflict(`The message is ${status}: only a failed or held message can be retried`);
      }
      mail.kick();
      return toMessage(row);
    },
  );
};

export default mailRoutes;
