import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import {
  CapacityBody,
  CircleFeedbackBody,
  CircleRoundParams,
  FeedbackProgress,
  MenteeNoteBody,
  MyCircles,
  MyFeedback,
  PreferencesBody,
  RatingBody,
  SubmissionsBody,
} from '@constellation/shared/schemas/ratings';
import { rooms } from '@constellation/shared/realtime/events';
import { HttpError, notFound } from '../../lib/http-errors.ts';
import { inTransaction } from '../../plugins/db.ts';
import { findEvent } from '../events/events.repository.ts';
import { findParticipant } from '../participants/participants.repository.ts';
import {
  listMet,
  loadEventFeedback,
  loadPreferences,
  setCapacity,
  setSubmissionsOpen,
  submissionsOpen,
  upsertMenteeNote,
  upsertPreferences,
  upsertRating,
} from './feedback.repository.ts';
import { aboutHeldCircles, loadCircleFeedback, loadHeldCircles, replaceCircleFeedback } from './circles.repository.ts';

const PartnerParams = Type.Object({ partnerId: Type.String({ format: 'uuid' }) });
const forbidden = (message: string) => new HttpError(403, message);

/**
 * Participants' feedback: the mentor's rating after each round, the mentee's notes and final
 * ranking, the mentor's capacity. Only about people actually met, editable until the organizer
 * closes submissions, idempotent (PUT), and never visible to anyone but the author and organizers.
 */
