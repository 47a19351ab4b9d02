/**
 * Plan health: how thin a plan is (sit-outs, meetings per mentee, mentor load), and what would fix
 * it, with every "what if" number taken from an actual planner run on the changed input.
 *
 * planHealth(input, plan) is pure arithmetic over the plan. planAdvice(input, plan) re-runs the
 * planner with more rounds, with shared tables, and with more mentors; each Advice carries the
 * input change (see counterfactualInput) and the figures of the plan the planner made for it.
 *
 * The search for more rounds starts at a closed-form bound that is exact for events without pins,
 * exclusions, history or mixed table sizes (proven against the planner in health.test.ts): every
 * mentee meets at least k mentors with R rounds iff k ≤ mentors, k ≤ R and k·mentees ≤ R·seats,
 * where seats = Σ table sizes; so the fewest rounds are max(k, ⌈k·mentees / seats⌉). Elsewhere the
 * bound is only a start and the planner is run on each round count up to `maxRounds`.
 */
import { isCoHosted } from './co-hosts.ts';
import { replan } from './planner.ts';
import type { Plan, PlanInput, PlanMentor, Range, ReplanInput } from './types.ts';

/** good: every mentee meets as many mentors as the rounds allow; thin: many sit out, or someone meets half of that or fewer. */
export type HealthLevel = 'good' | 'fair' | 'thin';

export interface PlanHealth {
  level: HealthLevel;
  /** Rounds this plan planned (held rounds excluded). */
  plannedRounds: number;
  /** Present participants. */
  mentors: number;
  mentees: number;
  /** Share of present mentees' planned round slots spent sitting out, 0…1 (absences excluded). */
  sitOutShare: number;
  /** Present mentees sitting out, per planned round. */
  sitOutsPerRound: Range;
  /** Sit-outs because every seat of the round was taken (the ones shared tables or more mentors fix). */
  tableShortSitOuts: number;
  meetingsPerMentee: Range;
  /** Present mentees with the fewest meetings, by id (at most 20), when that is below `reach`. */
  fewest: string[];
  /** Mentees met per present mentor. */
  mentorLoads: Range;
  /** The most distinct mentors a mentee can meet: min(rounds, present mentors), a co-hosted circle round counting twice. */
  reach: number;
}

export interface AdviceFigures {
  meetingsPerMentee: Range;
  sitOutShare: number;
  sharedTables: number;
}

/**
 * A change to the event and the figures of the plan the planner makes with it:
 * - more-rounds: `rounds` rounds in all (added rounds are one-to-one when the event has formats);
 *   every mentee meets at least meetingsPerMentee.min mentors;
 * - shared-tables: mentors host two mentees at once where needed, same rounds;
 * - more-mentors: `mentors` more mentors (tables of the event's size), same rounds.
 */
export type Change = { kind: 'more-rounds'; rounds: number } | { kind: 'shared-tables' } | { kind: 'more-mentors'; mentors: number };
export type Advice = Change & AdviceFigures;

export interface AdviceOptions {
  /** The most rounds an event may have (the events schema allows 20). */
  maxRounds?: number;
  /** How many better minimums to look for with more rounds (min + 1, min + 2, …). Default 2. */
  steps?: number;
}

const FEWEST_LISTED = 20;
const THIN_SHARE = 1 / 3;

/** The health figures of `plan`, which the planner made from `input`. */
export function planHealth(input: PlanInput | ReplanInput, plan: Plan): PlanHealth {
  const absent = new Set('absentIds' in input ? (input.absentIds ?? []) : []);
  const mentors = input.mentors.filter((p) => !absent.has(p.id)).length;
  const menteeIds = input.mentees.filter((p) => !absent.has(p.id)).map((p) => p.id);
  const mentees = menteeIds.length;
  const planned = plan.rounds.filter((r) => !r.held);

  const perRound: number[] = [];
  let tableShortSitOuts = 0;
  for (const round of planned) {
    let out = 0;
    for (const s of round.sitOuts) {
      if (s.role !== 'mentee' || s.code === 'absent') continue;
      out++;
      if (s.code === 'more-mentees-than-tables') tableShortSitOuts++;
    }
    perRound.push(out);
  }
  const sitOuts = perRound.reduce((a, b) => a + b, 0);
  const slots = mentees * planned.length;
  const sitOutShare = slots === 0 ? 0 : sitOuts / slots;

  const count = new Map(menteeIds.map((id) => [id, 0]));
  for (const round of plan.rounds) {
    for (const table of round.tables) {
      const meetings = table.coMentorId === undefined ? 1 : 2;
      for (const id of table.menteeIds) if (count.has(id)) count.set(id, (count.get(id) as number) + meetings);
    }
  }
  const { meetingsPerMentee, mentorLoads } = plan.totals;
  // A co-hosted circle round is two meetings with two mentors.
  let meetingSlots = 0;
  for (let r = 0; r < input.rounds; r++) meetingSlots += isCoHosted(input.formats?.[r]) ? 2 : 1;
  const reach = Math.min(meetingSlots, mentors);
  const fewest =
    meetingsPerMentee.min < reach
      ? menteeIds
          .filter((id) => count.get(id) === meetingsPerMentee.min)
          .sort()
          .slice(0, FEWEST_LISTED)
      : [];

  let level: HealthLevel = 'good';
  if (mentees > 0 && meetingsPerMentee.min < reach) {
    level = sitOutShare >= THIN_SHARE || 2 * meetingsPerMentee.min <= reach ? 'thin' : 'fair';
  }
  return {
    level,
    plannedRounds: planned.length,
    mentors,
    mentees,
    sitOutShare,
    sitOutsPerRound: perRound.length === 0 ? { min: 0, max: 0 } : { min: Math.min(...perRound), max: Math.max(...perRound) },
    tableShortSitOuts,
    meetingsPerMentee,
    fewest,
    mentorLoads,
    reach,
  };
}

