/**
 * The text chat of the tables of a live event: plain data, no I/O. Messages are kept per round and
 * per meeting (a table's video room: a rescue or the organizer's move seats people in a new one),
 * only for the round running now, and never written anywhere.
 */
import type { ChatMessage } from '@constellation/shared/realtime/events';

/** A meeting keeps at most this many messages; more is refused, not rotated (a reload must show them all). */
export const CHAT_MESSAGES_PER_SEAT = 500;

/**
 * C0 and C1 control characters except tab and line feed, and the bidirectional overrides and
 * isolates that can make a message read differently from what was sent.
 */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The text as the table sees it: line breaks as `\n`, control characters dropped, no blank lines around it. */
export function cleanChatText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export type ChatAppend = { ok: true; message: ChatMessage } | { ok: false; reason: 'full' };

export class ChatLog {
  /** eventId → `${round}:${seat}` → messages, oldest first. */
  readonly #events = new Map<string, Map<string, ChatMessage[]>>();

  append(eventId: string, message: ChatMessage): ChatAppend {
    let seats = this.#events.get(eventId);
    if (!seats) this.#events.set(eventId, (seats = new Map()));
    const key = seatKey(message.round, message.seat);
    let messages = seats.get(key);
    if (!messages) seats.set(key, (messages = []));
    if (messages.length >= CHAT_MESSAGES_PER_SEAT) return { ok: false, reason: 'full' };
    messages.push(message);
    return { ok: true, message };
  }

  history(eventId: string, round: number, seat: string): ChatMessage[] {
    return [...(this.#events.get(eventId)?.get(seatKey(round, seat)) ?? [])];
  }

  /** The clock moved on: keep only the round running now (`null`: none, so nothing is kept). */
  keepOnly(eventId: string, round: number | null): void {
    const seats = this.#events.get(eventId);
    if (!seats) return;
    if (round === null) return void this.#events.delete(eventId);
    const prefix = `${round}:`;
    for (const key of [...seats.keys()]) if (!key.startsWith(prefix)) seats.delete(key);
    if (seats.size === 0) this.#events.delete(eventId);
  }

  /** How many messages are held, over every event (for tests and a look at memory). */
  get size(): number {
    let n = 0;
    for (const seats of this.#events.values()) for (const messages of seats.values()) n += messages.length;
    return n;
  }
}

const seatKey = (round: number, seat: string) => `${round}:${seat}`;
