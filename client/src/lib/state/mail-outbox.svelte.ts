import type { MailMessage, Outbox } from '@constellation/shared/schemas/mail';
import * as mail from '../api/mail.ts';
import { describeError } from '../api/http.ts';

/** While messages wait for a (next) attempt, the outbox is read again this often. */
const REFRESH_MS = 4_000;

/** An event's email: invitations to send, and the outbox with each message's status and error. */
export class MailOutbox {
  readonly eventId: string;
  #outbox = $state<Outbox | null>(null);
  #error = $state('');
  #busy = $state(false);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(eventId: string) {
    this.eventId = eventId;
  }

  get outbox(): Outbox | null {
    return this.#outbox;
  }

  get messages(): MailMessage[] {
    return this.#outbox?.messages ?? [];
  }

  get error(): string {
    return this.#error;
  }

  get busy(): boolean {
    return this.#busy;
  }

  async load(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      this.#outbox = await mail.getOutbox(this.eventId);
      this.#error = '';
    } catch (error) {
      this.#error = describeError(error);
    }
    if (!this.#closed && (this.#outbox?.counts.queued ?? 0) > 0) this.#timer = setTimeout(() => void this.load(), REFRESH_MS);
  }

  /** Queues invitations (all participants when `participantIds` is left out); answers how many and whether they were held. */
  async invite(participantIds?: string[]): Promise<{ messages: number; status: 'queued' | 'held' }> {
    this.#busy = true;
    try {
      return await mail.sendInvitations(this.eventId, participantIds);
    } finally {
      this.#busy = false;
      await this.load();
    }
  }

  async retry(messageId: string): Promise<void> {
    await mail.retryMessage(this.eventId, messageId);
    await this.load();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
