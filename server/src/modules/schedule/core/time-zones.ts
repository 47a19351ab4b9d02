/**
 * Working-hours overlap between IANA time zones, computed with Intl and cached
 * per zone and reference instant (offsets move with daylight saving time).
 */

/** Local working day assumed for everyone: 09:00 to 17:00. */
export const WORKDAY_START_MINUTE = 9 * 60;
export const WORKDAY_END_MINUTE = 17 * 60;
const DAY = 24 * 60;

const offsetCache = new Map<string, number | null>();

/** UTC offset in minutes of `timeZone` at `at` (ISO instant), or null for an unknown zone. */
export function utcOffsetMinutes(timeZone: string, at: string): number | null {
  const key = `${timeZone}\u0000${at}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  let offset: number | null = null;
  try {
    const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    const name = format.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? '';
    // "GMT", "GMT+05:30" or "GMT-03:00".
    const match = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(name);
    if (match) {
      const sign = match[1] === '-' ? -1 : 1;
      offset = match[1] ? sign * (Number(match[2]) * 60 + Number(match[3] ?? 0)) : 0;
    }
  } catch {
    offset = null; // RangeError: not an IANA zone this runtime knows.
  }
  offsetCache.set(key, offset);
  return offset;
}

/** Minutes during which both local 09:00–17:00 working days overlap, given UTC offsets. */
export function workingOverlapMinutes(offsetA: number, offsetB: number): number {
  const startA = WORKDAY_START_MINUTE - offsetA;
  const endA = WORKDAY_END_MINUTE - offsetA;
  let best = 0;
  for (const shift of [-DAY, 0, DAY]) {
    const startB = WORKDAY_START_MINUTE - offsetB + shift;
    const endB = WORKDAY_END_MINUTE - offsetB + shift;
    best = Math.max(best, Math.min(endA, endB) - Math.max(startA, startB));
  }
  return best;
}

const overlapCache = new Map<string, number | null>();

/** Working-hours overlap in minutes between two IANA zones at `at`, or null if either zone is unknown. */
export function zoneOverlapMinutes(zoneA: string, zoneB: string, at: string): number | null {
  const key = zoneA < zoneB ? `${zoneA}\u0000${zoneB}\u0000${at}` : `${zoneB}\u0000${zoneA}\u0000${at}`;
  const cached = overlapCache.get(key);
  if (cached !== undefined) return cached;
  const a = utcOffsetMinutes(zoneA, at);
  const b = utcOffsetMinutes(zoneB, at);
  const overlap = a === null || b === null ? null : workingOverlapMinutes(a, b);
  overlapCache.set(key, overlap);
  return overlap;
}
