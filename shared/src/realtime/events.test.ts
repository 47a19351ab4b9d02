import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { AnnouncementSendPayload, ClockExtendPayload, TimeSyncPayload, rooms, type Ack } from './events.ts';

describe('realtime command payloads', () => {
  it('accepts an extension of 1 to 1800 whole seconds and nothing else', () => {
    expect(Value.Check(ClockExtendPayload, { seconds: 120 })).toBe(true);
    expect(Value.Check(ClockExtendPayload, { seconds: 1800 })).toBe(true);
    expect(Value.Check(ClockExtendPayload, { seconds: 0 })).toBe(false);
    expect(Value.Check(ClockExtendPayload, { seconds: 1801 })).toBe(false);
    expect(Value.Check(ClockExtendPayload, { seconds: 1.5 })).toBe(false);
    expect(Value.Check(ClockExtendPayload, { seconds: 60, extra: true })).toBe(false);
  });

  it('accepts an announcement with text and refuses an empty one', () => {
    expect(Value.Check(AnnouncementSendPayload, { text: 'Two minutes until the break' })).toBe(true);
    expect(Value.Check(AnnouncementSendPayload, { text: '' })).toBe(false);
    expect(Value.Check(AnnouncementSendPayload, { text: 'x'.repeat(501) })).toBe(false);
  });

  it('accepts a time sync request with the client send time', () => {
    expect(Value.Check(TimeSyncPayload, { t0: 1_750_000_000_000.5 })).toBe(true);
    expect(Value.Check(TimeSyncPayload, {})).toBe(false);
  });

  it('names rooms per event, organizers and participant', () => {
    expect(rooms.event('e1')).toBe('event:e1');
    expect(rooms.organizers('e1')).toBe('event:e1:organizers');
    expect(rooms.participant('p1')).toBe('participant:p1');
  });

  it('types acknowledgements as data or error', () => {
    const ok: Ack<number> = { data: 1 };
    const failed: Ack<number> = { error: { code: 'not-in-round', message: 'There is no round in progress.' } };
    expect('data' in ok && ok.data).toBe(1);
    expect('error' in failed && failed.error.code).toBe('not-in-round');
  });
});
