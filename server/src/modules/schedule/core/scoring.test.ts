import fc from 'fast-check';
import type { Profile } from '@constellation/shared/schemas/participants';
import { describe, expect, it } from 'vitest';
import { MAX_PAIR_SCORE, ScoringContext, scorePair } from './scoring.ts';
import { profileArbitrary } from './testing/arbitraries.ts';

const mentor: Profile = {
  industry: 'Fintech',
  skills: ['People management', 'SQL'],
  yearsExperience: 10,
  workingStyle: 'async-first',
  timeZone: 'Europe/Berlin',
};
const mentee: Profile = {
  industry: 'fintech',
  goals: ['people-management'],
  skills: ['sql'],
  yearsExperience: 3,
  workingStyle: 'Async-First',
  timeZone: 'Europe/London',
};

describe('scorePair', () => {
  it('explains a fintech pairing point by point', () => {
    expect(scorePair(mentor, mentee)).toEqual({
      score: 20 + 12 + 6 + 15 + 8 + 12,
      reasons: [
        'both in fintech',
        'wants people-management, which the mentor has',
        'skills in common: sql',
        'mentor is 7 years ahead (10 vs 3 years of experience)',
        'same working style: Async-First',
        '7 h of shared working hours (Europe/Berlin / Europe/London)',
      ],
    });
  });

  it('gives nothing, and no reason, for a pair with nothing in common', () => {
    expect(scorePair({}, {})).toEqual({ score: 0, reasons: [] });
  });

  it('gives no experience points when the mentor is not ahead', () => {
    const result = scorePair({ yearsExperience: 3 }, { yearsExperience: 5 });
    expect(result).toEqual({ score: 0, reasons: [] });
  });

  it('caps repeated matches and reaches exactly the maximum score', () => {
    const best = scorePair(
      {
        industry: 'media',
        skills: ['a', 'b', 'c', 'd', 'e', 'f'],
        challenges: ['x', 'y', 'z'],
        yearsExperience: 20,
        workingStyle: 'flexible',
        timeZone: 'Europe/Paris',
      },
      {
        industry: 'Media',
        goals: ['a', 'b', 'c'],
        skills: ['d', 'e', 'f', 'a'],
        challenges: ['x', 'y', 'z'],
        yearsExperience: 10,
        workingStyle: 'Flexible',
        timeZone: 'Europe/Paris',
      },
    );
    expect(best.score).toBe(MAX_PAIR_SCORE);
    expect(best.reasons).toContain('same time zone (Europe/Paris)');
    expect(best.reasons.filter((r) => r.startsWith('wants'))).toHaveLength(3);
  });

  it('counts a tag listed twice once', () => {
    const once = scorePair({ skills: ['sql'] }, { goals: ['sql'] });
    const twice = scorePair({ skills: ['sql', 'SQL'] }, { goals: ['sql', ' sql '] });
    expect(twice).toEqual(once);
  });

  it('reads time-zone overlap at the event date, daylight saving time included', () => {
    const ny = { timeZone: 'America/New_York' };
    const berlin = { timeZone: 'Europe/Berlin' };
    expect(scorePair(ny, berlin, { at: '2025-01-15T12:00:00Z' }).reasons).toEqual([
      '2 h of shared working hours (America/New_York / Europe/Berlin)',
    ]);
    // 20 March: New York is on summer time, Berlin not yet.
    expect(scorePair(ny, berlin, { at: '2025-03-20T12:00:00Z' }).reasons).toEqual([
      '3 h of shared working hours (America/New_York / Europe/Berlin)',
    ]);
  });

  it('ignores a time zone it does not know instead of failing', () => {
    expect(scorePair({ timeZone: 'Mars/Olympus' }, { timeZone: 'Europe/Berlin' })).toEqual({ score: 0, reasons: [] });
  });

  it('returns integer scores within bounds, with a reason whenever points are given', () => {
    fc.assert(
      fc.property(profileArbitrary, profileArbitrary, (a, b) => {
        const { score, reasons } = scorePair(a, b);
        expect(Number.isInteger(score)).toBe(true);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(MAX_PAIR_SCORE);
        expect(reasons.length > 0).toBe(score > 0);
      }),
      { numRuns: 300 },
    );
  });

  it('scores whole rows exactly as scorePair does', () => {
    fc.assert(
      fc.property(fc.array(profileArbitrary, { minLength: 1, maxLength: 5 }), fc.array(profileArbitrary, { minLength: 1, maxLength: 8 }), (mentors, mentees) => {
        const context = new ScoringContext(mentors, mentees);
        const row = new Uint8Array(mentees.length);
        mentors.forEach((m, i) => {
          context.scoreRow(i, row);
          mentees.forEach((e, j) => {
            expect(row[j]).toBe(scorePair(m, e).score);
            expect(context.explain(i, j)).toEqual(scorePair(m, e));
          });
        });
      }),
      { numRuns: 150 },
    );
  });
});
