import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinCostFlow } from './min-cost-flow.ts';
import { loadHighs } from './testing/lp-oracle.ts';

interface Instance {
  nodes: number;
  arcs: { from: number; to: number; capacity: number; cost: number; deferred: boolean }[];
  supply: number[];
}

const instanceArbitrary: fc.Arbitrary<Instance> = fc
  .record({
    nodes: fc.integer({ min: 2, max: 9 }),
    arcs: fc.array(
      fc.record({ from: fc.nat(), to: fc.nat(), capacity: fc.integer({ min: 0, max: 4 }), cost: fc.integer({ min: -10, max: 10 }), deferred: fc.boolean() }),
      { maxLength: 30 },
    ),
    moves: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 3 })), { maxLength: 4 }),
  })
  .map(({ nodes, arcs, moves }) => {
    const supply = new Array(nodes).fill(0);
    for (const [a, b, q] of moves) {
      supply[a % nodes] += q;
      supply[b % nodes] -= q;
    }
    const kept = arcs
      .map((arc) => ({ ...arc, from: arc.from % nodes, to: arc.to % nodes }))
      .filter((arc) => arc.from !== arc.to);
    return { nodes, arcs: kept, supply };
  });

function lpText(instance: Instance): string {
  const { nodes, arcs, supply } = instance;
  const objective = arcs.map((a, k) => `${a.cost >= 0 ? '+' : '-'} ${Math.abs(a.cost)} x${k}`).join(' ');
  const rows = Array.from({ length: nodes }, (_, u) => {
    const terms = arcs.map((a, k) => (a.from === u ? ` + x${k}` : a.to === u ? ` - x${k}` : '')).join('');
    return ` n${u}: ${terms || '0 zero'} = ${supply[u]}`;
  });
  const bounds = [' zero = 0', ...arcs.map((a, k) => ` 0 <= x${k} <= ${a.capacity}`)];
  return ['Minimize', ` obj: ${objective || '0 zero'}`, 'Subject To', ...rows, 'Bounds', ...bounds, 'End', ''].join('\n');
}

describe('MinCostFlow', () => {
  it('finds the same optimum as HiGHS, with arcs held back for the pricer', async () => {
    const highs = await loadHighs();
    fc.assert(
      fc.property(instanceArbitrary, (instance) => {
        const flow = new MinCostFlow(instance.nodes);
        const idOf = new Map<number, number>();
        instance.arcs.forEach((a, k) => {
          if (!a.deferred) idOf.set(k, flow.addArc(a.from, a.to, a.capacity, a.cost));
        });
        instance.supply.forEach((s, u) => flow.setSupply(u, s));
        const status = flow.solve({
          maxPricedCost: 10,
          pricer: (pi, network) => {
            instance.arcs.forEach((a, k) => {
              if (!idOf.has(k) && a.cost + (pi[a.from] as number) - (pi[a.to] as number) < 0) {
                idOf.set(k, network.addArc(a.from, a.to, a.capacity, a.cost));
              }
            });
          },
        });
        const reference = highs.solve(lpText(instance), { output_flag: false });
        if (reference.Status !== 'Optimal') {
          expect(status).toBe('infeasible');
          return;
        }
        expect(status).toBe('optimal');
        const balance = new Array(instance.nodes).fill(0);
        let cost = 0;
        instance.arcs.forEach((a, k) => {
          const id = idOf.get(k);
          const x = id === undefined ? 0 : flow.flow(id);
          expect(Number.isInteger(x)).toBe(true);
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(a.capacity);
          balance[a.from] += x;
          balance[a.to] -= x;
          cost += x * a.cost;
          // Complementary slackness: the potentials certify optimality arc by arc, held-back arcs included.
          const reduced = a.cost + flow.potential(a.from) - flow.potential(a.to);
          if (x < a.capacity) expect(reduced).toBeGreaterThanOrEqual(0);
          if (x > 0) expect(reduced).toBeLessThanOrEqual(0);
        });
        expect(balance).toEqual(instance.supply);
        expect(cost).toBe(Math.round(reference.ObjectiveValue));
      }),
      { numRuns: 400 },
    );
  });

  it('rejects supplies that do not balance', () => {
    const flow = new MinCostFlow(2);
    flow.setSupply(0, 1);
    expect(() => flow.solve()).toThrow(/sum to zero/);
  });
});
