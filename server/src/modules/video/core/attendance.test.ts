import { describe, expect, it } from 'vitest';
import {
  clipIntervals,
  defaultHeldThresholdMs,
  defaultNoShowAfterMs,
  mergeIntervals,
  overlapMs,
  presenceIntervals,
  summarise,
  summariseByPerson,
  tableAttendance,
  totalMs,
  type Interval,
  type PresenceEvent,
  type SeatAttendance,
} from './attendance.ts';

const S = 1_000;
const MIN = 60 * S;
const window = { startsAt: 100 * MIN, endsAt: 110 * MIN };
const t = (seconds: number): number => window.startsAt + seconds * S;

let nextSeq = 0;
function ev(participantId: string, kind: 'joined' | 'left', seconds: number, extra: Partial<PresenceEvent> = {}): PresenceEvent {
  return { participantId, kind, at: t(seconds), seq: nextSeq++, ...extra };
}
const span = (from: number, to: number): Interval => ({ from: t(from), to: t(to) });

describe('presenceIntervals', () => {
  it('counts a join and a leave inside the round', () => {
    const got = presenceIntervals([ev('a', 'joined', 10), ev('a', 'left', 100)], window);
    expect(got.get('a')).toEqual([span(10, 100)]);
  });

  it('never counts standby before the start or time after the end', () => {
    const got = presenceIntervals([ev('a', 'joined', -300), ev('a', 'left', 900)], window);
    expect(got.get('a')).toEqual([span(0, 600)]);
  });

  it('gives an empty list to someone who only waited on standby and left before the start', () => {
    const got = presenceIntervals([ev('a', 'joined', -300), ev('a', 'left', -10)], window);
    expect(got.get('a')).toEqual([]);
  });

  it('keeps someone who joined and never left in until the end of the round', () => {
    expect(presenceIntervals([ev('a', 'joined', 30)], window).get('a')).toEqual([span(30, 600)]);
  });

  it('reads a leave with no join before it as present since before the round', () => {
    expect(presenceIntervals([ev('a', 'left', 200)], window).get('a')).toEqual([span(0, 200)]);
  });

  it('joins a reconnect (left, then joined a second later) into the surrounding presence', () => {
    const got = presenceIntervals([ev('a', 'joined', 0), ev('a', 'left', 100), ev('a', 'joined', 101), ev('a', 'left', 300)], window);
    expect(got.get('a')).toEqual([span(0, 100), span(101, 300)]);
  });

  it('merges a reconnect within the same second (left and joined stamped alike) into one interval', () => {
    const got = presenceIntervals([ev('a', 'joined', 0), ev('a', 'left', 100), ev('a', 'joined', 100)], window);
    expect(got.get('a')).toEqual([span(0, 600)]);
  });

  it('reads events delivered out of order by their time', () => {
    const got = presenceIntervals([ev('a', 'left', 300), ev('a', 'joined', 200), ev('a', 'left', 100), ev('a', 'joined', 50)], window);
    expect(got.get('a')).toEqual([span(50, 100), span(200, 300)]);
  });

  it('breaks ties at one instant by arrival order', () => {
    const leftThenJoined = presenceIntervals([{ participantId: 'a', kind: 'joined', at: t(0), seq: 1 }, { participantId: 'a', kind: 'left', at: t(100), seq: 2 }, { participantId: 'a', kind: 'joined', at: t(100), seq: 3 }], window);
    const joinedThenLeft = presenceIntervals([{ participantId: 'a', kind: 'joined', at: t(0), seq: 1 }, { participantId: 'a', kind: 'joined', at: t(100), seq: 2 }, { participantId: 'a', kind: 'left', at: t(100), seq: 3 }], window);
    expect(leftThenJoined.get('a')).toEqual([span(0, 600)]);
    expect(joinedThenLeft.get('a')).toEqual([span(0, 100)]);
  });

  it('ignores repeated deliveries of the same event', () => {
    const joined = ev('a', 'joined', 10);
    const left = ev('a', 'left', 100);
    const once = presenceIntervals([joined, left], window);
    const retried = presenceIntervals([joined, left, { ...joined, seq: 50 }, { ...left, seq: 51 }, { ...joined, seq: 52 }], window);
    expect(retried).toEqual(once);
  });

  it('treats a second join while present as a repeat, not a new presence', () => {
    const got = presenceIntervals([ev('a', 'joined', 10), ev('a', 'joined', 20), ev('a', 'left', 100), ev('a', 'left', 150)], window);
    expect(got.get('a')).toEqual([span(10, 100)]);
  });

  it('unites connections when the new one is reported before the old one leaves', () => {
    const events = [
      ev('a', 'joined', 10, { sessionId: 'PA_1' }),
      ev('a', 'joined', 200, { sessionId: 'PA_2' }),
      ev('a', 'left', 205, { sessionId: 'PA_1' }),
      ev('a', 'left', 400, { sessionId: 'PA_2' }),
    ];
    expect(presenceIntervals(events, window).get('a')).toEqual([span(10, 400)]);
  });

  it('reads joined, left, joined within one instant of one connection as a blip and a repeated delivery', () => {
    const events = [ev('a', 'joined', 100), ev('a', 'left', 100), ev('a', 'joined', 100)];
    expect(presenceIntervals(events, window).get('a')).toEqual([]);
    // With connection ids a rejoin is a new connection, not a repeat.
    const withIds = [ev('a', 'joined', 100, { sessionId: 'PA_1' }), ev('a', 'left', 100, { sessionId: 'PA_1' }), ev('a', 'joined', 100, { sessionId: 'PA_2' })];
    expect(presenceIntervals(withIds, window).get('a')).toEqual([span(100, 600)]);
  });

  it('stops at `until` for a round in progress', () => {
    const got = presenceIntervals([ev('a', 'joined', 10), ev('b', 'joined', 200)], window, t(120));
    expect(got.get('a')).toEqual([span(10, 120)]);
    expect(got.get('b')).toEqual([]);
  });

  it('ignores `until` after the end of the round', () => {
    expect(presenceIntervals([ev('a', 'joined', 10)], window, t(9_999)).get('a')).toEqual([span(10, 600)]);
  });

  it('keeps participants apart', () => {
    const got = presenceIntervals([ev('a', 'joined', 10), ev('b', 'joined', 20), ev('a', 'left', 30)], window);
    expect([...got.keys()].sort()).toEqual(['a', 'b']);
    expect(got.get('a')).toEqual([span(10, 30)]);
    expect(got.get('b')).toEqual([span(20, 600)]);
  });

  it('reads an empty log as nobody', () => {
    expect(presenceIntervals([], window).size).toBe(0);
  });
});

