import type { Participant, ParticipantCreateBody, Profile, Role } from '@constellation/shared/schemas/participants';

/** Every field of a participant and their profile, as the form edits them. */
export interface ParticipantFormValues {
  role: Role;
  name: string;
  email: string;
  industry: string;
  /** Mentor: strengths they can teach; mentee: skills they want to build. Comma or semicolon separated. */
  skills: string;
  /** Comma or semicolon separated. */
  goals: string;
  /** Comma or semicolon separated. */
  challenges: string;
  yearsExperience: number | null;
  workingStyle: string;
  /** IANA name, for example Europe/Berlin. */
  timeZone: string;
  capacity: number | null;
  constellationSize: number | null;
}

export function emptyParticipant(role: Role = 'mentee'): ParticipantFormValues {
  return {
    role,
    name: '',
    email: '',
    industry: '',
    skills: '',
    goals: '',
    challenges: '',
    yearsExperience: null,
    workingStyle: '',
    timeZone: '',
    capacity: 1,
    constellationSize: 1,
  };
}

export function valuesFromParticipant(p: Participant): ParticipantFormValues {
  return {
    role: p.role,
    name: p.name,
    email: p.email,
    industry: p.profile.industry ?? '',
    skills: (p.profile.skills ?? []).join(', '),
    goals: (p.profile.goals ?? []).join(', '),
    challenges: (p.profile.challenges ?? []).join(', '),
    yearsExperience: p.profile.yearsExperience ?? null,
    workingStyle: p.profile.workingStyle ?? '',
    timeZone: p.profile.timeZone ?? '',
    capacity: p.capacity,
    constellationSize: p.constellationSize,
  };
}

export function splitTags(text: string): string[] {
  return [...new Set(text.split(/[;,]/).map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

/** The request body. The form shows every profile field, so the profile it sends is whole (the API replaces it). */
export function bodyFromParticipantValues(values: ParticipantFormValues): ParticipantCreateBody {
  const profile: Profile = {};
  const text = (value: string) => value.trim();
  if (text(values.industry)) profile.industry = text(values.industry);
  const lists = { skills: splitTags(values.skills), goals: splitTags(values.goals), challenges: splitTags(values.challenges) };
  for (const [key, list] of Object.entries(lists) as [keyof typeof lists, string[]][]) if (list.length > 0) profile[key] = list;
  // An emptied number input binds to null (or, in some browsers, undefined).
  if (typeof values.yearsExperience === 'number' && Number.isFinite(values.yearsExperience)) profile.yearsExperience = values.yearsExperience;
  if (text(values.workingStyle)) profile.workingStyle = text(values.workingStyle);
  if (text(values.timeZone)) profile.timeZone = text(values.timeZone);

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
