import type { ClockState } from '@constellation/shared/clock/state';
import { promptForRound } from '@constellation/shared/clock/prompts';
import { seatRoundOf } from '@constellation/shared/clock/seat';
import type { Announcement, EventSnapshot, ItineraryEntry, SnapshotPartner, Viewer } from '@constellation/shared/realtime/events';
import type { Plan } from '../schedule/core/index.ts';

export interface Person {
  name: string;
  role: 'mentor' | 'mentee';
}

/** A participant's own plan, round by round: partners with what they share, sit-outs, prompts. */
export function itineraryOf(plan: Plan | null, participantId: string, people: ReadonlyMap<string, Person>): ItineraryEntry[] {
  if (!plan) return [];
  return plan.rounds.map((round, index) => {
    const partners: SnapshotPartner[] = [];
    for (const table of round.tables) {
      if (table.mentorId === participantId || table.coMentorId === participantId) {
        // A co-host sees the other host, then the mentees with their own fit.
        const other = table.mentorId === participantId ? table.coMentorId : table.mentorId;
        if (other) partners.push({ ...partner(other, [], people), coHost: true });
        const seats = table.mentorId === participantId ? table.seats : (table.coSeats ?? table.seats);
        for (const seat of seats) partners.push(partner(seat.menteeId, seat.reasons, people));
      } else {
        const at = table.seats.findIndex((s) => s.menteeId === participantId);
        if (at < 0) continue;
        partners.push(partner(table.mentorId, table.seats[at]!.reasons, people));
        if (table.coMentorId) partners.push(partner(table.coMentorId, table.coSeats?.[at]?.reasons ?? [], people));
        // In a circle the other mentees are in the room too: the mentee sees who they are.
        for (const other of table.seats) if (other.menteeId !== participantId) partners.push({ ...partner(other.menteeId, [], people), circlePeer: true });
      }
    }
    const sitOut = round.sitOuts.find((s) => s.participantId === participantId);
    return {
      round: index + 1,
      partners,
      sittingOut: partners.length === 0,
      sitOutReason: partners.length === 0 ? (sitOut?.reason ?? 'No partner is planned for you this round') : null,
      prompt: promptForRound(index + 1),
    };
  });
}

function partner(id: string, reasons: string[], people: ReadonlyMap<string, Person>): SnapshotPartner {
  const person = people.get(id);
  return { participantId: id, name: person?.name ?? 'Someone who left', role: person?.role ?? 'mentee', reasons };
}

export function buildSnapshot(input: {
  eventId: string;
  viewer: Viewer;
  clock: ClockState;
  itinerary: ItineraryEntry[];
  announcements: Announcement[];
  online: string[];
  serverTime: number;
}): EventSnapshot {
  const seatRound = input.viewer.kind === 'participant' ? seatRoundOf(input.clock) : null;
  const seat = seatRound === null ? undefined : input.itinerary[seatRound - 1];
  return {
    eventId: input.eventId,
    serverTime: input.serverTime,
    clock: input.clock,
    viewer: input.viewer,
    seatRound: seat ? seatRound : null,
    partners: seat?.partners ?? [],
    sittingOut: seat?.sittingOut ?? false,
    sitOutReason: seat?.sitOutReason ?? null,
    prompt: seat?.prompt ?? null,
    announcements: input.announcements,
    itinerary: input.itinerary,
    online: input.online,
  };
}
