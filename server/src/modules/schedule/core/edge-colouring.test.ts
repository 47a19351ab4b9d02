import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { colourBipartiteEdges } from './edge-colouring.ts';

/** A simple bipartite graph with every degree ≤ colours. */
const graphArbitrary = fc
  .record({
    left: fc.integer({ min: 1, max: 12 }),
    right: fc.integer({ min: 1, max: 8 }),
    colours: fc.integer({ min: 1, max: 6 }),
    edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 60 }),
  })
  .map(({ left, right, colours, edges }) => {
    const degree = new Array(left + right).fill(0);
    const seen = new Set<string>();
    const ends: number[] = [];
    for (const [a, b] of edges) {
      const u = a % left;
      const v = left + (b % right);
      if (seen.has(`${u}-${v}`) || degree[u] >= colours || degree[v] >= colours) continue;
      seen.add(`${u}-${v}`);
      degree[u]++;
      degree[v]++;
      ends.push(u, v);
    }
    return { nodes: left + right, ends: Int32Array.from(ends), colours };
  });

describe('colourBipartiteEdges', () => {
  it('gives each round a proper matching and rounds of equal size within one', () => {
    fc.assert(
      fc.property(graphArbitrary, ({ nodes, ends, colours }) => {
        const colour = colourBipartiteEdges(nodes, ends, colours);
        const used = new Set<string>();
        const size = new Array(colours).fill(0);
        colour.forEach((c, k) => {
          expect(c).toBeGreaterThanOrEqual(0);
          expect(c).toBeLessThan(colours);
          for (const node of [ends[2 * k], ends[2 * k + 1]]) {
            expect(used.has(`${node}:${c}`)).toBe(false);
            used.add(`${node}:${c}`);
          }
          size[c]++;
        });
        if (colour.length > 0) expect(Math.max(...size) - Math.min(...size)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('colours a complete bipartite graph K(4,4) with four colours', () => {
    const ends: number[] = [];
    for (let u = 0; u < 4; u++) for (let v = 4; v < 8; v++) ends.push(u, v);
    const colour = colourBipartiteEdges(8, Int32Array.from(ends), 4);
    expect([...colour].sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });

  it('refuses a node with more edges than colours', () => {
    expect(() => colourBipartiteEdges(3, Int32Array.from([0, 1, 0, 2]), 1)).toThrow(/more than 1 edges/);
  });
});
