/**
 * The browser's own clock, in epoch milliseconds, for clock sync samples and countdowns.
 * `performance.timeOrigin + performance.now()` is monotonic: it does not jump when the person
 * (or NTP) changes the system clock mid-event, as `Date.now()` does.
 */
export function localNow(): number {
  return performance.timeOrigin + performance.now();
}
