import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import { ConstraintBody, ConstraintParams, GeneratePlanBody, PlanView, ReplanBody } from '@constellation/shared/schemas/schedule';
import { HttpError, conflict, notFound } from '../../lib/http-errors.ts';
import { inTransaction } from '../../plugins/db.ts';
import { findEvent } from '../events/events.repository.ts';
import type { HeldRound, Plan } from './core/index.ts';
import type { PlannerRunner } from './planner.runner.ts';
import { absentNoShowIds } from '../video/video.repository.ts';
import {
  deleteConstraint,
  listConstraints,
  loadPlan,
  loadPlannerPeople,
  planInputOf,
  savePlan,
  upsertConstraint,
} from './schedule.repository.ts';

export interface ScheduleRoutesOptions {
  planner: PlannerRunner;
  /** Rounds of the event that have started (and so can no longer change). */
  heldRounds: (eventId: string) => Promise<number>;
  /** Called after a plan is stored, so live participants get their new partners. */
  onPlanChanged: (eventId: string) => Promise<void>;
}

const scheduleRoutes: FastifyPluginAsyncTypebox<ScheduleRoutesOptions> = async (app, { planner, heldRounds, onPlanChanged }) => {
  app.addHook('preHandler', app.requireOrganizer);

  async function ownEvent(organizerId: string, eventId: string) {
    const event = await findEvent(app.pg, organizerId, eventId);
    if (!event) throw notFound('Event');
    return event;
  }

  async function view(eventId: string): Promise<PlanView> {
    const [record, constraints, people] = await Promise.all([loadPlan(app.pg, eventId), listConstraints(app.pg, eventId), loadPlannerPeople(app.pg, eventId)]);
    const names: PlanView['people'] = {};
    for (const m of people.mentors) names[m.id] = { name: m.name, role: 'mentor' };
    for (const m of people.mentees) names[m.id] = { name: m.name, role: 'mentee' };
    let stale = false;
    if (record) {
      const planned = new Set<string>();
      for (const round of record.plan.rounds) {
        for (const t of round.tables) [t.mentorId, ...t.menteeIds].forEach((id) => planned.add(id));
        for (const s of round.sitOuts) planned.add(s.participantId);
      }
      const current = Object.keys(names);
      stale = current.length !== planned.size || current.some((id) => !planned.has(id));
    }
    const { plannerMs, ...plan } = record?.plan ?? { plannerMs: null };
    return {
      plan: record ? (plan as PlanView['plan']) : null,
      seed: record?.seed ?? null,
      version: record?.version ?? 0,
      heldRounds: record?.heldRounds ?? 0,
      constraints,
      people: names,
      stale,
      plannerMs: plannerMs ?? null,
    };
  }

  app.get(
    '/:eventId/plan',
    { schema: { tags: ['schedule'], summary: 'The rotation plan, with scores, reasons and sit-outs', params: EventIdParams, response: { 200: PlanView, 401: ErrorBody, 404: ErrorBody } } },
    async (request) => {
      await ownEvent(request.organizer!.id, request.params.eventId);
      return view(request.params.eventId);
    },
  );

  /** Runs the planner (timed), stores its plan in one transaction, tells the live event, and answers the new view. */
  const saveAndAnnounce = async (eventId: string, seed: number, held: number, run: () => Promise<Plan>) => {
    const started = performance.now();
    const plan = await run();
    await inTransaction(app.pg, (client) => savePlan(client, eventId, seed, plan, held, performance.now() - started));
    await onPlanChanged(eventId);
    return view(eventId);
  };

  app.post(
    '/:eventId/plan',
    {
      schema: {
        tags: ['schedule'],
        summary: 'Plan every round from the participants (before the event starts)',
        params: EventIdParams,
        body: GeneratePlanBody,
        response: { 200: PlanView, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const event = await ownEvent(request.organizer!.id, eventId);
      if ((await heldRounds(eventId)) > 0) throw conflict('Rounds were already held: re-plan the remaining rounds instead');
      const people = await loadPlannerPeople(app.pg, eventId);
      if (people.mentors.length === 0 || people.mentees.length === 0) {
        throw new HttpError(422, 'Add at least one mentor and one mentee before planning');
      }
      const seed = request.body.seed ?? Math.floor(Math.random() * 2_147_483_647);
      const input = planInputOf(event, people, await listConstraints(app.pg, eventId), seed);
      return saveAndAnnounce(eventId, seed, 0, () => planner.plan(input));
    },
  );

  app.post(
    '/:eventId/plan/replan',
    {
      schema: {
        tags: ['schedule'],
        summary: 'Re-plan the rounds not yet held (late joiners, leavers, no-shows)',
        params: EventIdParams,
        body: ReplanBody,
        response: { 200: PlanView, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const event = await ownEvent(request.organizer!.id, eventId);
      const record = await loadPlan(app.pg, eventId);
      if (!record) throw conflict('There is no plan yet: generate one first');
      const held = Math.min(await heldRounds(eventId), event.rounds);
      const people = await loadPlannerPeople(app.pg, eventId);
      const known = new Set([...people.mentors, ...people.mentees].map((p) => p.id));
      // Recorded no-shows (video rooms they never joined) are absent too, until they are seen again.
      const noShows = await absentNoShowIds(app.pg, eventId);
      const absentIds = [...new Set([...(request.body.absentIds ?? []), ...noShows])].filter((id) => known.has(id));
      const heldRoundsInput: HeldRound[] = record.plan.rounds.slice(0, held).map((r) => ({
        tables: r.tables.map((t) => ({ mentorId: t.mentorId, menteeIds: t.menteeIds.filter((id) => known.has(id)) })).filter((t) => known.has(t.mentorId) && t.menteeIds.length > 0),
        sitOuts: r.sitOuts.filter((s) => known.has(s.participantId)),
      }));
      const input = { ...planInputOf(event, people, await listConstraints(app.pg, eventId), record.seed), heldRounds: heldRoundsInput, absentIds };
      return saveAndAnnounce(eventId, record.seed, held, () => planner.replan(input));
    },
  );

  app.put(
    '/:eventId/constraints/:mentorId/:menteeId',
    {
      schema: {
        tags: ['schedule'],
        summary: 'Pin (must meet) or forbid (never meet) a mentor–mentee pair',
        params: ConstraintParams,
        body: ConstraintBody,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { eventId, mentorId, menteeId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      await upsertConstraint(app.pg, eventId, { mentorId, menteeId, kind: request.body.kind });
      const after = await listConstraints(app.pg, eventId);
      if (!after.some((c) => c.mentorId === mentorId && c.menteeId === menteeId)) {
        throw new HttpError(404, 'No such mentor and mentee in this event');
      }
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/:eventId/constraints/:mentorId/:menteeId',
    { schema: { tags: ['schedule'], summary: 'Remove a pin or forbid', params: ConstraintParams, response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const { eventId, mentorId, menteeId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      if (!(await deleteConstraint(app.pg, eventId, mentorId, menteeId))) throw notFound('Constraint');
      return reply.status(204).send(null);
    },
  );
};

export default scheduleRoutes;
