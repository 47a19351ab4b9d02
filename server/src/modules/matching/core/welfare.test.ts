import { describe, expect, it } from 'vitest';
import { matchStats, pairWelfare, stableMatch, welfareMatch, type MatchInput, type MentorRating } from './index.ts';
import { minCostFlow } from './min-cost-flow.ts';

const rate = (menteeId: string, fit: number, wouldMentor = true): MentorRating => ({ menteeId, fit, wouldMentor });

describe('pairWelfare', () => {
  it('adds 11 - rank for the mentee (at least 1, 0 when unranked) and 2 x fit for the mentor', () => {
    expect(pairWelfare(1, 5)).toBe(20);
    expect(pairWelfare(1, 1)).toBe(12);
    expect(pairWelfare(3, 4)).toBe(16);
    expect(pairWelfare(10, 1)).toBe(3);
    expect(pairWelfare(14, 1)).toBe(3);
    expect(pairWelfare(0, 1)).toBe(2);
  });
});

describe('welfareMatch', () => {
  // Ada is everyone's favourite; Ben can only go to Xia. Stable: Ada-Xia, Ben alone.
  const bottleneck: MatchInput = {
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

  it('trades a first choice for matching more people when that raises total welfare, and reports the blocking pair it creates', () => {
    expect(stableMatch(bottleneck).pairs).toEqual([{ menteeId: 'ada', mentorId: 'xia' }]);
    const { pairs } = welfareMatch(bottleneck);
    expect(pairs).toEqual([
      { menteeId: 'ada', mentorId: 'yan' },
      { menteeId: 'ben', mentorId: 'xia' },
    ]);
    const stats = matchStats(bottleneck, pairs);
    expect(stats.welfare).toBe(pairWelfare(2, 4) + pairWelfare(1, 4));
    expect(stats.blockingPairs).toBe(1);
  });

  it('can match fewer people than possible for a higher total, unless asked to match the most people first', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [
        { id: 'ada', ranking: ['xia', 'yan'] },
        { id: 'ben', ranking: [] },
      ],
      mentors: [
        { id: 'xia', ratings: [rate('ada', 5), rate('ben', 1)] },
        { id: 'yan', ratings: [rate('ada', 1)] },
      ],
    };
    // Ada-Xia alone: 20. Ada-Yan + Ben-Xia: 11 + 2 = 13.
    expect(welfareMatch(input).pairs).toEqual([{ menteeId: 'ada', mentorId: 'xia' }]);
    const most = welfareMatch(input, { objective: 'matched-then-welfare' });
    expect(most.algorithm).toBe('matched-then-welfare');
    expect(most.pairs).toEqual([
      { menteeId: 'ada', mentorId: 'yan' },
      { menteeId: 'ben', mentorId: 'xia' },
    ]);
  });

  it('prefers matching more people when two proposals have the same total welfare', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [
        { id: 'ada', ranking: ['xia'] },
        { id: 'ben', ranking: [] },
      ],
      mentors: [
        { id: 'xia', ratings: [rate('ada', 1), rate('ben', 3)] },
        { id: 'yan', ratings: [rate('ada', 3)] },
      ],
    };
    // Ada-Xia alone: 10 + 2 = 12. Ada-Yan + Ben-Xia (both unranked): 6 + 6 = 12.
    expect(welfareMatch(input).pairs).toEqual([
      { menteeId: 'ada', mentorId: 'yan' },
      { menteeId: 'ben', mentorId: 'xia' },
    ]);
  });

  it('never uses a pair the mentor would not mentor or the mentee marked "not a fit"', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [{ id: 'ada', ranking: ['xia'], notAFit: ['yan'] }],
      mentors: [
        { id: 'xia', ratings: [rate('ada', 5, false)] },
        { id: 'yan', ratings: [rate('ada', 5)] },
      ],
    };
    expect(welfareMatch(input).pairs).toEqual([]);
    expect(welfareMatch(input, { objective: 'matched-then-welfare' }).pairs).toEqual([]);
  });
});

describe('minCostFlow', () => {
  // s=0, a=1, b=2, t=3. The cheapest first path s-a-b-t must later be partly undone.
  const net = {
    nodeCount: 4,
    source: 0,
    sink: 3,
    from: [0, 0, 1, 1, 2, 2],
    to: [1, 2, 2, 3, 3, 1],
    capacity: [1, 1, 1, 1, 1, 0],
    cost: [-5, -1, -5, -1, -5, 0],
  };

  it('finds the cheapest flow of any size, stopping when more flow would cost more', () => {
    const result = minCostFlow(net, 'negative');
    // s-a-b-t costs -15; s-b-t (-6) + s-a-t (-6) = -12 is worse, so one unit only.
    expect(result.cost).toBe(-15);
    expect(result.value).toBe(1);
  });

  it('finds the cheapest maximum flow, rerouting earlier flow through reverse arcs', () => {
    const result = minCostFlow(net, 'max-flow');
    expect(result.value).toBe(2);
    expect(result.cost).toBe(-12);
    expect(Array.from(result.flow)).toEqual([1, 1, 0, 1, 1, 0]);
  });

  it('rejects fractional capacities', () => {
    expect(() => minCostFlow({ ...net, capacity: [0.5, 1, 1, 1, 1, 0] }, 'negative')).toThrow(RangeError);
  });
});
