const zoneCache = new Map<string, boolean>();

/** True for IANA zone names the runtime knows (Europe/Berlin, UTC, ...). */
export function isValidTimeZone(zone: string): boolean {
  let ok = zoneCache.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    if (zoneCache.size < 10_000) zoneCache.set(zone, ok);
  }
  return ok;
}

/** Pragmatic email check: one @, no spaces, a dot in the domain. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
