import { describe, expect, it } from 'vitest';
import type { MetPerson } from '@constellation/shared/schemas/ratings';
import {
  coSeatOf,
  formatLabel,
  hostIdsOf,
  hostsLabel,
  inCallCount,
  meetingsOf,
  menteeIdsOf,
  partnersInOrder,
  toGiveFeedbackOn,
  type PlanTable,
} from './hosts.ts';
import { namesOf } from './seat.ts';

const names: Record<string, string> = { ana: 'Ana Lee', ben: 'Ben Ode', kim: 'Kim Park', li: 'Li Wei', sam: 'Sam Roy' };
const name = (id: string) => names[id] ?? 'Someone who left';

const coHosted: PlanTable = {
  mentorId: 'ana',
  coMentorId: 'ben',
  menteeIds: ['kim', 'li'],
  score: 19,
  seats: [
    { menteeId: 'kim', score: 6, reasons: ['both in fintech'] },
    { menteeId: 'li', score: 4, reasons: [] },
  ],
  coSeats: [
    { menteeId: 'kim', score: 5, reasons: ['both speak Korean'] },
    { menteeId: 'li', score: 4, reasons: ['both in design'] },
  ],
};
const single: PlanTable = { mentorId: 'sam', menteeIds: ['kim'], score: 3, seats: [{ menteeId: 'kim', score: 3, reasons: [] }] };

describe('the hosts of a circle', () => {
  it('names both mentors of a co-hosted circle, and the one mentor of any other table', () => {
    expect(hostIdsOf(coHosted)).toEqual(['ana', 'ben']);
    expect(hostsLabel(coHosted, name)).toBe('Ana Lee & Ben Ode');
    expect(hostsLabel(single, name)).toBe('Sam Roy');
  });

  it("shows the co-host's fit with a mentee where the mentor's is shown", () => {
    expect(coSeatOf(coHosted, 'li')).toEqual({ menteeId: 'li', score: 4, reasons: ['both in design'] });
    expect(coSeatOf(single, 'kim')).toBeNull();
  });

  it('counts a meeting with each mentor of a co-hosted circle', () => {
    expect(meetingsOf(coHosted).map((m) => [m.mentorId, m.menteeId, m.score, m.coHostId])).toEqual([
      ['ana', 'kim', 6, 'ben'],
      ['ana', 'li', 4, 'ben'],
      ['ben', 'kim', 5, 'ana'],
      ['ben', 'li', 4, 'ana'],
    ]);
    expect(meetingsOf(single)).toEqual([{ mentorId: 'sam', menteeId: 'kim', score: 3, reasons: [], coHostId: null }]);
  });

  it('says a round of circles has two mentors each only when it has', () => {
    expect(formatLabel({ kind: 'circle', size: 4, hosts: 2 })).toBe('circles of 4, two mentors each');
    expect(formatLabel({ kind: 'circle', size: 3, hosts: 1 })).toBe('circles of 3');
    expect(formatLabel({ kind: 'circle', size: 3 })).toBe('circles of 3');
    expect(formatLabel({ kind: 'pairs' })).toBeNull();
    expect(formatLabel(undefined)).toBeNull();
  });
});

describe('a co-hosted room on the watch panel', () => {
  const room = { roomName: 'r1', mentorId: 'ana', coMentorId: 'ben', participantIds: ['ana', 'ben', 'kim', 'li'], present: ['ben', 'li'] };

  it('takes the mentees to be everyone but both mentors', () => {
    expect(menteeIdsOf(room)).toEqual(['kim', 'li']);
    expect(menteeIdsOf({ mentorId: 'sam', participantIds: ['sam', 'kim'] })).toEqual(['kim']);
  });

  it('counts both mentors among those in the call', () => {
    expect(inCallCount(room)).toBe(2);
    expect(inCallCount({ ...room, present: ['ana', 'ben', 'kim', 'li', 'observer'] })).toBe(4);
  });
});

describe('partners at a co-hosted circle', () => {
  const mentee = { participantId: 'kim', name: 'Kim Park', role: 'mentee' as const, reasons: [] };
  const coHost = { participantId: 'ben', name: 'Ben Ode', role: 'mentor' as const, reasons: [], coHost: true as const };

  it("names the mentor's co-host last, as the co-host", () => {
    expect(partnersInOrder([coHost, mentee]).map((p) => p.participantId)).toEqual(['kim', 'ben']);
    expect(namesOf([coHost, mentee, { ...mentee, participantId: 'li', name: 'Li Wei' }])).toBe('Kim Park, Li Wei and Ben Ode (co-host)');
  });

  it("names a mentee's two mentors like any partners", () => {
    const mentors = [
      { participantId: 'ana', name: 'Ana Lee', role: 'mentor' as const, reasons: ['both in fintech'] },
      { participantId: 'ben', name: 'Ben Ode', role: 'mentor' as const, reasons: [] },
    ];
    expect(namesOf([...mentors, { ...mentee, participantId: 'li', name: 'Li Wei', circlePeer: true }])).toBe('Ana Lee, Ben Ode and Li Wei');
  });

  it('leaves the co-host out of whom a mentor rates, and keeps both mentors for a mentee', () => {
    const met = (participantId: string, role: MetPerson['role']): MetPerson => ({ participantId, name: name(participantId), role, round: 2, rating: null, note: null });
    expect(toGiveFeedbackOn([met('ben', 'mentor'), met('kim', 'mentee'), met('li', 'mentee')], 'mentor').map((p) => p.participantId)).toEqual(['kim', 'li']);
    expect(toGiveFeedbackOn([met('ana', 'mentor'), met('ben', 'mentor')], 'mentee').map((p) => p.participantId)).toEqual(['ana', 'ben']);
  });
});