describe('interval helpers', () => {
  it('merges overlapping and touching intervals and drops empty ones', () => {
    expect(mergeIntervals([{ from: 5, to: 7 }, { from: 0, to: 2 }, { from: 2, to: 3 }, { from: 6, to: 9 }, { from: 4, to: 4 }])).toEqual([
      { from: 0, to: 3 },
      { from: 5, to: 9 },
    ]);
  });

  it('clips to a span', () => {
    expect(clipIntervals([{ from: 0, to: 10 }, { from: 20, to: 30 }], 5, 25)).toEqual([
      { from: 5, to: 10 },
      { from: 20, to: 25 },
    ]);
  });

  it('sums lengths without double counting', () => {
    expect(totalMs([{ from: 0, to: 10 }, { from: 5, to: 15 }])).toBe(15);
  });
});

describe('overlapMs', () => {
  it('measures the time both are in', () => {
    expect(overlapMs([{ from: 0, to: 10 }, { from: 20, to: 30 }], [{ from: 5, to: 25 }])).toBe(10);
  });

  it('is zero for intervals that only touch', () => {
    expect(overlapMs([{ from: 0, to: 10 }], [{ from: 10, to: 20 }])).toBe(0);
  });

  it('is zero when either is absent', () => {
    expect(overlapMs([], [{ from: 0, to: 10 }])).toBe(0);
  });
});

