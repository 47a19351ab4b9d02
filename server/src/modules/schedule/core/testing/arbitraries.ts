/** fast-check generators of profiles and events, small enough to shrink well. */
import fc from 'fast-check';
import type { Profile } from '@constellation/shared/schemas/participants';
import { planRotation } from '../planner.ts';
import type { PairRef, PlanInput, ReplanInput, RoundFormat } from '../types.ts';
import { makeReplan } from './factories.ts';

const tag = fc.constantFrom('people management', 'People-Management', 'sql', 'hiring', 'public speaking', 'typescript', ' ');

export const profileArbitrary: fc.Arbitrary<Profile> = fc.record(
  {
    industry: fc.constantFrom('fintech', 'Fintech', 'health', 'retail', ''),
    skills: fc.array(tag, { maxLength: 5 }),
    goals: fc.array(tag, { maxLength: 4 }),
    challenges: fc.array(fc.constantFrom('burnout', 'promotion', 'sql'), { maxLength: 3 }),
    yearsExperience: fc.integer({ min: 0, max: 40 }),
    workingStyle: fc.constantFrom('async-first', 'collaborative'),
    timeZone: fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland', 'Mars/Olympus'),
  },
  { requiredKeys: [] },
);

export interface EventOptions {
  /**
   * Clean events have no forbidden pairs and one table size for everyone, so even counts
   * are always achievable and can be asserted; messy ones add exclusions and mixed sizes.
   */
  clean: boolean;
  /** Pins may overbook people (more pins than rounds or seats), so that some must be dropped with a warning. */
  overbookPins?: boolean;
  maxMentors?: number;
  maxMentees?: number;
}

const pairSeeds = fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 });

export function eventArbitrary(options: EventOptions): fc.Arbitrary<PlanInput> {
  return fc
    .record({
      mentors: fc.array(profileArbitrary, { maxLength: options.maxMentors ?? 6 }),
      mentees: fc.array(profileArbitrary, { maxLength: options.maxMentees ?? 10 }),
      rounds: fc.integer({ min: 1, max: 6 }),
      allowSharedTables: fc.boolean(),
      tableSizes: fc.array(fc.option(fc.integer({ min: 1, max: 3 })), { maxLength: 6 }),
      pins: pairSeeds,
      forbidden: pairSeeds,
      seed: fc.integer({ min: 0, max: 1000 }),
    })
    .map((raw) => {
      const mentors = raw.mentors.map((profile, i) => {
        const size = options.clean ? null : (raw.tableSizes[i] ?? null);
        return size === null ? { id: `mentor-${i}`, profile } : { id: `mentor-${i}`, profile, tableSize: size };
      });
      const mentees = raw.mentees.map((profile, e) => ({ id: `mentee-${e}`, profile }));
      // Pins form a matching, so they never overfill anyone on their own, unless overbooking is asked for.
      const pinned: PairRef[] = [];
      const usedMentors = new Set<number>();
      const usedMentees = new Set<number>();
      if (mentors.length > 0 && mentees.length > 0) {
        for (const [a, b] of raw.pins) {
          const i = a % mentors.length;
          const e = b % mentees.length;
          if (options.overbookPins ? pinned.some((p) => p.mentorId === mentors[i]!.id && p.menteeId === mentees[e]!.id) : usedMentors.has(i) || usedMentees.has(e)) continue;
          usedMentors.add(i);
          usedMentees.add(e);
          pinned.push({ mentorId: mentors[i]!.id, menteeId: mentees[e]!.id });
        }
      }
      const forbidden: PairRef[] = [];
      if (!options.clean && mentors.length > 0 && mentees.length > 0) {
        for (const [a, b] of raw.forbidden) {
          const ref = { mentorId: mentors[a % mentors.length]!.id, menteeId: mentees[b % mentees.length]!.id };
          if (!pinned.some((p) => p.mentorId === ref.mentorId && p.menteeId === ref.menteeId)) forbidden.push(ref);
        }
      }
      return { mentors, mentees, rounds: raw.rounds, allowSharedTables: raw.allowSharedTables, pinned, forbidden, seed: raw.seed };
    });
}

/** An event part-way through: rounds held (with no-shows), leavers, late joiners. */
export function replanArbitrary(options: EventOptions): fc.Arbitrary<ReplanInput> {
  return fc
    .record({
      event: eventArbitrary(options),
      held: fc.integer({ min: 0, max: 6 }),
      noShowRate: fc.constantFrom(0, 0.2),
      absentRate: fc.constantFrom(0, 0.15, 0.4),
      lateMentors: fc.integer({ min: 0, max: 2 }),
      lateMentees: fc.integer({ min: 0, max: 3 }),
      dataSeed: fc.nat(),
    })
    .map(({ event, dataSeed, ...shape }) => makeReplan(event, planRotation(event), shape, dataSeed));
}

const formatArbitrary: fc.Arbitrary<RoundFormat> = fc.oneof(
  fc.constant({ kind: 'pairs' as const }),
  fc.integer({ min: 1, max: 4 }).map((size) => ({ kind: 'circle' as const, size })),
);

/** The same, and co-hosted circles of 1 to 4 mentees (two mentors each). */
const coHostedFormatArbitrary: fc.Arbitrary<RoundFormat> = fc.oneof(
  { arbitrary: formatArbitrary, weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((size) => ({ kind: 'circle' as const, size, hosts: 2 as const })), weight: 1 },
);

export interface MixedOptions extends EventOptions {
  maxRounds?: number;
  /** Rounds may also be co-hosted circles (a third of them); without it, events are generated exactly as before. */
  coHosts?: boolean;
}

/** An event whose rounds mix formats: one-to-one rounds and circles of 1 to 4 mentees (co-hosted too with `coHosts`). */
export function mixedEventArbitrary(options: MixedOptions): fc.Arbitrary<PlanInput> {
  const format = options.coHosts ? coHostedFormatArbitrary : formatArbitrary;
  return eventArbitrary(options).chain((event) => {
    const rounds = Math.min(event.rounds, options.maxRounds ?? event.rounds);
    return fc.array(format, { minLength: rounds, maxLength: rounds }).map((formats) => ({ ...event, rounds, formats }));
  });
}

/** A mixed-format event part-way through; held rounds come from its own plan, so they fit their formats. */
export function mixedReplanArbitrary(options: MixedOptions): fc.Arbitrary<ReplanInput> {
  return fc
    .record({
      event: mixedEventArbitrary(options),
      held: fc.integer({ min: 0, max: 5 }),
      noShowRate: fc.constantFrom(0, 0.2),
      absentRate: fc.constantFrom(0, 0.15, 0.4),
      lateMentors: fc.integer({ min: 0, max: 2 }),
      lateMentees: fc.integer({ min: 0, max: 3 }),
      dataSeed: fc.nat(),
    })
    .map(({ event, dataSeed, ...shape }) => makeReplan(event, planRotation(event), { ...shape, held: Math.min(shape.held, event.rounds) }, dataSeed));
}
