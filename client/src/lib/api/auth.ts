import type { Organizer, OrganizerInvite, SignInBody, SignUpBody, SignUpPending, SignupRequests } from '@constellation/shared/schemas/auth';
import { request } from './http.ts';

/** The account at once (201), or the same "pending" answer (202) for every address once the instance has an owner. */
export const signUp = (body: SignUpBody) => request<Organizer | SignUpPending>('POST', '/api/auth/signup', { json: body });
export const confirmSignUp = (token: string) => request<Organizer>('POST', '/api/auth/signup/confirm', { json: { token } });
export const signIn = (body: SignInBody) => request<Organizer>('POST', '/api/auth/signin', { json: body });
export const signOut = () => request<void>('POST', '/api/auth/signout');
export const currentOrganizer = () => request<Organizer>('GET', '/api/auth/me');

/** The owner's view: pending sign-ups and the instance's sign-up mail. */
export const getSignupRequests = () => request<SignupRequests>('GET', '/api/auth/signup-requests');
export const approveSignup = (requestId: string) => request<Organizer>('POST', `/api/auth/signup-requests/${encodeURIComponent(requestId)}/approve`);
export const declineSignup = (requestId: string) => request<void>('POST', `/api/auth/signup-requests/${encodeURIComponent(requestId)}/decline`);
/** A single-use link that lets a colleague become an organizer without approval. */
export const createOrganizerInvite = () => request<OrganizerInvite>('POST', '/api/auth/organizer-invites');
