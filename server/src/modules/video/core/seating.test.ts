import { describe, expect, it } from 'vitest';
import type { ClockActive } from '@constellation/shared/clock/state';
import type { Plan } from '../../schedule/core/index.ts';
import { roundEndsAt, secondsUntil, strandedAt, tableOf, tablesOf, waitingPartners } from './seating.ts';

const eventId = '8f14e45f-ceea-4e7a-9c3b-1d2c3b4a5f60';
const [m1, m2, a, b, c] = ['m1', 'm2', 'a', 'b', 'c'];

function planOf(rounds: { tables: { mentorId: string; coMentorId?: string; menteeIds: string[] }[]; sitOuts?: string[] }[]): Plan {
  return {
    rounds: rounds.map((r, index) => ({
      index,
      held: false,
      tables: r.tables.map((t) => ({ ...t, score: 0, seats: t.menteeIds.map((menteeId) => ({ menteeId, score: 0, reasons: [] })) })),
      sitOuts: (r.sitOuts ?? []).map((participantId) => ({ participantId, role: 'mentee' as const, code: 'balancing' as const, reason: '' })),
    })),
    totals: { score: 0, meetings: 0, meetingsPerMentee: { min: 0, max: 0 }, mentorLoads: { min: 0, max: 0 }, plannedScore: 0, plannedMeetings: 0, sharedTables: 0 },
    warnings: [],
  } as Plan;
}

const plan = planOf([
  { tables: [{ mentorId: m1, menteeIds: [a, b] }, { mentorId: m2, menteeIds: [] }], sitOuts: [c] },
  { tables: [{ mentorId: m1, menteeIds: [c] }, { mentorId: m2, menteeIds: [a] }], sitOuts: [b] },
]);

describe('seating participants in video rooms', () => {
  it('gives each table with a mentee one room per round, the mentor first', () => {
    expect(tablesOf(eventId, plan, 1)).toEqual([{ roomName: `ev_${eventId}_r1_tm1`, mentorId: m1, mentorIds: [m1], menteeIds: [a, b], participantIds: [m1, a, b] }]);
    expect(tablesOf(eventId, plan, 2).map((t) => t.roomName)).toEqual([`ev_${eventId}_r2_tm1`, `ev_${eventId}_r2_tm2`]);
    expect(tablesOf(eventId, plan, 3)).toEqual([]);
    expect(tablesOf(eventId, null, 1)).toEqual([]);
  });

  it('finds nobody a seat they do not have', () => {
    const round1 = tablesOf(eventId, plan, 1);
    expect(tableOf(round1, b)?.mentorId).toBe(m1);
    expect(tableOf(round1, c)).toBeUndefined();
    expect(tableOf(round1, m2)).toBeUndefined();
  });

  it("tells a missing mentor's mentees, and a missing mentee's mentor only, when they are there", () => {
    const [table] = tablesOf(eventId, plan, 1);
    expect(waitingPartners(table!, m1, new Set([a, b]))).toEqual([a, b]);
    expect(waitingPartners(table!, m1, new Set([a]))).toEqual([a]);
    expect(waitingPartners(table!, a, new Set([m1, b]))).toEqual([m1]);
    expect(waitingPartners(table!, a, new Set([b]))).toEqual([]);
  });

  it('seats both mentors of a co-hosted circle in one room, and strands nobody while either host or any mentee is there', () => {
    const [table] = tablesOf(eventId, planOf([{ tables: [{ mentorId: m1, coMentorId: m2, menteeIds: [a, b] }] }]), 1);
    expect(table).toEqual({ roomName: `ev_${eventId}_r1_tm1`, mentorId: m1, coMentorId: m2, mentorIds: [m1, m2], menteeIds: [a, b], participantIds: [m1, m2, a, b] });
    expect(tableOf([table!], m2)).toBe(table);
    // A missing host: the mentees and the co-host are told; a missing mentee: both hosts.
    expect(waitingPartners(table!, m1, new Set([m2, a, b]))).toEqual([m2, a, b]);
    expect(waitingPartners(table!, a, new Set([m1, m2, b]))).toEqual([m1, m2]);
    expect(strandedAt(table!, new Set([m1]))).toEqual([]);
    expect(strandedAt(table!, new Set([m1, m2]))).toEqual([{ id: a, waitingFor: [m1, m2] }, { id: b, waitingFor: [m1, m2] }]);
    expect(strandedAt(table!, new Set([a]))).toEqual([]);
    expect(strandedAt(table!, new Set([a, b, m2]))).toEqual([{ id: m1, waitingFor: [a, b] }]);
  });

  it('knows when a round ends: running, paused, or still to come', () => {
    const clock: ClockActive = {
      phase: 'round', rounds: 2, round: 1, startedAt: 0, startsAt: 0, endsAt: 300_000, warnAt: 240_000,
      paused: false, pausedAt: null, remainingMs: null, upcoming: [{ round: 2, startsAt: 360_000, endsAt: 660_000 }], finishesAt: 660_000, revision: 1,
    };
    expect(roundEndsAt(clock, 1, 10_000)).toBe(300_000);
    expect(roundEndsAt(clock, 2, 10_000)).toBe(660_000);
    expect(roundEndsAt({ ...clock, paused: true, pausedAt: 100_000, remainingMs: 200_000 }, 1, 500_000)).toBe(700_000);
    expect(roundEndsAt({ ...clock, phase: 'transition', upcoming: [] }, 2, 0)).toBeNull();
    expect(roundEndsAt({ phase: 'lobby', rounds: 2, round: 0, revision: 0 }, 1, 0)).toBeNull();
  });

  it('rounds lifetimes up, adds slack and keeps them in bounds', () => {
    expect(secondsUntil(10_001, 0, 5)).toBe(16);
    expect(secondsUntil(0, 10_000, 5)).toBe(5);
    expect(secondsUntil(0, 0, 0, { min: 60 })).toBe(60);
    expect(secondsUntil(10 * 3600_000, 0, 0)).toBe(6 * 3600);
  });
});
