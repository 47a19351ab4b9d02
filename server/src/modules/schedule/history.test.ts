import { describe, expect, it } from 'vitest';
import type { SeatRecord } from '../attendance/attendance.service.ts';
import { historyOf } from './schedule.service.ts';

/** A held seat of `round`: only the fields historyOf reads matter. */
const seat = (round: number, mentorId: string, menteeId: string, met = true, roomName = `r${round}-${mentorId}`) =>
  ({ round, mentorId, menteeId, met, replacedAt: null, roomName }) as unknown as SeatRecord;

describe('historyOf with round formats', () => {
  const known = new Set(['m1', 'e1', 'e2', 'e3', 'e4']);

  it('keeps a held circle round whole: its table size is the round’s own, not the one-to-one size', () => {
    const seats = [seat(1, 'm1', 'e1'), seat(2, 'm1', 'e2'), seat(2, 'm1', 'e3'), seat(2, 'm1', 'e4', false)];
    const sizes = (round: number) => (round === 2 ? 4 : 1);
    expect(historyOf(seats, 2, null, new Set(), known, sizes)).toEqual([
      { tables: [{ mentorId: 'm1', menteeIds: ['e1'] }] },
      { tables: [{ mentorId: 'm1', menteeIds: ['e2', 'e3'] }] },
    ]);
    // With one size for every round, the circle would be cut to one mentee.
    expect(historyOf(seats, 2, null, new Set(), known, 1)[1]).toEqual({ tables: [{ mentorId: 'm1', menteeIds: ['e2'] }] });
  });

  it('records a co-hosted circle as it happened: a seat with each host who came, never two rooms in one round', () => {
    const known2 = new Set([...known, 'm2', 'm3']);
    const room = 'r1-m1';
    const seats = [
      seat(1, 'm1', 'e1', true, room), seat(1, 'm2', 'e1', true, room),
      seat(1, 'm1', 'e2', true, room), seat(1, 'm2', 'e2', false, room), // m2 missed e2
      seat(1, 'm3', 'e1', true, 'elsewhere'), // a second room in the same round never counts
    ];
    expect(historyOf(seats, 1, null, new Set(), known2, 4, () => 2)).toEqual([
      { tables: [{ mentorId: 'm1', menteeIds: ['e1', 'e2'] }, { mentorId: 'm2', menteeIds: ['e1'] }] },
    ]);
    // In a one-host round the second seat is dropped.
    expect(historyOf(seats, 1, null, new Set(), known2, 4)).toEqual([{ tables: [{ mentorId: 'm1', menteeIds: ['e1', 'e2'] }] }]);
  });
});
