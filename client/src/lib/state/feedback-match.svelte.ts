import type { MyMatch } from '@constellation/shared/schemas/ratings';
import { getMyMatch } from '../api/feedback.ts';
import { describeError } from '../api/http.ts';
import { announcer } from './announcer.svelte.ts';

type Status = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The participant's final answer: pending until the organizer confirms the pairing, then their own
 * match(es) only, or "not matched" with the reason and what happens next.
 */
export class MyMatchState {
  #match = $state<MyMatch | null>(null);
  #status = $state<Status>('idle');
  #error = $state('');

  get match(): MyMatch | null {
    return this.#match;
  }

  get confirmed(): boolean {
    return this.#match?.status === 'confirmed';
  }

  /** The final answer is in: matched, or not matched this time. Nothing changes after it. */
  get settled(): boolean {
    return this.#match !== null && this.#match.status !== 'pending';
  }

  get status(): Status {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  async load(): Promise<void> {
    if (this.#status !== 'ready') this.#status = 'loading';
    try {
      this.receive(await getMyMatch());
      this.#status = 'ready';
    } catch (error) {
      // A failed poll keeps the last answer on screen; only a first load shows the error.
      if (this.#status !== 'ready') this.#status = 'error';
      this.#error = describeError(error);
    }
  }

  /** From a poll, or from the live connection (`match:confirmed`). */
  receive(match: MyMatch): void {
    // Announced only as news: a page opened after confirmation simply shows the answer.
    const news = this.#match !== null && !this.settled && match.status !== 'pending';
    this.#match = match;
    this.#status = 'ready';
    if (news && match.status === 'confirmed') {
      const names = match.matches.map((m) => m.name).join(' and ');
      announcer.say(`Your match is confirmed: ${names}.`);
    } else if (news) {
      announcer.say(`The final matches are made, and there is no match for you this time. ${match.reason ?? ''}`.trim());
    }
  }

  /** Asks again every `intervalMs` while the answer is pending, one request at a time; returns the cleanup. */
  poll(intervalMs = 5000): () => void {
    let stopped = false;
    let first = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      // The first ask always goes out: the answer on hand may be another participant's from earlier in this tab.
      if (first || !this.settled) await this.load();
      first = false;
      if (!stopped && !this.settled) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
}

export const myMatch = new MyMatchState();
