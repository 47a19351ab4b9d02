import type { SnapshotPartner, VideoRoomInfo } from '@constellation/shared/realtime/events';
import type { RoundFormat } from '@constellation/shared/schemas/events';
import type { PlanView } from '@constellation/shared/schemas/schedule';
import type { MetPerson } from '@constellation/shared/schemas/ratings';

/** A planned table: a mentor's (or, in a co-hosted circle, two mentors') mentees this round. */
export type PlanTable = NonNullable<PlanView['plan']>['rounds'][number]['tables'][number];
type Seat = PlanTable['seats'][number];
type Hosted = { mentorId: string; coMentorId?: string };

/** The mentors who host a table or a room: the mentor, then the co-host of a co-hosted circle. */
export function hostIdsOf(hosted: Hosted): string[] {
  return hosted.coMentorId === undefined ? [hosted.mentorId] : [hosted.mentorId, hosted.coMentorId];
}

/** "Ana Lee", or "Ana Lee & Ben Ode" for a co-hosted circle. */
export function hostsLabel(hosted: Hosted, name: (participantId: string) => string): string {
  return hostIdsOf(hosted).map(name).join(' & ');
}

/** A room's mentees: everyone seated in it but its hosts (the co-host is a mentor, not `participantIds[1]`'s mentee). */
export function menteeIdsOf(room: Pick<VideoRoomInfo, 'mentorId' | 'coMentorId' | 'participantIds'>): string[] {
  const hosts = hostIdsOf(room);
  return room.participantIds.filter((id) => !hosts.includes(id));
}

/** How many of a room's seated participants (both mentors of a co-hosted circle included) are in the call now. */
export function inCallCount(room: Pick<VideoRoomInfo, 'participantIds' | 'present'>): number {
  return room.participantIds.filter((id) => room.present.includes(id)).length;
}

/** A round's format for the plan: "circles of 4", "circles of 4, two mentors each"; null for one-to-one. */
export function formatLabel(format: RoundFormat | null | undefined): string | null {
  if (format?.kind !== 'circle') return null;
  return `circles of ${format.size}${format.hosts === 2 ? ', two mentors each' : ''}`;
}

/** The co-host's fit with one mentee of a co-hosted circle, if the table has a co-host. */
export function coSeatOf(table: PlanTable, menteeId: string): Seat | null {
  return table.coSeats?.find((seat) => seat.menteeId === menteeId) ?? null;
}

/** One meeting at a table: a mentor and a mentee, with their fit. */
export interface Meeting extends Seat {
  mentorId: string;
  /** At a co-hosted circle: the other mentor, who meets the same mentee. */
  coHostId: string | null;
}

/** Every meeting of a table: each mentee with the mentor, and in a co-hosted circle with the co-host too. */
export function meetingsOf(table: PlanTable): Meeting[] {
  const withMentor = table.seats.map((seat) => ({ ...seat, mentorId: table.mentorId, coHostId: table.coMentorId ?? null }));
  const coMentorId = table.coMentorId;
  if (coMentorId === undefined) return withMentor;
  const withCoHost = (table.coSeats ?? []).map((seat) => ({ ...seat, mentorId: coMentorId, coHostId: table.mentorId }));
  return [...withMentor, ...withCoHost];
}

/**
 * The people met whom a participant gives feedback on: a mentor rates mentees, a mentee takes notes on
 * mentors. The co-host of a circle is met too, but never rated or ranked.
 */
export function toGiveFeedbackOn(met: readonly MetPerson[], ownRole: string | undefined): MetPerson[] {
  return met.filter((person) => person.role !== ownRole);
}

/** Partners in the order a seat names them: whoever is met first, a co-host (hosting alongside) last. */
export function partnersInOrder(partners: readonly SnapshotPartner[]): SnapshotPartner[] {
  return partners.filter((p) => !p.coHost).concat(partners.filter((p) => p.coHost));
}
