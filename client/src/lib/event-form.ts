import { EVENT_DEFAULTS, type Event, type EventCreateBody, type RoundFormat } from '@constellation/shared/schemas/events';
import { browserTimeZone, instantToZonedLocal, zonedLocalToInstant } from './time.ts';

/** What the event editor's inputs hold: minutes where people think in minutes, wall-clock start plus zone. */
export interface EventFormValues {
  title: string;
  description: string;
  /** `datetime-local` value, read in `timeZone`. */
  startLocal: string;
  timeZone: string;
  roundMinutes: number | null;
  transitionSeconds: number | null;
  rounds: number | null;
  breaks: { afterRound: number | null; minutes: number | null }[];
  allowSharedTables: boolean;
  /** Email reminders, hours before the start, comma-separated ("24, 1"; "0.5" is half an hour); empty: none. */
  remindersHours: string;
  /** The matched pairs' first follow-up: days after the event… */
  followUpDays: number | null;
  /** …at this local time (HH:MM) in the event's zone; empty: the time the event starts. */
  followUpTime: string;
  /** Seconds before a round's end when participants hear a chime and see a flash, as typed: "60, 10". */
  warnAt: string;
  /** Whether rounds have formats of their own (mentoring circles); off: every round one-to-one. */
  circles: boolean;
  /** Per round: 1 for one-to-one, 2–8 for circles of that many mentees; rounds beyond the list are one-to-one. */
  roundSizes: number[];
  /** Per round: 2 when each circle has two mentors (co-hosted), else 1; ignored for one-to-one rounds. */
  roundHosts: number[];
}

export interface FieldProblem {
  field: string;
  message: string;
}

export function valuesFromEvent(event: Event): EventFormValues {
  return {
    title: event.title,
    description: event.description,
    startLocal: instantToZonedLocal(event.scheduledStart, event.timeZone),
    timeZone: event.timeZone,
    roundMinutes: event.roundSeconds / 60,
    transitionSeconds: event.transitionSeconds,
    rounds: event.rounds,
    breaks: event.breaks.map((b) => ({ afterRound: b.afterRound, minutes: b.seconds / 60 })),
    allowSharedTables: event.allowSharedTables,
    remindersHours: hoursText(event.reminderOffsetsMinutes),
    followUpDays: event.followUpDays,
    followUpTime: event.followUpTime ?? '',
    warnAt: event.warnAtSeconds.join(', '),
    circles: event.roundFormats !== null,
    roundSizes: (event.roundFormats ?? []).map((f) => (f.kind === 'circle' ? f.size : 1)),
    roundHosts: (event.roundFormats ?? []).map((f) => (f.kind === 'circle' ? (f.hosts ?? 1) : 1)),
  };
}

/**
 * The rounds' formats for `rounds` rounds from the per-round sizes (1: one-to-one, 2–8: a circle) and
 * hosts (2: two mentors per circle; `hosts` is left out for one, the server's default).
 */
export function formatsFromSizes(sizes: readonly number[], rounds: number, hosts: readonly number[] = []): RoundFormat[] {
  return Array.from({ length: rounds }, (_, i): RoundFormat => {
    const size = sizes[i] ?? 1;
    if (size < 2) return { kind: 'pairs' };
    return hosts[i] === 2 ? { kind: 'circle', size, hosts: 2 } : { kind: 'circle', size };
  });
}

function hoursText(minutes: readonly number[]): string {
  return minutes.map((m) => String(Math.round((m / 60) * 100) / 100)).join(', ');
}

/** "24, 1" → [1440, 60]; null when a part is not a number of hours between a minute and 14 days. */
export function parseReminderHours(text: string): number[] | null {
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  const minutes = parts.map((p) => Math.round(Number(p) * 60));
  if (minutes.some((m) => !Number.isFinite(m) || m < 1 || m > 20160)) return null;
  return [...new Set(minutes)].sort((a, b) => b - a).slice(0, 5);
}

