import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clipIntervals,
  mergeIntervals,
  overlapMs,
  presenceIntervals,
  tableAttendance,
  totalMs,
  type Interval,
  type PresenceEvent,
  type RoundWindow,
} from './attendance.ts';

// Small integer times so that ties, touching intervals and window edges come up often.
const WINDOW: RoundWindow = { startsAt: 20, endsAt: 80 };
const TIME = fc.integer({ min: 0, max: 100 });
const PEOPLE = ['a', 'b', 'c'];

const arbitraryEvent: fc.Arbitrary<PresenceEvent> = fc.record(
  {
    participantId: fc.constantFrom(...PEOPLE),
    kind: fc.constantFrom('joined' as const, 'left' as const),
    at: TIME,
    seq: fc.integer({ min: 0, max: 30 }),
    sessionId: fc.constantFrom('s1', 's2'),
  },
  { requiredKeys: ['participantId', 'kind', 'at', 'seq'] },
);
/** Any log at all: repeats, stray leaves, equal seqs. */
const arbitraryLog = fc.array(arbitraryEvent, { maxLength: 25 });
const arbitraryUntil = fc.option(TIME, { nil: undefined });

function shuffle<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: keys[i % Math.max(1, keys.length)] ?? 0, i }))
    .sort((x, y) => x.key - y.key || x.i - y.i)
    .map((x) => x.item);
}
const shuffleKeys = fc.array(fc.integer(), { minLength: 1, maxLength: 40 });

/** Units [u, u+1) of [from, to) covered by the intervals, counted one by one. */
function units(intervals: readonly Interval[], from: number, to: number): Set<number> {
  const covered = new Set<number>();
  for (let u = from; u < to; u++) if (intervals.some((i) => i.from <= u && u + 1 <= i.to)) covered.add(u);
  return covered;
}
const arbitraryIntervals = fc.array(
  fc.tuple(TIME, fc.integer({ min: 0, max: 30 })).map(([from, length]) => ({ from, to: from + length })),
  { maxLength: 6 },
);

