/**
 * The exact problem with round formats, as an integer program solved by HiGHS: one binary
 * x[i,e,r] per mentor i, mentee e and round r left, so it shares nothing with the planner's
 * relaxation. Rules: a pair meets at most once over all rounds (never when it met in a held
 * round or is forbidden; pins are fixed to meet once); a mentee sits at most once per round; a
 * mentor hosts at most their seats in round r (table size, or the circle's size). Lexicographic,
 * as the planner: 1. max meetings, 2. min balance (Σ over present participants of
 * (history + 1) + … + (history + new meetings), unit level variables), 3. max score; each level
 * is solved with the previous ones fixed.
 *
 * `relax: true` drops integrality: the LP relaxation of the same model (an upper bound, used by
 * bench/planner-circles.ts on events too big for the integer program).
 */
import { scorePair } from '../scoring.ts';
import type { Objective, ReplanInput } from '../types.ts';
import { inputFacts, loadHighs } from './lp-oracle.ts';

export interface FormatsSolution extends Objective {
  status: 'optimal' | 'infeasible' | 'time limit';
  solveSeconds: number;
  variables: number;
}

function sum(terms: string[]): string {
  if (terms.length === 0) return '0 zero';
  const lines: string[] = [];
  for (let k = 0; k < terms.length; k += 40) lines.push(terms.slice(k, k + 40).join(' '));
  return lines.join('\n  ');
}

export async function solveFormatsExactly(
  input: ReplanInput,
  options: { relax?: boolean; timeLimitSeconds?: number } = {},
): Promise<FormatsSolution> {
  const highs = await loadHighs();
  const held = input.heldRounds.length;
  const remaining = input.rounds - held;
  const defaultSize = input.allowSharedTables ? 2 : 1;
  const { key, met, history, forbidden, pinned, mentors, mentees } = inputFacts(input);
  const seats = (size: number | undefined, r: number): number => {
    const format = input.formats?.[held + r];
    return format?.kind === 'circle' ? format.size : (size ?? defaultSize);
  };

  const constraints: string[] = [];
  const bounds: string[] = [' zero = 0'];
  const binaries: string[] = [];
  const allX: string[] = [];
  const scored: string[] = [];
  const byMentee = new Map<number, string[]>();
  const byMentor = new Map<number, string[]>();
  const byMenteeRound = new Map<string, string[]>();
  const byMentorRound = new Map<string, string[]>();
  const push = <K>(map: Map<K, string[]>, k: K, x: string): void => {
    const list = map.get(k);
    if (list) list.push(x);
    else map.set(k, [x]);
  };
  mentors.forEach((mentor, i) => {
    mentees.forEach((mentee, e) => {
      const k = key(mentor.id, mentee.id);
      if (remaining === 0 || met.has(k) || forbidden.has(k)) return;
      const score = scorePair(mentor.profile ?? {}, mentee.profile ?? {}, { at: input.scoringInstant }).score;
      const xs: string[] = [];
      for (let r = 0; r < remaining; r++) {
        const x = `x${i}_${e}_${r}`;
        xs.push(x);
        allX.push(`+ ${x}`);
        scored.push(`+ ${score} ${x}`);
        bounds.push(` 0 <= ${x} <= 1`);
        binaries.push(` ${x}`);
        push(byMentee, e, x);
        push(byMentor, i, x);
        push(byMenteeRound, `${e}_${r}`, x);
        push(byMentorRound, `${i}_${r}`, x);
      }
      constraints.push(` p${i}_${e}: ${sum(xs.map((x) => `+ ${x}`))} ${pinned.has(k) ? '=' : '<='} 1`);
    });
  });
  if (allX.length === 0) return { status: 'optimal', meetings: 0, balance: 0, score: 0, solveSeconds: 0, variables: 0 };
  for (const [er, xs] of byMenteeRound) constraints.push(` e${er}: ${sum(xs.map((x) => `+ ${x}`))} <= 1`);
  for (const [ir, xs] of byMentorRound) {
    const [i, r] = ir.split('_').map(Number) as [number, number];
    constraints.push(` m${ir}: ${sum(xs.map((x) => `+ ${x}`))} <= ${seats(mentors[i]?.tableSize, r)}`);
  }
  // Balance: degree = Σ unit levels, the k-th costing history + k (convex, so filled in order).
  const levelTerms: string[] = [];
  const addLevels = (row: string, id: string, xs: string[] | undefined, most: number): void => {
    if (!xs) return;
    const h = history.get(id) ?? 0;
    const levels = Array.from({ length: Math.min(most, xs.length) }, (_, k) => `${row}l${k}`);
    constraints.push(` ${row}d: ${sum([...xs.map((x) => `+ ${x}`), ...levels.map((l) => `- ${l}`)])} = 0`);
    levels.forEach((l, k) => {
      bounds.push(` 0 <= ${l} <= 1`);
      levelTerms.push(`+ ${h + k + 1} ${l}`);
    });
  };
  mentees.forEach((p, e) => addLevels(`E${e}`, p.id, byMentee.get(e), remaining));
  mentors.forEach((p, i) => addLevels(`M${i}`, p.id, byMentor.get(i), byMentor.get(i)?.length ?? 0));

  const write = (sense: 'Maximize' | 'Minimize', objective: string, extra: string[]): string =>
    [
      sense,
      ` obj: ${objective}`,
      'Subject To',
      ...constraints,
      ...extra,
      'Bounds',
      ...bounds,
      ...(options.relax ? [] : ['Binary', ...binaries]),
      'End',
      '',
    ].join('\n');

  const started = performance.now();
  const budget = options.timeLimitSeconds;
  let status: FormatsSolution['status'] = 'optimal';
  const run = (lp: string): number | null => {
    const left = budget === undefined ? undefined : budget - (performance.now() - started) / 1000;
    if (left !== undefined && left <= 0) return (status = 'time limit'), null;
    const result = highs.solve(lp, { output_flag: false, ...(left === undefined ? {} : { time_limit: left }), ...(options.relax ? {} : { mip_rel_gap: 0 }) });
    if (result.Status === 'Infeasible') return (status = 'infeasible'), null;
    if (result.Status !== 'Optimal') return (status = 'time limit'), null;
    return options.relax ? result.ObjectiveValue : Math.round(result.ObjectiveValue);
  };
  const done = (meetings: number, balance: number, score: number): FormatsSolution => ({
    status,
    meetings,
    balance,
    score,
    solveSeconds: (performance.now() - started) / 1000,
    variables: allX.length,
  });
  const meetings = run(write('Maximize', sum(allX), []));
  if (meetings === null) return done(Number.NaN, Number.NaN, Number.NaN);
  // Relaxed levels are fixed with a little slack, as an LP optimum is a float.
  const slack = options.relax ? 1e-6 : 0;
  const fixMeetings = ` meetings: ${sum(allX)} >= ${meetings - slack}`;
  const balance = run(write('Minimize', sum(levelTerms), [fixMeetings]));
  if (balance === null) return done(meetings, Number.NaN, Number.NaN);
  const score = run(write('Maximize', sum(scored), [fixMeetings, ` balance: ${sum(levelTerms)} <= ${balance + slack}`]));
  return done(meetings, balance, score ?? Number.NaN);
}
