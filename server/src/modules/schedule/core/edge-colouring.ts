/**
 * Proper edge colouring of a bipartite graph whose degrees are at most `colours`
 * (König: such a graph is always `colours`-edge-colourable), then equalised so
 * that colour classes differ in size by at most one (de Werra). Colours are rounds.
 */

/**
 * `ends[2k]` and `ends[2k + 1]` are the left and right node of edge k, with right
 * nodes numbered after the left ones (0 ≤ left < leftCount ≤ right < nodeCount).
 * Returns the colour of each edge. Throws if a node has more edges than colours.
 */
export function colourBipartiteEdges(nodeCount: number, ends: Int32Array, colours: number): Int32Array {
  const edgeCount = ends.length >> 1;
  const colour = new Int32Array(edgeCount).fill(-1);
  if (edgeCount === 0) return colour;
  if (colours < 1) throw new Error('no colours for a non-empty graph');
  // at[node * colours + c] = edge of colour c at node, or -1.
  const at = new Int32Array(nodeCount * colours).fill(-1);
  const path: number[] = [];

  const freeColour = (node: number): number => {
    const base = node * colours;
    for (let c = 0; c < colours; c++) if (at[base + c] === -1) return c;
    throw new Error(`node ${node} has more than ${colours} edges`);
  };
  const other = (edge: number, node: number): number =>
    ends[2 * edge] === node ? (ends[2 * edge + 1] as number) : (ends[2 * edge] as number);

  for (let edge = 0; edge < edgeCount; edge++) {
    const u = ends[2 * edge] as number;
    const v = ends[2 * edge + 1] as number;
    const alpha = freeColour(u);
    let chosen = alpha;
    if (at[v * colours + alpha] !== -1) {
      const beta = freeColour(v);
      if (at[u * colours + beta] === -1) {
        chosen = beta;
      } else {
        // Swap alpha and beta along the alternating path that starts at v with alpha;
        // in a bipartite graph it cannot reach u, and afterwards alpha is free at both ends.
        path.length = 0;
        let node = v;
        let c = alpha;
        for (;;) {
          const e = at[node * colours + c] as number;
          if (e === -1) break;
          path.push(e);
          node = other(e, node);
          c = c === alpha ? beta : alpha;
        }
        recolour(path, alpha, beta);
      }
    }
    colour[edge] = chosen;
    at[u * colours + chosen] = edge;
    at[v * colours + chosen] = edge;
  }

  function recolour(edges: readonly number[], a: number, b: number): void {
    for (const e of edges) {
      const c = colour[e] as number;
      at[(ends[2 * e] as number) * colours + c] = -1;
      at[(ends[2 * e + 1] as number) * colours + c] = -1;
    }
    for (const e of edges) {
      const c = colour[e] === a ? b : a;
      colour[e] = c;
      at[(ends[2 * e] as number) * colours + c] = e;
      at[(ends[2 * e + 1] as number) * colours + c] = e;
    }
  }

  // Equalise: the edges coloured A or B form alternating paths and even cycles; a path
  // with one more A edge than B edges exists while |A| ≥ |B| + 2, and swapping it moves one edge.
  const size = new Int32Array(colours);
  for (let e = 0; e < edgeCount; e++) size[colour[e] as number]!++;
  const seen = new Uint8Array(nodeCount);
  for (;;) {
    let big = 0;
    let small = 0;
    for (let c = 1; c < colours; c++) {
      if ((size[c] as number) > (size[big] as number)) big = c;
      if ((size[c] as number) < (size[small] as number)) small = c;
    }
    let excess = ((size[big] as number) - (size[small] as number)) >> 1;
    if (excess === 0) break;
    seen.fill(0);
    for (let start = 0; start < nodeCount && excess > 0; start++) {
      if (seen[start] || at[start * colours + big] === -1 || at[start * colours + small] !== -1) continue;
      path.length = 0;
      let node = start;
      let c = big;
      seen[node] = 1;
      for (;;) {
        const e = at[node * colours + c] as number;
        if (e === -1) break;
        path.push(e);
        node = other(e, node);
        c = c === big ? small : big;
      }
      seen[node] = 1;
      if (path.length % 2 === 1) {
        recolour(path, big, small);
        size[big]!--;
        size[small]!++;
        excess--;
      }
    }
  }
  return colour;
}
