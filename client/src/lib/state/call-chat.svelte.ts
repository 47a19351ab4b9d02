import type { ClockState } from '@constellation/shared/clock/state';
import type { Ack, ChatHistory, ChatMessage } from '@constellation/shared/realtime/events';

/** How the chat reaches the server: the page's one live socket (`socket.ts` provides it). */
export interface ChatChannel {
  send(text: string): Promise<Ack<ChatMessage>>;
  history(): Promise<Ack<ChatHistory>>;
}

/**
 * The text chat of the participant's table in the round running now: what was said, what is unread,
 * and what the live region says of incoming messages. The server keeps it for the round only; a
 * reloaded page, a seat change or a reconnect asks for it again (`chat:history`), and the round's
 * end clears it. The socket module feeds it; the chat panel reads it and sends through it.
 */
export class CallChat {
  #messages = $state.raw<ChatMessage[]>([]);
  #round = $state<number | null>(null);
  #seat = $state<string | null>(null);
  #open = $state(false);
  #unread = $state(0);
  /** Incoming messages in words, for the polite live region. */
  #spoken = $state('');
  #me = $state<string | null>(null);
  #channel: ChatChannel | null = null;
  /** Bumped by every load and clear, so an answer that arrives late does not bring back a cleared chat. */
  #generation = 0;

  get messages(): ChatMessage[] {
    return this.#messages;
  }
  /** The round whose chat this is; null outside a round (nothing to chat in). */
  get round(): number | null {
    return this.#round;
  }
  get open(): boolean {
    return this.#open;
  }
  get unread(): number {
    return this.#unread;
  }
  get spoken(): string {
    return this.#spoken;
  }
  /** True for the viewer's own messages. */
  mine(message: ChatMessage): boolean {
    return message.from === this.#me;
  }

  // --- fed by the socket module -------------------------------------------------------------

  useChannel(channel: ChatChannel | null): void {
    this.#channel = channel;
  }

  /** Every snapshot (a connect, a reconnect, a changed plan): who the viewer is, and the chat as the server holds it. */
  applySnapshot(viewerId: string | null, clock: ClockState): void {
    this.#me = viewerId;
    if (clock.phase === 'round') void this.load();
    else this.clockChanged(clock);
  }

  /** Outside the round the chat belongs to, it is gone; a new round starts with an empty one. */
  clockChanged(clock: ClockState): void {
    if (clock.phase === 'round' && clock.round === this.#round) return;
    this.#clear();
    if (clock.phase === 'round') void this.load();
  }

  /** `chat:messaged`: a message at the viewer's table (their own too, from this page or another). */
  receive(message: ChatMessage): void {
    if (message.round !== this.#round || message.seat !== this.#seat) {
      // A new meeting (a seat change) or a round this page has not loaded yet: the server's history says what belongs.
      void this.load();
      return;
    }
    this.#add(message);
  }

  /** Asks the server for the chat of the viewer's table now (after a reload, a seat change, a reconnect). */
  async load(): Promise<void> {
    const channel = this.#channel;
    if (!channel) return;
    const generation = ++this.#generation;
    const ack = await channel.history();
    if (generation !== this.#generation) return;
    if ('error' in ack) {
      // Not seated (sitting out, moved off a table) or between rounds: nothing to show.
      if (ack.error.code === 'not-seated' || ack.error.code === 'not-in-round') this.#clear();
      return;
    }
    const sameMeeting = ack.data.round === this.#round && ack.data.seat === this.#seat;
    const known = new Set(this.#messages.map((m) => m.id));
    this.#round = ack.data.round;
    this.#seat = ack.data.seat;
    this.#messages = ack.data.messages;
    if (!sameMeeting) this.#unread = 0;
    else if (!this.#open) this.#unread += ack.data.messages.filter((m) => !known.has(m.id) && !this.mine(m)).length;
  }

  // --- from the chat panel ------------------------------------------------------------------

  setOpen(open: boolean): void {
    this.#open = open;
    if (open) this.#unread = 0;
  }

  /** Sends a message to the table: '' when it went, else why not, for people. */
  async send(text: string): Promise<string> {
    const channel = this.#channel;
    if (!channel) return 'Not connected to the event';
    const ack = await channel.send(text);
    if ('error' in ack) return ack.error.message;
    if (ack.data.round === this.#round && ack.data.seat === this.#seat) this.#add(ack.data);
    else void this.load();
    return '';
  }

  // --- internals ----------------------------------------------------------------------------

  #add(message: ChatMessage): void {
    if (this.#messages.some((m) => m.id === message.id)) return;
    this.#messages = [...this.#messages, message];
    if (this.mine(message)) return;
    if (!this.#open) this.#unread++;
    this.#spoken = `${message.name} wrote: ${message.text}`;
  }

  #clear(): void {
    this.#generation++;
    this.#messages = [];
    this.#round = null;
    this.#seat = null;
    this.#unread = 0;
    this.#spoken = '';
  }
}
