/** Seeded random events for tests and the benchmark. */
import type { Profile } from '@constellation/shared/schemas/participants';
import { createRandom } from '../random.ts';
import type { HeldRound, Plan, PlanInput, PlanMentee, PlanMentor, ReplanInput, TableRef } from '../types.ts';

const INDUSTRIES = ['fintech', 'healthcare', 'retail', 'logistics', 'gaming', 'public sector', 'energy', 'media'];
const SKILLS = [
  'people management', 'public speaking', 'typescript', 'sql', 'product discovery', 'negotiation', 'hiring',
  'system design', 'data analysis', 'ux research', 'budgeting', 'stakeholder management', 'kubernetes',
  'career change', 'writing', 'coaching', 'security', 'machine learning', 'sales', 'operations',
];
const CHALLENGES = ['burnout', 'imposter syndrome', 'remote isolation', 'promotion', 'first management role', 'visibility'];
const STYLES = ['async-first', 'collaborative', 'structured', 'flexible'];
const ZONES = [
  'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'Asia/Tokyo',
  'Australia/Sydney', 'America/Sao_Paulo', 'Africa/Lagos', 'UTC',
];

export function randomProfile(random: () => number, role: 'mentor' | 'mentee'): Profile {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const some = (items: readonly string[], max: number): string[] => {
    const count = Math.floor(random() * (max + 1));
    return Array.from({ length: count }, () => pick(items));
  };
  const profile: Profile = {};
  if (random() < 0.9) profile.industry = pick(INDUSTRIES);
  profile.skills = some(SKILLS, role === 'mentor' ? 6 : 4);
  if (role === 'mentee') profile.goals = some(SKILLS, 3);
  profile.challenges = some(CHALLENGES, 2);
  if (random() < 0.9) profile.yearsExperience = Math.floor(random() * (role === 'mentor' ? 30 : 10));
  if (random() < 0.8) profile.workingStyle = pick(STYLES);
  if (random() < 0.9) profile.timeZone = pick(ZONES);
  return profile;
}

export interface EventShape {
  mentors: number;
  mentees: number;
  rounds: number;
  allowSharedTables?: boolean;
  pins?: number;
  forbidden?: number;
  seed?: number;
}

/** A random event; pins form a matching (at most one per person) so they never overfill anyone. */
export function makeEvent(shape: EventShape, dataSeed: number): PlanInput {
  const random = createRandom(dataSeed);
  const mentors: PlanMentor[] = Array.from({ length: shape.mentors }, (_, i) => ({
    id: `mentor-${String(i).padStart(4, '0')}`,
    profile: randomProfile(random, 'mentor'),
  }));
  const mentees: PlanMentee[] = Array.from({ length: shape.mentees }, (_, e) => ({
    id: `mentee-${String(e).padStart(5, '0')}`,
    profile: randomProfile(random, 'mentee'),
  }));
  const pinned = [];
  const pinCount = Math.min(shape.pins ?? 0, shape.mentors, shape.mentees);
  for (let k = 0; k < pinCount; k++) pinned.push({ mentorId: mentors[k]!.id, menteeId: mentees[shape.mentees - 1 - k]!.id });
  const forbidden = [];
  const pinnedKeys = new Set(pinned.map((p) => `${p.mentorId}|${p.menteeId}`));
  for (let k = 0; k < (shape.forbidden ?? 0) && shape.mentors > 0 && shape.mentees > 0; k++) {
    const ref = {
      mentorId: mentors[Math.floor(random() * shape.mentors)]!.id,
      menteeId: mentees[Math.floor(random() * shape.mentees)]!.id,
    };
    if (!pinnedKeys.has(`${ref.mentorId}|${ref.menteeId}`)) forbidden.push(ref);
  }
  return {
    mentors,
    mentees,
    rounds: shape.rounds,
    allowSharedTables: shape.allowSharedTables ?? false,
    pinned,
    forbidden,
    seed: shape.seed ?? 0,
  };
}

export interface ReplanShape {
  /** Rounds already held (clamped to the event's rounds). */
  held: number;
  /** Chance that a planned seat did not happen (a no-show during a held round). */
  noShowRate: number;
  /** Chance that a participant is absent for the remaining rounds. */
  absentRate: number;
  lateMentors: number;
  lateMentees: number;
}

/**
 * The input for re-planning `plan` after `shape.held` rounds: held rounds are the planned
 * ones minus some no-show seats (a co-hosted circle kept whole or split into one table per host,
 * as the live event records it), some people leave, some join late.
 */
export function makeReplan(input: PlanInput, plan: Plan, shape: ReplanShape, dataSeed: number): ReplanInput {
  const random = createRandom(dataSeed);
  const held = Math.min(shape.held, input.rounds);
  const heldRounds: HeldRound[] = plan.rounds.slice(0, held).map((round) => ({
    tables: round.tables
      .flatMap((table): TableRef[] => {
        const menteeIds = table.menteeIds.filter(() => random() >= shape.noShowRate);
        if (table.coMentorId === undefined) return [{ mentorId: table.mentorId, menteeIds }];
        // A co-hosted circle as planned, or as the live event records it: one table per host.
        if (random() < 0.5) return [{ mentorId: table.mentorId, coMentorId: table.coMentorId, menteeIds }];
        return [{ mentorId: table.mentorId, menteeIds }, { mentorId: table.coMentorId, menteeIds: [...menteeIds] }];
      })
      .filter((table) => table.menteeIds.length > 0),
  }));
  const absentIds = [...input.mentors, ...input.mentees].filter(() => random() < shape.absentRate).map((p) => p.id);
  const mentors = [
    ...input.mentors,
    ...Array.from({ length: shape.lateMentors }, (_, k) => ({ id: `late-mentor-${k}`, profile: randomProfile(random, 'mentor') })),
  ];
  const mentees = [
    ...input.mentees,
    ...Array.from({ length: shape.lateMentees }, (_, k) => ({ id: `late-mentee-${k}`, profile: randomProfile(random, 'mentee') })),
  ];
  return { ...input, mentors, mentees, heldRounds, absentIds };
}
