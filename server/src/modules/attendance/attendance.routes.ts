import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import { AttendanceCorrectionBody, AttendanceSeatParams, AttendanceView, type AttendanceTally } from '@constellation/shared/schemas/attendance';
import { rooms } from '@constellation/shared/realtime/events';
import { HttpError, notFound } from '../../lib/http-errors.ts';
import type { ClockService } from '../clock/clock.service.ts';
import { findEvent } from '../events/events.repository.ts';
import { loadPlannerPeople } from '../schedule/schedule.repository.ts';
import type pg from 'pg';
import { insertCorrection, listCorrections } from './attendance.repository.ts';
import type { AttendanceService, SeatRecord } from './attendance.service.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Counts of seats by outcome; a correction moves a seat to held (met) or out of it. */
export function tallyOf(seats: readonly Pick<SeatRecord, 'met' | 'outcome'>[]): AttendanceTally {
  const tally = { planned: 0, held: 0, cutShort: 0, noShow: 0, dropped: 0 };
  for (const s of seats) {
    tally.planned++;
    if (s.met) tally.held++;
    else if (s.outcome === 'no-show') tally.noShow++;
    else if (s.outcome === 'dropped') tally.dropped++;
    else if (s.outcome === 'cut-short' || s.outcome === 'held') tally.cutShort++;
  }
  return tally;
}

/** The whole attendance record of an event: every round's seats and outcomes, per person, and the corrections. */
export async function attendanceViewOf(deps: { pool: pg.Pool; clock: ClockService; attendance: AttendanceService }, eventId: string): Promise<AttendanceView> {
  const [seats, windows, thresholds, people, corrections] = await Promise.all([
    deps.attendance.seats(eventId),
    deps.clock.windows(eventId),
    deps.attendance.thresholds(eventId),
    loadPlannerPeople(deps.pool, eventId),
    listCorrections(deps.pool, eventId),
  ]);
  const names: AttendanceView['people'] = {};
  for (const m of people.mentors) names[m.id] = { name: m.name, role: 'mentor' };
  for (const m of people.mentees) names[m.id] = { name: m.name, role: 'mentee' };
  const view = (s: SeatRecord) => ({
    round: s.round,
    mentorId: s.mentorId,
    menteeId: s.menteeId,
    roomName: s.roomName,
    source: s.source,
    seatedAt: iso(s.seatedAt),
    replacedAt: iso(s.replacedAt),
    togetherSeconds: Math.floor(s.togetherMs / 1000),
    outcome: s.outcome,
    noShowIds: s.noShowIds,
    droppedIds: s.droppedIds,
    correction: s.correction,
    met: s.met,
  });
  return {
    heldAfterSeconds: Math.round((thresholds?.heldMs ?? 0) / 1000),
    noShowAfterSeconds: Math.round((thresholds?.noShowMs ?? 0) / 1000),
    rounds: windows.map((w) => {
      const inRound = seats.filter((s) => s.round === w.round);
      return { round: w.round, startsAt: iso(w.startsAt)!, endsAt: iso(w.endsAt)!, ended: w.ended, tally: tallyOf(inRound), seats: inRound.map(view) };
    }),
    perPerson: [...people.mentors, ...people.mentees].map((p) => ({
      participantId: p.id,
      name: p.name,
      role: names[p.id]!.role,
      ...tallyOf(seats.filter((s) => s.mentorId === p.id || s.menteeId === p.id)),
    })),
    corrections,
    people: names,
  };
}

/** The organizer's attendance record: what really happened at each seat, and corrections by hand. */
const attendanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireOrganizer);

  async function ownEvent(organizerId: string, eventId: string) {
    if (!(await findEvent(app.pg, organizerId, eventId))) throw notFound('Event');
  }

  app.get(
    '/:eventId/attendance',
    {
      schema: {
        tags: ['matching'],
        summary: 'Attendance: for every seat of every round started, whether the pair really met (from the video rooms), and corrections',
        params: EventIdParams,
        response: { 200: AttendanceView, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      await ownEvent(request.organizer!.id, request.params.eventId);
      return attendanceViewOf({ pool: app.pg, clock: app.clock, attendance: app.attendance }, request.params.eventId);
    },
  );

  app.put(
    '/:eventId/attendance/:round/:mentorId/:menteeId',
    {
      schema: {
        tags: ['matching'],
        summary: 'Correct attendance by hand: the pair met (by phone, say) or did not, with a reason kept in the audit trail',
        params: AttendanceSeatParams,
        body: AttendanceCorrectionBody,
        response: { 200: AttendanceView, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { eventId, mentorId, menteeId } = request.params;
      const round = Number(request.params.round);
      await ownEvent(request.organizer!.id, eventId);
      const reason = request.body.reason.trim();
      if (!reason) throw new HttpError(400, 'body/reason must not be blank');
      const saved = await insertCorrection(app.pg, eventId, { round, mentorId, menteeId, met: request.body.met, reason, organizerId: request.organizer!.id });
      if (!saved) throw notFound(`Seat of round ${round} for this mentor and mentee`);
      // Their rating and ranking lists change with it.
      for (const id of [mentorId, menteeId]) app.io.to(rooms.participant(id)).emit('attendance:changed', { round });
      return attendanceViewOf({ pool: app.pg, clock: app.clock, attendance: app.attendance }, eventId);
    },
  );
};

export default attendanceRoutes;