describe('tableAttendance', () => {
  const threshold = defaultHeldThresholdMs(window.endsAt - window.startsAt);
  const table = { mentorId: 'm', menteeIds: ['e'] };
  const seatOf = (presence: Record<string, Interval[]>, until?: number): SeatAttendance =>
    tableAttendance(table, new Map(Object.entries(presence)), window, threshold, until)[0] as SeatAttendance;

  it('calls a seat held when both were in together long enough', () => {
    expect(seatOf({ m: [span(0, 600)], e: [span(5, 600)] })).toEqual({
      mentorId: 'm',
      menteeId: 'e',
      togetherMs: 595 * S,
      outcome: 'held',
      noShowIds: [],
      droppedIds: [],
    });
  });

  it('still calls it held when someone dropped after meeting long enough', () => {
    const seat = seatOf({ m: [span(0, 600)], e: [span(0, 200)] });
    expect(seat.outcome).toBe('held');
    expect(seat.droppedIds).toEqual(['e']);
  });

  it('calls it held at exactly the threshold', () => {
    expect(seatOf({ m: [span(0, 60)], e: [span(0, 600)] }).outcome).toBe('held');
    expect(seatOf({ m: [span(0, 59)], e: [span(0, 600)] }).outcome).toBe('dropped');
  });

  it('names the mentee who never came as the no-show', () => {
    const seat = seatOf({ m: [span(0, 600)] });
    expect(seat).toMatchObject({ outcome: 'no-show', noShowIds: ['e'], droppedIds: [], togetherMs: 0 });
  });

  it('names both when neither came', () => {
    expect(seatOf({})).toMatchObject({ outcome: 'no-show', noShowIds: ['m', 'e'] });
  });

  it('prefers no-show over dropped when one never came and the other left', () => {
    expect(seatOf({ m: [span(0, 30)] })).toMatchObject({ outcome: 'no-show', noShowIds: ['e'], droppedIds: ['m'] });
  });

  it('counts standby before the start as not having come', () => {
    const seat = tableAttendance(table, new Map([['m', [{ from: t(-300), to: t(-1) }]], ['e', [span(0, 600)]]]), window, threshold)[0];
    expect(seat).toMatchObject({ outcome: 'no-show', noShowIds: ['m'] });
  });

  it('calls it dropped when someone left early, missed the threshold and did not return', () => {
    expect(seatOf({ m: [span(0, 600)], e: [span(0, 20)] })).toMatchObject({ outcome: 'dropped', droppedIds: ['e'] });
  });

  it('does not call someone dropped who left and came back', () => {
    const seat = seatOf({ m: [span(0, 20), span(580, 600)], e: [span(500, 600)] });
    expect(seat).toMatchObject({ outcome: 'cut-short', droppedIds: [], togetherMs: 20 * S });
  });

  it('calls it cut short when both came but too late to meet for long', () => {
    expect(seatOf({ m: [span(0, 600)], e: [span(570, 600)] })).toMatchObject({ outcome: 'cut-short', togetherMs: 30 * S, noShowIds: [], droppedIds: [] });
  });

  it('calls it cut short when both came but were never in together and stayed to the end', () => {
    expect(seatOf({ m: [span(300, 600)], e: [span(0, 100), span(599, 600)] })).toMatchObject({ outcome: 'cut-short', togetherMs: S });
  });

  it('reports a round in progress as in progress until the threshold is met', () => {
    expect(seatOf({ m: [span(0, 30)] }, t(30))).toMatchObject({ outcome: 'in-progress', noShowIds: ['e'], droppedIds: [] });
    expect(seatOf({ m: [span(0, 90)], e: [span(10, 90)] }, t(90))).toMatchObject({ outcome: 'held', togetherMs: 80 * S });
  });

  it('lists who is out right now during a round in progress', () => {
    expect(seatOf({ m: [span(0, 40)], e: [span(0, 10)] }, t(40))).toMatchObject({ outcome: 'in-progress', droppedIds: ['e'] });
  });

  it('treats `until` at or after the end as a finished round', () => {
    expect(seatOf({ m: [span(0, 600)] }, window.endsAt).outcome).toBe('no-show');
  });

  it('ignores intervals outside the window even if given', () => {
    const seat = tableAttendance(table, new Map([['m', [{ from: 0, to: Number.MAX_SAFE_INTEGER }]], ['e', [{ from: t(-500), to: t(30) }]]]), window, threshold)[0];
    expect(seat).toMatchObject({ togetherMs: 30 * S, outcome: 'dropped', droppedIds: ['e'] });
  });

  it('gives one seat per mentee of a shared table, in order, each judged on its own', () => {
    const seats = tableAttendance(
      { mentorId: 'm', menteeIds: ['e1', 'e2', 'e1', 'm'] },
      new Map([
        ['m', [span(0, 600)]],
        ['e1', [span(0, 600)]],
      ]),
      window,
      threshold,
    );
    expect(seats.map((s) => [s.menteeId, s.outcome])).toEqual([
      ['e1', 'held'],
      ['e2', 'no-show'],
    ]);
  });

  it('works on presenceIntervals output end to end', () => {
    const events = [ev('m', 'joined', -120), ev('e', 'joined', 560), ev('e', 'left', 570), ev('e', 'joined', 571)];
    const seats = tableAttendance(table, presenceIntervals(events, window), window, threshold);
    expect(seats[0]).toMatchObject({ outcome: 'cut-short', togetherMs: 39 * S });
  });
});

