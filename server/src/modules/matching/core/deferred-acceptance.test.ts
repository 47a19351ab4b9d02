import { describe, expect, it } from 'vitest';
import { blockingPairs, stableMatch, type MatchInput, type MentorRating } from './index.ts';

const rate = (menteeId: string, fit: number, wouldMentor = true): MentorRating => ({ menteeId, fit, wouldMentor });

/** Two mentees and two mentors who disagree: each side's favourites form a cycle. */
const crossed: MatchInput = {
  seed: 1,
  mentees: [
    { id: 'ada', ranking: ['xia', 'yan'] },
    { id: 'ben', ranking: ['yan', 'xia'] },
  ],
  mentors: [
    { id: 'xia', ratings: [rate('ada', 3), rate('ben', 5)] },
    { id: 'yan', ratings: [rate('ada', 5), rate('ben', 3)] },
  ],
};

describe('stableMatch', () => {
  it('gives every mentee their first choice when mentees propose, and every mentor theirs when mentors propose', () => {
    expect(stableMatch(crossed).pairs).toEqual([
      { menteeId: 'ada', mentorId: 'xia' },
      { menteeId: 'ben', mentorId: 'yan' },
    ]);
    const byMentors = stableMatch(crossed, { proposer: 'mentor' });
    expect(byMentors.algorithm).toBe('stable-mentor-proposing');
    expect(byMentors.pairs).toEqual([
      { menteeId: 'ada', mentorId: 'yan' },
      { menteeId: 'ben', mentorId: 'xia' },
    ]);
  });

  it('fills a mentor up to capacity with the mentees they rated highest; the rest get their next choice', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: ['a', 'b', 'c'].map((id) => ({ id, ranking: ['popular', 'backup'] })),
      mentors: [
        { id: 'popular', capacity: 2, ratings: [rate('a', 3), rate('b', 5), rate('c', 4)] },
        { id: 'backup', capacity: 5, ratings: [rate('a', 2), rate('b', 2), rate('c', 2)] },
      ],
    };
    expect(stableMatch(input).pairs).toEqual([
      { menteeId: 'a', mentorId: 'backup' },
      { menteeId: 'b', mentorId: 'popular' },
      { menteeId: 'c', mentorId: 'popular' },
    ]);
  });

  it('never pairs a mentee with a mentor marked "not a fit" or who would not mentor them, even if it leaves them unmatched', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [
        { id: 'a', ranking: ['x'], notAFit: ['y'] },
        { id: 'b', ranking: ['x', 'y'] },
      ],
      mentors: [
        { id: 'x', capacity: 2, ratings: [rate('a', 5, false), rate('b', 1, false)] },
        { id: 'y', capacity: 2, ratings: [rate('a', 5), rate('b', 4)] },
      ],
    };
    expect(stableMatch(input).pairs).toEqual([{ menteeId: 'b', mentorId: 'y' }]);
    expect(stableMatch(input, { proposer: 'mentor' }).pairs).toEqual([{ menteeId: 'b', mentorId: 'y' }]);
  });

  it('gives a mentee up to their constellation size of mentors, best first', () => {
    const input: MatchInput = {
      seed: 1,
      mentees: [
        { id: 'a', ranking: ['x', 'y', 'z'], constellationSize: 2 },
        { id: 'b', ranking: ['x', 'y'] },
      ],
      mentors: [
        { id: 'x', ratings: [rate('a', 4), rate('b', 5)] },
        { id: 'y', ratings: [rate('a', 5), rate('b', 3)] },
        { id: 'z', ratings: [rate('a', 3)] },
      ],
    };
    expect(stableMatch(input).pairs).toEqual([
      { menteeId: 'a', mentorId: 'y' },
      { menteeId: 'a', mentorId: 'z' },
      { menteeId: 'b', mentorId: 'x' },
    ]);
  });

  it('breaks equal fits with the seed: the same seed always picks the same mentee, other seeds may pick another', () => {
    const tie = (seed: number): MatchInput => ({
      seed,
      mentees: [
        { id: 'a', ranking: ['x'] },
        { id: 'b', ranking: ['x'] },
      ],
      mentors: [{ id: 'x', ratings: [rate('a', 4), rate('b', 4)] }],
    });
    const winner = (seed: number): string => stableMatch(tie(seed)).pairs[0]!.menteeId;
    expect(winner(7)).toBe(winner(7));
    const winners = new Set(Array.from({ length: 40 }, (_, seed) => winner(seed)));
    expect(winners).toEqual(new Set(['a', 'b']));
    // Whoever lost the draw does not block: the mentor is indifferent.
    for (let seed = 0; seed < 10; seed++) expect(blockingPairs(tie(seed), stableMatch(tie(seed)).pairs)).toEqual([]);
  });

  it('treats a mentor met but left unranked as acceptable below every ranked one, unless unranked mentors are excluded', () => {
    const input: MatchInput = {
      seed: 3,
      mentees: [{ id: 'a', ranking: ['x'] }],
      mentors: [
        { id: 'x', ratings: [rate('b', 5)] },
        { id: 'y', ratings: [rate('a', 2)] },
      ],
    };
    input.mentees.push({ id: 'b', ranking: ['x'] });
    // a ranked x, but x prefers b; a met y without ranking them.
    expect(stableMatch(input).pairs).toEqual([
      { menteeId: 'a', mentorId: 'y' },
      { menteeId: 'b', mentorId: 'x' },
    ]);
    expect(stableMatch({ ...input, unranked: 'exclude' }).pairs).toEqual([{ menteeId: 'b', mentorId: 'x' }]);
  });

  it('matches nobody in an empty event', () => {
    expect(stableMatch({ seed: 0, mentees: [], mentors: [] }).pairs).toEqual([]);
  });
});
