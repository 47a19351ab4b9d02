import type {
  ImportResult,
  Invite,
  InviteList,
  Participant,
  ParticipantCreateBody,
  ParticipantList,
  ParticipantUpdateBody,
} from '@constellation/shared/schemas/participants';
import { request } from './http.ts';

const base = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}`;
const one = (eventId: string, participantId: string) =>
  `${base(eventId)}/participants/${encodeURIComponent(participantId)}`;

export const listParticipants = async (eventId: string) =>
  (await request<ParticipantList>('GET', `${base(eventId)}/participants`)).participants;
export const createParticipant = (eventId: string, body: ParticipantCreateBody) =>
  request<Participant>('POST', `${base(eventId)}/participants`, { json: body });
export const updateParticipant = (eventId: string, participantId: string, body: ParticipantUpdateBody) =>
  request<Participant>('PATCH', one(eventId, participantId), { json: body });
export const deleteParticipant = (eventId: string, participantId: string) =>
  request<void>('DELETE', one(eventId, participantId));

/** All rows or none: a 422 ApiError lists every bad row and column. */
export const importParticipantsCsv = (eventId: string, csv: string) =>
  request<ImportResult>('POST', `${base(eventId)}/participants/import`, { text: csv, contentType: 'text/csv' });

export const listInvites = async (eventId: string) =>
  (await request<InviteList>('GET', `${base(eventId)}/invites`)).invites;
/** Issues a new link for the participant; the previous one stops working. */
export const regenerateInvite = (eventId: string, participantId: string) =>
  request<Invite>('POST', `${one(eventId, participantId)}/invite`);
