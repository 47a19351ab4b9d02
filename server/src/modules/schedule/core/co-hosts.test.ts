import { describe, expect, it } from 'vitest';
import { ACCESS, pairMentors, planCoHostedRound, type CoHostedRound } from './co-hosts.ts';

/** A symmetric weight table from the pairs listed (others weigh 0). */
function weights(count: number, listed: [number, number, number][]): (a: number, b: number) => number {
  const table = new Float64Array(count * count);
  for (const [a, b, w] of listed) table[a * count + b] = table[b * count + a] = w;
  return (a, b) => table[a * count + b] as number;
}

describe('pairing co-hosts', () => {
  it('swaps partners where the greedy choice of the heaviest pair blocks two good ones', () => {
    // Greedy takes 0–1 (10) and is left with 2–3 (0); 0–2 and 1–3 weigh 18 together.
    const { pairs, alone } = pairMentors(4, weights(4, [[0, 1, 10], [0, 2, 9], [1, 3, 9]]), () => 0);
    expect(pairs.map((pair) => [...pair].sort()).sort()).toEqual([[0, 2], [1, 3]]);
    expect(alone).toBe(-1);
  });

  it('lets the mentor who does best alone host alone when their number is odd', () => {
    const alone = [0, 3, 0];
    const result = pairMentors(3, weights(3, [[0, 1, 5], [0, 2, 4], [1, 2, 1]]), (a) => alone[a] as number);
    expect(result).toEqual({ pairs: [[0, 2]], alone: 1 });
  });
});

describe('seating a co-hosted round', () => {
  /** Mentors 0–3, mentees 0–3: mentees 0 and 1 may meet only mentors 0 and 2, mentees 2 and 3 only mentors 1 and 3. */
  function round(overrides: Partial<CoHostedRound> = {}): CoHostedRound {
    const n = 4;
    const access = new Uint8Array(4 * n);
    for (const [a, e] of [[0, 0], [0, 1], [2, 0], [2, 1], [1, 2], [1, 3], [3, 2], [3, 3]] as const) access[a * n + e] = ACCESS.free;
    return {
      n,
      mentors: [0, 1, 2, 3],
      mentees: [0, 1, 2, 3],
      size: 2,
      access,
      score: new Uint8Array(4 * n),
      countE: new Int32Array(n),
      countI: new Int32Array(4),
      lastChance: false,
      ...overrides,
    };
  }

  it('pairs the mentors whose mentees overlap and seats every mentee with both hosts', () => {
    const circles = planCoHostedRound(round()).map((c) => ({ hosts: [...c.hosts].sort(), mentees: [...c.mentees].sort() }));
    expect(circles.sort((x, y) => (x.hosts[0] as number) - (y.hosts[0] as number))).toEqual([
      { hosts: [0, 2], mentees: [0, 1] },
      { hosts: [1, 3], mentees: [2, 3] },
    ]);
  });

  it('seats the least-met mentees first when seats are short', () => {
    const circles = planCoHostedRound(round({ size: 1, countE: Int32Array.from([3, 0, 0, 5]) }));
    expect(circles.flatMap((c) => c.mentees).sort()).toEqual([1, 2]);
  });

  it('never seats a mentee with a host she may not meet', () => {
    const base = round();
    const access = base.access.slice();
    access[2 * base.n + 1] = ACCESS.none; // mentor 2 may no longer meet mentee 1
    for (const circle of planCoHostedRound({ ...base, access })) {
      for (const e of circle.mentees) for (const a of circle.hosts) expect(access[a * base.n + e]).not.toBe(ACCESS.none);
    }
  });
});
