import type { OrganizerInvite, SignupRequests } from '@constellation/shared/schemas/auth';
import * as auth from '../api/auth.ts';
import { describeError } from '../api/http.ts';

/**
 * The organizer's team: invitation links for colleagues, and, for the instance's owner, the sign-ups
 * waiting for approval with the sign-up mail the outbox holds.
 */
export class OrganizerTeam {
  #requests = $state<SignupRequests | null>(null);
  #invite = $state<OrganizerInvite | null>(null);
  #error = $state('');
  #busy = $state(false);

  get requests(): SignupRequests | null {
    return this.#requests;
  }

  get invite(): OrganizerInvite | null {
    return this.#invite;
  }

  get error(): string {
    return this.#error;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Reads the pending sign-ups (owner only). */
  async load(): Promise<void> {
    await this.#run(async () => {
      this.#requests = await auth.getSignupRequests();
    });
  }

  async createInvite(): Promise<void> {
    await this.#run(async () => {
      this.#invite = await auth.createOrganizerInvite();
    });
  }

  async approve(requestId: string): Promise<boolean> {
    return this.#decide(() => auth.approveSignup(requestId));
  }

  async decline(requestId: string): Promise<boolean> {
    return this.#decide(() => auth.declineSignup(requestId));
  }

  async #decide(call: () => Promise<unknown>): Promise<boolean> {
    const done = await this.#run(call);
    await this.load();
    return done;
  }

  async #run(call: () => Promise<unknown>): Promise<boolean> {
    this.#busy = true;
    try {
      await call();
      this.#error = '';
      return true;
    } catch (error) {
      this.#error = describeError(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