/** A fresh event: tomorrow at 10:00 in the organizer's zone, with the house defaults. */
export function defaultValues(now = new Date(), timeZone = browserTimeZone()): EventFormValues {
  const tomorrow = instantToZonedLocal(new Date(now.getTime() + 86_400_000), timeZone);
  return {
    title: '',
    description: EVENT_DEFAULTS.description,
    startLocal: `${tomorrow.slice(0, 10)}T10:00`,
    timeZone,
    roundMinutes: EVENT_DEFAULTS.roundSeconds / 60,
    transitionSeconds: EVENT_DEFAULTS.transitionSeconds,
    rounds: EVENT_DEFAULTS.rounds,
    breaks: [],
    allowSharedTables: EVENT_DEFAULTS.allowSharedTables,
    remindersHours: hoursText(EVENT_DEFAULTS.reminderOffsetsMinutes),
    followUpDays: EVENT_DEFAULTS.followUpDays,
    followUpTime: '',
    warnAt: EVENT_DEFAULTS.warnAtSeconds.join(', '),
    circles: false,
    roundSizes: [],
    roundHosts: [],
  };
}

/** "60, 10" as seconds, largest first; null when it is not a list of up to 5 distinct whole numbers from 1 to 3600. */
export function parseWarnAt(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length > 5 || !parts.every((p) => /^\d{1,4}$/.test(p))) return null;
  const seconds = parts.map(Number);
  if (seconds.some((s) => s < 1 || s > 3600) || new Set(seconds).size !== seconds.length) return null;
  return seconds.toSorted((a, b) => b - a);
}

/** The request body, or the problems that stop it (checked again by the server). */
export function bodyFromValues(
  values: EventFormValues,
): { body: EventCreateBody; problems: [] } | { body: null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const instant = zonedLocalToInstant(values.startLocal, values.timeZone);
  if (!instant) problems.push({ field: 'scheduledStart', message: 'Enter the date and time the event starts.' });
  const rounds = values.rounds ?? 0;
  const breaks = values.breaks.map((b) => ({
    afterRound: b.afterRound ?? 0,
    seconds: Math.round((b.minutes ?? 0) * 60),
  }));
  breaks.forEach((b, i) => {
    if (b.afterRound < 1 || b.afterRound >= rounds) {
      problems.push({ field: `breaks.${i}`, message: `Break ${i + 1} must come after a round between 1 and ${Math.max(1, rounds - 1)}.` });
    }
  });
  const afterRounds = breaks.map((b) => b.afterRound);
  if (new Set(afterRounds).size !== afterRounds.length) {
    problems.push({ field: 'breaks', message: 'Only one break can follow each round.' });
  }
  const reminderOffsetsMinutes = parseReminderHours(values.remindersHours);
  if (!reminderOffsetsMinutes) problems.push({ field: 'reminderOffsetsMinutes', message: 'Reminders: hours before the start, separated by commas (for example "24, 1"), at most 336.' });
  const warnAtSeconds = parseWarnAt(values.warnAt);
  if (!warnAtSeconds) {
    problems.push({ field: 'warnAtSeconds', message: 'Enter up to 5 different numbers of seconds from 1 to 3600, such as "60, 10", or leave it empty for no warning.' });
  }
  if (problems.length > 0 || !instant || !reminderOffsetsMinutes || !warnAtSeconds) return { body: null, problems };
  return {
    body: {
      title: values.title.trim(),
      description: values.description,
      scheduledStart: instant.toISOString(),
      timeZone: values.timeZone,
      roundSeconds: Math.round((values.roundMinutes ?? 0) * 60),
      transitionSeconds: values.transitionSeconds ?? 0,
      rounds,
      breaks: breaks.toSorted((a, b) => a.afterRound - b.afterRound),
      allowSharedTables: values.allowSharedTables,
      reminderOffsetsMinutes,
      followUpDays: values.followUpDays ?? EVENT_DEFAULTS.followUpDays,
      followUpTime: values.followUpTime || null,
      warnAtSeconds,
      roundFormats: values.circles && rounds >= 1 ? formatsFromSizes(values.roundSizes, rounds, values.roundHosts) : null,
    },
    problems: [],
  };
}
