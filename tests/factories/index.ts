import type { EventCreateBody } from '@constellation/shared/schemas/events';
import type { ParticipantCreateBody } from '@constellation/shared/schemas/participants';

let n = 0;

export function makeEvent(overrides: Partial<EventCreateBody> = {}): EventCreateBody {
  return {
    title: `Spring mentoring ${++n}`,
    description: 'Meet five mentors in an hour',
    scheduledStart: '2026-12-01T15:00:00.000Z',
    timeZone: 'Europe/Berlin',
    roundSeconds: 420,
    transitionSeconds: 60,
    rounds: 5,
    ...overrides,
  };
}

export function makeParticipant(overrides: Partial<ParticipantCreateBody> = {}): ParticipantCreateBody {
  const i = ++n;
  return {
    role: 'mentee',
    name: `Person ${i}`,
    email: `person-${process.pid}-${i}@example.com`,
    profile: { industry: 'fintech', skills: ['python'], yearsExperience: 2, timeZone: 'Europe/Berlin' },
    ...overrides,
  };
}

const HEADER = 'role,name,email,industry,skills,years_experience,goals,challenges,working_style,time_zone,capacity,constellation_size';

/**
 * A valid participants CSV of `count` rows: every fifth one a mentor by default, or the first
 * `mentors` rows when given; mentors get `capacity` (default 2).
 */
export function makeCsv(count: number, tag = `${process.pid}-${Date.now()}`, options: { mentors?: number; capacity?: number } = {}): string {
  const lines = [HEADER];
  for (let i = 0; i < count; i++) {
    const mentor = options.mentors === undefined ? i % 5 === 0 : i < options.mentors;
    lines.push(
      [
        mentor ? 'mentor' : 'mentee',
        `"Person ${i}, ${mentor ? 'Mentor' : 'Mentee'}"`,
        `p${i}-${tag}@example.com`,
        i % 2 ? 'fintech' : 'healthcare',
        'python;people management',
        mentor ? 12 : 2,
        'grow into management;public speaking',
        'imposter syndrome',
        i % 3 ? 'async' : 'sync',
        i % 2 ? 'Europe/Berlin' : 'America/New_York',
        mentor ? (options.capacity ?? 2) : '',
        mentor ? '' : 1,
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}