describe('defaults', () => {
  it('holds a meeting after a minute, or half a short round', () => {
    expect(defaultHeldThresholdMs(10 * MIN)).toBe(MIN);
    expect(defaultHeldThresholdMs(90 * S)).toBe(45 * S);
    expect(defaultHeldThresholdMs(0)).toBe(0);
  });

  it('calls a no-show after a minute, or a quarter of a short round', () => {
    expect(defaultNoShowAfterMs(10 * MIN)).toBe(MIN);
    expect(defaultNoShowAfterMs(2 * MIN)).toBe(30 * S);
    expect(defaultNoShowAfterMs(-5)).toBe(0);
  });
});

describe('summaries', () => {
  const seat = (mentorId: string, menteeId: string, outcome: SeatAttendance['outcome'], extra: Partial<SeatAttendance> = {}): SeatAttendance => ({
    mentorId,
    menteeId,
    togetherMs: 0,
    outcome,
    noShowIds: [],
    droppedIds: [],
    ...extra,
  });
  const seats = [
    seat('m1', 'e1', 'held', { togetherMs: 500 }),
    seat('m1', 'e2', 'no-show', { noShowIds: ['e2'] }),
    seat('m2', 'e3', 'dropped', { droppedIds: ['m2'], togetherMs: 10 }),
    seat('m3', 'e4', 'cut-short'),
    seat('m4', 'e5', 'in-progress'),
  ];

  it('counts outcomes of a round', () => {
    expect(summarise(seats)).toEqual({ planned: 5, held: 1, cutShort: 1, noShow: 1, dropped: 1, inProgress: 1, togetherMs: 510 });
    expect(summarise([])).toEqual({ planned: 0, held: 0, cutShort: 0, noShow: 0, dropped: 0, inProgress: 0, togetherMs: 0 });
  });

  it('counts outcomes per person and who caused them', () => {
    const people = summariseByPerson(seats);
    expect(people.get('m1')).toMatchObject({ planned: 2, held: 1, noShow: 1, absent: 0, leftEarly: 0, togetherMs: 500 });
    expect(people.get('e2')).toMatchObject({ planned: 1, noShow: 1, absent: 1 });
    expect(people.get('m2')).toMatchObject({ planned: 1, dropped: 1, leftEarly: 1 });
    expect(people.get('e3')).toMatchObject({ planned: 1, dropped: 1, leftEarly: 0 });
    expect(people.size).toBe(9);
  });
});
