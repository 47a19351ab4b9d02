/**
 * An independent statement of what circleMatch optimises, as an integer program solved by HiGHS
 * (tests and bench/circles-final.ts). It shares only the model's reading of the input (acceptable
 * pairs and the seed-tie-broken preferences), none of the lattice search.
 *
 *   x[e] = 1 when edge e (mentee i, mentor j) is in a circle; Σ_j x ≤ min(1, size_i), Σ_i x ≤ cap_j.
 *   Stability (Baïou & Balinski's linear form for many-to-one): for every edge e = (i, j) of a
 *   seeking mentee, cap_j · (1 − Σ_{e' ⪰_i e} x[e']) ≤ Σ_{e'' ≻_j e} x[e'']: if i does not have j or
 *   better, j is full with mentees it prefers to i.
 *   y[w, j] ≤ x[a, j], y[w, j] ≤ x[b, j] for a mutual wish w = {a, b} and a mentor j both can have.
 * Solves: max Σ y; then, with Σ y ≥ that, min Σ menteePos · x (the rank sum).
 */
import { loadHighs } from '../../../schedule/core/testing/lp-oracle.ts';
import { circleInput, type CirclesInput } from '../circles.ts';
import { buildModel } from '../model.ts';

export interface CirclesIlpResult {
  status: 'optimal' | 'time limit';
  wishes: number;
  rankSum: number;
  solveSeconds: number;
  variables: number;
}

export async function solveCirclesExactly(input: CirclesInput, options: { timeLimitSeconds?: number } = {}): Promise<CirclesIlpResult> {
  const highs = await loadHighs();
  const model = buildModel(circleInput(input));
  const E = model.edgeCount;
  const x = (e: number): string => `x${e}`;
  const rows: string[] = [];
  const sum = (terms: string[]): string => (terms.length ? terms.join(' ').replace(/^\+ /, '') : '0 x0');
  for (let i = 0; i < model.n; i++) {
    const edges = Array.from(model.menteeEdges.subarray(model.menteeStart[i]!, model.menteeStart[i + 1]!));
    if (edges.length) rows.push(` e${i}: ${sum(edges.map((e) => `+ ${x(e)}`))} <= ${model.quota[i]}`);
  }
  for (let j = 0; j < model.m; j++) {
    const edges = Array.from(model.mentorEdges.subarray(model.mentorStart[j]!, model.mentorStart[j + 1]!));
    if (edges.length) rows.push(` r${j}: ${sum(edges.map((e) => `+ ${x(e)}`))} <= ${model.capacity[j]}`);
  }
  for (let e = 0; e < E; e++) {
    const i = model.edgeMentee[e]!;
    const j = model.edgeMentor[e]!;
    const cap = model.capacity[j]!;
    if (model.quota[i] === 0 || cap === 0) continue;
    const mine = Array.from(model.menteeEdges.subarray(model.menteeStart[i]!, model.menteeStart[i + 1]!)).filter((f) => model.menteePos[f]! <= model.menteePos[e]!);
    const preferred = Array.from(model.mentorEdges.subarray(model.mentorStart[j]!, model.mentorStart[j + 1]!)).filter((f) => model.mentorPos[f]! < model.mentorPos[e]!);
    rows.push(` s${e}: ${sum([...mine.map((f) => `+ ${cap} ${x(f)}`), ...preferred.map((f) => `+ ${x(f)}`)])} >= ${cap}`);
  }
  // Mutual wishes straight from the input: a listed b and b listed a.
  const wishes = input.peerWishes ?? {};
  const ys: string[] = [];
  const edgeOf = new Map<string, number>();
  for (let e = 0; e < E; e++) edgeOf.set(`${model.edgeMentee[e]}:${model.edgeMentor[e]}`, e);
  for (const [aId, peers] of Object.entries(wishes)) {
    for (const bId of new Set(peers)) {
      if (!(aId < bId) || !(wishes[bId] ?? []).includes(aId)) continue;
      const a = model.menteeIndex.get(aId)!;
      const b = model.menteeIndex.get(bId)!;
      for (let j = 0; j < model.m; j++) {
        const ea = edgeOf.get(`${a}:${j}`);
        const eb = edgeOf.get(`${b}:${j}`);
        if (ea === undefined || eb === undefined) continue;
        const y = `y${ys.length}`;
        ys.push(y);
        rows.push(` ${y}a: ${y} - ${x(ea)} <= 0`, ` ${y}b: ${y} - ${x(eb)} <= 0`);
      }
    }
  }
  const started = performance.now();
  const variables = E + ys.length;
  if (E === 0) return { status: 'optimal', wishes: 0, rankSum: 0, solveSeconds: 0, variables };
  let status: CirclesIlpResult['status'] = 'optimal';
  const binaries = [...Array.from({ length: E }, (_, e) => x(e)), ...ys];
  const run = (sense: 'Maximize' | 'Minimize', objective: string, extra: string[]): number => {
    const lp = [sense, ` obj: ${objective}`, 'Subject To', ...rows, ...extra, 'Binary', ...binaries, 'End', ''].join('\n');
    const left = options.timeLimitSeconds === undefined ? undefined : Math.max(0.01, options.timeLimitSeconds - (performance.now() - started) / 1000);
    const result = highs.solve(lp, { output_flag: false, mip_rel_gap: 0, ...(left === undefined ? {} : { time_limit: left }) });
    if (result.Status !== 'Optimal') {
      status = 'time limit';
      return Number.NaN;
    }
    return Math.round(result.ObjectiveValue);
  };
  const wishTerms = sum(ys.map((y) => `+ ${y}`));
  const best = ys.length ? run('Maximize', wishTerms, []) : 0;
  const rankTerms = sum(Array.from({ length: E }, (_, e) => `+ ${model.menteePos[e]} ${x(e)}`));
  const rankSum = Number.isNaN(best) ? Number.NaN : run('Minimize', rankTerms, ys.length ? [` wishes: ${wishTerms} >= ${best}`] : []);
  return { status, wishes: best, rankSum, solveSeconds: (performance.now() - started) / 1000, variables };
}
