/**
 * Validates a `MatchInput` and indexes it into typed arrays shared by every algorithm.
 *
 * Met pairs: a pair met when it appears anywhere in the input (the mentee ranked the mentor or
 * marked them "not a fit", or the mentor rated the mentee). A met pair is acceptable when the
 * mentee did not mark "not a fit", the mentor rated the mentee with `wouldMentor: true` (no
 * rating, no consent), and the mentee ranked the mentor or the unranked policy is `last`.
 */
import { createLottery } from './lottery.ts';
import { MatchingInputError, type MatchInput, type PairProblem, type UnrankedPolicy } from './types.ts';

export const MET_NOT_A_FIT = 1;
export const MET_RATED = 2;
export const MET_WOULD_MENTOR = 4;

export interface Model {
  unranked: UnrankedPolicy;
  n: number;
  m: number;
  menteeIds: string[];
  mentorIds: string[];
  menteeIndex: Map<string, number>;
  mentorIndex: Map<string, number>;
  /** Mentee constellation size. */
  quota: Int32Array;
  capacity: Int32Array;
  /** Mentor index the mentee ranked first, or -1. */
  firstChoice: Int32Array;

  /** Met pairs, keyed `i * m + j`. */
  metIndex: Map<number, number>;
  metMentee: Int32Array;
  metMentor: Int32Array;
  /** Mentee's rank of the mentor, 0 when unranked. */
  metRank: Int32Array;
  metFit: Int32Array;
  metFlags: Uint8Array;
  /** Acceptable-edge index of the met pair, or -1. */
  metEdge: Int32Array;
  metCountOfMentee: Int32Array;
  metCountOfMentor: Int32Array;
  /** Met mentors the mentee marked "not a fit". */
  notAFitCountOfMentee: Int32Array;
  /** Met pairs rated "would mentor", per side. */
  wouldCountOfMentee: Int32Array;
  wouldCountOfMentor: Int32Array;

  /** Acceptable pairs ("edges"). */
  edgeCount: number;
  edgeMentee: Int32Array;
  edgeMentor: Int32Array;
  edgeRank: Int32Array;
  edgeFit: Int32Array;
  /** Position in the mentee's strict (tie-broken) preference list, 0 = best. */
  menteePos: Int32Array;
  /** Position in the mentor's strict preference list, 0 = best. */
  mentorPos: Int32Array;
  /** Edges of mentee i in strict preference order: menteeEdges[menteeStart[i] .. menteeStart[i+1]). */
  menteeStart: Int32Array;
  menteeEdges: Int32Array;
  mentorStart: Int32Array;
  mentorEdges: Int32Array;
  /** Lottery order of mentees (best draw first); used where the input order must not matter. */
  menteeLotteryOrder: Int32Array;
}

function fail(where: string, what: string): never {
  throw new MatchingInputError(`${where}: ${what}`);
}

function limit(value: number | undefined, where: string): number {
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value < 0) fail(where, 'must be an integer >= 0');
  return value;
}

/** Sorts `keys[from..to)` ascending by `cmp`; insertion sort for the short lists events produce. */
function sortSegment(arr: Int32Array, from: number, to: number, cmp: (a: number, b: number) => number): void {
  if (to - from > 24) {
    const part = Array.from(arr.subarray(from, to)).sort(cmp);
    arr.set(part, from);
    return;
  }
  for (let k = from + 1; k < to; k++) {
    const v = arr[k]!;
    let p = k - 1;
    while (p >= from && cmp(arr[p]!, v) > 0) {
      arr[p + 1] = arr[p]!;
      p--;
    }
    arr[p + 1] = v;
  }
}

class Growable {
  data: Int32Array;
  length = 0;
  constructor(size: number) {
    this.data = new Int32Array(Math.max(16, size));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export function buildModel(input: MatchInput): Model {
  const { mentees, mentors } = input;
  if (!Array.isArray(mentees) || !Array.isArray(mentors)) fail('input', 'mentees and mentors must be arrays');
  const unranked = input.unranked ?? 'last';
  if (unranked !== 'last' && unranked !== 'exclude') fail('unranked', "must be 'last' or 'exclude'");
  const lottery = createLottery(input.seed);
  const n = mentees.length;
  const m = mentors.length;

  const menteeIds: string[] = new Array(n);
  const menteeIndex = new Map<string, number>();
  const quota = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const mentee = mentees[i]!;
    if (typeof mentee.id !== 'string') fail(`mentees[${i}].id`, 'must be a string');
    if (menteeIndex.has(mentee.id)) fail(`mentees[${i}].id`, `duplicate mentee "${mentee.id}"`);
    menteeIndex.set(mentee.id, i);
    menteeIds[i] = mentee.id;
    quota[i] = limit(mentee.constellationSize, `mentees[${i}].constellationSize`);
  }
  const mentorIds: string[] = new Array(m);
  const mentorIndex = new Map<string, number>();
  const capacity = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const mentor = mentors[j]!;
    if (typeof mentor.id !== 'string') fail(`mentors[${j}].id`, 'must be a string');
    if (mentorIndex.has(mentor.id)) fail(`mentors[${j}].id`, `duplicate mentor "${mentor.id}"`);
    mentorIndex.set(mentor.id, j);
    mentorIds[j] = mentor.id;
    capacity[j] = limit(mentor.capacity, `mentors[${j}].capacity`);
  }

