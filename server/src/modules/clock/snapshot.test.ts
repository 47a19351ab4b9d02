import { describe, expect, it } from 'vitest';
import type { Plan } from '../schedule/core/index.ts';
import { itineraryOf, type Person } from './snapshot.ts';

const seat = (menteeId: string, reasons: string[] = []) => ({ menteeId, score: 1, reasons });
const plan = {
  rounds: [
    {
      index: 0,
      held: false,
      tables: [{ mentorId: 'A', coMentorId: 'B', menteeIds: ['e', 'f'], score: 4, seats: [seat('e', ['A and e']), seat('f')], coSeats: [seat('e', ['B and e']), seat('f', ['B and f'])] }],
      sitOuts: [],
    },
    { index: 1, held: false, tables: [{ mentorId: 'A', menteeIds: ['f'], score: 1, seats: [seat('f', ['A and f'])] }], sitOuts: [] },
  ],
} as unknown as Plan;
const people = new Map<string, Person>([
  ['A', { name: 'Ana', role: 'mentor' }],
  ['B', { name: 'Ben', role: 'mentor' }],
  ['e', { name: 'Eve', role: 'mentee' }],
  ['f', { name: 'Fay', role: 'mentee' }],
]);
const partners = (id: string, round = 0) => itineraryOf(plan, id, people)[round]!.partners.map((p) => [p.participantId, p.reasons, p.coHost ?? false, p.circlePeer ?? false]);

describe('a co-hosted circle in the itinerary', () => {
  it('shows a mentee both hosts, each with their own fit, and the circle peers', () => {
    expect(partners('e')).toEqual([['A', ['A and e'], false, false], ['B', ['B and e'], false, false], ['f', [], false, true]]);
  });

  it('shows each host the other, marked co-host, then the mentees with their own fit', () => {
    expect(partners('A')).toEqual([['B', [], true, false], ['e', ['A and e'], false, false], ['f', [], false, false]]);
    expect(partners('B')).toEqual([['A', [], true, false], ['e', ['B and e'], false, false], ['f', ['B and f'], false, false]]);
  });

  it('leaves a one-host table as it was', () => {
    expect(partners('A', 1)).toEqual([['f', ['A and f'], false, false]]);
    expect(itineraryOf(plan, 'B', people)[1]).toMatchObject({ partners: [], sittingOut: true });
  });
});
