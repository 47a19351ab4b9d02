/**
 * Live changes of seats during a round, on the plan as data: a rescue (someone waiting is paired
 * with someone else left waiting) or the organizer's move. Pure: the adapter stores the result.
 */
import type { Plan, SitOut } from '../../schedule/core/index.ts';
import type { SeatedTable } from './seating.ts';

export interface SeatMove {
  mentorId: string;
  menteeId: string;
  /** The fresh room's table id (see `tableRoomName`): a latecomer's old token never opens it. */
  room: string;
  score: number;
  reasons: string[];
}

export interface Reseated {
  plan: Plan;
  /** Participants who had a seat in the round and have none after the moves. */
  unseated: string[];
}

type PlanTable = SeatedTable;

/** A table's score: its seats', and its co-host's. */
function scoreOf(table: Pick<PlanTable, 'seats' | 'coSeats'>): number {
  return [...table.seats, ...(table.coSeats ?? [])].reduce((sum, s) => sum + s.score, 0);
}

/**
 * Seats each move's mentee alone at its mentor's table in `round` (1-based), in a fresh room. The
 * mentee leaves any other table of the round; whoever sat with that mentor before loses the seat.
 * Tables left without mentees disappear, and everyone left without a seat gets a sit-out with
 * `reasonFor(id)`. Other rounds are untouched.
 */
export function reseat(plan: Plan, round: number, moves: readonly SeatMove[], reasonFor: (participantId: string, role: 'mentor' | 'mentee') => string): Reseated {
  const index = round - 1;
  const current = plan.rounds[index];
  if (!current) throw new RangeError(`the plan has no round ${round}`);
  const before = new Map<string, 'mentor' | 'mentee'>();
  for (const t of current.tables) {
    if (t.menteeIds.length === 0) continue;
    before.set(t.mentorId, 'mentor');
    if (t.coMentorId) before.set(t.coMentorId, 'mentor');
    for (const id of t.menteeIds) before.set(id, 'mentee');
  }
  let tables: PlanTable[] = current.tables.map((t) => ({ ...t, menteeIds: [...t.menteeIds], seats: [...t.seats] }));
  for (const move of moves) {
    tables = tables.map((t) => {
      if (t.coMentorId !== move.mentorId && !t.menteeIds.includes(move.menteeId)) return t;
      let next: PlanTable = t;
      // A co-host who is moved leaves their circle, which goes on with its host.
      if (next.coMentorId === move.mentorId) {
        const { coMentorId: _left, coSeats: _theirs, ...rest } = next;
        next = rest;
      }
      const keep = (s: { menteeId: string }) => s.menteeId !== move.menteeId;
      next = { ...next, menteeIds: next.menteeIds.filter((id) => id !== move.menteeId), seats: next.seats.filter(keep), ...(next.coSeats ? { coSeats: next.coSeats.filter(keep) } : {}) };
      return { ...next, score: scoreOf(next) };
    });
    const table: PlanTable = {
      mentorId: move.mentorId,
      menteeIds: [move.menteeId],
      score: move.score,
      seats: [{ menteeId: move.menteeId, score: move.score, reasons: move.reasons }],
      room: move.room,
    };
    const at = tables.findIndex((t) => t.mentorId === move.mentorId);
    const left = at >= 0 ? tables[at] : undefined;
    if (at >= 0) tables[at] = table;
    else tables.push(table);
    // A moved host leaves the circle to its co-host, in the room it had (its people may still come).
    if (left?.coMentorId) {
      const { coMentorId, coSeats, ...rest } = left;
      const seats = coSeats ?? [];
      tables.push({ ...rest, mentorId: coMentorId, seats, score: scoreOf({ seats }), room: left.room ?? left.mentorId });
    }
  }
  tables = tables.filter((t) => t.menteeIds.length > 0);
  const seated = new Set(tables.flatMap((t) => [t.mentorId, ...(t.coMentorId ? [t.coMentorId] : []), ...t.menteeIds]));
  const unseated = [...before.keys()].filter((id) => !seated.has(id));
  const sitOuts: SitOut[] = [
    ...current.sitOuts.filter((s) => !seated.has(s.participantId) && !unseated.includes(s.participantId)),
    ...unseated.map((participantId) => {
      const role = before.get(participantId)!;
      return { participantId, role, code: 'absent' as const, reason: reasonFor(participantId, role) };
    }),
  ];
  const rounds = plan.rounds.map((r, i) => (i === index ? { ...r, tables, sitOuts } : r));
  return { plan: { ...plan, rounds }, unseated };
}
