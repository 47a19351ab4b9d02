/**
 * Who actually met whom in a round, read from LiveKit's presence events: plain data, no I/O.
 *
 * LiveKit reports `participant_joined` / `participant_left` per room. The log is append-only and
 * messy: retried deliveries repeat an event, webhooks arrive out of order, a reconnect shows up as
 * left-then-joined a second later (timestamps have one-second resolution, so ties are common), and
 * a reconnect under the same identity may report the new connection's `joined` before the old one's
 * `left`. Each participant's events are therefore replayed per connection (`sessionId`, LiveKit's
 * participant sid, when the adapter has it), in time order with arrival order (`seq`) breaking ties,
 * and the connections' presence is united.
 *
 * Only the round's window [startsAt, endsAt) counts: time on standby before it and after it never
 * does. A round in progress passes `until` (now) to read the state so far.
 *
 * Rule choices (beyond the brief):
 * - `PresenceEvent.sessionId` is optional. Without it all events of a participant form one
 *   connection, where a `joined` while in (or a `left` while out) is a repeat and changes nothing.
 * - An event repeated exactly (same participant, connection, kind and instant) counts once, at its
 *   first arrival (lowest `seq`), so a retry delivered later never changes the reading.
 * - Events equal in (at, seq) are ordered `left` before `joined` (a reconnect, not a blip), so the
 *   result does not depend on the order of the input array at all.
 * - Every participant named in the events gets an entry, an empty list if never present in the window.
 */

export interface PresenceEvent {
  participantId: string;
  kind: 'joined' | 'left';
  /** Epoch milliseconds, as LiveKit stamped the event. */
  at: number;
  /** Arrival (insertion) order: breaks ties between events at the same instant. */
  seq: number;
  /** LiveKit's participant sid (one per connection), when known: tells a reconnect from a repeat. */
  sessionId?: string;
}

/** A half-open span [from, to) of epoch milliseconds. */
export interface Interval {
  from: number;
  to: number;
}

export interface RoundWindow {
  startsAt: number;
  endsAt: number;
}

/** End of what counts so far: the window's end, or `until` if earlier. */
export function countedUntil(window: RoundWindow, until?: number): number {
  return until === undefined ? window.endsAt : Math.min(window.endsAt, until);
}

/** Sorted, disjoint, non-empty intervals; overlapping and touching ones joined. Accepts any input. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Interval[] = [];
  for (const { from, to } of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last.to) last.to = Math.max(last.to, to);
    else out.push({ from, to });
  }
  return out;
}

/** The parts of `intervals` inside [from, to], merged. */
export function clipIntervals(intervals: readonly Interval[], from: number, to: number): Interval[] {
  return mergeIntervals(intervals.map((i) => ({ from: Math.max(i.from, from), to: Math.min(i.to, to) })));
}

export function totalMs(intervals: readonly Interval[]): number {
  return mergeIntervals(intervals).reduce((sum, i) => sum + (i.to - i.from), 0);
}

function compareEvents(a: PresenceEvent, b: PresenceEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.seq !== b.seq) return a.seq - b.seq;
  return a.kind === b.kind ? 0 : a.kind === 'left' ? -1 : 1;
}

/**
 * Each participant's presence clipped to [window.startsAt, min(window.endsAt, until)], merged.
 * A `left` with no earlier `joined` on its connection means in since before the window; a `joined`
 * never followed by `left` means in up to the end of what counts.
 */
export function presenceIntervals(events: readonly PresenceEvent[], window: RoundWindow, until?: number): Map<string, Interval[]> {
  const start = window.startsAt;
  const end = countedUntil(window, until);
  // participant → connection → events
  const byPerson = new Map<string, Map<string, PresenceEvent[]>>();
  for (const event of events) {
    let sessions = byPerson.get(event.participantId);
    if (!sessions) byPerson.set(event.participantId, (sessions = new Map()));
    const key = event.sessionId ?? '';
    const list = sessions.get(key);
    if (list) list.push(event);
    else sessions.set(key, [event]);
  }
  const result = new Map<string, Interval[]>();
  for (const [participantId, sessions] of byPerson) {
    const spans: Interval[] = [];
    for (const list of sessions.values()) {
      const sorted = [...list].sort(compareEvents);
      const seen = new Set<string>();
      let inSince: number | null = null;
      let first = true;
      for (const event of sorted) {
        const key = `${event.kind}@${event.at}`;
        if (seen.has(key)) continue; // a repeat of an instant already replayed, at its first arrival
        seen.add(key);
        if (event.kind === 'joined') {
          if (inSince === null) inSince = event.at;
        } else if (inSince !== null) {
          spans.push({ from: inSince, to: event.at });
          inSince = null;
        } else if (first) {
          spans.push({ from: Number.NEGATIVE_INFINITY, to: event.at });
        }
        first = false;
      }
      if (inSince !== null) spans.push({ from: inSince, to: Number.POSITIVE_INFINITY });
    }
    result.set(participantId, end > start ? clipIntervals(spans, start, end) : []);
  }
  return result;
}

/** Milliseconds during which both are present. Inputs need not be sorted or merged. */
export function overlapMs(a: readonly Interval[], b: readonly Interval[]): number {
  const x = mergeIntervals(a);
  const y = mergeIntervals(b);
  let total = 0;
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i] as Interval;
    const q = y[j] as Interval;
    const from = Math.max(p.from, q.from);
    const to = Math.min(p.to, q.to);
    if (to > from) total += to - from;
    if (p.to <= q.to) i++;
    else j++;
  }
  return total;
}

