import type { ParticipantSelf } from '@constellation/shared/schemas/session';
import { request } from './http.ts';

/** Trades the invite token for a participant session cookie. */
export const joinWithToken = (token: string) => request<ParticipantSelf>('POST', '/api/join', { json: { token } });
export const currentParticipant = () => request<ParticipantSelf>('GET', '/api/me');