  // Met pairs, gathered from both sides.
  const metIndex = new Map<number, number>();
  const metMentee = new Growable(n * 8);
  const metMentor = new Growable(n * 8);
  const metRank = new Growable(n * 8);
  const metFit = new Growable(n * 8);
  const metFlagList: number[] = [];
  const firstChoice = new Int32Array(n).fill(-1);
  const metOf = (i: number, j: number): number => {
    const key = i * m + j;
    let r = metIndex.get(key);
    if (r === undefined) {
      r = metMentee.length;
      metIndex.set(key, r);
      metMentee.push(i);
      metMentor.push(j);
      metRank.push(0);
      metFit.push(0);
      metFlagList.push(0);
    }
    return r;
  };

  for (let i = 0; i < n; i++) {
    const mentee = mentees[i]!;
    const { ranking } = mentee;
    if (!Array.isArray(ranking)) fail(`mentees[${i}].ranking`, 'must be an array');
    for (let k = 0; k < ranking.length; k++) {
      const j = mentorIndex.get(ranking[k]!);
      if (j === undefined) fail(`mentees[${i}].ranking[${k}]`, `unknown mentor "${ranking[k]}"`);
      const r = metOf(i, j);
      if (metRank.data[r] !== 0) fail(`mentees[${i}].ranking[${k}]`, `mentor "${ranking[k]}" ranked twice`);
      metRank.data[r] = k + 1;
      if (k === 0) firstChoice[i] = j;
    }
    const notAFit = mentee.notAFit ?? [];
    for (let k = 0; k < notAFit.length; k++) {
      const j = mentorIndex.get(notAFit[k]!);
      if (j === undefined) fail(`mentees[${i}].notAFit[${k}]`, `unknown mentor "${notAFit[k]}"`);
      const r = metOf(i, j);
      if (metRank.data[r] !== 0) fail(`mentees[${i}].notAFit[${k}]`, `mentor "${notAFit[k]}" is also ranked`);
      if (metFlagList[r]! & MET_NOT_A_FIT) fail(`mentees[${i}].notAFit[${k}]`, `mentor "${notAFit[k]}" listed twice`);
      metFlagList[r] = metFlagList[r]! | MET_NOT_A_FIT;
    }
  }
  for (let j = 0; j < m; j++) {
    const { ratings } = mentors[j]!;
    if (!Array.isArray(ratings)) fail(`mentors[${j}].ratings`, 'must be an array');
    for (let k = 0; k < ratings.length; k++) {
      const rating = ratings[k]!;
      const where = `mentors[${j}].ratings[${k}]`;
      const i = menteeIndex.get(rating.menteeId);
      if (i === undefined) fail(where, `unknown mentee "${rating.menteeId}"`);
      if (!Number.isInteger(rating.fit) || rating.fit < 1 || rating.fit > 5) fail(where, 'fit must be an integer 1-5');
      if (typeof rating.wouldMentor !== 'boolean') fail(where, 'wouldMentor must be a boolean');
      const r = metOf(i, j);
      if (metFlagList[r]! & MET_RATED) fail(where, `mentee "${rating.menteeId}" rated twice`);
      metFlagList[r] = metFlagList[r]! | MET_RATED | (rating.wouldMentor ? MET_WOULD_MENTOR : 0);
      metFit.data[r] = rating.fit;
    }
  }

  const metCount = metMentee.length;
  const metFlags = Uint8Array.from(metFlagList);
  const metEdge = new Int32Array(metCount).fill(-1);
  const metCountOfMentee = new Int32Array(n);
  const metCountOfMentor = new Int32Array(m);
  const notAFitCountOfMentee = new Int32Array(n);
  const wouldCountOfMentee = new Int32Array(n);
  const wouldCountOfMentor = new Int32Array(m);
  const mm = metMentee.data;
  const mr = metMentor.data;
  const rk = metRank.data;
  const ft = metFit.data;

