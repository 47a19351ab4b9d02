import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { afterFailure, backoffMs, dueReminder, reminderKey, type RetryPolicy } from './schedule.ts';

const policy: RetryPolicy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5 };
const MIN = 60_000;
const start = Date.parse('2026-12-10T15:00:00Z');

describe('retry backoff', () => {
  it('doubles after each failed attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('never waits less than the base or more than the cap', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), (attempts) => {
      const ms = backoffMs(attempts, policy);
      return ms >= policy.baseMs && ms <= policy.maxMs;
    }));
  });

  it('marks a permanent SMTP refusal (5xx) failed at once, with what the server said', () => {
    expect(afterFailure({ responseCode: 550, message: '550 5.1.1 No such user' }, 1, 0, policy)).toEqual({ status: 'failed', error: '550 5.1.1 No such user' });
  });

  it('retries a temporary refusal (4xx) and a refused connection later', () => {
    expect(afterFailure({ responseCode: 451, message: '451 try again later' }, 1, 10_000, policy)).toEqual({ status: 'queued', nextAttemptAt: 11_000, error: '451 try again later' });
    expect(afterFailure({ message: 'connect ECONNREFUSED 127.0.0.1:2525' }, 3, 10_000, policy)).toEqual({ status: 'queued', nextAttemptAt: 14_000, error: 'connect ECONNREFUSED 127.0.0.1:2525' });
  });

  it('gives up after the last attempt and says so', () => {
    const outcome = afterFailure({ responseCode: 421, message: '421 busy' }, 5, 0, policy);
    expect(outcome).toEqual({ status: 'failed', error: 'gave up after 5 attempts: 421 busy' });
  });
});

describe('reminders', () => {
  const offsets = [1440, 60];
  const due = (now: number, enqueued: string[] = []) => dueReminder({ startsAt: start, offsetsMinutes: offsets, now, enqueued: new Set(enqueued) });

  it('is due at the configured time before the start, not a minute earlier', () => {
    expect(due(start - 1440 * MIN - MIN)).toBeNull();
    expect(due(start - 1440 * MIN)).toEqual({ offsetMinutes: 1440, key: reminderKey(start, 1440) });
    expect(due(start - 61 * MIN)).toEqual({ offsetMinutes: 1440, key: reminderKey(start, 1440) });
    expect(due(start - 60 * MIN)).toEqual({ offsetMinutes: 60, key: reminderKey(start, 60) });
  });

  it('is queued once per offset', () => {
    expect(due(start - 1000 * MIN, [reminderKey(start, 1440)])).toBeNull();
    expect(due(start - 30 * MIN, [reminderKey(start, 1440)])).toEqual({ offsetMinutes: 60, key: reminderKey(start, 60) });
    expect(due(start - 30 * MIN, [reminderKey(start, 1440), reminderKey(start, 60)])).toBeNull();
  });

  it('skips a reminder whose time passed unsent: only the latest one goes out', () => {
    expect(due(start - 10 * MIN)).toEqual({ offsetMinutes: 60, key: reminderKey(start, 60) });
    expect(due(start - 10 * MIN, [reminderKey(start, 60)])).toBeNull();
  });

  it('sends nothing once the event has started, or when the event has no reminders', () => {
    expect(due(start)).toBeNull();
    expect(dueReminder({ startsAt: start, offsetsMinutes: [], now: start - MIN, enqueued: new Set() })).toBeNull();
  });

  it('makes reminders due again when the event moves', () => {
    const later = start + 24 * 60 * MIN;
    const key = dueReminder({ startsAt: later, offsetsMinutes: offsets, now: later - 30 * MIN, enqueued: new Set([reminderKey(start, 60)]) });
    expect(key).toEqual({ offsetMinutes: 60, key: reminderKey(later, 60) });
  });

  it('never queues a reminder before its time or after the start, and never twice', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 20160 }), { maxLength: 5 }), fc.integer({ min: -30_000, max: 30_000 }), (offsetsMinutes, minutesBefore) => {
        const now = start - minutesBefore * MIN;
        const first = dueReminder({ startsAt: start, offsetsMinutes, now, enqueued: new Set() });
        if (!first) return true;
        const again = dueReminder({ startsAt: start, offsetsMinutes, now, enqueued: new Set([first.key]) });
        return now < start && start - first.offsetMinutes * MIN <= now && again === null;
      }),
    );
  });
});
