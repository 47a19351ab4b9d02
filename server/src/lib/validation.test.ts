import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findUnstorable, hasUnstorableCharacter } from './validation.ts';

describe('characters PostgreSQL cannot store', () => {
  it('finds NUL bytes and unpaired surrogates, and nothing else', () => {
    expect(hasUnstorableCharacter('a\u0000b')).toBe(true);
    expect(hasUnstorableCharacter('lone \ud800')).toBe(true);
    expect(hasUnstorableCharacter('lone \udc00')).toBe(true);
    expect(hasUnstorableCharacter('paired 😀 emoji, é, 日本')).toBe(false);
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => !hasUnstorableCharacter(text.replace(/\u0000/g, ''))));
  });

  it('names the field where the first one sits, keys included', () => {
    expect(findUnstorable({ title: 'ok', profile: { skills: ['a', 'b\u0000'] } }, 'body')).toBe('body.profile.skills.1');
    expect(findUnstorable({ ['k\u0000']: 1 }, 'body')).toBe('body.k\uFFFD');
    expect(findUnstorable({ a: 1, b: [true, null] }, 'body')).toBeNull();
    expect(findUnstorable(Buffer.from([0]), 'body')).toBeNull(); // not JSON input
  });
});
