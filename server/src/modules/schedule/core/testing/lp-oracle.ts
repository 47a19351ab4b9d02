/**
 * An independent statement of what the planner optimises, solved as a linear program by
 * HiGHS. It re-derives eligibility, capacities and history from the input alone and scores
 * pairs with the public scorePair, so it shares no code with the planner's flow.
 *
 * Lexicographic, in three LP solves (each optimum face of a totally unimodular system is
 * integral, so the LP values are the integer optima):
 *   1. meetings: max Σx;
 *   2. balance: with Σx = meetings, min Σ_p Σ_{k ≤ new meetings of p} (history_p + k), over
 *      present mentees and mentors (a convex cost written with unit level variables);
 *   3. score: with both fixed, max Σ score·x.
 */
import { scorePair } from '../scoring.ts';
import type { Plan, ReplanInput, Seat } from '../types.ts';

export interface Objective {
  meetings: number;
  balance: number;
  score: number;
}

export interface LpResult extends Objective {
  /** Wall-clock seconds spent inside HiGHS (all three solves). */
  solveSeconds: number;
  variables: number;
}

type Solver = { solve(problem: string, options?: Record<string, unknown>): { Status: string; ObjectiveValue: number } };

let highsPromise: Promise<Solver> | undefined;
export function loadHighs(): Promise<Solver> {
  highsPromise ??= import('highs').then(async (module) => (await module.default()) as unknown as Solver);
  return highsPromise;
}

interface Model {
  xs: { name: string; score: number; pinned: boolean }[];
  /** Per present participant: the x names touching them and their level costs. */
  nodes: { row: string; xs: string[]; levelCosts: number[] }[];
}

/**
 * What an input rules in and out, for the exact models: pairs that met in held rounds, each person's
 * meetings so far, forbidden and pinned pairs (by `key`), and who is present.
 */
export function inputFacts(input: ReplanInput) {
  const absent = new Set(input.absentIds ?? []);
  const key = (mentorId: string, menteeId: string): string => `${mentorId}\u0000${menteeId}`;
  const met = new Set<string>();
  const history = new Map<string, number>();
  for (const round of input.heldRounds) {
    for (const table of round.tables) {
      for (const mentorId of table.coMentorId === undefined ? [table.mentorId] : [table.mentorId, table.coMentorId]) {
        for (const menteeId of table.menteeIds) {
          met.add(key(mentorId, menteeId));
          history.set(menteeId, (history.get(menteeId) ?? 0) + 1);
          history.set(mentorId, (history.get(mentorId) ?? 0) + 1);
        }
      }
    }
  }
  const forbidden = new Set((input.forbidden ?? []).map((p) => key(p.mentorId, p.menteeId)));
  const pinned = new Set((input.pinned ?? []).map((p) => key(p.mentorId, p.menteeId)));
  const mentors = input.mentors.filter((p) => !absent.has(p.id));
  const mentees = input.mentees.filter((p) => !absent.has(p.id));
  return { key, met, history, forbidden, pinned, mentors, mentees };
}

function buildModel(input: ReplanInput): Model {
  const remaining = input.rounds - input.heldRounds.length;
  const { key, met, history, forbidden, pinned, mentors, mentees } = inputFacts(input);
  const xs: Model['xs'] = [];
  const touching = new Map<string, string[]>();
  for (const p of [...mentors, ...mentees]) touching.set(p.id, []);
  mentors.forEach((mentor, i) => {
    mentees.forEach((mentee, e) => {
      const k = key(mentor.id, mentee.id);
      if (remaining === 0 || met.has(k) || forbidden.has(k)) return;
      const name = `x${i}_${e}`;
      xs.push({ name, score: scorePair(mentor.profile ?? {}, mentee.profile ?? {}, { at: input.scoringInstant }).score, pinned: pinned.has(k) });
      touching.get(mentor.id)!.push(name);
      touching.get(mentee.id)!.push(name);
    });
  });
  const defaultSize = input.allowSharedTables ? 2 : 1;
  const nodes: Model['nodes'] = [];
  const addNode = (id: string, row: string, capacity: number): void => {
    const h = history.get(id) ?? 0;
    const levels = Math.min(capacity, touching.get(id)!.length);
    nodes.push({ row, xs: touching.get(id)!, levelCosts: Array.from({ length: levels }, (_, k) => h + k + 1) });
  };
  mentors.forEach((p, i) => addNode(p.id, `r${i}`, remaining * (p.tableSize ?? defaultSize)));
  mentees.forEach((p, e) => addNode(p.id, `e${e}`, remaining));
  return { xs, nodes };
}

