import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ClockSync, estimateFromSample } from './sync.ts';
import { remainingMs, serverNow } from './projection.ts';

const HOUR = 3600_000;

describe('estimateFromSample', () => {
  it('takes the server time as the midpoint of the round trip', () => {
    expect(estimateFromSample({ t0: 1000, ts: 50_060, t1: 1100 })).toEqual({ offset: 49_010, rtt: 100 });
  });

  it('refuses a sample that came back before it was sent, or is not a number', () => {
    expect(estimateFromSample({ t0: 1000, ts: 5000, t1: 999 })).toBeNull();
    expect(estimateFromSample({ t0: Number.NaN, ts: 5000, t1: 1000 })).toBeNull();
  });
});

describe('ClockSync', () => {
  it('has no estimate until the first sample', () => {
    const sync = new ClockSync();
    expect(sync.synced).toBe(false);
    expect(sync.offset).toBe(0);
    expect(sync.rtt).toBe(Number.POSITIVE_INFINITY);
    expect(sync.serverNow(1234)).toBe(1234);
  });

  it('keeps the sample with the lowest round trip', () => {
    const sync = new ClockSync();
    expect(sync.addSample({ t0: 0, ts: 10_150, t1: 300 })).toBe(true);
    expect(sync.addSample({ t0: 1000, ts: 11_020, t1: 1040 })).toBe(true);
    expect(sync.addSample({ t0: 2000, ts: 12_400, t1: 2500 })).toBe(false);
    expect(sync.offset).toBe(10_000);
    expect(sync.rtt).toBe(40);
    expect(sync.uncertaintyMs).toBe(20);
    expect(sync.serverNow(5000)).toBe(15_000);
  });

  it('ignores impossible samples', () => {
    const sync = new ClockSync();
    sync.addSample({ t0: 0, ts: 10_020, t1: 40 });
    expect(sync.addSample({ t0: 100, ts: 0, t1: 50 })).toBe(false);
    expect(sync.offset).toBe(10_000);
  });

  it('forgets everything on reset, as after a reconnect', () => {
    const sync = new ClockSync();
    sync.addSample({ t0: 0, ts: 10_020, t1: 40 });
    sync.reset();
    expect(sync.synced).toBe(false);
    sync.addSample({ t0: 0, ts: 500_100, t1: 200 });
    expect(sync.offset).toBe(500_000);
  });

  it('lets a good sample age out of the window so a drifting clock is followed', () => {
    const sync = new ClockSync({ window: 3 });
    sync.addSample({ t0: 0, ts: 1010, t1: 20 }); // offset 1000, rtt 20
    sync.addSample({ t0: 100, ts: 1200, t1: 200 }); // offset 1050, rtt 100
    sync.addSample({ t0: 300, ts: 1400, t1: 400 }); // offset 1050, rtt 100
    expect(sync.offset).toBe(1000);
    sync.addSample({ t0: 500, ts: 1630, t1: 560 }); // offset 1100, rtt 60: the rtt-20 sample has left the window
    expect(sync.offset).toBe(1100);
  });

  it('makes clients skewed by hours agree on the server time within 100 ms when the round trip is small', () => {
    const skew = fc.integer({ min: -12 * HOUR, max: 12 * HOUR });
    const leg = fc.integer({ min: 0, max: 40 }); // one-way delay, ms: rtt ≤ 80
    const client = fc.record({
      skew,
      samples: fc.array(fc.record({ up: leg, down: leg, gap: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(client, { minLength: 2, maxLength: 5 }), fc.integer({ min: 0, max: 10 * 60_000 }), (clients, later) => {
        const serverStart = Date.UTC(2025, 5, 1, 9, 0, 0);
        // One instant, after every client has synced, at which all screens are compared.
        const instant = serverStart + HOUR + later;
        const endsAt = instant + 7 * 60_000;
        const countdowns = clients.map(({ skew: s, samples }) => {
          const sync = new ClockSync();
          let server = serverStart;
          for (const { up, down, gap } of samples) {
            server += gap;
            sync.addSample({ t0: server + s, ts: server + up, t1: server + up + down + s });
            server += up + down;
          }
          const estimate = serverNow(instant + s, sync.offset);
          // The error of an NTP estimate is bounded by half the round trip.
          expect(Math.abs(estimate - instant)).toBeLessThanOrEqual(sync.rtt / 2);
          return remainingMs(endsAt, estimate);
        });
        expect(Math.max(...countdowns) - Math.min(...countdowns)).toBeLessThan(100);
      }),
      { numRuns: 300 },
    );
  });
});
