import { describe, expect, it } from 'vitest';
import type { PlanHealthView } from '@constellation/shared/schemas/schedule';
import { adviceSentence, healthSummary, meetingsPhrase } from './plan-health.ts';

const thin: NonNullable<PlanHealthView['health']> = {
  level: 'thin',
  plannedRounds: 3,
  mentors: 4,
  mentees: 8,
  sitOutShare: 0.5,
  sitOutsPerRound: { min: 4, max: 4 },
  tableShortSitOuts: 12,
  meetingsPerMentee: { min: 1, max: 2 },
  fewest: ['a', 'b', 'c', 'd'],
  mentorLoads: { min: 3, max: 3 },
  reach: 3,
};

describe('plan health in words', () => {
  it('says the 4 × 8 × 3 plan is thin: half the mentees sit out, some meet one mentor', () => {
    expect(healthSummary(thin)).toBe('Thin: half the mentees sit out each round; some meet only 1 mentor (3 possible).');
  });

  it('turns each advice into what it gives', () => {
    const figures = { sitOutShare: 0.5, sharedTables: 0 };
    expect(adviceSentence({ kind: 'more-rounds', rounds: 5, meetingsPerMentee: { min: 2, max: 3 }, ...figures }, thin)).toBe(
      'With 5 rounds every mentee meets 2 or 3 mentors.',
    );
    expect(adviceSentence({ kind: 'more-rounds', rounds: 4, meetingsPerMentee: { min: 2, max: 2 }, ...figures }, thin)).toBe('With 4 rounds every mentee meets 2 mentors.');
    expect(adviceSentence({ kind: 'shared-tables', meetingsPerMentee: { min: 3, max: 3 }, sitOutShare: 0, sharedTables: 12 }, thin)).toBe(
      'Shared tables (a mentor hosts two mentees at once where needed): nobody sits out, every mentee meets 3 mentors.',
    );
    expect(adviceSentence({ kind: 'more-mentors', mentors: 1, meetingsPerMentee: { min: 1, max: 2 }, sitOutShare: 0.25, sharedTables: 0 }, thin)).toBe(
      'With 1 more mentor: every mentee meets 1 or 2 mentors, sit-outs drop to 25 %.',
    );
  });

  it('words a range of one mentor', () => {
    expect(meetingsPhrase({ min: 1, max: 1 })).toBe('every mentee meets 1 mentor');
    expect(meetingsPhrase({ min: 0, max: 1 })).toBe('every mentee meets up to 1 mentor');
  });
});
