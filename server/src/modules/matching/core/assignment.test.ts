import { describe, expect, it } from 'vitest';
import { blockingPairs, checkAssignment, type MatchInput, type MentorRating } from './index.ts';

const rate = (menteeId: string, fit: number, wouldMentor = true): MentorRating => ({ menteeId, fit, wouldMentor });
const pair = (menteeId: string, mentorId: string) => ({ menteeId, mentorId });

const event: MatchInput = {
  seed: 1,
  mentees: [
    { id: 'ada', ranking: ['xia', 'yan'] },
    { id: 'ben', ranking: ['xia', 'yan'] },
    { id: 'cat', ranking: ['yan'], notAFit: ['xia'], constellationSize: 2 },
    { id: 'dev', ranking: [] },
  ],
  mentors: [
    { id: 'xia', capacity: 1, ratings: [rate('ada', 5), rate('ben', 3), rate('cat', 5), rate('dev', 2, false)] },
    { id: 'yan', capacity: 2, ratings: [rate('ada', 4), rate('ben', 4)] },
  ],
};

describe('checkAssignment', () => {
  it('accepts a valid, stable assignment without warnings', () => {
    expect(checkAssignment(event, [pair('ada', 'xia'), pair('ben', 'yan')])).toEqual({
      ok: true,
      capacityViolations: [],
      invalidPairs: [],
      blockingPairs: [],
    });
  });

  it('warns when a manual swap creates a pair who would both rather be together', () => {
    const check = checkAssignment(event, [pair('ben', 'xia'), pair('ada', 'yan')]);
    expect(check.ok).toBe(true);
    expect(check.blockingPairs).toEqual([pair('ada', 'xia')]);
  });

  it('reports mentors over capacity and mentees over their constellation size', () => {
    const check = checkAssignment(event, [pair('ada', 'xia'), pair('ben', 'xia'), pair('ada', 'yan')]);
    expect(check.ok).toBe(false);
    expect(check.capacityViolations).toEqual([
      { side: 'mentor', id: 'xia', limit: 1, assigned: 2 },
      { side: 'mentee', id: 'ada', limit: 1, assigned: 2 },
    ]);
  });

  it('names the problem with each pair that can never be matched', () => {
    const check = checkAssignment(event, [
      pair('zed', 'xia'),
      pair('ada', 'zoe'),
      pair('cat', 'xia'),
      pair('dev', 'xia'),
      pair('dev', 'yan'),
      pair('ben', 'yan'),
      pair('ben', 'yan'),
    ]);
    expect(check.ok).toBe(false);
    expect(check.invalidPairs).toEqual([
      { ...pair('zed', 'xia'), problem: 'unknown-mentee' },
      { ...pair('ada', 'zoe'), problem: 'unknown-mentor' },
      { ...pair('cat', 'xia'), problem: 'mentee-not-a-fit' },
      { ...pair('dev', 'xia'), problem: 'mentor-would-not-mentor' },
      { ...pair('dev', 'yan'), problem: 'not-met' },
      { ...pair('ben', 'yan'), problem: 'duplicate' },
    ]);
  });

  it('reports a ranked mentor who never rated the mentee, and unranked mentors when they are excluded', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [{ id: 'ada', ranking: ['xia'] }],
      mentors: [
        { id: 'xia', ratings: [] },
        { id: 'yan', ratings: [rate('ada', 5)] },
      ],
    };
    expect(checkAssignment(input, [pair('ada', 'xia')]).invalidPairs).toEqual([
      { ...pair('ada', 'xia'), problem: 'mentor-did-not-rate' },
    ]);
    expect(checkAssignment(input, [pair('ada', 'yan')]).ok).toBe(true);
    expect(checkAssignment({ ...input, unranked: 'exclude' }, [pair('ada', 'yan')]).invalidPairs).toEqual([
      { ...pair('ada', 'yan'), problem: 'unranked-excluded' },
    ]);
  });
});

describe('blockingPairs', () => {
  it('counts a mentee and mentor who both have room and would accept each other', () => {
    expect(blockingPairs(event, [])).toEqual([
      pair('ada', 'xia'),
      pair('ada', 'yan'),
      pair('ben', 'xia'),
      pair('ben', 'yan'),
    ]);
  });

  it('does not count a pair where one side is only indifferent (equal fit or both unranked)', () => {
    // Yan rated Ada and Ben equally: moving Ben in for Ada gains Yan nothing.
    const input: MatchInput = {
      seed: 1,
      mentees: [
        { id: 'ada', ranking: ['yan'] },
        { id: 'ben', ranking: ['yan'] },
      ],
      mentors: [{ id: 'yan', ratings: [rate('ada', 4), rate('ben', 4)] }],
    };
    expect(blockingPairs(input, [pair('ada', 'yan')])).toEqual([]);
    expect(blockingPairs(input, [pair('ben', 'yan')])).toEqual([]);
  });

  it('treats a hand-assigned pair that is not acceptable as worse than any acceptable one', () => {
    // Xia was handed Cat, who marked Xia "not a fit": Ben, who ranked Xia first, would replace Cat.
    expect(blockingPairs(event, [pair('cat', 'xia'), pair('ada', 'xia'), pair('ben', 'yan')])).toEqual([
      pair('ben', 'xia'),
    ]);
  });
});
