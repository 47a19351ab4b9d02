/** Which room each seated participant of a round belongs to, read from the plan: plain data, no I/O. */
import type { ClockState } from '@constellation/shared/clock/state';
import type { Plan } from '../../schedule/core/index.ts';
import { roomNameFor } from '../room-name.ts';

export interface TableRoom {
  roomName: string;
  /** The mentor who hosts the table (the room is named after them). */
  mentorId: string;
  /** A co-hosted circle's second mentor. */
  coMentorId?: string;
  /** The host, then the co-host if any. */
  mentorIds: string[];
  /** One, two with shared tables, a circle's worth in a circle round. */
  menteeIds: string[];
  /** The mentor(s) first, then the mentee(s). */
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
    .map((t) => {
      const mentorIds = t.coMentorId ? [t.mentorId, t.coMentorId] : [t.mentorId];
      return {
        roomName: tableRoomName(eventId, round, t),
        mentorId: t.mentorId,
        ...(t.coMentorId ? { coMentorId: t.coMentorId } : {}),
        mentorIds,
        menteeIds: [...t.menteeIds],
        participantIds: [...mentorIds, ...t.menteeIds],
      };
    });
}

/** The table a participant sits at in a round, if any. */
export function tableOf(tables: readonly TableRoom[], participantId: string): TableRoom | undefined {
  return tables.find((t) => t.participantIds.includes(participantId));
}

/**
 * Who is told that `absentId` did not come: their partners who are in the room. A mentor's partners
 * are the table's mentees and a co-host; a mentee's partners are the mentor(s) (not fellow mentees).
 */
export function waitingPartners(table: TableRoom, absentId: string, present: ReadonlySet<string>): string[] {
  const partners = table.mentorIds.includes(absentId) ? table.participantIds : table.mentorIds;
  return partners.filter((id) => id !== absentId && present.has(id));
}

/**
 * Those at `table` who are left with nobody to meet if `absent` stay away: a mentor when every
 * mentee is absent, a mentee when every mentor is (a co-hosted circle goes on with either host).
 */
export function strandedAt(table: TableRoom, absent: ReadonlySet<string>): { id: string; waitingFor: string[] }[] {
  const out: { id: string; waitingFor: string[] }[] = [];
  if (table.menteeIds.every((id) => absent.has(id))) for (const id of table.mentorIds) out.push({ id, waitingFor: table.menteeIds });
  if (table.mentorIds.every((id) => absent.has(id))) for (const id of table.menteeIds) out.push({ id, waitingFor: table.mentorIds });
  return out.filter(({ id }) => !absent.has(id));
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
