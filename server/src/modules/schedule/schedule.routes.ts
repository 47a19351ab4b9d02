import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, EventIdParams } from '@constellation/shared/schemas/common';
import {
  ConstraintBody,
  ConstraintParams,
  GeneratePlanBody,
  PlanHealthView,
  PlanView,
  ReplanBody,
  StartChecklist,
} from '@constellation/shared/schemas/schedule';
import { HttpError, notFound } from '../../lib/http-errors.ts';
import { findEvent } from '../events/events.repository.ts';
import { deleteConstraint, listConstraints, upsertConstraint } from './schedule.repository.ts';
import type { ScheduleService } from './schedule.service.ts';
import { connectedCheck } from './start-checklist.ts';

export interface ScheduleRoutesOptions {
  schedule: ScheduleService;
  /** Whether the video server answers now. */
  videoCheck: () => Promise<StartChecklist['video']>;
  /** Participant ids with a live socket in the event. */
  online: (eventId: string) => Promise<string[]>;
}

const scheduleRoutes: FastifyPluginAsyncTypebox<ScheduleRoutesOptions> = async (app, { schedule, videoCheck, online }) => {
  app.addHook('preHandler', app.requireOrganizer);

  async function ownEvent(organizerId: string, eventId: string) {
    const event = await findEvent(app.pg, organizerId, eventId);
    if (!event) throw notFound('Event');
    return event;
  }

  async function view(eventId: string): Promise<PlanView> {
    const state = (await schedule.state(eventId))!;
    const { record, constraints, people } = state;
    const names: PlanView['people'] = {};
    for (const m of people.mentors) names[m.id] = { name: m.name, role: 'mentor' };
    for (const m of people.mentees) names[m.id] = { name: m.name, role: 'mentee' };
    const { plannerMs, ...plan } = record?.plan ?? { plannerMs: null };
    return {
      plan: record ? ({ ...plan, warnings: record.plan.warnings.map((w) => withNames(w, names)) } as PlanView['plan']) : null,
      seed: record?.seed ?? null,
      version: record?.version ?? 0,
      heldRounds: record?.heldRounds ?? 0,
      constraints,
      people: names,
      stale: state.stale,
      plannerMs: plannerMs ?? null,
      roundFormats: state.event.roundFormats,
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

  app.get(
    '/:eventId/plan/health',
    {
      schema: {
        tags: ['schedule'],
        summary: "How thin the plan is (sit-outs, meetings per mentee, mentor load) and what would fix it, computed by the planner",
        params: EventIdParams,
        response: { 200: PlanHealthView, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      await ownEvent(request.organizer!.id, request.params.eventId);
      const health = await schedule.health(request.params.eventId);
      if (!health) throw notFound('Event');
      return health;
    },
  );

  app.get(
    '/:eventId/start-checklist',
    {
      schema: {
        tags: ['schedule'],
        summary: 'Before the start: is the plan up to date, does the video server answer, who is connected',
        params: EventIdParams,
        response: { 200: StartChecklist, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      const [problem, state, video] = await Promise.all([schedule.startProblem(eventId), schedule.state(eventId), videoCheck()]);
      if (!state) throw notFound('Event');
      return {
        plan: problem ? { ok: false, detail: problem.reason } : { ok: true, detail: 'The plan is up to date.' },
        video,
        connected: connectedCheck(state.people, await online(eventId)),
      };
    },
  );

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
      await ownEvent(request.organizer!.id, eventId);
      await schedule.plan(eventId, request.body.seed ?? Math.floor(Math.random() * 2_147_483_647));
      return view(eventId);
    },
  );

  app.post(
    '/:eventId/plan/replan',
    {
      schema: {
        tags: ['schedule'],
        summary: 'Re-plan the rounds not yet held from what really happened (attendance, late joiners, leavers, no-shows)',
        params: EventIdParams,
        body: ReplanBody,
        response: { 200: PlanView, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      await ownEvent(request.organizer!.id, eventId);
      await schedule.replan(eventId, request.body.absentIds ?? []);
      return view(eventId);
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
      // Any mentor–mentee pair of the event, planned together or not; the plan is stale until re-planned.
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

/** Warnings name people, not ids: "pinned pair Ada–Ben cannot meet: Ben is absent". */
function withNames(warning: string, names: PlanView['people']): string {
  return warning.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (id) => names[id]?.name ?? id);
}
