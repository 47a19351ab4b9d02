import type { Organizer, SignInBody, SignUpBody, SignUpPending } from '@constellation/shared/schemas/auth';
import { request } from './http.ts';

/** The account at once (201), or "check your email" (202) when the instance confirms addresses by email. */
export const signUp = (body: SignUpBody) => request<Organizer | SignUpPending>('POST', '/api/auth/signup', { json: body });
export const confirmSignUp = (token: string) => request<Organizer>('POST', '/api/auth/signup/confirm', { json: { token } });
export const signIn = (body: SignInBody) => request<Organizer>('POST', '/api/auth/signin', { json: body });
export const signOut = () => request<void>('POST', '/api/auth/signout');
export const currentOrganizer = () => request<Organizer>('GET', '/api/auth/me');
