import type { AttendanceView, SeatAttendance } from '@constellation/shared/schemas/attendance';
import * as api from '../api/attendance.ts';
import { describeError } from '../api/http.ts';
import { organizerSession } from './organizer-session.svelte.ts';

type Status = 'idle' | 'loading' | 'ready' | 'error';
export type Seat = Pick<SeatAttendance, 'round' | 'mentorId' | 'menteeId'>;

/** An event's attendance as its organizer reviews it: who really met, for how long, and the corrections by hand. */
export class EventAttendance {
  readonly eventId: string;
  #view = $state<AttendanceView | null>(null);
  #status = $state<Status>('idle');
  #error = $state('');

  constructor(eventId: string) {
    this.eventId = eventId;
  }

  get view(): AttendanceView | null {
    return this.#view;
  }

  get status(): Status {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  name(participantId: string): string {
    return this.#view?.people[participantId]?.name ?? 'Someone removed from the event';
  }

  /** Loads (or refreshes: a failed refresh keeps the figures on screen). */
  async load(): Promise<void> {
    if (!this.#view) this.#status = 'loading';
    try {
      this.#view = await organizerSession.call(() => api.getAttendance(this.eventId));
      this.#status = 'ready';
    } catch (error) {
      this.#error = describeError(error);
      if (!this.#view) this.#status = 'error';
    }
  }

  /** Marks a seat as met or not, with the reason; the server answers with the whole record, recounted. */
  async correct(seat: Seat, met: boolean, reason: string): Promise<void> {
    this.#view = await organizerSession.call(() => api.correctAttendance(this.eventId, seat, { met, reason }));
    this.#status = 'ready';
  }
}
