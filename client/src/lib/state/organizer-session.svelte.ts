import type { Organizer, SignInBody, SignUpBody, SignUpPending } from '@constellation/shared/schemas/auth';
import * as auth from '../api/auth.ts';
import { isApiError } from '../api/http.ts';

type Status = 'unknown' | 'checking' | 'signed-in' | 'signed-out';

/** The organizer behind the session cookie, checked once and kept in step with sign in and out. */
export class OrganizerSession {
  #organizer = $state<Organizer | null>(null);
  #status = $state<Status>('unknown');
  #checking: Promise<void> | null = null;

  get organizer(): Organizer | null {
    return this.#organizer;
  }

  get status(): Status {
    return this.#status;
  }

  /** Asks the server who is signed in, once; later calls share the answer. */
  ensureChecked(): Promise<void> {
    if (this.#status !== 'unknown') return this.#checking ?? Promise.resolve();
    this.#status = 'checking';
    this.#checking = auth
      .currentOrganizer()
      .then((organizer) => this.#set(organizer))
      .catch(() => this.#set(null));
    return this.#checking;
  }

  async signIn(body: SignInBody): Promise<void> {
    this.#set(await auth.signIn(body));
  }

  /** Signs in with the new account, or answers what the server asked for instead (confirm by email). */
  async signUp(body: SignUpBody): Promise<SignUpPending | null> {
    const answer = await auth.signUp(body);
    if ('status' in answer) return answer;
    this.#set(answer);
    return null;
  }

  /** Finishes a sign-up from its emailed link, and signs in. */
  async confirmSignUp(token: string): Promise<void> {
    this.#set(await auth.confirmSignUp(token));
  }

  async signOut(): Promise<void> {
    try {
      await auth.signOut();
    } finally {
      this.#set(null);
    }
  }

  /** Call with any error from an organizer API: a 401 means the session ended elsewhere. */
  noteError(error: unknown): void {
    if (isApiError(error, 401)) this.#set(null);
  }

  /** Runs an organizer API call; an expired session sends the person back to sign in. Errors still reach the caller. */
  async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.noteError(error);
      throw error;
    }
  }

  #set(organizer: Organizer | null): void {
    this.#organizer = organizer;
    this.#status = organizer ? 'signed-in' : 'signed-out';
  }
}

export const organizerSession = new OrganizerSession();
