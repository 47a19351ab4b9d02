import { describe, expect, it } from 'vitest';
import type { Plan } from '../../schedule/core/index.ts';
import { reseat } from './reseat.ts';

const seat = (menteeId: string, score = 1) => ({ menteeId, score, reasons: [] });
const plan: Plan = {
  rounds: [
    {
      index: 0,
      held: false,
      tables: [
        { mentorId: 'M', menteeIds: ['A'], score: 1, seats: [seat('A')] },
        { mentorId: 'N', menteeIds: ['B'], score: 1, seats: [seat('B')] },
      ],
      sitOuts: [{ participantId: 'C', role: 'mentee', code: 'more-mentees-than-tables', reason: 'full' }],
    },
    { index: 1, held: false, tables: [{ mentorId: 'M', menteeIds: ['B'], score: 1, seats: [seat('B')] }], sitOuts: [] },
  ],
  totals: { score: 0, meetings: 0, meetingsPerMentee: { min: 0, max: 0 }, mentorLoads: { min: 0, max: 0 }, plannedScore: 0, plannedMeetings: 0, sharedTables: 0 },
  warnings: [],
};
const reason = (id: string) => `${id} is elsewhere`;

describe('re-seating during a round', () => {
  it('pairs the waiting mentor with the waiting mentee in a fresh room; the absent two lose their seats', () => {
    const { plan: after, unseated } = reseat(plan, 1, [{ mentorId: 'M', menteeId: 'B', room: 'M-x1', score: 7, reasons: ['both in fintech'] }], reason);
    expect(after.rounds[0]!.tables).toEqual([{ mentorId: 'M', menteeIds: ['B'], score: 7, seats: [{ menteeId: 'B', score: 7, reasons: ['both in fintech'] }], room: 'M-x1' }]);
    expect(unseated.sort()).toEqual(['A', 'N']);
    expect(after.rounds[0]!.sitOuts.map((s) => [s.participantId, s.code, s.role])).toEqual([
      ['C', 'more-mentees-than-tables', 'mentee'],
      ['A', 'absent', 'mentee'],
      ['N', 'absent', 'mentor'],
    ]);
    expect(after.rounds[1]).toBe(plan.rounds[1]);
    expect(plan.rounds[0]!.tables).toHaveLength(2); // the input is not changed
  });

  it('seats a sitting-out mentee, and swaps two mentees between tables', () => {
    const seated = reseat(plan, 1, [{ mentorId: 'M', menteeId: 'C', room: 'M-x2', score: 3, reasons: [] }], reason);
    expect(seated.plan.rounds[0]!.tables.map((t) => [t.mentorId, t.menteeIds])).toEqual([
      ['M', ['C']],
      ['N', ['B']],
    ]);
    expect(seated.unseated).toEqual(['A']);
    expect(seated.plan.rounds[0]!.sitOuts.map((s) => s.participantId)).toEqual(['A']);

    const swapped = reseat(plan, 1, [
      { mentorId: 'M', menteeId: 'B', room: 'M-x3', score: 2, reasons: [] },
      { mentorId: 'N', menteeId: 'A', room: 'N-x3', score: 4, reasons: [] },
    ], reason);
    expect(swapped.unseated).toEqual([]);
    expect(swapped.plan.rounds[0]!.tables.map((t) => [t.mentorId, t.menteeIds, (t as { room?: string }).room])).toEqual([
      ['M', ['B'], 'M-x3'],
      ['N', ['A'], 'N-x3'],
    ]);
  });

  it('gives a mentor who sat out a table', () => {
    const { plan: after } = reseat(plan, 1, [{ mentorId: 'K', menteeId: 'C', room: 'K-x1', score: 0, reasons: [] }], reason);
    expect(after.rounds[0]!.tables.map((t) => t.mentorId)).toEqual(['M', 'N', 'K']);
    expect(after.rounds[0]!.sitOuts).toEqual([]);
  });

  it('takes a moved co-host out of their circle, which goes on with its host and keeps its people', () => {
    const circle: Plan = {
      ...plan,
      rounds: [
        {
          index: 0,
          held: false,
          tables: [{ mentorId: 'M', coMentorId: 'N', menteeIds: ['A', 'B'], score: 10, seats: [seat('A', 2), seat('B', 3)], coSeats: [seat('A', 1), seat('B', 4)] }],
          sitOuts: [{ participantId: 'C', role: 'mentee', code: 'more-mentees-than-tables', reason: 'full' }],
        },
      ],
    };
    const { plan: after, unseated } = reseat(circle, 1, [{ mentorId: 'N', menteeId: 'C', room: 'N-x1', score: 5, reasons: [] }], reason);
    expect(after.rounds[0]!.tables).toEqual([
      { mentorId: 'M', menteeIds: ['A', 'B'], score: 5, seats: [seat('A', 2), seat('B', 3)] },
      { mentorId: 'N', menteeIds: ['C'], score: 5, seats: [{ menteeId: 'C', score: 5, reasons: [] }], room: 'N-x1' },
    ]);
    expect(unseated).toEqual([]);
    // A host who is moved leaves the circle to the co-host, in the circle's room.
    const hostMoved = reseat(circle, 1, [{ mentorId: 'M', menteeId: 'C', room: 'M-x2', score: 6, reasons: [] }], reason);
    expect(hostMoved.plan.rounds[0]!.tables).toEqual([
      { mentorId: 'M', menteeIds: ['C'], score: 6, seats: [{ menteeId: 'C', score: 6, reasons: [] }], room: 'M-x2' },
      { mentorId: 'N', menteeIds: ['A', 'B'], score: 5, seats: [seat('A', 1), seat('B', 4)], room: 'M' },
    ]);
    expect(hostMoved.unseated).toEqual([]);
    // A mentee taken from a co-hosted circle leaves both hosts' seats.
    const moved = reseat(circle, 1, [{ mentorId: 'X', menteeId: 'B', room: 'X-x1', score: 1, reasons: [] }], reason);
    expect(moved.plan.rounds[0]!.tables[0]).toEqual({ mentorId: 'M', coMentorId: 'N', menteeIds: ['A'], score: 3, seats: [seat('A', 2)], coSeats: [seat('A', 1)] });
  });
});
