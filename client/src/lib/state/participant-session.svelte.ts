import type { ParticipantSelf } from '@constellation/shared/schemas/session';
import { currentParticipant, joinWithToken } from '../api/participant-session.ts';
import { describeError, isApiError } from '../api/http.ts';

type Status = 'idle' | 'loading' | 'ready' | 'invalid-link' | 'no-session' | 'error';

export const INVALID_LINK_MESSAGE = 'This invite link is no longer valid; ask the organizer for a new one.';

/** A mentor or mentee who arrived through their personal invite link. */
export class ParticipantSession {
  #self = $state<ParticipantSelf | null>(null);
  #status = $state<Status>('idle');
  #error = $state('');

  get self(): ParticipantSelf | null {
    return this.#self;
  }

  get status(): Status {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  /** Trades the token from the link for a session; true when the participant may go to the lobby. */
  async join(token: string): Promise<boolean> {
    this.#status = 'loading';
    try {
      this.#self = await joinWithToken(token);
      this.#status = 'ready';
      return true;
    } catch (error) {
      this.#fail(error, 'invalid-link');
      return false;
    }
  }

  /** Resumes the session after a reload, unless `join` already loaded it. */
  async load(): Promise<void> {
    if (this.#status === 'ready' || this.#status === 'loading') return;
    this.#status = 'loading';
    try {
      this.#self = await currentParticipant();
      this.#status = 'ready';
    } catch (error) {
      this.#fail(error, 'no-session');
    }
  }

  #fail(error: unknown, whenRefused: 'invalid-link' | 'no-session'): void {
    this.#self = null;
    // 401 and 404 mean the link or session is gone, and a 400 means the token was malformed; other errors may pass.
    const refused = isApiError(error, 401) || isApiError(error, 404) || isApiError(error, 400);
    this.#status = refused ? whenRefused : 'error';
    this.#error = refused && whenRefused === 'invalid-link' ? INVALID_LINK_MESSAGE : describeError(error);
  }
}

export const participantSession = new ParticipantSession();
