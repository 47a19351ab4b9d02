import { describe, expect, it } from 'vitest';
import { utcOffsetMinutes, workingOverlapMinutes, zoneOverlapMinutes } from './time-zones.ts';

describe('time zones', () => {
  it('reads UTC offsets from IANA names, daylight saving time included', () => {
    expect(utcOffsetMinutes('Asia/Kolkata', '2025-01-15T12:00:00Z')).toBe(330);
    expect(utcOffsetMinutes('America/New_York', '2025-01-15T12:00:00Z')).toBe(-300);
    expect(utcOffsetMinutes('America/New_York', '2025-07-15T12:00:00Z')).toBe(-240);
    expect(utcOffsetMinutes('UTC', '2025-07-15T12:00:00Z')).toBe(0);
    expect(utcOffsetMinutes('Nowhere/Atlantis', '2025-07-15T12:00:00Z')).toBeNull();
  });

  it('measures shared 09:00–17:00 working hours, across midnight too', () => {
    expect(workingOverlapMinutes(60, 60)).toBe(480);
    expect(workingOverlapMinutes(60, -300)).toBe(120);
    expect(workingOverlapMinutes(540, -480)).toBe(60); // Tokyo and Los Angeles, over the date line
    expect(workingOverlapMinutes(0, 720)).toBe(0);
    expect(zoneOverlapMinutes('Europe/Berlin', 'Europe/Paris', '2025-01-15T12:00:00Z')).toBe(480);
    expect(zoneOverlapMinutes('Europe/Berlin', 'Nowhere/Atlantis', '2025-01-15T12:00:00Z')).toBeNull();
  });
});
