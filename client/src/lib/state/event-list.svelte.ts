import type { Event } from '@constellation/shared/schemas/events';
import { listEvents } from '../api/events.ts';
import { describeError } from '../api/http.ts';
import { organizerSession } from './organizer-session.svelte.ts';

/** The organizer's events, soonest first. */
export class EventList {
  #events = $state<Event[]>([]);
  #status = $state<'loading' | 'ready' | 'error'>('loading');
  #error = $state('');

  get events(): Event[] {
    return this.#events;
  }

  get status(): 'loading' | 'ready' | 'error' {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  async load(): Promise<void> {
    this.#status = 'loading';
    try {
      const events = await listEvents();
      this.#events = events.toSorted((a, b) => a.scheduledStart.localeCompare(b.scheduledStart));
      this.#status = 'ready';
    } catch (error) {
      organizerSession.noteError(error);
      this.#error = describeError(error);
      this.#status = 'error';
    }
  }
}
