import { describe, expect, it } from 'vitest';
import { instantToZonedLocal, zonedLocalToInstant } from './time.ts';

describe('zoned wall-clock times', () => {
  it('reads a local time in the event zone, not the browser zone', () => {
    expect(zonedLocalToInstant('2030-05-14T17:30', 'Europe/Berlin')?.toISOString()).toBe('2030-05-14T15:30:00.000Z');
    expect(zonedLocalToInstant('2030-01-14T17:30', 'Europe/Berlin')?.toISOString()).toBe('2030-01-14T16:30:00.000Z');
    expect(zonedLocalToInstant('2030-05-14T17:30', 'Asia/Kolkata')?.toISOString()).toBe('2030-05-14T12:00:00.000Z');
    expect(zonedLocalToInstant('2030-05-14T17:30', 'UTC')?.toISOString()).toBe('2030-05-14T17:30:00.000Z');
  });

  it('moves a time skipped by the spring DST jump forward, as clocks do', () => {
    // Berlin skips 02:00-03:00 on 31 March 2030; 02:30 does not exist and becomes 03:30 CEST.
    expect(zonedLocalToInstant('2030-03-31T02:30', 'Europe/Berlin')?.toISOString()).toBe('2030-03-31T01:30:00.000Z');
  });

  it('takes the first of the two 02:30s on the autumn DST night', () => {
    expect(zonedLocalToInstant('2030-10-27T02:30', 'Europe/Berlin')?.toISOString()).toBe('2030-10-27T00:30:00.000Z');
  });

  it('round-trips an instant through the datetime-local value', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC']) {
      const instant = new Date('2030-11-03T12:45:00Z');
      const local = instantToZonedLocal(instant, zone);
      expect(zonedLocalToInstant(local, zone)?.getTime()).toBe(instant.getTime());
    }
  });

  it('refuses text that is not a local date-time', () => {
    expect(zonedLocalToInstant('', 'UTC')).toBeNull();
    expect(zonedLocalToInstant('tomorrow', 'UTC')).toBeNull();
  });
});
