import type { Event, EventCreateBody, EventList, EventUpdateBody } from '@constellation/shared/schemas/events';
import { request } from './http.ts';

const eventPath = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}`;

export const listEvents = async () => (await request<EventList>('GET', '/api/events')).events;
export const getEvent = (eventId: string) => request<Event>('GET', eventPath(eventId));
export const createEvent = (body: EventCreateBody) => request<Event>('POST', '/api/events', { json: body });
export const updateEvent = (eventId: string, body: EventUpdateBody) =>
  request<Event>('PATCH', eventPath(eventId), { json: body });
export const deleteEvent = (eventId: string) => request<void>('DELETE', eventPath(eventId));