function sum(terms: string[]): string {
  if (terms.length === 0) return '0 zero';
  const lines: string[] = [];
  for (let k = 0; k < terms.length; k += 40) lines.push(terms.slice(k, k + 40).join(' '));
  return lines.join('\n  ');
}

/** The exact optimum of the planner's problem for `input`, by HiGHS (`options` are HiGHS options). */
export async function solveWithLp(input: ReplanInput, options: Record<string, unknown> = {}): Promise<LpResult> {
  const highs = await loadHighs();
  const model = buildModel(input);
  if (model.xs.length === 0) return { meetings: 0, balance: 0, score: 0, solveSeconds: 0, variables: 0 };

  const constraints: string[] = [];
  const bounds: string[] = [' zero = 0'];
  const levelTerms: string[] = [];
  model.nodes.forEach((node, p) => {
    if (node.xs.length === 0) return;
    const levels = node.levelCosts.map((_, k) => `l${p}_${k}`);
    // Degree = Σ levels; a participant may not exceed their capacity (the number of levels).
    constraints.push(` ${node.row}: ${sum([...node.xs.map((x) => `+ ${x}`), ...levels.map((l) => `- ${l}`)])} = 0`);
    levels.forEach((l, k) => {
      bounds.push(` 0 <= ${l} <= 1`);
      levelTerms.push(`+ ${node.levelCosts[k]} ${l}`);
    });
  });
  for (const x of model.xs) bounds.push(x.pinned ? ` ${x.name} = 1` : ` 0 <= ${x.name} <= 1`);
  const allX = model.xs.map((x) => `+ ${x.name}`);

  const write = (sense: 'Maximize' | 'Minimize', objective: string, extra: string[]): string =>
    [`${sense}`, ` obj: ${objective}`, 'Subject To', ...constraints, ...extra, 'Bounds', ...bounds, 'End', ''].join('\n');

  let seconds = 0;
  const run = (lp: string): number => {
    const started = performance.now();
    const result = highs.solve(lp, { output_flag: false, ...options });
    seconds += (performance.now() - started) / 1000;
    if (result.Status !== 'Optimal') throw new Error(`HiGHS: ${result.Status}`);
    return Math.round(result.ObjectiveValue);
  };
  const meetings = run(write('Maximize', sum(allX), []));
  const fixMeetings = ` meetings: ${sum(allX)} = ${meetings}`;
  const balance = run(write('Minimize', sum(levelTerms), [fixMeetings]));
  const score = run(
    write(
      'Maximize',
      sum(model.xs.map((x) => `+ ${x.score} ${x.name}`)),
      [fixMeetings, ` balance: ${sum(levelTerms)} <= ${balance}`],
    ),
  );
  return { meetings, balance, score, solveSeconds: seconds, variables: model.xs.length };
}

/** The same three numbers read off a plan: its new rounds' meetings (a co-host's included), balance cost and score. */
export function objectiveOf(input: ReplanInput, plan: Plan): Objective {
  const absent = new Set(input.absentIds ?? []);
  const history = new Map<string, number>();
  const added = new Map<string, number>();
  const bump = (map: Map<string, number>, id: string): void => void map.set(id, (map.get(id) ?? 0) + 1);
  let meetings = 0;
  let score = 0;
  for (const round of plan.rounds) {
    for (const table of round.tables) {
      const hosts: [string, Seat[]][] = [[table.mentorId, table.seats]];
      if (table.coMentorId !== undefined) hosts.push([table.coMentorId, table.coSeats ?? []]);
      for (const [mentorId, seats] of hosts) {
        for (const seat of seats) {
          if (round.held) {
            bump(history, seat.menteeId);
            bump(history, mentorId);
          } else {
            bump(added, seat.menteeId);
            bump(added, mentorId);
            meetings++;
            score += seat.score;
          }
        }
      }
    }
  }
  let balance = 0;
  for (const p of [...input.mentors, ...input.mentees]) {
    if (absent.has(p.id)) continue;
    const h = history.get(p.id) ?? 0;
    for (let k = 1; k <= (added.get(p.id) ?? 0); k++) balance += h + k;
  }
  return { meetings, balance, score };
}
