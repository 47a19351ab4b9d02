import type { AttendanceCorrectionBody, AttendanceView } from '@constellation/shared/schemas/attendance';
import { request } from './http.ts';

const id = (value: string) => encodeURIComponent(value);
const base = (eventId: string) => `/api/events/${id(eventId)}/attendance`;

/** Every seat of every round started, what really happened at it, per person, and the corrections. */
export const getAttendance = (eventId: string) => request<AttendanceView>('GET', base(eventId));

/** The organizer's correction of one seat (met by phone, say, or not at all), kept with its reason in the audit trail. */
export const correctAttendance = (eventId: string, seat: { round: number; mentorId: string; menteeId: string }, body: AttendanceCorrectionBody) =>
  request<AttendanceView>('PUT', `${base(eventId)}/${seat.round}/${id(seat.mentorId)}/${id(seat.menteeId)}`, { json: body });
