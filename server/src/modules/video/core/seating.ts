/** Which room each seated participant of a round belongs to, read from the plan: plain data, no I/O. */
import type { ClockState } from '@constellation/shared/clock/state';
import type { Plan } from '../../schedule/core/index.ts';
import { roomNameFor } from '../room-name.ts';

export interface TableRoom {
  roomName: string;
  mentorId: string;
  /** The mentor first, then the mentee(s): one table may hold two mentees with shared tables. */
  participantIds: string[];
}

/**
 * A table of a stored plan. Live changes (a rescue, the organizer's move) seat people in a fresh
 * room, named by `room` instead of the mentor's id, so a latecomer holding the old room's token
 * cannot walk into the new conversation.
 */
export type SeatedTable = Plan['rounds'][number]['tables'][number] & { room?: string };

/** The video room of a table in a round. */
export function tableRoomName(eventId: string, round: number, table: SeatedTable): string {
  return roomNameFor({ eventId, round, tableId: table.room ?? table.mentorId });
}

/** The rooms of one round: one per table that has at least one mentee. */
export function tablesOf(eventId: string, plan: Plan | null, round: number): TableRoom[] {
  const planned = plan?.rounds[round - 1];
  if (!planned) return [];
  return (planned.tables as SeatedTable[])
    .filter((t) => t.menteeIds.length > 0)
    .map((t) => ({
      roomName: tableRoomName(eventId, round, t),
      mentorId: t.mentorId,
      participantIds: [t.mentorId, ...t.menteeIds],
    }));
}

/** The table a participant sits at in a round, if any. */
export function tableOf(tables: readonly TableRoom[], participantId: string): TableRoom | undefined {
  return tables.find((t) => t.participantIds.includes(participantId));
}

/**
 * Who is left waiting when `absentId` does not come: their partners who are in the room. A mentor's
 * partners are the table's mentees; a mentee's partner is the mentor (not a fellow mentee).
 */
export function waitingPartners(table: TableRoom, absentId: string, present: ReadonlySet<string>): string[] {
  const partners = absentId === table.mentorId ? table.participantIds.filter((id) => id !== table.mentorId) : [table.mentorId];
  return partners.filter((id) => id !== absentId && present.has(id));
}

/** When round `round` is planned to end, as the clock stands (`null` when it does not say). */
export function roundEndsAt(clock: ClockState, round: number, now: number): number | null {
  if (clock.phase === 'round' && clock.round === round) {
    return clock.paused ? now + (clock.remainingMs ?? clock.endsAt - clock.startsAt) : clock.endsAt;
  }
  if (clock.phase === 'round' || clock.phase === 'transition' || clock.phase === 'break') {
    return clock.upcoming.find((r) => r.round === round)?.endsAt ?? null;
  }
  return null;
}

/** Seconds from `now` to `until`, rounded up, plus `slackSec`, within [min, max]. */
export function secondsUntil(until: number, now: number, slackSec: number, { min = 1, max = 6 * 3600 } = {}): number {
  const seconds = Math.ceil(Math.max(0, until - now) / 1000) + slackSec;
  return Math.min(max, Math.max(min, seconds));
}
