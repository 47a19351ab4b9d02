import { describe, expect, it } from 'vitest';
import { DISCUSSION_PROMPTS, promptForRound } from './prompts.ts';

describe('discussion prompts', () => {
  it('offers the six prompts, each with a distinct id', () => {
    expect(DISCUSSION_PROMPTS).toHaveLength(6);
    expect(new Set(DISCUSSION_PROMPTS.map((p) => p.id)).size).toBe(6);
  });

  it('gives each of the first six rounds a different prompt, in order', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => promptForRound(r).id)).toEqual(DISCUSSION_PROMPTS.map((p) => p.id));
  });

  it('starts again from the first prompt after six rounds, the same every time', () => {
    expect(promptForRound(7)).toEqual(promptForRound(1));
    expect(promptForRound(20)).toEqual(promptForRound(2));
  });

  it('refuses a round that is not a positive integer', () => {
    expect(() => promptForRound(0)).toThrow(RangeError);
    expect(() => promptForRound(1.5)).toThrow(RangeError);
  });
});
