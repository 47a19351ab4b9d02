import type { Participant, ParticipantCreateBody, Profile, Role } from '@constellation/shared/schemas/participants';

export interface ParticipantFormValues {
  role: Role;
  name: string;
  email: string;
  industry: string;
  /** Comma or semicolon separated, as people type them. */
  skills: string;
  capacity: number | null;
  constellationSize: number | null;
}

export function emptyParticipant(role: Role = 'mentee'): ParticipantFormValues {
  return { role, name: '', email: '', industry: '', skills: '', capacity: 1, constellationSize: 1 };
}

export function valuesFromParticipant(p: Participant): ParticipantFormValues {
  return {
    role: p.role,
    name: p.name,
    email: p.email,
    industry: p.profile.industry ?? '',
    skills: (p.profile.skills ?? []).join(', '),
    capacity: p.capacity,
    constellationSize: p.constellationSize,
  };
}

export function splitTags(text: string): string[] {
  return [...new Set(text.split(/[;,]/).map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

/**
 * The request body. The profile fields this form does not show (goals, time zone...) are kept from
 * `existing`, because the API replaces the profile as a whole.
 */
export function bodyFromParticipantValues(values: ParticipantFormValues, existing?: Participant): ParticipantCreateBody {
  const profile: Profile = { ...existing?.profile };
  const industry = values.industry.trim();
  if (industry) profile.industry = industry;
  else delete profile.industry;
  const skills = splitTags(values.skills);
  if (skills.length > 0) profile.skills = skills;
  else delete profile.skills;

  const body: ParticipantCreateBody = {
    role: values.role,
    name: values.name.trim(),
    email: values.email.trim(),
    profile,
  };
  if (values.role === 'mentor' && values.capacity !== null) body.capacity = values.capacity;
  if (values.role === 'mentee' && values.constellationSize !== null) body.constellationSize = values.constellationSize;
  return body;
}
