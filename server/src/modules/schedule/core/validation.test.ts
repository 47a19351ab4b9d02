import fc from 'fast-check';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { Profile } from '@constellation/shared/schemas/participants';
import { planRotation, replan } from './planner.ts';
import { PlanInputError, type PlanInput, type ReplanInput, type SitOut } from './types.ts';
import { checkProfile } from './validation.ts';

const people = (prefix: string, count: number) => Array.from({ length: count }, (_, k) => ({ id: `${prefix}${k + 1}` }));
const base: PlanInput = { mentors: people('m', 3), mentees: people('e', 4), rounds: 4 };
const held = (...rounds: { mentorId: string; menteeIds: string[] }[][]): ReplanInput => ({
  ...base,
  heldRounds: rounds.map((tables) => ({ tables })),
});
/** Input the types forbid but JSON can carry. */
const untyped = <T>(value: unknown): T => value as T;

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PlanInputError);
    return (error as Error).message;
  }
  throw new Error('expected a PlanInputError');
}

describe('the planner rejects malformed input, naming the culprit', () => {
  it('rejects a profile that is not an object', () => {
    expect(rejection(() => planRotation({ ...base, mentors: [{ id: 'm1', profile: untyped('fintech') }] }))).toBe(
      'mentor m1: profile must be an object, got "fintech"',
    );
    expect(rejection(() => planRotation({ ...base, mentees: [{ id: 'e1', profile: untyped(null) }] }))).toMatch(/^mentee e1: profile must be an object, got null/);
    expect(rejection(() => planRotation({ ...base, mentees: [{ id: 'e1', profile: untyped([]) }] }))).toMatch(/^mentee e1: profile must be an object/);
  });

  it('rejects profile fields of the wrong type or size, and unknown fields', () => {
    const withMenteeProfile = (profile: unknown) => () => planRotation({ ...base, mentees: [{ id: 'e1', profile: untyped(profile) }] });
    expect(rejection(withMenteeProfile({ skills: 'sql' }))).toMatch(/^mentee e1: profile\.skills must be a list/);
    expect(rejection(withMenteeProfile({ goals: ['sql', 7] }))).toMatch(/^mentee e1: profile\.goals\[1\] must be a tag of 1 to 80 characters, got 7/);
    expect(rejection(withMenteeProfile({ challenges: [''] }))).toMatch(/profile\.challenges\[0\] must be a tag/);
    expect(rejection(withMenteeProfile({ skills: Array(31).fill('sql') }))).toMatch(/profile\.skills must be a list of at most 30 tags/);
    expect(rejection(withMenteeProfile({ yearsExperience: '12' }))).toMatch(/profile\.yearsExperience must be a whole number from 0 to 70, got "12"/);
    expect(rejection(withMenteeProfile({ yearsExperience: 2.5 }))).toMatch(/yearsExperience/);
    expect(rejection(withMenteeProfile({ industry: 42 }))).toMatch(/^mentee e1: profile\.industry must be a string of at most 80 characters, got 42/);
    expect(rejection(withMenteeProfile({ timeZone: 'x'.repeat(65) }))).toMatch(/profile\.timeZone must be a string of at most 64/);
    expect(rejection(withMenteeProfile({ hobby: 'chess' }))).toBe('mentee e1: profile has an unknown field "hobby"');
  });

  it('checks profiles exactly as the shared Profile schema does', () => {
    const odd = fc.oneof(
      fc.string({ maxLength: 90 }),
      fc.string({ minLength: 60, maxLength: 90, unit: 'grapheme' }),
      fc.integer({ min: -5, max: 80 }),
      fc.double(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string({ maxLength: 85 }), fc.integer()), { maxLength: 32 }),
      fc.dictionary(fc.string(), fc.string()),
    );
    const field = fc.constantFrom('industry', 'skills', 'yearsExperience', 'goals', 'challenges', 'workingStyle', 'timeZone', 'other');
    const profile = fc.oneof(fc.dictionary(field, odd, { maxKeys: 4 }), odd);
    fc.assert(
      fc.property(profile, (value) => {
        let accepted = true;
        try {
          checkProfile('mentor m1', value);
        } catch (error) {
          expect(error).toBeInstanceOf(PlanInputError);
          accepted = false;
        }
        expect(accepted).toBe(Value.Check(Profile, value));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects ids that are not non-empty strings, wherever they appear', () => {
    expect(rejection(() => planRotation({ ...base, mentors: [untyped({ id: 7 })] }))).toBe('mentors[0].id must be a non-empty string, got 7');
    expect(rejection(() => planRotation({ ...base, mentees: [untyped({ id: '' })] }))).toBe('mentees[0].id must be a non-empty string, got ""');
    expect(rejection(() => planRotation({ ...base, mentees: [untyped(null)] }))).toMatch(/^mentees\[0\] must be an object/);
    expect(rejection(() => planRotation({ ...base, pinned: [untyped({ mentorId: 'm1', menteeId: 3 })] }))).toBe(
      'pinned[0].menteeId must be a non-empty string, got 3',
    );
    expect(rejection(() => planRotation({ ...base, forbidden: [untyped({ mentorId: null, menteeId: 'e1' })] }))).toBe(
      'forbidden[0].mentorId must be a non-empty string, got null',
    );
    expect(rejection(() => replan({ ...held(), absentIds: untyped([1]) }))).toBe('absentIds[0] must be a non-empty string, got 1');
    expect(rejection(() => replan(held([untyped({ mentorId: 'm1', menteeIds: [5] })])))).toBe(
      'held round 1: tables[0].menteeIds[0] must be a non-empty string, got 5',
    );
    expect(rejection(() => replan(held([untyped({ mentorId: 'm1', menteeIds: 'e1' })])))).toMatch(/^held round 1: tables\[0\]\.menteeIds must be a list/);
  });

  it('rejects options of the wrong type', () => {
    expect(rejection(() => planRotation({ ...base, rounds: untyped('4') }))).toBe('rounds must be an integer from 1 to 1000, got "4"');
    expect(rejection(() => planRotation({ ...base, seed: 1.5 }))).toBe('seed must be an integer, got 1.5');
    expect(rejection(() => planRotation({ ...base, allowSharedTables: untyped('yes') }))).toBe('allowSharedTables must be true or false, got "yes"');
    expect(rejection(() => planRotation({ ...base, scoringInstant: 'next tuesday' }))).toBe('scoringInstant must be an ISO date-time, got "next tuesday"');
    expect(rejection(() => planRotation({ ...base, mentees: untyped({}) }))).toBe('mentees must be a list, got an object');
    expect(rejection(() => planRotation({ ...base, mentors: [{ id: 'm1', tableSize: 1.5 }] }))).toBe('mentor m1: tableSize must be a positive integer, got 1.5');
    expect(rejection(() => replan({ ...held(), heldRounds: untyped(null) }))).toBe('heldRounds must be a list, got null');
  });

  it('rejects a held round that seats a mentor at two tables', () => {
    expect(rejection(() => replan(held([{ mentorId: 'm1', menteeIds: ['e1'] }, { mentorId: 'm1', menteeIds: ['e2'] }])))).toBe(
      'held round 1 seats mentor m1 at two tables',
    );
  });

  it('rejects a held table fuller than the mentor’s table size', () => {
    const twoAtOne = [{ mentorId: 'm1', menteeIds: ['e1', 'e2'] }];
    expect(rejection(() => replan(held([], twoAtOne)))).toBe("held round 2 seats 2 mentees at mentor m1's table, which holds 1");
    expect(() => replan({ ...held(twoAtOne), allowSharedTables: true })).not.toThrow();
    const threeAtOne = [{ mentorId: 'm1', menteeIds: ['e1', 'e2', 'e3'] }];
    expect(rejection(() => replan({ ...held(threeAtOne), allowSharedTables: true }))).toMatch(/seats 3 mentees at mentor m1's table, which holds 2/);
    expect(() => replan({ ...held(threeAtOne), mentors: [{ id: 'm1', tableSize: 3 }, ...people('m', 3).slice(1)] })).not.toThrow();
  });

  it('rejects a pair seated together in two held rounds', () => {
    expect(rejection(() => replan(held([{ mentorId: 'm2', menteeIds: ['e3'] }], [], [{ mentorId: 'm2', menteeIds: ['e3'] }])))).toBe(
      'pair m2–e3 meets in held round 1 and again in held round 3',
    );
  });

  it('rejects held tables and sit-outs that name no one it knows', () => {
    expect(rejection(() => replan(held([{ mentorId: 'e1', menteeIds: [] }])))).toBe('held round 1: e1 is not a mentor of this event');
    expect(rejection(() => replan(held([{ mentorId: 'm1', menteeIds: ['m2'] }])))).toBe('held round 1: m2 is not a mentee of this event');
    const badSitOut = { ...held([]), heldRounds: [{ tables: [], sitOuts: [untyped<SitOut>({ participantId: 'e1', role: 'mentee', code: 'bored', reason: '' })] }] };
    expect(rejection(() => replan(badSitOut))).toBe('held round 1: sitOuts[0].code is not a sit-out code, got "bored"');
  });

  it('rejects a pair that is both pinned and forbidden, even once it has met', () => {
    const pair = { mentorId: 'm1', menteeId: 'e1' };
    expect(rejection(() => planRotation({ ...base, pinned: [pair], forbidden: [pair] }))).toBe('pair m1–e1 is both pinned and forbidden');
    expect(rejection(() => replan({ ...held([{ mentorId: 'm1', menteeIds: ['e1'] }]), pinned: [pair], forbidden: [pair] }))).toBe(
      'pair m1–e1 is both pinned and forbidden',
    );
  });
});
