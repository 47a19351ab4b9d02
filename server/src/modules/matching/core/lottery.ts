/**
 * Seeded tie-breaking. Each participant draws one lottery number from a hash of (seed, id), a
 * counter-based PRNG: the draw depends on the seed and the id only, not on input order, so
 * reordering the input never changes a match. One draw per person serves every tie they are in
 * ("single tie-breaking"), which keeps the tie-broken preferences strict and consistent.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 (x86, 32-bit) over UTF-16 code units. */
function murmur3(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ text.length);
}

export interface Lottery {
  /** A number in [0, 2^53): lower wins a tie. Collisions are settled by id. */
  draw(id: string): number;
}

export function createLottery(seed: number | string): Lottery {
  let a: number;
  let b: number;
  if (typeof seed === 'string') {
    a = murmur3(seed, 0x9e3779b9);
    b = murmur3(seed, 0x7f4a7c15);
  } else {
    if (!Number.isFinite(seed)) throw new RangeError('seed must be a finite number or a string');
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    a = fmix32(lo ^ fmix32(hi ^ 0x9e3779b9));
    b = fmix32((a + 0x7f4a7c15) | 0);
  }
  return {
    draw(id) {
      return murmur3(id, a) * 0x20_0000 + (murmur3(id, b) >>> 11);
    },
  };
}
