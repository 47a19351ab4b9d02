import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scorePair } from '../../schedule/core/scoring.ts';
import { profileArbitrary } from '../../schedule/core/testing/arbitraries.ts';
import { phraseReasons, planRescue, rescueMessage, type RescueInput } from './rescue.ts';

/** Up to 6 × 6 stranded people with random profiles, seats 0–2 and random exclusions. */
const arbitraryRescue: fc.Arbitrary<RescueInput> = fc
  .record({
    mentors: fc.array(fc.record({ profile: fc.option(profileArbitrary, { nil: undefined }), seats: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }) }), { maxLength: 6 }),
    mentees: fc.array(fc.option(profileArbitrary, { nil: undefined }), { maxLength: 6 }),
    excluded: fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { maxLength: 12 }),
    seats: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
  })
  .map(({ mentors, mentees, excluded, seats }) => ({
    mentors: mentors.map(({ profile, seats: own }, i) => ({ id: `m${i}`, name: `Mentor ${i}`, ...(profile ? { profile } : {}), ...(own === undefined ? {} : { seats: own }) })),
    mentees: mentees.map((profile, j) => ({ id: `e${j}`, name: `Mentee ${j}`, ...(profile ? { profile } : {}) })),
    excluded: excluded.map(([i, j]) => ({ mentorId: `m${i}`, menteeId: `e${j}` })),
    ...(seats === undefined ? {} : { seats }),
  }));

const isExcluded = (input: RescueInput, mentorId: string, menteeId: string): boolean =>
  input.excluded.some((p) => p.mentorId === mentorId && p.menteeId === menteeId);
const seatsOf = (input: RescueInput, i: number): number => input.mentors[i]?.seats ?? input.seats ?? 1;

/** Best (pairs, total score) over every assignment of mentees to mentors, by exhaustive search. */
function bruteForce(input: RescueInput): { pairs: number; score: number } {
  const score = input.mentors.map((m) =>
    input.mentees.map((e) => (isExcluded(input, m.id, e.id) ? null : scorePair(m.profile ?? {}, e.profile ?? {}).score)),
  );
  const left = input.mentors.map((_, i) => seatsOf(input, i));
  let best = { pairs: 0, score: 0 };
  const visit = (j: number, pairs: number, total: number): void => {
    if (j === input.mentees.length) {
      if (pairs > best.pairs || (pairs === best.pairs && total > best.score)) best = { pairs, score: total };
      return;
    }
    visit(j + 1, pairs, total);
    for (let i = 0; i < input.mentors.length; i++) {
      const s = score[i]?.[j];
      if (s === null || s === undefined || (left[i] as number) === 0) continue;
      left[i] = (left[i] as number) - 1;
      visit(j + 1, pairs + 1, total + s);
      left[i] = (left[i] as number) + 1;
    }
  };
  visit(0, 0, 0);
  return best;
}

describe('planRescue properties', () => {
  it('never seats an excluded pair, nor anyone beyond their seats', () => {
    fc.assert(
      fc.property(arbitraryRescue, (input) => {
        const plan = planRescue(input);
        const menteeCount = new Map<string, number>();
        const mentorCount = new Map<string, number>();
        for (const p of plan.pairs) {
          expect(isExcluded(input, p.mentorId, p.menteeId)).toBe(false);
          menteeCount.set(p.menteeId, (menteeCount.get(p.menteeId) ?? 0) + 1);
          mentorCount.set(p.mentorId, (mentorCount.get(p.mentorId) ?? 0) + 1);
        }
        for (const n of menteeCount.values()) expect(n).toBe(1);
        input.mentors.forEach((m, i) => expect(mentorCount.get(m.id) ?? 0).toBeLessThanOrEqual(seatsOf(input, i)));
        // Everyone is either seated or listed as unpaired, never both.
        const seated = new Set([...menteeCount.keys(), ...mentorCount.keys()]);
        expect(plan.unpaired.filter((id) => seated.has(id))).toEqual([]);
        expect(new Set([...seated, ...plan.unpaired])).toEqual(new Set([...input.mentors, ...input.mentees].map((p) => p.id)));
      }),
      { numRuns: 300 },
    );
  });

  it('seats the most people possible, then has the highest total score among such plans', () => {
    fc.assert(
      fc.property(arbitraryRescue, (input) => {
        const plan = planRescue(input);
        const best = bruteForce(input);
        expect(plan.pairs.length).toBe(best.pairs);
        expect(plan.pairs.reduce((sum, p) => sum + p.score, 0)).toBe(best.score);
      }),
      { numRuns: 300 },
    );
  });

  it("reports each pair's score and reasons as scorePair gives them", () => {
    fc.assert(
      fc.property(arbitraryRescue, (input) => {
        for (const p of planRescue(input).pairs) {
          const mentor = input.mentors.find((m) => m.id === p.mentorId);
          const mentee = input.mentees.find((e) => e.id === p.menteeId);
          expect({ score: p.score, reasons: p.reasons }).toEqual(scorePair(mentor?.profile ?? {}, mentee?.profile ?? {}));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same plan for the same input, every time', () => {
    fc.assert(
      fc.property(arbitraryRescue, (input) => {
        expect(planRescue(structuredClone(input))).toEqual(planRescue(input));
      }),
      { numRuns: 100 },
    );
  });
});

describe('rescueMessage properties', () => {
  it('phrases every reason scorePair can give, for either reader, in one or two sentences', () => {
    fc.assert(
      fc.property(profileArbitrary, profileArbitrary, fc.constantFrom('mentor' as const, 'mentee' as const), fc.boolean(), (mentor, mentee, role, absent) => {
        const { reasons } = scorePair(mentor, mentee);
        expect(phraseReasons(reasons, role).unknown).toEqual([]);
        const message = rescueMessage({ ...(absent ? { absentName: 'Hannah' } : {}), partner: { name: 'Kwame', role }, reasons });
        expect(message).toMatch(/^(Hannah couldn't make it; |You have a conversation this round after all: )you are now meeting Kwame[,.]/);
        expect(message.endsWith('.')).toBe(true);
        expect(message).not.toMatch(/the mentor|undefined|\s\s/);
      }),
      { numRuns: 300 },
    );
  });
});