  // Acceptable edges.
  let edgeCount = 0;
  for (let r = 0; r < metCount; r++) {
    metCountOfMentee[mm[r]!]!++;
    metCountOfMentor[mr[r]!]!++;
    if (metFlags[r]! & MET_NOT_A_FIT) notAFitCountOfMentee[mm[r]!]!++;
    if (metFlags[r]! & MET_WOULD_MENTOR) {
      wouldCountOfMentee[mm[r]!]!++;
      wouldCountOfMentor[mr[r]!]!++;
    }
    if (metProblem(metFlags[r]!, rk[r]!, unranked) === null) metEdge[r] = edgeCount++;
  }
  const edgeMentee = new Int32Array(edgeCount);
  const edgeMentor = new Int32Array(edgeCount);
  const edgeRank = new Int32Array(edgeCount);
  const edgeFit = new Int32Array(edgeCount);
  const menteeStart = new Int32Array(n + 1);
  const mentorStart = new Int32Array(m + 1);
  for (let r = 0; r < metCount; r++) {
    const e = metEdge[r]!;
    if (e < 0) continue;
    edgeMentee[e] = mm[r]!;
    edgeMentor[e] = mr[r]!;
    edgeRank[e] = rk[r]!;
    edgeFit[e] = ft[r]!;
    menteeStart[mm[r]! + 1]!++;
    mentorStart[mr[r]! + 1]!++;
  }
  for (let i = 0; i < n; i++) menteeStart[i + 1]! += menteeStart[i]!;
  for (let j = 0; j < m; j++) mentorStart[j + 1]! += mentorStart[j]!;
  const menteeEdges = new Int32Array(edgeCount);
  const mentorEdges = new Int32Array(edgeCount);
  {
    const fillI = menteeStart.slice(0, n);
    const fillJ = mentorStart.slice(0, m);
    for (let e = 0; e < edgeCount; e++) {
      menteeEdges[fillI[edgeMentee[e]!]!++] = e;
      mentorEdges[fillJ[edgeMentor[e]!]!++] = e;
    }
  }

  const menteeKey = new Float64Array(n);
  for (let i = 0; i < n; i++) menteeKey[i] = lottery.draw(menteeIds[i]!);
  const mentorKey = new Float64Array(m);
  for (let j = 0; j < m; j++) mentorKey[j] = lottery.draw(mentorIds[j]!);
  const byMenteeLottery = (a: number, b: number): number =>
    menteeKey[a]! - menteeKey[b]! || (menteeIds[a]! < menteeIds[b]! ? -1 : menteeIds[a]! > menteeIds[b]! ? 1 : 0);
  const byMentorLottery = (a: number, b: number): number =>
    mentorKey[a]! - mentorKey[b]! || (mentorIds[a]! < mentorIds[b]! ? -1 : mentorIds[a]! > mentorIds[b]! ? 1 : 0);

  const UNRANKED = 0x7fffffff;
  const menteeCmp = (a: number, b: number): number =>
    (edgeRank[a] || UNRANKED) - (edgeRank[b] || UNRANKED) || byMentorLottery(edgeMentor[a]!, edgeMentor[b]!);
  const mentorCmp = (a: number, b: number): number =>
    edgeFit[b]! - edgeFit[a]! || byMenteeLottery(edgeMentee[a]!, edgeMentee[b]!);
  const menteePos = new Int32Array(edgeCount);
  const mentorPos = new Int32Array(edgeCount);
  for (let i = 0; i < n; i++) {
    const from = menteeStart[i]!;
    const to = menteeStart[i + 1]!;
    sortSegment(menteeEdges, from, to, menteeCmp);
    for (let k = from; k < to; k++) menteePos[menteeEdges[k]!] = k - from;
  }
  for (let j = 0; j < m; j++) {
    const from = mentorStart[j]!;
    const to = mentorStart[j + 1]!;
    sortSegment(mentorEdges, from, to, mentorCmp);
    for (let k = from; k < to; k++) mentorPos[mentorEdges[k]!] = k - from;
  }
  const menteeLotteryOrder = Int32Array.from({ length: n }, (_, i) => i).sort(byMenteeLottery);

  return {
    unranked,
    n,
    m,
    menteeIds,
    mentorIds,
    menteeIndex,
    mentorIndex,
    quota,
    capacity,
    firstChoice,
    metIndex,
    metMentee: metMentee.done(),
    metMentor: metMentor.done(),
    metRank: metRank.done(),
    metFit: metFit.done(),
    metFlags,
    metEdge,
    metCountOfMentee,
    metCountOfMentor,
    notAFitCountOfMentee,
    wouldCountOfMentee,
    wouldCountOfMentor,
    edgeCount,
    edgeMentee,
    edgeMentor,
    edgeRank,
    edgeFit,
    menteePos,
    mentorPos,
    menteeStart,
    menteeEdges,
    mentorStart,
    mentorEdges,
    menteeLotteryOrder,
  };
}

/** Why a met pair is not acceptable, or null when it is. */
export function metProblem(flags: number, rank: number, unranked: UnrankedPolicy): PairProblem | null {
  if (flags & MET_NOT_A_FIT) return 'mentee-not-a-fit';
  if (!(flags & MET_RATED)) return 'mentor-did-not-rate';
  if (!(flags & MET_WOULD_MENTOR)) return 'mentor-would-not-mentor';
  if (rank === 0 && unranked === 'exclude') return 'unranked-excluded';
  return null;
}

/** Why (i, j) cannot be matched, or null when the pair is acceptable. */
export function pairProblem(model: Model, i: number, j: number): PairProblem | null {
  const r = model.metIndex.get(i * model.m + j);
  if (r === undefined) return 'not-met';
  return metProblem(model.metFlags[r]!, model.metRank[r]!, model.unranked);
}
