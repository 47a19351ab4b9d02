/**
 * Wall-clock times in a named time zone, with Intl only (no date library):
 * the event editor takes a `datetime-local` value plus an IANA zone, the API takes an instant.
 */

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Every zone the browser knows, sorted, always including the ones passed in (a saved event's zone, say). */
export function timeZoneOptions(...mustInclude: string[]): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  for (const zone of mustInclude) if (zone && isValidTimeZone(zone)) zones.add(zone);
  return [...zones].sort((a, b) => a.localeCompare(b));
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClockAt(instant: number, timeZone: string): WallClock {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, formatter);
  }
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatter.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Milliseconds the zone is ahead of UTC at that instant. */
function offsetAt(instant: number, timeZone: string): number {
  const wall = wallClockAt(instant, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

/**
 * The instant at which clocks in `timeZone` show `local` ("2030-05-14T17:30").
 * A time skipped by a DST jump resolves forward; a repeated time resolves to its first occurrence.
 * Returns null for text that is not a local date-time.
 */
export function zonedLocalToInstant(local: string, timeZone: string): Date | null {
  const match = LOCAL_PATTERN.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const wallAsUtc = Date.UTC(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s);
  if (Number.isNaN(wallAsUtc)) return null;
  // Two candidate offsets: the one in force a day before and a day after cover any transition in between.
  const candidates = [offsetAt(wallAsUtc - 86_400_000, timeZone), offsetAt(wallAsUtc + 86_400_000, timeZone)]
    .map((offset) => wallAsUtc - offset)
    .filter((instant) => offsetAt(instant, timeZone) === wallAsUtc - instant)
    .sort((a, b) => a - b);
  // No candidate matches inside a DST gap: move forward by the size of the jump, as clocks do.
  const instant = candidates[0] ?? wallAsUtc - offsetAt(wallAsUtc - 86_400_000, timeZone);
  return new Date(instant);
}

/** The `datetime-local` value that shows `instant` on clocks in `timeZone`, to the minute. */
export function instantToZonedLocal(instant: Date | string, timeZone: string): string {
  const wall = wallClockAt(new Date(instant).getTime(), timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}`;
}

/** "Wednesday 14 May 2030 at 17:30 CEST", in the reader's language. */
export function formatInstant(instant: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(new Date(instant)) + ` (${zoneLabel(instant, timeZone)})`;
}

/** A compact form for lists. (Intl refuses `timeZoneName` together with `dateStyle`, hence the suffix.) */
export function formatInstantShort(instant: Date | string, timeZone: string): string {
  return (
    new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(instant)) +
    ` (${zoneLabel(instant, timeZone)})`
  );
}

function zoneLabel(instant: Date | string, timeZone: string): string {
  const name = new Intl.DateTimeFormat(undefined, { timeZone, timeZoneName: 'short' })
    .formatToParts(new Date(instant))
    .find((part) => part.type === 'timeZoneName')?.value;
  return name && name !== timeZone ? `${timeZone.replaceAll('_', ' ')}, ${name}` : timeZone.replaceAll('_', ' ');
}

/** "7 minutes", "1 minute 30 seconds". */
export function formatDuration(totalSeconds: number): string {
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  const parts: string[] = [];
  if (minutes > 0) parts.push(`${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`);
  if (seconds > 0 || minutes === 0) parts.push(`${seconds} ${seconds === 1 ? 'second' : 'seconds'}`);
  return parts.join(' ');
}
