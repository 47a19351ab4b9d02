import type { InvitationsQueued, MailMessage, Outbox } from '@constellation/shared/schemas/mail';
import { request } from './http.ts';

const base = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}/mail`;

/** Emails invitations to everyone, or to the participants listed; sending again re-sends. */
export const sendInvitations = (eventId: string, participantIds?: string[]) =>
  request<InvitationsQueued>('POST', `${base(eventId)}/invitations`, { json: participantIds ? { participantIds } : {} });
export const getOutbox = (eventId: string) => request<Outbox>('GET', base(eventId));
export const retryMessage = (eventId: string, messageId: string) =>
  request<MailMessage>('POST', `${base(eventId)}/${encodeURIComponent(messageId)}/retry`);
