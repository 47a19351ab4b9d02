import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@constellation/shared/realtime/events';
import { CHAT_MESSAGES_PER_SEAT, ChatLog, cleanChatText } from './chat-log.ts';

const message = (round: number, seat: string, text: string, n = 0): ChatMessage => ({
  id: `${round}-${seat}-${n}`,
  round,
  seat,
  from: 'p1',
  name: 'Ada',
  text,
  sentAt: 1_000 + n,
});

describe('chat text', () => {
  it('keeps what people type, line breaks included', () => {
    expect(cleanChatText('Can you hear me?\nI cannot hear you 🙂')).toBe('Can you hear me?\nI cannot hear you 🙂');
    expect(cleanChatText('tab\there')).toBe('tab\there');
  });

  it('drops control characters and direction overrides, normalises line breaks and trims', () => {
    expect(cleanChatText('  a\u0007b\u001bc\u0085d\u202Ee\u2066f  ')).toBe('abcdef');
    expect(cleanChatText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
    expect(cleanChatText('a\n\n\n\n\nb')).toBe('a\n\nb');
    expect(cleanChatText('\u0001\u0002 \n ')).toBe('');
  });
});

describe('the chat log', () => {
  it('keeps each meeting of a round apart, oldest first', () => {
    const log = new ChatLog();
    log.append('e1', message(1, 'room-a', 'hello', 1));
    log.append('e1', message(1, 'room-a', 'hi', 2));
    log.append('e1', message(1, 'room-b', 'other table', 3));
    log.append('e2', message(1, 'room-a', 'other event', 4));
    expect(log.history('e1', 1, 'room-a').map((m) => m.text)).toEqual(['hello', 'hi']);
    expect(log.history('e1', 1, 'room-b').map((m) => m.text)).toEqual(['other table']);
    expect(log.history('e1', 2, 'room-a')).toEqual([]);
  });

  it('forgets a round once the clock leaves it', () => {
    const log = new ChatLog();
    log.append('e1', message(1, 'room-a', 'round one'));
    log.append('e1', message(2, 'room-a', 'round two'));
    log.keepOnly('e1', 2);
    expect(log.history('e1', 1, 'room-a')).toEqual([]);
    expect(log.history('e1', 2, 'room-a').map((m) => m.text)).toEqual(['round two']);
    log.keepOnly('e1', null);
    expect(log.size).toBe(0);
  });

  it('refuses a message past the limit of a meeting instead of dropping old ones', () => {
    const log = new ChatLog();
    for (let i = 0; i < CHAT_MESSAGES_PER_SEAT; i++) expect(log.append('e1', message(1, 'r', 'x', i)).ok).toBe(true);
    expect(log.append('e1', message(1, 'r', 'one too many'))).toEqual({ ok: false, reason: 'full' });
    expect(log.history('e1', 1, 'r')).toHaveLength(CHAT_MESSAGES_PER_SEAT);
  });
});
