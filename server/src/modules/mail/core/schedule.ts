/**
 * When mail goes out: retry backoff after a failed attempt, whether a failure is worth retrying,
 * and which reminder of an event is due. Pure: no I/O, `now` passed in.
 */

export interface RetryPolicy {
  /** Delay after the first failed attempt; doubled after each further one. */
  baseMs: number;
  /** The delay never grows beyond this. */
  maxMs: number;
  /** After this many attempts a message that still fails is marked failed (the organizer can retry it). */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 8 };

/** What a failed attempt said about the next one. */
export interface SendFailure {
  /** The SMTP reply code, when the server answered (550, 451…). */
  responseCode?: number;
  message: string;
}

export type AttemptOutcome =
  | { status: 'queued'; nextAttemptAt: number; error: string }
  | { status: 'failed'; error: string };

/** The delay before attempt `attempts + 1`, after `attempts` failed ones (exponential, capped). */
export function backoffMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/**
 * A permanent refusal (SMTP 5xx: no such mailbox, policy) will not change by waiting: it is marked
 * failed and shown. Anything else (4xx greylisting or a full mailbox, a refused or dropped
 * connection, a timeout) is retried with backoff until `maxAttempts`.
 */
export function afterFailure(failure: SendFailure, attempts: number, now: number, policy: RetryPolicy = DEFAULT_RETRY): AttemptOutcome {
  const error = failure.message.slice(0, 1000);
  const code = failure.responseCode;
  if (code !== undefined && code >= 500 && code < 600) return { status: 'failed', error };
  if (attempts >= policy.maxAttempts) return { status: 'failed', error: `gave up after ${attempts} attempts: ${error}`.slice(0, 1000) };
  return { status: 'queued', nextAttemptAt: now + backoffMs(attempts, policy), error };
}

/** The reminder of an event to enqueue now, if any: its offset and a key unique per start and offset. */
export interface DueReminder {
  offsetMinutes: number;
  key: string;
}

/**
 * The reminder due at `now`: of the offsets whose time has come (start − offset ≤ now < start), the
 * one closest to the start, unless it was enqueued already. Earlier reminders whose time passed
 * unsent are skipped: a person invited an hour before gets the one-hour reminder, not both.
 * Moving the event's start makes its reminders due again (the key carries the start).
 */
export function dueReminder(input: { startsAt: number; offsetsMinutes: readonly number[]; now: number; enqueued: ReadonlySet<string> }): DueReminder | null {
  const { startsAt, offsetsMinutes, now, enqueued } = input;
  if (now >= startsAt) return null;
  const due = offsetsMinutes.filter((m) => startsAt - m * 60_000 <= now);
  if (due.length === 0) return null;
  const offsetMinutes = Math.min(...due);
  const key = reminderKey(startsAt, offsetMinutes);
  return enqueued.has(key) ? null : { offsetMinutes, key };
}

export function reminderKey(startsAt: number, offsetMinutes: number): string {
  return `reminder:${new Date(startsAt).toISOString()}:${offsetMinutes}`;
}
