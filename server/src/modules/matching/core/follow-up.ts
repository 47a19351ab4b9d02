import { utcOffsetMinutes } from '../../schedule/core/time-zones.ts';

const wallClock = (timeZone: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });

/**
 * The instant of the matched pairs' first follow-up: `days` after the event's start, on that local
 * calendar day in the event's time zone, at `time` (HH:MM, local; null: the start's own local time).
 * Local time is kept across daylight-saving changes; a time a clock change skips moves forward.
 */
export function followUpInstant(startsAt: string, timeZone: string, days: number, time: string | null): number {
  const parts = Object.fromEntries(wallClock(timeZone).formatToParts(new Date(startsAt)).map((p) => [p.type, p.value]));
  const [hour, minute] = time ? time.split(':').map(Number) : [Number(parts.hour), Number(parts.minute)];
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + days, hour, minute);
  // The zone's offset at the wall time read as UTC is right except near a clock change: check it at the result.
  const guess = wall - (utcOffsetMinutes(timeZone, new Date(wall).toISOString()) ?? 0) * 60_000;
  const offset = utcOffsetMinutes(timeZone, new Date(guess).toISOString()) ?? 0;
  return wall - offset * 60_000;
}
