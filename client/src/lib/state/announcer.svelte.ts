/** Status messages for the polite live region: saved, copied, imported. */
export class Announcer {
  #message = $state('');
  #tone = $state<'info' | 'error'>('info');
  #clearTimer: ReturnType<typeof setTimeout> | undefined;

  get message(): string {
    return this.#message;
  }

  get tone(): 'info' | 'error' {
    return this.#tone;
  }

  say(message: string, tone: 'info' | 'error' = 'info'): void {
    clearTimeout(this.#clearTimer);
    // Empty first, so the same sentence twice in a row is still read out.
    this.#message = '';
    requestAnimationFrame(() => {
      this.#message = message;
      this.#tone = tone;
      this.#clearTimer = setTimeout(() => this.clear(), 6000);
    });
  }

  clear(): void {
    clearTimeout(this.#clearTimer);
    this.#message = '';
  }
}

export const announcer = new Announcer();
