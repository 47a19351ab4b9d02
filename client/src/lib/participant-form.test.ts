import { describe, expect, it } from 'vitest';
import type { Participant } from '@constellation/shared/schemas/participants';
import { bodyFromParticipantValues, valuesFromParticipant } from './participant-form.ts';

const ada: Participant = {
  id: '00000000-0000-4000-8000-000000000001',
  eventId: '00000000-0000-4000-8000-000000000002',
  role: 'mentee',
  name: 'Ada',
  email: 'ada@example.com',
  profile: {
    industry: 'fintech',
    skills: ['sql'],
    goals: ['lead a team', 'public speaking'],
    challenges: ['imposter syndrome'],
    yearsExperience: 3,
    workingStyle: 'async-first',
    timeZone: 'Europe/Berlin',
  },
  capacity: 1,
  constellationSize: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('the participant form', () => {
  it('shows every profile field and sends them all back unchanged', () => {
    expect(bodyFromParticipantValues(valuesFromParticipant(ada))).toEqual({
      role: 'mentee',
      name: 'Ada',
      email: 'ada@example.com',
      profile: ada.profile,
      constellationSize: 2,
    });
  });

  it('drops a field the organizer emptied, and splits lists on commas and semicolons', () => {
    const values = { ...valuesFromParticipant(ada), goals: 'grow; speak , grow', timeZone: ' ', yearsExperience: null, workingStyle: '' };
    const { profile } = bodyFromParticipantValues(values);
    expect(profile).toEqual({ industry: 'fintech', skills: ['sql'], goals: ['grow', 'speak'], challenges: ['imposter syndrome'] });
  });
});
