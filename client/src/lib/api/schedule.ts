import type { SeatingChanged } from '@constellation/shared/realtime/events';
import type { PairConstraint, PlanHealthView, PlanView, SeatMoveBody, StartChecklist } from '@constellation/shared/schemas/schedule';
import { request } from './http.ts';

const base = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}`;
const constraintPath = (eventId: string, mentorId: string, menteeId: string) =>
  `${base(eventId)}/constraints/${encodeURIComponent(mentorId)}/${encodeURIComponent(menteeId)}`;

export const getPlan = (eventId: string) => request<PlanView>('GET', `${base(eventId)}/plan`);
/** How thin the plan is and what would fix it (more rounds, shared tables, more mentors), computed by the planner. */
export const getPlanHealth = (eventId: string) => request<PlanHealthView>('GET', `${base(eventId)}/plan/health`);
/** Before the start: plan up to date, video server answering, who is connected. */
export const getStartChecklist = (eventId: string) => request<StartChecklist>('GET', `${base(eventId)}/start-checklist`);
/** Plans every round; only before the event starts. Without a seed the server picks one. */
export const generatePlan = (eventId: string, seed?: number) =>
  request<PlanView>('POST', `${base(eventId)}/plan`, { json: seed === undefined ? {} : { seed } });
/** Re-plans the rounds not yet held; `absentIds` get no more meetings. */
export const replan = (eventId: string, absentIds: string[] = []) =>
  request<PlanView>('POST', `${base(eventId)}/plan/replan`, { json: { absentIds } });
export const setConstraint = (eventId: string, mentorId: string, menteeId: string, kind: PairConstraint['kind']) =>
  request<void>('PUT', constraintPath(eventId, mentorId, menteeId), { json: { kind } });
export const deleteConstraint = (eventId: string, mentorId: string, menteeId: string) =>
  request<void>('DELETE', constraintPath(eventId, mentorId, menteeId));
/** During a round: seats a waiting mentee with a mentor, or swaps the mentees of two tables. 409 with the reason when not allowed. */
export const moveSeats = (eventId: string, body: SeatMoveBody) =>
  request<SeatingChanged>('POST', `${base(eventId)}/live/seats`, { json: body });