describe('presenceIntervals properties', () => {
  it('gives each participant sorted, disjoint, non-touching, non-empty intervals within the counted window', () => {
    fc.assert(
      fc.property(arbitraryLog, arbitraryUntil, (events, until) => {
        const end = until === undefined ? WINDOW.endsAt : Math.min(WINDOW.endsAt, until);
        const got = presenceIntervals(events, WINDOW, until);
        expect([...got.keys()].sort()).toEqual([...new Set(events.map((e) => e.participantId))].sort());
        for (const list of got.values()) {
          list.forEach((i, k) => {
            expect(i.from).toBeGreaterThanOrEqual(WINDOW.startsAt);
            expect(i.to).toBeLessThanOrEqual(end);
            expect(i.to).toBeGreaterThan(i.from);
            if (k > 0) expect(i.from).toBeGreaterThan((list[k - 1] as Interval).to);
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order the events are listed in', () => {
    fc.assert(
      fc.property(arbitraryLog, shuffleKeys, arbitraryUntil, (events, keys, until) => {
        expect(presenceIntervals(shuffle(events, keys), WINDOW, until)).toEqual(presenceIntervals(events, WINDOW, until));
      }),
      { numRuns: 500 },
    );
  });

  it('does not change when events are delivered again later', () => {
    fc.assert(
      fc.property(arbitraryLog, fc.array(fc.nat(), { maxLength: 10 }), shuffleKeys, (events, picks, keys) => {
        fc.pre(events.length > 0);
        let seq = Math.max(...events.map((e) => e.seq));
        const repeats = picks.map((p) => {
          const original = events[p % events.length] as PresenceEvent;
          seq += 1 + (p % 3);
          return { ...original, seq: Math.max(original.seq, seq) };
        });
        expect(presenceIntervals(shuffle([...events, ...repeats], keys), WINDOW)).toEqual(presenceIntervals(events, WINDOW));
      }),
      { numRuns: 500 },
    );
  });

  it('reading so far equals the full reading clipped at `until`', () => {
    fc.assert(
      fc.property(arbitraryLog, TIME, (events, until) => {
        const full = presenceIntervals(events, WINDOW);
        const soFar = presenceIntervals(events, WINDOW, until);
        for (const [id, list] of full) expect(soFar.get(id)).toEqual(clipIntervals(list, WINDOW.startsAt, Math.min(until, WINDOW.endsAt)));
      }),
      { numRuns: 300 },
    );
  });

  /**
   * The truth: per participant, per connection, disjoint presence spans (the first may have begun
   * before anything was logged, the last may still be open), some broken by reconnects (left, then
   * joined again after a gap of 0 or more). LiveKit reports them in any order and repeats some.
   */
  const arbitraryTruth = fc.array(
    fc.record({
      participantId: fc.constantFrom(...PEOPLE),
      sessionId: fc.option(fc.constantFrom('s1', 's2', 's3'), { nil: undefined }),
      openStart: fc.boolean(),
      openEnd: fc.boolean(),
      // Alternating gaps and lengths from a start time: all spans of a connection are disjoint.
      start: TIME,
      steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 4 }),
    }),
    { maxLength: 6 },
  );

  it('reconstructs the true presence, reconnects included, from shuffled and repeated deliveries', () => {
    fc.assert(
      fc.property(arbitraryTruth, shuffleKeys, fc.array(fc.nat(), { maxLength: 8 }), arbitraryUntil, (truth, keys, picks, until) => {
        // Connections without an id of one participant are one connection: keep only the first such.
        const seenPlain = new Set<string>();
        const seenSession = new Set<string>();
        const connections = truth.filter((c) => {
          const key = `${c.participantId}/${c.sessionId ?? ''}`;
          const seen = c.sessionId === undefined ? seenPlain : seenSession;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        const events: PresenceEvent[] = [];
        const expected = new Map<string, Interval[]>();
        let seq = 0;
        for (const c of connections) {
          const spans: Interval[] = [];
          let at = c.start;
          c.steps.forEach(([gap, length], k) => {
            const from = k === 0 ? at : at + gap;
            spans.push({ from, to: from + length });
            at = from + length;
          });
          const first = spans[0] as Interval;
          const last = spans[spans.length - 1] as Interval;
          if (c.openStart) first.from = Number.NEGATIVE_INFINITY;
          if (c.openEnd) last.to = Number.POSITIVE_INFINITY;
          if (spans.length === 1 && c.openStart && c.openEnd) continue; // in throughout, never reported: unobservable
          // Arrival order follows time within a connection (seq), whatever the array order.
          for (const span of spans) {
            if (Number.isFinite(span.from)) events.push({ participantId: c.participantId, sessionId: c.sessionId, kind: 'joined', at: span.from, seq: seq++ });
            if (Number.isFinite(span.to)) events.push({ participantId: c.participantId, sessionId: c.sessionId, kind: 'left', at: span.to, seq: seq++ });
          }
          expected.set(c.participantId, [...(expected.get(c.participantId) ?? []), ...spans]);
        }
        const repeats = events.length === 0 ? [] : picks.map((p) => ({ ...(events[p % events.length] as PresenceEvent), seq: seq++ }));
        const end = until === undefined ? WINDOW.endsAt : Math.min(until, WINDOW.endsAt);
        const got = presenceIntervals(shuffle([...events, ...repeats], keys), WINDOW, until);
        for (const [id, spans] of expected) {
          expect(got.get(id) ?? []).toEqual(end > WINDOW.startsAt ? clipIntervals(spans, WINDOW.startsAt, end) : []);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the union when a reconnect splits a presence: left, then joined again inside the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 41, max: 100 }),
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        shuffleKeys,
        (from, to, gap, newConnection, keys) => {
          const split = Math.floor((from + to) / 2);
          fc.pre(split + gap < to);
          // Without connection ids, joined-left-joined within one instant reads as a join, a leave and a repeat.
          fc.pre(newConnection || split > from || gap > 0);
          const [before, after] = newConnection ? ['PA_1', 'PA_2'] : [undefined, undefined];
          const events: PresenceEvent[] = [
            { participantId: 'a', sessionId: before, kind: 'joined', at: from, seq: 0 },
            { participantId: 'a', sessionId: before, kind: 'left', at: split, seq: 1 },
            { participantId: 'a', sessionId: after, kind: 'joined', at: split + gap, seq: 2 },
            { participantId: 'a', sessionId: after, kind: 'left', at: to, seq: 3 },
          ];
          const got = presenceIntervals(shuffle(events, keys), WINDOW).get('a') ?? [];
          const pieces = [
            { from, to: split },
            { from: split + gap, to },
          ];
          expect(got).toEqual(clipIntervals(pieces, WINDOW.startsAt, WINDOW.endsAt));
          // Only the gap is lost, and nothing outside the window is gained.
          const whole = totalMs(clipIntervals([{ from, to }], WINDOW.startsAt, WINDOW.endsAt));
          expect(totalMs(got)).toBeGreaterThanOrEqual(whole - gap);
          expect(totalMs(got)).toBeLessThanOrEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('overlapMs properties', () => {
  it('is symmetric and at most either total', () => {
    fc.assert(
      fc.property(arbitraryIntervals, arbitraryIntervals, (a, b) => {
        const both = overlapMs(a, b);
        expect(overlapMs(b, a)).toBe(both);
        expect(both).toBeLessThanOrEqual(Math.min(totalMs(a), totalMs(b)));
        expect(both).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('equals counting the shared units one by one', () => {
    fc.assert(
      fc.property(arbitraryIntervals, arbitraryIntervals, (a, b) => {
        const ua = units(a, 0, 200);
        const ub = units(b, 0, 200);
        expect(overlapMs(a, b)).toBe([...ua].filter((u) => ub.has(u)).length);
        expect(totalMs(a)).toBe(ua.size);
        expect(overlapMs(a, a)).toBe(ua.size);
      }),
      { numRuns: 500 },
    );
  });

  it('is unchanged by merging its inputs first', () => {
    fc.assert(
      fc.property(arbitraryIntervals, arbitraryIntervals, (a, b) => {
        expect(overlapMs(mergeIntervals(a), mergeIntervals(b))).toBe(overlapMs(a, b));
      }),
    );
  });
});

describe('tableAttendance properties', () => {
  const arbitraryCase = fc.record({
    mentor: arbitraryIntervals,
    mentees: fc.array(arbitraryIntervals, { minLength: 1, maxLength: 3 }),
    threshold: fc.integer({ min: 0, max: 40 }),
    until: arbitraryUntil,
  });

  it('follows the outcome precedence, checked against a unit-by-unit reading', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ mentor, mentees, threshold, until }) => {
        const menteeIds = mentees.map((_, k) => `e${k}`);
        const intervals = new Map<string, Interval[]>([['m', mentor], ...mentees.map((list, k) => [`e${k}`, list] as [string, Interval[]])]);
        const seats = tableAttendance({ mentorId: 'm', menteeIds }, intervals, WINDOW, threshold, until);
        const end = until === undefined ? WINDOW.endsAt : Math.min(until, WINDOW.endsAt);
        const inProgress = until !== undefined && until < WINDOW.endsAt;
        const present = (id: string): Set<number> => units(intervals.get(id) ?? [], WINDOW.startsAt, end);
        expect(seats.map((s) => s.menteeId)).toEqual(menteeIds);
        for (const seat of seats) {
          const m = present('m');
          const e = present(seat.menteeId);
          const together = [...m].filter((u) => e.has(u)).length;
          expect(seat.togetherMs).toBe(together);
          const noShow = [
            ['m', m],
            [seat.menteeId, e],
          ].filter(([, p]) => (p as Set<number>).size === 0).map(([id]) => id);
          const dropped = [
            ['m', m],
            [seat.menteeId, e],
          ]
            .filter(([, p]) => (p as Set<number>).size > 0 && !(p as Set<number>).has(end - 1))
            .map(([id]) => id);
          expect(seat.noShowIds).toEqual(noShow);
          expect(seat.droppedIds).toEqual(dropped);
          const expected =
            together >= threshold
              ? 'held'
              : inProgress
                ? 'in-progress'
                : noShow.length > 0
                  ? 'no-show'
                  : dropped.length > 0
                    ? 'dropped'
                    : 'cut-short';
          expect(seat.outcome).toBe(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never calls a seat held while someone of the pair never came, with a positive threshold', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ mentor, mentees, threshold, until }) => {
        fc.pre(threshold > 0);
        const intervals = new Map<string, Interval[]>([['m', mentor], ...mentees.map((list, k) => [`e${k}`, list] as [string, Interval[]])]);
        for (const seat of tableAttendance({ mentorId: 'm', menteeIds: mentees.map((_, k) => `e${k}`) }, intervals, WINDOW, threshold, until)) {
          if (seat.outcome === 'held') expect(seat.noShowIds).toEqual([]);
          if (seat.outcome === 'no-show') expect(seat.noShowIds.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
