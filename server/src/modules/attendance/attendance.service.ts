import type pg from 'pg';
import type { ClockService } from '../clock/clock.service.ts';
import { defaultHeldThresholdMs, defaultNoShowAfterMs, presenceIntervals, tableAttendance, type MeetingOutcome } from '../video/core/attendance.ts';
import { roomNameFor } from '../video/room-name.ts';
import { loadAttendanceSettings, loadCorrections, loadPresence, loadSeats, type CorrectionRow, type SeatRow } from './attendance.repository.ts';

/** A seat with what really happened at it. */
export interface SeatRecord extends SeatRow {
  roomName: string;
  /** Time the two were in the room together inside the round (and inside their seat's time). */
  togetherMs: number;
  outcome: MeetingOutcome;
  /** Of the two, who never came while the seat lasted. */
  noShowIds: string[];
  /** Of the two, who left before the end and did not come back. */
  droppedIds: string[];
  /** The organizer's latest word on it, if any. */
  correction: CorrectionRow | null;
  /** Whether it counts as a meeting held: the organizer's word, or else the outcome. */
  met: boolean;
}

export interface MeetingRef {
  round: number;
  mentorId: string;
  menteeId: string;
}

export interface AttendanceThresholds {
  roundMs: number;
  /** Together at least this long: the meeting was held. */
  heldMs: number;
  /** A partner still missing this long after the start is a no-show. */
  noShowMs: number;
}

/**
 * What really happened at every seat, derived on demand from the seats (`meetings`), LiveKit's
 * presence log, the clock's round windows and the organizer's corrections: nothing is stored twice,
 * so a late webhook or a correction shows everywhere at once.
 */
export class AttendanceService {
  readonly #pool: pg.Pool;
  readonly #clock: ClockService;

  constructor(pool: pg.Pool, clock: ClockService) {
    this.#pool = pool;
    this.#clock = clock;
  }

  async thresholds(eventId: string): Promise<AttendanceThresholds | null> {
    const settings = await loadAttendanceSettings(this.#pool, eventId);
    if (!settings) return null;
    const roundMs = settings.roundSeconds * 1000;
    return {
      roundMs,
      heldMs: settings.heldAfterSeconds !== null ? settings.heldAfterSeconds * 1000 : defaultHeldThresholdMs(roundMs),
      noShowMs: settings.noShowAfterSeconds !== null ? settings.noShowAfterSeconds * 1000 : defaultNoShowAfterMs(roundMs),
    };
  }

  /** Every seat of the rounds that have started (of one participant, when given), with its outcome. */
  async seats(eventId: string, participantId?: string): Promise<SeatRecord[]> {
    const windows = await this.#clock.windows(eventId);
    const last = windows.at(-1);
    if (!last) return [];
    const [thresholds, seats, corrections] = await Promise.all([
      this.thresholds(eventId),
      loadSeats(this.#pool, eventId, last.round, participantId),
      loadCorrections(this.#pool, eventId, participantId),
    ]);
    if (!thresholds) return [];
    const withRooms = seats.map((s) => ({ ...s, roomName: s.roomName ?? roomNameFor({ eventId, round: s.round, tableId: s.mentorId }) }));
    const presence = await loadPresence(this.#pool, eventId, [...new Set(withRooms.map((s) => s.roomName))]);
    const correctionOf = new Map(corrections.map((c) => [`${c.round}:${c.mentorId}:${c.menteeId}`, c]));
    const byRound = new Map(windows.map((w) => [w.round, w]));
    const now = this.#clock.now();
    return withRooms.flatMap((seat) => {
      const round = byRound.get(seat.round);
      if (!round) return [];
      const window = {
        startsAt: Math.max(round.startsAt, seat.seatedAt ?? -Infinity),
        endsAt: Math.max(Math.max(round.startsAt, seat.seatedAt ?? -Infinity), Math.min(round.endsAt, seat.replacedAt ?? Infinity)),
      };
      const until = round.ended || seat.replacedAt !== null || now >= window.endsAt ? undefined : now;
      const intervals = presenceIntervals(presence.get(seat.roomName) ?? [], window, until);
      const [att] = tableAttendance({ mentorId: seat.mentorId, menteeIds: [seat.menteeId] }, intervals, window, thresholds.heldMs, until);
      const correction = correctionOf.get(`${seat.round}:${seat.mentorId}:${seat.menteeId}`) ?? null;
      return [
        {
          ...seat,
          togetherMs: att!.togetherMs,
          outcome: att!.outcome,
          noShowIds: att!.noShowIds,
          droppedIds: att!.droppedIds,
          correction,
          met: correction ? correction.met : att!.outcome === 'held',
        },
      ];
    });
  }

  /** The meetings that were held (once per pair, the first), of everyone or of one participant. */
  async heldMeetings(eventId: string, participantId?: string): Promise<MeetingRef[]> {
    return heldOnce(await this.seats(eventId, participantId));
  }
}

/** The seats that count as meetings held, the first of each pair only. */
export function heldOnce(seats: readonly SeatRecord[]): MeetingRef[] {
  const seen = new Set<string>();
  const held: MeetingRef[] = [];
  for (const s of seats) {
    const key = `${s.mentorId}:${s.menteeId}`;
    if (!s.met || seen.has(key)) continue;
    seen.add(key);
    held.push({ round: s.round, mentorId: s.mentorId, menteeId: s.menteeId });
  }
  return held;
}