export const myFeedbackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireParticipant);

  async function guard(request: { participantSession: { eventId: string } | null }) {
    const { eventId } = request.participantSession!;
    if (!(await submissionsOpen(app.pg, eventId))) throw new HttpError(409, 'Submissions are closed: ratings, notes and rankings can no longer change');
  }

  /** Whether the two really met: a meeting held by attendance (or the organizer's correction). */
  async function met(eventId: string, mentorId: string, menteeId: string, who: string): Promise<boolean> {
    return (await app.attendance.heldMeetings(eventId, who)).some((m) => m.mentorId === mentorId && m.menteeId === menteeId);
  }

  /** Tells the organizers' run screen that someone submitted something (no content). */
  const progressed = (eventId: string, participantId: string) => app.io.to(rooms.organizers(eventId)).emit('feedback:submitted', { participantId });

  app.get(
    '/feedback',
    { schema: { tags: ['feedback'], summary: 'My ratings, notes, ranking and capacity, and the people I met', response: { 200: MyFeedback, 401: ErrorBody } } },
    async (request) => {
      const { eventId, participantId, role } = request.participantSession!;
      const [held, self, open, prefs] = await Promise.all([
        app.attendance.heldMeetings(eventId, participantId),
        findParticipant(app.pg, eventId, participantId),
        submissionsOpen(app.pg, eventId),
        role === 'mentee' ? loadPreferences(app.pg, eventId, participantId) : null,
      ]);
      const { rows } = await app.pg.query<{ confirmed: boolean }>('SELECT capacity_confirmed_at IS NOT NULL AS confirmed FROM participants WHERE id = $1', [participantId]);
      return {
        submissionsOpen: open,
        met: await listMet(app.pg, eventId, participantId, role, held),
        ranking: prefs?.ranking ?? [],
        notAFit: prefs?.notAFit ?? [],
        capacity: self!.capacity,
        capacityConfirmed: rows[0]?.confirmed ?? false,
        constellationSize: self!.constellationSize,
      };
    },
  );

  app.put(
    '/ratings/:partnerId',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Mentor: rate a mentee met (fit 1–5, would mentor, private note)',
        params: PartnerParams,
        body: RatingBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId, participantId, role } = request.participantSession!;
      if (role !== 'mentor') throw forbidden('Only mentors rate mentees');
      await guard(request);
      if (!(await met(eventId, participantId, request.params.partnerId, participantId))) throw forbidden('You can rate only mentees you met (a conversation that really took place)');
      await upsertRating(app.pg, eventId, participantId, request.params.partnerId, { ...request.body, note: request.body.note ?? '' });
      progressed(eventId, participantId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/notes/:partnerId',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Mentee: a private note about a mentor met',
        params: PartnerParams,
        body: MenteeNoteBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId, participantId, role } = request.participantSession!;
      if (role !== 'mentee') throw forbidden('Only mentees keep notes about mentors here');
      await guard(request);
      if (!(await met(eventId, request.params.partnerId, participantId, participantId))) throw forbidden('You can note only mentors you met (a conversation that really took place)');
      await upsertMenteeNote(app.pg, eventId, request.params.partnerId, participantId, request.body.note);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/preferences',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Mentee: rank the mentors met, best first, and mark some "not a fit"',
        body: PreferencesBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId, participantId, role } = request.participantSession!;
      if (role !== 'mentee') throw forbidden('Only mentees rank mentors');
      await guard(request);
      const { ranking, notAFit } = request.body;
      const metMentors = new Set((await app.attendance.heldMeetings(eventId, participantId)).map((m) => m.mentorId));
      const all = [...ranking, ...notAFit];
      if (new Set(all).size !== all.length) throw new HttpError(400, 'A mentor appears twice in the ranking and "not a fit" lists');
      const unknown = all.filter((id) => !metMentors.has(id));
      if (unknown.length) throw forbidden(`You can rank only mentors you met (not: ${unknown.join(', ')})`);
      await upsertPreferences(app.pg, eventId, participantId, ranking, notAFit);
      progressed(eventId, participantId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/circles',
    { schema: { tags: ['feedback'], summary: 'Mentee: the circles I sat in, the peers who were there, and my own rating and peer wishes', response: { 200: MyCircles, 401: ErrorBody } } },
    async (request) => {
      const { eventId, participantId, role } = request.participantSession!;
      const open = await submissionsOpen(app.pg, eventId);
      if (role !== 'mentee') return { submissionsOpen: open, circles: [] };
      const mine = (await loadHeldCircles(app.pg, app.attendance, eventId)).filter((c) => c.menteeIds.includes(participantId));
      if (mine.length === 0) return { submissionsOpen: open, circles: [] };
      const ids = [...new Set(mine.flatMap((c) => [c.mentorId, ...(c.coMentorId ? [c.coMentorId] : []), ...c.menteeIds]))];
      const [{ rows: people }, answers] = await Promise.all([
        app.pg.query<{ id: string; name: string }>('SELECT id, name FROM participants WHERE event_id = $1 AND id = ANY($2::uuid[])', [eventId, ids]),
        loadCircleFeedback(app.pg, eventId, participantId),
      ]);
      const nameOf = new Map(people.map((p) => [p.id, p.name]));
      const answerOf = new Map(aboutHeldCircles(answers, mine).map((a) => [a.round, a]));
      return {
        submissionsOpen: open,
        circles: mine.map((c) => {
          const answer = answerOf.get(c.round);
          return {
            round: c.round,
            mentor: { id: c.mentorId, name: nameOf.get(c.mentorId) ?? '' },
            ...(c.coMentorId ? { coMentor: { id: c.coMentorId, name: nameOf.get(c.coMentorId) ?? '' } } : {}),
            peers: c.menteeIds
              .filter((id) => id !== participantId && nameOf.has(id))
              .map((id) => ({ id, name: nameOf.get(id)! }))
              .sort((a, b) => a.name.localeCompare(b.name)),
            feedback: answer ? { rating: answer.rating, note: answer.note, peerIds: answer.peerIds } : null,
          };
        }),
      };
    },
  );

  app.put(
    '/circles/:round',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Mentee: rate a circle I sat in (1–5, a note) and name peers of it I would like to keep learning with',
        params: CircleRoundParams,
        body: CircleFeedbackBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId, participantId, role } = request.participantSession!;
      if (role !== 'mentee') throw forbidden('Only mentees rate circles');
      await guard(request);
      const round = Number(request.params.round);
      const circle = (await loadHeldCircles(app.pg, app.attendance, eventId)).find((c) => c.round === round && c.menteeIds.includes(participantId));
      if (!circle) throw forbidden(`You can rate only a circle you sat in: you were in no circle in round ${round}`);
      const { peerIds } = request.body;
      if (peerIds.includes(participantId)) throw new HttpError(400, 'body/peerIds: you cannot name yourself as a peer', [{ field: 'body.peerIds', message: 'names yourself' }]);
      const twice = peerIds.filter((id, k) => peerIds.indexOf(id) !== k);
      if (twice.length) throw new HttpError(400, `body/peerIds: ${twice[0]} is named twice`, [{ field: 'body.peerIds', message: 'duplicate' }]);
      const strangers = peerIds.filter((id) => !circle.menteeIds.includes(id));
      if (strangers.length) {
        throw new HttpError(400, `body/peerIds: not a mentee present in your circle of round ${round}: ${strangers.join(', ')}`, [
          { field: 'body.peerIds', message: `not present in the circle: ${strangers.join(', ')}` },
        ]);
      }
      await inTransaction(app.pg, (client) =>
        replaceCircleFeedback(client, eventId, { round, menteeId: participantId, mentorId: circle.mentorId, rating: request.body.rating, note: request.body.note ?? '', peerIds }),
      );
      progressed(eventId, participantId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/capacity',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Mentor: confirm how many mentees I can take on',
        body: CapacityBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId, participantId, role } = request.participantSession!;
      if (role !== 'mentor') throw forbidden('Only mentors have a capacity');
      await guard(request);
      await setCapacity(app.pg, eventId, participantId, request.body.capacity);
      progressed(eventId, participantId);
      return reply.status(204).send(null);
    },
  );
};