export type MeetingOutcome = 'held' | 'cut-short' | 'no-show' | 'dropped' | 'in-progress';

export interface SeatAttendance {
  mentorId: string;
  menteeId: string;
  /** Time both were in the room within the window (so far, in progress). */
  togetherMs: number;
  outcome: MeetingOutcome;
  /** Of the two, who never came in the window (in progress: who has not come yet); mentor first. */
  noShowIds: string[];
  /** Of the two, who came, left before the end and did not return (in progress: who is out now after having been in). */
  droppedIds: string[];
}

export interface Table {
  mentorId: string;
  menteeIds: readonly string[];
}

/**
 * Outcome of each mentor–mentee seat of one table, in the order of `menteeIds` (repeats and the
 * mentor's own id skipped). Precedence: 'held' if together for at least `thresholdMs` (even if
 * someone dropped afterwards); else 'in-progress' while `until` < endsAt; else 'no-show' if either
 * never came; else 'dropped' if either left and did not return; else 'cut-short' (both came, and
 * were in together briefly or not at all, e.g. one joined late after the other had gone).
 */
export function tableAttendance(
  table: Table,
  intervals: ReadonlyMap<string, readonly Interval[]>,
  window: RoundWindow,
  thresholdMs: number,
  until?: number,
): SeatAttendance[] {
  const end = countedUntil(window, until);
  const inProgress = until !== undefined && until < window.endsAt;
  const presence = (id: string): Interval[] => (end > window.startsAt ? clipIntervals(intervals.get(id) ?? [], window.startsAt, end) : []);
  const mentor = presence(table.mentorId);
  const seats: SeatAttendance[] = [];
  const seen = new Set<string>([table.mentorId]);
  for (const menteeId of table.menteeIds) {
    if (seen.has(menteeId)) continue;
    seen.add(menteeId);
    const mentee = presence(menteeId);
    const togetherMs = overlapMs(mentor, mentee);
    const pair: [string, Interval[]][] = [
      [table.mentorId, mentor],
      [menteeId, mentee],
    ];
    const noShowIds = pair.filter(([, p]) => p.length === 0).map(([id]) => id);
    // Clipped to `end`, so a last interval ending before it means out at the end.
    const droppedIds = pair.filter(([, p]) => p.length > 0 && (p[p.length - 1] as Interval).to < end).map(([id]) => id);
    let outcome: MeetingOutcome;
    if (togetherMs >= thresholdMs) outcome = 'held';
    else if (inProgress) outcome = 'in-progress';
    else if (noShowIds.length > 0) outcome = 'no-show';
    else if (droppedIds.length > 0) outcome = 'dropped';
    else outcome = 'cut-short';
    seats.push({ mentorId: table.mentorId, menteeId, togetherMs, outcome, noShowIds, droppedIds });
  }
  return seats;
}

/** Held once together this long: a minute, or half the round if shorter. */
export function defaultHeldThresholdMs(roundMs: number): number {
  return Math.max(0, Math.min(60_000, roundMs / 2));
}

/** Someone not in by this long after the start is a no-show: a minute, or a quarter of the round if shorter. */
export function defaultNoShowAfterMs(roundMs: number): number {
  return Math.max(0, Math.min(60_000, roundMs / 4));
}

export interface AttendanceSummary {
  /** Seats counted (every mentor–mentee pair planned). */
  planned: number;
  held: number;
  cutShort: number;
  noShow: number;
  dropped: number;
  inProgress: number;
  togetherMs: number;
}

export function emptySummary(): AttendanceSummary {
  return { planned: 0, held: 0, cutShort: 0, noShow: 0, dropped: 0, inProgress: 0, togetherMs: 0 };
}

function count(summary: AttendanceSummary, seat: SeatAttendance): void {
  summary.planned++;
  summary.togetherMs += seat.togetherMs;
  switch (seat.outcome) {
    case 'held':
      summary.held++;
      break;
    case 'cut-short':
      summary.cutShort++;
      break;
    case 'no-show':
      summary.noShow++;
      break;
    case 'dropped':
      summary.dropped++;
      break;
    case 'in-progress':
      summary.inProgress++;
      break;
  }
}

/** Outcome counts over seats (one round's, or a whole event's). */
export function summarise(seats: readonly SeatAttendance[]): AttendanceSummary {
  const summary = emptySummary();
  for (const seat of seats) count(summary, seat);
  return summary;
}

export interface PersonAttendance extends AttendanceSummary {
  /** Seats where this person was the one who never came. */
  absent: number;
  /** Seats where this person left early and did not return. */
  leftEarly: number;
}

/** Per person (mentors and mentees alike): the outcomes of their seats, and how often they were the cause. */
export function summariseByPerson(seats: readonly SeatAttendance[]): Map<string, PersonAttendance> {
  const people = new Map<string, PersonAttendance>();
  const of = (id: string): PersonAttendance => {
    let person = people.get(id);
    if (!person) people.set(id, (person = { ...emptySummary(), absent: 0, leftEarly: 0 }));
    return person;
  };
  for (const seat of seats) {
    for (const id of [seat.mentorId, seat.menteeId]) {
      const person = of(id);
      count(person, seat);
      if (seat.noShowIds.includes(id)) person.absent++;
      if (seat.droppedIds.includes(id)) person.leftEarly++;
    }
  }
  return people;
}
