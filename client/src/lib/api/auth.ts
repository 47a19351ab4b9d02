import type { Organizer, SignInBody, SignUpBody } from '@constellation/shared/schemas/auth';
import { request } from './http.ts';

export const signUp = (body: SignUpBody) => request<Organizer>('POST', '/api/auth/signup', { json: body });
export const signIn = (body: SignInBody) => request<Organizer>('POST', '/api/auth/signin', { json: body });
export const signOut = () => request<void>('POST', '/api/auth/signout');
export const currentOrganizer = () => request<Organizer>('GET', '/api/auth/me');