/** The organizer's view of feedback: live completion, and closing or reopening submissions. */
export const eventFeedbackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireOrganizer);

  app.get(
    '/:eventId/feedback',
    { schema: { tags: ['feedback'], summary: 'Who has rated and ranked so far', params: EventIdParams, response: { 200: FeedbackProgress, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      const { eventId } = request.params;
      if (!(await findEvent(app.pg, request.organizer!.id, eventId))) throw notFound('Event');
      const [heldRounds, held] = await Promise.all([app.clock.heldRounds(eventId), app.attendance.heldMeetings(eventId)]);
      const f = await loadEventFeedback(app.pg, eventId, held);
      const count = <T>(items: T[], key: (item: T) => string) => {
        const counts = new Map<string, number>();
        for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
        return counts;
      };
      const metByMentor = count(f.meetings, (m) => m.mentorId);
      const metByMentee = count(f.meetings, (m) => m.menteeId);
      const rated = count(f.ratings, (r) => r.mentorId);
      const ranked = new Set(f.preferences.filter((p) => p.ranking.length + p.notAFit.length > 0).map((p) => p.menteeId));
      const circles = await loadHeldCircles(app.pg, app.attendance, eventId);
      const circleAnswers = aboutHeldCircles(await loadCircleFeedback(app.pg, eventId), circles);
      const circlesBy = count(circles.flatMap((c) => c.menteeIds), (id) => id);
      const circlesRated = count(circleAnswers, (a) => a.menteeId);
      return {
        submissionsOpen: await submissionsOpen(app.pg, eventId),
        heldRounds,
        mentors: f.people.filter((p) => p.role === 'mentor').map((p) => ({ id: p.id, name: p.name, rated: rated.get(p.id) ?? 0, met: metByMentor.get(p.id) ?? 0, capacity: p.capacity, capacityConfirmed: p.capacityConfirmed })),
        mentees: f.people
          .filter((p) => p.role === 'mentee')
          .map((p) => ({ id: p.id, name: p.name, ranked: ranked.has(p.id), met: metByMentee.get(p.id) ?? 0, circles: circlesBy.get(p.id) ?? 0, circlesRated: circlesRated.get(p.id) ?? 0 })),
        circles: {
          seats: circles.reduce((sum, c) => sum + c.menteeIds.length, 0),
          rated: circleAnswers.length,
          peerWishes: circleAnswers.reduce((sum, a) => sum + a.peerIds.length, 0),
        },
      };
    },
  );

  app.post(
    '/:eventId/submissions',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Close (or reopen) ratings and rankings',
        params: EventIdParams,
        body: SubmissionsBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      if (!(await findEvent(app.pg, request.organizer!.id, eventId))) throw notFound('Event');
      await setSubmissionsOpen(app.pg, eventId, request.body.open);
      app.io.to(rooms.event(eventId)).emit('submissions:changed', { open: request.body.open });
      return reply.status(204).send(null);
    },
  );
};
