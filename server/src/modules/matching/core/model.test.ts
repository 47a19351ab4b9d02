import { describe, expect, it } from 'vitest';
import { MatchingInputError, stableMatch, type MatchInput } from './index.ts';

const base = (): MatchInput => ({
  seed: 1,
  mentees: [{ id: 'a', ranking: ['x'] }],
  mentors: [{ id: 'x', ratings: [{ menteeId: 'a', fit: 4, wouldMentor: true }] }],
});

describe('match input validation', () => {
  const cases: [string, (input: MatchInput) => void, RegExp][] = [
    ['a duplicate mentee id', (i) => i.mentees.push({ id: 'a', ranking: [] }), /mentees\[1\]\.id: duplicate mentee "a"/],
    ['a duplicate mentor id', (i) => i.mentors.push({ id: 'x', ratings: [] }), /mentors\[1\]\.id: duplicate mentor "x"/],
    ['an unknown mentor in a ranking', (i) => i.mentees[0]!.ranking.push('nobody'), /mentees\[0\]\.ranking\[1\]: unknown mentor "nobody"/],
    ['a mentor ranked twice', (i) => i.mentees[0]!.ranking.push('x'), /ranked twice/],
    ['a mentor both ranked and "not a fit"', (i) => (i.mentees[0]!.notAFit = ['x']), /mentees\[0\]\.notAFit\[0\]: mentor "x" is also ranked/],
    ['an unknown mentee in a rating', (i) => i.mentors[0]!.ratings.push({ menteeId: 'zed', fit: 3, wouldMentor: true }), /mentors\[0\]\.ratings\[1\]: unknown mentee "zed"/],
    ['a mentee rated twice', (i) => i.mentors[0]!.ratings.push({ menteeId: 'a', fit: 3, wouldMentor: true }), /rated twice/],
    ['a fit outside 1-5', (i) => (i.mentors[0]!.ratings[0]!.fit = 6), /fit must be an integer 1-5/],
    ['a fractional capacity', (i) => (i.mentors[0]!.capacity = 1.5), /mentors\[0\]\.capacity: must be an integer >= 0/],
    ['a seed that is not a number', (i) => (i.seed = Number.NaN), /seed: must be a finite number or a string/],
    ['a negative constellation size', (i) => (i.mentees[0]!.constellationSize = -1), /mentees\[0\]\.constellationSize/],
  ];
  it.each(cases)('rejects %s, naming the field', (_, spoil, message) => {
    const input = base();
    spoil(input);
    expect(() => stableMatch(input)).toThrow(MatchingInputError);
    expect(() => stableMatch(input)).toThrow(message);
  });

  it('accepts the same input unspoilt', () => {
    expect(stableMatch(base()).pairs).toEqual([{ menteeId: 'a', mentorId: 'x' }]);
  });
});
