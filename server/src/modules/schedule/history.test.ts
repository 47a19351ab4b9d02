import { describe, expect, it } from 'vitest';
import type { SeatRecord } from '../attendance/attendance.service.ts';
import { historyOf } from './schedule.service.ts';

/** A held seat of `round`: only the fields historyOf reads matter. */
const seat = (round: number, mentorId: string, menteeId: string, met = true) =>
  ({ round, mentorId, menteeId, met, replacedAt: null }) as unknown as SeatRecord;

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
});
