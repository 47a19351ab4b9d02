import type {
  CircleFeedbackBody,
  CirclesProposal,
  EventReport,
  FeedbackProgress,
  MyCircles,
  MyFeedback,
  MyMatch,
  Pairing,
  PairingBody,
  PreferencesBody,
  Proposals,
  RatingBody,
} from '@constellation/shared/schemas/ratings';
import type { PlanView } from '@constellation/shared/schemas/schedule';
import { request } from './http.ts';

const id = (value: string) => encodeURIComponent(value);

// A participant's own feedback and match (session cookie). Writes answer 409 once submissions are closed.

export const getMyFeedback = () => request<MyFeedback>('GET', '/api/me/feedback');
export const saveRating = (menteeId: string, body: RatingBody) =>
  request<void>('PUT', `/api/me/ratings/${id(menteeId)}`, { json: body });
export const saveMenteeNote = (mentorId: string, note: string) =>
  request<void>('PUT', `/api/me/notes/${id(mentorId)}`, { json: { note } });
export const savePreferences = (body: PreferencesBody) => request<void>('PUT', '/api/me/preferences', { json: body });
/** A mentee's circles, with the peers present and the mentee's own rating and peer wishes. */
export const getMyCircles = () => request<MyCircles>('GET', '/api/me/circles');
export const saveCircle = (round: number, body: CircleFeedbackBody) =>
  request<void>('PUT', `/api/me/circles/${round}`, { json: body });
export const saveCapacity = (capacity: number) => request<void>('PUT', '/api/me/capacity', { json: { capacity } });
export const getMyMatch = () => request<MyMatch>('GET', '/api/me/match');
/** A download, not a fetch: the browser hands the calendar file to the person's calendar app. */
export const inviteIcsUrl = (partnerId: string) => `/api/me/match/${id(partnerId)}/invite.ics`;
/** The group invitation for the first meeting of the participant's circle. */
export const circleInviteIcsUrl = '/api/me/match/circle/invite.ics';

// The organizer's side: completion, proposals, the pairing, the report.

const eventPath = (eventId: string) => `/api/events/${id(eventId)}`;

export const getFeedbackProgress = (eventId: string) =>
  request<FeedbackProgress>('GET', `${eventPath(eventId)}/feedback`);
export const setSubmissionsOpen = (eventId: string, open: boolean) =>
  request<void>('POST', `${eventPath(eventId)}/submissions`, { json: { open } });
export const getProposals = (eventId: string) =>
  request<Proposals>('GET', `${eventPath(eventId)}/matching/proposals`);
/** Circles as the final outcome: stable circles with the most mutual peer wishes. */
export const getCirclesProposal = (eventId: string) =>
  request<CirclesProposal>('GET', `${eventPath(eventId)}/matching/circles`);
export const getPairing = (eventId: string) => request<Pairing>('GET', `${eventPath(eventId)}/matches`);
/** Answers with the stored pairing and the server's warnings (capacity, invalid pairs, blocking pairs). */
export const proposePairing = (eventId: string, body: PairingBody) =>
  request<Pairing>('PUT', `${eventPath(eventId)}/matches`, { json: body });
export const confirmPairing = (eventId: string) => request<Pairing>('POST', `${eventPath(eventId)}/matches/confirm`);
export const getReport = (eventId: string) => request<EventReport>('GET', `${eventPath(eventId)}/report`);
/** The rotation plan, for who met whom in the rounds held. */
export const getPlan = (eventId: string) => request<PlanView>('GET', `${eventPath(eventId)}/plan`);

export type ExportKind = 'matches' | 'ratings' | 'preferences' | 'attendance' | 'circles';
export const exportUrl = (eventId: string, kind: ExportKind) => `${eventPath(eventId)}/export/${kind}.csv`;
