import { describe, expect, it } from 'vitest';
import {
  compareProposals,
  matchStats,
  pairWelfare,
  stableMatch,
  type MatchInput,
  type MentorRating,
} from './index.ts';

const rate = (menteeId: string, fit: number, wouldMentor = true): MentorRating => ({ menteeId, fit, wouldMentor });
const pair = (menteeId: string, mentorId: string) => ({ menteeId, mentorId });

describe('matchStats', () => {
  const input: MatchInput = {
    seed: 1,
    mentees: [
      { id: 'ada', ranking: ['xia', 'yan'] },
      { id: 'ben', ranking: ['xia', 'yan'] },
      { id: 'cat', ranking: ['zoe'], constellationSize: 2 },
    ],
    mentors: [
      { id: 'xia', ratings: [rate('ada', 5), rate('ben', 3)] },
      { id: 'yan', capacity: 2, ratings: [rate('ada', 4), rate('ben', 4), rate('cat', 2)] },
      { id: 'zoe', ratings: [rate('cat', 3)] },
      { id: 'uma', ratings: [] },
    ],
  };

  it('counts pairs, first choices, ranks, fit and welfare of a proposal', () => {
    const stats = matchStats(input, stableMatch(input).pairs);
    expect(stats).toMatchObject({
      mentees: 3,
      mentors: 4,
      pairs: 4,
      menteesMatched: 3,
      menteesFullyMatched: 3,
      mentorsMatched: 3,
      seats: 5,
      firstChoice: 2,
      averageRank: 4 / 3,
      rankCounts: [2, 1],
      unrankedPairs: 1,
      averageFit: (5 + 4 + 3 + 2) / 4,
      welfare: pairWelfare(1, 5) + pairWelfare(2, 4) + pairWelfare(1, 3) + pairWelfare(0, 2),
      blockingPairs: 0,
      invalidPairs: 0,
      capacityViolations: 0,
      unmatchedMentees: [],
    });
    expect(stats.unmatchedMentors).toEqual([{ id: 'uma', reason: 'no-meetings', message: 'Met no mentee.' }]);
  });

  it('leaves invalid pairs out of every count except their own', () => {
    const stats = matchStats(input, [pair('ada', 'zoe'), pair('ben', 'xia')]);
    expect(stats.pairs).toBe(1);
    expect(stats.invalidPairs).toBe(1);
    expect(stats.menteesMatched).toBe(1);
  });
});

describe('why someone is unmatched', () => {
  const reasonsOf = (input: MatchInput, pairs = stableMatch(input).pairs) => {
    const stats = matchStats(input, pairs);
    return {
      mentees: Object.fromEntries(stats.unmatchedMentees.map((u) => [u.id, u.reason])),
      mentors: Object.fromEntries(stats.unmatchedMentors.map((u) => [u.id, u.reason])),
    };
  };

  it('explains mentees who could not be matched with anyone', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [
        { id: 'quiet', ranking: [], constellationSize: 0 },
        { id: 'absent', ranking: [] },
        { id: 'picky', ranking: [], notAFit: ['xia', 'yan'] },
        { id: 'unwanted', ranking: ['xia', 'yan'] },
        { id: 'mixed', ranking: ['yan'], notAFit: ['xia'] },
      ],
      mentors: [
        {
          id: 'xia',
          ratings: [rate('picky', 4), rate('unwanted', 3, false), rate('mixed', 5)],
        },
        { id: 'yan', ratings: [rate('picky', 4), rate('unwanted', 3, false), rate('mixed', 5, false)] },
      ],
    };
    expect(reasonsOf(input).mentees).toEqual({
      quiet: 'not-seeking-mentor',
      absent: 'no-meetings',
      picky: 'marked-all-not-a-fit',
      unwanted: 'no-mentor-would-mentor',
      mixed: 'no-mutual-fit',
    });
    expect(reasonsOf(input).mentors).toEqual({ xia: 'no-mutual-fit', yan: 'no-mutual-fit' });
  });

  it('explains mentees whose mentors are full with mentees rated higher, or equal and luckier in the draw', () => {
    const input: MatchInput = {
      seed: 5,
      mentees: [
        { id: 'star', ranking: ['xia'] },
        { id: 'second', ranking: ['xia'] },
        { id: 'tie-a', ranking: ['yan'] },
        { id: 'tie-b', ranking: ['yan'] },
      ],
      mentors: [
        { id: 'xia', ratings: [rate('star', 5), rate('second', 4)] },
        { id: 'yan', ratings: [rate('tie-a', 3), rate('tie-b', 3)] },
        { id: 'idle', capacity: 0, ratings: [] },
      ],
    };
    const { mentees, mentors } = reasonsOf(input);
    expect(mentees['second']).toBe('mentors-full-with-higher-rated');
    expect(Object.values(mentees).filter((r) => r === 'mentors-full-lost-tie-break')).toHaveLength(1);
    expect(mentors).toEqual({ idle: 'no-capacity' });
  });

  it('says when a proposal left someone out although a mentor had room', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [{ id: 'ada', ranking: ['xia'] }],
      mentors: [
        { id: 'xia', ratings: [rate('ada', 5)] },
        { id: 'yan', ratings: [rate('ada', 1)] },
      ],
    };
    expect(reasonsOf(input, [])).toEqual({
      mentees: { ada: 'left-out-by-proposal' },
      mentors: { xia: 'left-out-by-proposal', yan: 'left-out-by-proposal' },
    });
    expect(reasonsOf(input).mentors).toEqual({ yan: 'mentees-taken-by-preferred-mentors' });
  });

  it('explains mentors who would mentor nobody, and who lost mentees to mentors ranked equally', () => {
    const input: MatchInput = {
      seed: 2,
      mentees: [{ id: 'ada', ranking: [] }],
      mentors: [
        { id: 'xia', ratings: [rate('ada', 5)] },
        { id: 'yan', ratings: [rate('ada', 5)] },
        { id: 'no', ratings: [rate('ada', 5, false)] },
      ],
    };
    const { mentors } = reasonsOf(input);
    expect(mentors['no']).toBe('would-mentor-nobody');
    expect(Object.values(mentors).filter((r) => r === 'mentees-taken-lost-tie-break')).toHaveLength(1);
  });
});

describe('compareProposals', () => {
  it('returns the stable and welfare proposals with their statistics, side by side', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [
        { id: 'ada', ranking: ['xia', 'yan'] },
        { id: 'ben', ranking: ['xia'] },
      ],
      mentors: [
        { id: 'xia', ratings: [rate('ada', 5), rate('ben', 4)] },
        { id: 'yan', ratings: [rate('ada', 4)] },
      ],
    };
    const { stable, welfare } = compareProposals(input);
    expect(stable.proposal.algorithm).toBe('stable-mentee-proposing');
    expect(welfare.proposal.algorithm).toBe('welfare');
    expect([stable.stats.pairs, welfare.stats.pairs]).toEqual([1, 2]);
    expect([stable.stats.blockingPairs, welfare.stats.blockingPairs]).toEqual([0, 1]);
    expect(stable.stats.unmatchedMentees.map((u) => u.message)).toEqual([
      'All acceptable mentors are full with mentees they rated higher.',
    ]);
  });
});
