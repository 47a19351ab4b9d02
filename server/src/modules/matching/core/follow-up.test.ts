import { describe, expect, it } from 'vitest';
import { followUpInstant } from './follow-up.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('follow-up instant', () => {
  it('keeps the start\'s local time a week later by default', () => {
    expect(iso(followUpInstant('2026-12-01T15:00:00.000Z', 'Europe/Berlin', 7, null))).toBe('2026-12-08T15:00:00.000Z');
  });

  it('puts a chosen local time in the event\'s zone at the right instant', () => {
    // 10:00 in Mexico City (UTC−6) is 16:00 UTC, not 10:00 UTC.
    expect(iso(followUpInstant('2026-12-01T15:00:00.000Z', 'America/Mexico_City', 7, '10:00'))).toBe('2026-12-08T16:00:00.000Z');
    // 15:00 UTC on 1 December is already 2 December in Tokyo: three local days later, 09:30 JST.
    expect(iso(followUpInstant('2026-12-01T15:00:00.000Z', 'Asia/Tokyo', 3, '09:30'))).toBe('2026-12-05T00:30:00.000Z');
  });

  it('counts days on the local calendar: an evening event in Tokyo is the next UTC day', () => {
    // 2026-12-01T23:00Z is 2 December 08:00 in Tokyo: a week later is 9 December, local.
    expect(iso(followUpInstant('2026-12-01T23:00:00.000Z', 'Asia/Tokyo', 7, '18:00'))).toBe('2026-12-09T09:00:00.000Z');
  });

  it('keeps the local time across a daylight-saving change', () => {
    // Berlin moves to summer time on 29 March 2026: 10:00 local is 09:00 UTC before, 08:00 after.
    expect(iso(followUpInstant('2026-03-25T09:00:00.000Z', 'Europe/Berlin', 7, null))).toBe('2026-04-01T08:00:00.000Z');
    expect(iso(followUpInstant('2026-10-21T08:00:00.000Z', 'Europe/Berlin', 7, '10:00'))).toBe('2026-10-28T09:00:00.000Z');
  });
});