/** What would make a thin or fair plan better, each figure from a planner run; empty for a good plan. */
export function planAdvice(input: PlanInput | ReplanInput, plan: Plan, options: AdviceOptions = {}): Advice[] {
  const health = planHealth(input, plan);
  if (health.level === 'good' || health.mentees === 0 || health.mentors === 0) return [];
  const maxRounds = options.maxRounds ?? 20;
  const steps = options.steps ?? 2;
  const advice: Advice[] = [];

  const run = <C extends Change>(change: C): C & AdviceFigures => {
    const changed = counterfactualInput(input, change);
    return { ...change, ...figures(changed, replan(changed)) };
  };

  // More rounds: the fewest rounds that lift the minimum to min + 1, then one more. A run at
  // maxRounds first rules out a minimum that no round count reaches (exclusions, history);
  // between the bound and maxRounds a bisection finds the fewest (the minimum grows with rounds).
  const held = 'heldRounds' in input ? input.heldRounds.length : 0;
  const clean =
    held === 0 && !input.formats && !input.pinned?.length && !input.forbidden?.length && !('absentIds' in input && input.absentIds?.length);
  let from = input.rounds + 1;
  let want = health.meetingsPerMentee.min + 1;
  for (let step = 0; step < steps && want <= health.mentors && from <= maxRounds; step++) {
    const reaches = (rounds: number) => {
      const change = run({ kind: 'more-rounds' as const, rounds });
      return change.meetingsPerMentee.min >= want ? change : null;
    };
    const bound = clean ? Math.min(maxRounds, Math.max(from, roundsForEveryone(want, health.mentees, seatsPerRound(input)))) : from;
    let found = reaches(bound);
    if (!found) {
      let best = bound < maxRounds ? reaches(maxRounds) : null;
      if (!best) break;
      let low = bound; // does not reach
      while (best.rounds - low > 1) {
        const mid = Math.floor((low + best.rounds) / 2);
        const tried = reaches(mid);
        if (tried) best = tried;
        else low = mid;
      }
      found = best;
    }
    advice.push(found);
    from = found.rounds + 1;
    want = found.meetingsPerMentee.min + 1;
  }

  if (health.tableShortSitOuts > 0) {
    if (!input.allowSharedTables && input.mentors.every((p) => p.tableSize === undefined)) {
      const shared = run({ kind: 'shared-tables' as const });
      if (shared.sitOutShare < health.sitOutShare || shared.meetingsPerMentee.min > health.meetingsPerMentee.min) advice.push(shared);
    }
    // More mentors: enough seats, at tables of the event's size, for every present mentee at once.
    const size = input.allowSharedTables ? 2 : 1;
    const mentors = Math.max(1, Math.ceil((health.mentees - seatsPerRound(input)) / size));
    advice.push(run({ kind: 'more-mentors' as const, mentors }));
  }
  return advice;
}

/** The planner input that an advice describes: the same event with more rounds, shared tables or more mentors. */
export function counterfactualInput(input: PlanInput | ReplanInput, change: Change): ReplanInput {
  const base: ReplanInput = { ...input, heldRounds: 'heldRounds' in input ? input.heldRounds : [], absentIds: 'absentIds' in input ? input.absentIds : [] };
  switch (change.kind) {
    case 'more-rounds':
      // With round formats, the added rounds are one-to-one.
      return {
        ...base,
        rounds: change.rounds,
        ...(input.formats ? { formats: [...input.formats.slice(0, change.rounds), ...Array.from({ length: Math.max(0, change.rounds - input.rounds) }, () => ({ kind: 'pairs' as const }))] } : {}),
      };
    case 'shared-tables':
      return { ...base, allowSharedTables: true };
    case 'more-mentors': {
      const taken = new Set(input.mentors.map((p) => p.id));
      const extra: PlanMentor[] = [];
      for (let k = 1; extra.length < change.mentors; k++) if (!taken.has(`added-mentor-${k}`)) extra.push({ id: `added-mentor-${k}` });
      return { ...base, mentors: [...input.mentors, ...extra] };
    }
  }
}

/** The fewest rounds in which `mentees` mentees can each meet k mentors at `seats` seats a round (k ≤ mentors assumed). */
export function roundsForEveryone(k: number, mentees: number, seats: number): number {
  return seats === 0 ? Number.POSITIVE_INFINITY : Math.max(k, Math.ceil((k * mentees) / seats));
}

/** Seats a round among present mentors: table sizes, 1 each, or 2 with shared tables. */
function seatsPerRound(input: PlanInput | ReplanInput): number {
  const absent = new Set('absentIds' in input ? (input.absentIds ?? []) : []);
  const size = input.allowSharedTables ? 2 : 1;
  return input.mentors.reduce((sum, p) => sum + (absent.has(p.id) ? 0 : (p.tableSize ?? size)), 0);
}

function figures(input: PlanInput | ReplanInput, plan: Plan): AdviceFigures {
  const health = planHealth(input, plan);
  return { meetingsPerMentee: health.meetingsPerMentee, sitOutShare: health.sitOutShare, sharedTables: plan.totals.sharedTables };
}
