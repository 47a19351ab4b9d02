import { describe, expect, it } from 'vitest';
import { choiceLabel, fitLabel, ordinal, percent } from './labels.ts';

describe('feedback labels', () => {
  it('names a mentee choice in words, including the teens', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      '1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th',
    ]);
    expect(choiceLabel(1)).toBe('1st choice');
    expect(choiceLabel(null)).toBe('not ranked');
  });

  it('says when a mentor did not rate, and rounds response rates to whole percents', () => {
    expect(fitLabel(4)).toBe('fit 4 of 5');
    expect(fitLabel(null)).toBe('not rated');
    expect(percent(2 / 3)).toBe('67%');
  });
});
