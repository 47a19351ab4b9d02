/**
 * The exact problem with round formats, as an integer program solved by HiGHS: one binary
 * x[i,e,r] per mentor i, mentee e and round r left, so it shares nothing with the planner's
 * relaxation. Rules: a pair meets at most once over all rounds (never when it met in a held
 * round or is forbidden; pins are fixed to meet once); a mentee sits at most once per round; a
 * mentor hosts at most their seats in round r (table size, or the circle's size).
 *
 * A co-hosted circle round (hosts: 2) has its own variables: y[i,j,r] = 1 when mentors i < j
 * co-host a circle, z[i,r] = 1 when i hosts one alone (at most one such mentor, and only when an
 * odd number of mentors is present), each mentor in at most one of them; a seat c[i,j,e,r] (only
 * where e may meet both) is two meetings, (i,e) and (j,e), and a seat s[i,e,r] one; a circle holds
 * at most `size` mentees (Σ_e c[i,j,e,r] ≤ size·y[i,j,r], Σ_e s[i,e,r] ≤ size·z[i,r]).
 *
 * Lexicographic, as the planner: 1. max meetings, 2. min balance (Σ over present participants of
 * (history + 1) + … + (history + new meetings), unit level variables), 3. max score (a co-hosted
 * seat scores both hosts); each level is solved with the previous ones fixed.
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
  const formatOf = (r: number) => input.formats?.[held + r];
  const seats = (size: number | undefined, r: number): number => {
    const format = formatOf(r);
    return format?.kind === 'circle' ? format.size : (size ?? defaultSize);
  };
  const coHosted = (r: number): boolean => {
    const format = formatOf(r);
    return format?.kind === 'circle' && format.hosts === 2;
  };

  const constraints: string[] = [];
  const bounds: string[] = [' zero = 0'];
  const binaries: string[] = [];
  // Terms (with their coefficient) of the objective levels and of each row.
  const allX: string[] = [];
  const scored: string[] = [];
  const byPair = new Map<string, string[]>();
  const byMentee = new Map<number, string[]>();
  const byMentor = new Map<number, string[]>();
  const byMenteeRound = new Map<string, string[]>();
  const byMentorRound = new Map<string, string[]>();
  const push = <K>(map: Map<K, string[]>, k: K, term: string): void => {
    const list = map.get(k);
    if (list) list.push(term);
    else map.set(k, [term]);
  };
  const binary = (name: string): string => {
    bounds.push(` 0 <= ${name} <= 1`);
    binaries.push(` ${name}`);
    return name;
  };
  const may = mentors.map((mentor) => mentees.map((mentee) => !met.has(key(mentor.id, mentee.id)) && !forbidden.has(key(mentor.id, mentee.id))));
  const fit = mentors.map((mentor) => mentees.map((mentee) => scorePair(mentor.profile ?? {}, mentee.profile ?? {}, { at: input.scoringInstant }).score));
  for (let r = 0; r < remaining; r++) {
    if (!coHosted(r)) {
      mentors.forEach((_, i) => {
        mentees.forEach((_, e) => {
          if (!may[i]![e]) return;
          const x = binary(`x${i}_${e}_${r}`);
          allX.push(`+ ${x}`);
          scored.push(`+ ${fit[i]![e]} ${x}`);
          push(byPair, `${i}_${e}`, `+ ${x}`);
          push(byMentee, e, `+ ${x}`);
          push(byMentor, i, `+ ${x}`);
          push(byMenteeRound, `${e}_${r}`, `+ ${x}`);
          push(byMentorRound, `${i}_${r}`, `+ ${x}`);
        });
      });
      continue;
    }
    const size = seats(undefined, r);
    const hostOf = new Map<number, string[]>();
    const alone: string[] = [];
    mentors.forEach((_, i) => {
      const z = binary(`z${i}_${r}`);
      alone.push(`+ ${z}`);
      push(hostOf, i, `+ ${z}`);
      const sits: string[] = [];
      mentees.forEach((_, e) => {
        if (!may[i]![e]) return;
        const x = binary(`s${i}_${e}_${r}`);
        sits.push(`+ ${x}`);
        allX.push(`+ ${x}`);
        scored.push(`+ ${fit[i]![e]} ${x}`);
        push(byPair, `${i}_${e}`, `+ ${x}`);
        push(byMentee, e, `+ ${x}`);
        push(byMentor, i, `+ ${x}`);
        push(byMenteeRound, `${e}_${r}`, `+ ${x}`);
      });
      constraints.push(` a${i}_${r}: ${sum([...sits, `- ${size} ${z}`])} <= 0`);
      for (let j = i + 1; j < mentors.length; j++) {
        const y = binary(`y${i}_${j}_${r}`);
        push(hostOf, i, `+ ${y}`);
        push(hostOf, j, `+ ${y}`);
        const both: string[] = [];
        mentees.forEach((_, e) => {
          if (!may[i]![e] || !may[j]![e]) return;
          const c = binary(`c${i}_${j}_${e}_${r}`);
          both.push(`+ ${c}`);
          allX.push(`+ 2 ${c}`);
          scored.push(`+ ${fit[i]![e]! + fit[j]![e]!} ${c}`);
          push(byPair, `${i}_${e}`, `+ ${c}`);
          push(byPair, `${j}_${e}`, `+ ${c}`);
          push(byMentee, e, `+ 2 ${c}`);
          push(byMentor, i, `+ ${c}`);
          push(byMentor, j, `+ ${c}`);
          push(byMenteeRound, `${e}_${r}`, `+ ${c}`);
        });
        if (both.length > 0) constraints.push(` b${i}_${j}_${r}: ${sum([...both, `- ${size} ${y}`])} <= 0`);
      }
    });
    constraints.push(` alone${r}: ${sum(alone)} <= ${mentors.length % 2}`);
    for (const [i, terms] of hostOf) constraints.push(` h${i}_${r}: ${sum(terms)} <= 1`);
  }
  if (allX.length === 0) return { status: 'optimal', meetings: 0, balance: 0, score: 0, solveSeconds: 0, variables: 0 };
  mentors.forEach((mentor, i) => {
    mentees.forEach((mentee, e) => {
      const terms = byPair.get(`${i}_${e}`);
      if (terms) constraints.push(` p${i}_${e}: ${sum(terms)} ${pinned.has(key(mentor.id, mentee.id)) ? '=' : '<='} 1`);
    });
  });
  for (const [er, terms] of byMenteeRound) constraints.push(` e${er}: ${sum(terms)} <= 1`);
  for (const [ir, terms] of byMentorRound) {
    const [i, r] = ir.split('_').map(Number) as [number, number];
    constraints.push(` m${ir}: ${sum(terms)} <= ${seats(mentors[i]?.tableSize, r)}`);
  }
  // Balance: degree = Σ unit levels, the k-th costing history + k (convex, so filled in order).
  const levelTerms: string[] = [];
  const addLevels = (row: string, id: string, terms: string[] | undefined, most: number): void => {
    if (!terms) return;
    const h = history.get(id) ?? 0;
    const reach = terms.reduce((total, term) => total + (term.startsWith('+ 2 ') ? 2 : 1), 0);
    const levels = Array.from({ length: Math.min(most, reach) }, (_, k) => `${row}l${k}`);
    constraints.push(` ${row}d: ${sum([...terms, ...levels.map((l) => `- ${l}`)])} = 0`);
    levels.forEach((l, k) => {
      bounds.push(` 0 <= ${l} <= 1`);
      levelTerms.push(`+ ${h + k + 1} ${l}`);
    });
  };
  let slots = 0;
  for (let r = 0; r < remaining; r++) slots += coHosted(r) ? 2 : 1;
  mentees.forEach((p, e) => addLevels(`E${e}`, p.id, byMentee.get(e), slots));
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
    variables: binaries.length,
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
