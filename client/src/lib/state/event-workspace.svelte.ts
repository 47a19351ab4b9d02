import type { Event, EventUpdateBody } from '@constellation/shared/schemas/events';
import type {
  Invite,
  Participant,
  ParticipantCreateBody,
  ParticipantUpdateBody,
} from '@constellation/shared/schemas/participants';
import { SvelteMap } from 'svelte/reactivity';
import * as events from '../api/events.ts';
import * as participants from '../api/participants.ts';
import { describeError, isApiError } from '../api/http.ts';
import { organizerSession } from './organizer-session.svelte.ts';

type Status = 'loading' | 'ready' | 'not-found' | 'error';

/** One event as its organizer edits it: the settings, the people, and their invite links. */
export class EventWorkspace {
  readonly eventId: string;
  #event = $state<Event | null>(null);
  #participants = $state<Participant[]>([]);
  #invites = new SvelteMap<string, Invite>();
  #status = $state<Status>('loading');
  #error = $state('');

  #mentors = $derived(this.#participants.filter((p) => p.role === 'mentor').length);
  #sorted = $derived(
    this.#participants.toSorted(
      (a, b) => Number(b.role === 'mentor') - Number(a.role === 'mentor') || a.name.localeCompare(b.name),
    ),
  );

  constructor(eventId: string) {
    this.eventId = eventId;
  }

  get event(): Event | null {
    return this.#event;
  }

  /** Mentors first, then mentees, each by name. */
  get participants(): Participant[] {
    return this.#sorted;
  }

  get mentorCount(): number {
    return this.#mentors;
  }

  get menteeCount(): number {
    return this.#participants.length - this.#mentors;
  }

  get status(): Status {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  inviteFor(participantId: string): Invite | undefined {
    return this.#invites.get(participantId);
  }

  async load(): Promise<void> {
    this.#status = 'loading';
    try {
      const [event] = await Promise.all([
        organizerSession.call(() => events.getEvent(this.eventId)),
        this.#reloadPeople(),
      ]);
      this.#event = event;
      this.#status = 'ready';
    } catch (error) {
      this.#status = isApiError(error, 404) || isApiError(error, 400) ? 'not-found' : 'error';
      this.#error = describeError(error);
    }
  }

  async save(body: EventUpdateBody): Promise<void> {
    this.#event = await organizerSession.call(() => events.updateEvent(this.eventId, body));
  }

  async delete(): Promise<void> {
    await organizerSession.call(() => events.deleteEvent(this.eventId));
  }

  async addParticipant(body: ParticipantCreateBody): Promise<Participant> {
    const created = await organizerSession.call(() => participants.createParticipant(this.eventId, body));
    this.#participants = [...this.#participants, created];
    await this.#reloadInvites();
    return created;
  }

  async updateParticipant(participantId: string, body: ParticipantUpdateBody): Promise<Participant> {
    const updated = await organizerSession.call(() => participants.updateParticipant(this.eventId, participantId, body));
    this.#participants = this.#participants.map((p) => (p.id === participantId ? updated : p));
    return updated;
  }

  async removeParticipant(participantId: string): Promise<void> {
    await organizerSession.call(() => participants.deleteParticipant(this.eventId, participantId));
    this.#participants = this.#participants.filter((p) => p.id !== participantId);
    this.#invites.delete(participantId);
  }

  /** All rows or none; a 422 ApiError carries every problem. Resolves to the number imported and notes worth checking. */
  async importCsv(csv: string): Promise<{ imported: number; notes: string[] }> {
    const { imported, notes } = await organizerSession.call(() => participants.importParticipantsCsv(this.eventId, csv));
    await this.#reloadPeople();
    return { imported, notes };
  }

  /** A new link for one participant; the old one stops working. */
  async regenerateInvite(participantId: string): Promise<Invite> {
    const invite = await organizerSession.call(() => participants.regenerateInvite(this.eventId, participantId));
    this.#invites.set(participantId, invite);
    return invite;
  }

  async #reloadPeople(): Promise<void> {
    const [people] = await Promise.all([
      organizerSession.call(() => participants.listParticipants(this.eventId)),
      this.#reloadInvites(),
    ]);
    this.#participants = people;
  }

  async #reloadInvites(): Promise<void> {
    const invites = await organizerSession.call(() => participants.listInvites(this.eventId));
    this.#invites.clear();
    for (const invite of invites) this.#invites.set(invite.participantId, invite);
  }
}
