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

  /** Met pairs of mentee i, ordered by mentor: metByMentee[metStart[i] .. metStart[i+1]). */
  metStart: Int32Array;
  metByMentee: Int32Array;
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

/**
 * Stable counting sort of `items` by `keyOf(item)` in [0, range): the passes of an LSD radix
 * sort, so preference lists are built in O(pairs) without comparator calls.
 */
function countingSort(items: Int32Array, keyOf: Int32Array, range: number): Int32Array {
  const count = new Int32Array(range + 1);
  for (let k = 0; k < items.length; k++) count[keyOf[items[k]!]! + 1]!++;
  for (let r = 0; r < range; r++) count[r + 1]! += count[r]!;
  const out = new Int32Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    out[count[keyOf[item]!]!++] = item;
  }
  return out;
}

function iota(length: number): Int32Array {
  const out = new Int32Array(length);
  for (let k = 0; k < length; k++) out[k] = k;
  return out;
}

/** Indices 0..ids.length-1 ordered by lottery draw (ties, almost impossible, by id). */
function lotteryOrder(ids: string[], draw: (id: string) => number): Int32Array {
  const keys = ids.map(draw);
  return iota(ids.length).sort(
    (a, b) => keys[a]! - keys[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0),
  );
}

/** Group offsets for records 0..count-1 keyed by `keyOf`, once sorted by key: group g is starts[g] .. starts[g+1]. */
function groupStarts(keyOf: Int32Array, count: number, range: number): Int32Array {
  const starts = new Int32Array(range + 1);
  for (let k = 0; k < count; k++) starts[keyOf[k]! + 1]!++;
  for (let g = 0; g < range; g++) starts[g + 1]! += starts[g]!;
  return starts;
}

interface People {
  menteeIds: string[];
  menteeIndex: Map<string, number>;
  quota: Int32Array;
  mentorIds: string[];
  mentorIndex: Map<string, number>;
  capacity: Int32Array;
  /** Upper bound on the number of met pairs. */
  bound: number;
}

function indexPeople({ mentees, mentors }: MatchInput): People {
  const n = mentees.length;
  const m = mentors.length;
  const menteeIds: string[] = new Array(n);
  const menteeIndex = new Map<string, number>();
  const quota = new Int32Array(n);
  let bound = 0;
  for (let i = 0; i < n; i++) {
    const mentee = mentees[i]!;
    if (typeof mentee.id !== 'string') fail(`mentees[${i}].id`, 'must be a string');
    if (menteeIndex.has(mentee.id)) fail(`mentees[${i}].id`, `duplicate mentee "${mentee.id}"`);
    if (!Array.isArray(mentee.ranking)) fail(`mentees[${i}].ranking`, 'must be an array');
    if (mentee.notAFit !== undefined && !Array.isArray(mentee.notAFit)) fail(`mentees[${i}].notAFit`, 'must be an array');
    menteeIndex.set(mentee.id, i);
    menteeIds[i] = mentee.id;
    quota[i] = limit(mentee.constellationSize, `mentees[${i}].constellationSize`);
    bound += mentee.ranking.length + (mentee.notAFit?.length ?? 0);
  }
  const mentorIds: string[] = new Array(m);
  const mentorIndex = new Map<string, number>();
  const capacity = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const mentor = mentors[j]!;
    if (typeof mentor.id !== 'string') fail(`mentors[${j}].id`, 'must be a string');
    if (mentorIndex.has(mentor.id)) fail(`mentors[${j}].id`, `duplicate mentor "${mentor.id}"`);
    if (!Array.isArray(mentor.ratings)) fail(`mentors[${j}].ratings`, 'must be an array');
    mentorIndex.set(mentor.id, j);
    mentorIds[j] = mentor.id;
    capacity[j] = limit(mentor.capacity, `mentors[${j}].capacity`);
    bound += mentor.ratings.length;
  }
  return { menteeIds, menteeIndex, quota, mentorIds, mentorIndex, capacity, bound };
}

interface MetPairs {
  count: number;
  mentee: Int32Array;
  mentor: Int32Array;
  rank: Int32Array;
  fit: Int32Array;
  flags: Uint8Array;
  firstChoice: Int32Array;
}

/**
 * Met pairs, gathered from both sides. Duplicates are found with per-person stamp arrays (small,
 * cache-resident) rather than a hash map of pairs, which was the hot spot.
 */
function gatherMetPairs({ mentees, mentors }: MatchInput, people: People): MetPairs {
  const n = mentees.length;
  const m = mentors.length;
  const { bound, menteeIndex, mentorIndex } = people;
  const metMentee = new Int32Array(bound);
  const metMentor = new Int32Array(bound);
  const metRank = new Int32Array(bound);
  const metFit = new Int32Array(bound);
  const metFlags = new Uint8Array(bound);
  const firstChoice = new Int32Array(n).fill(-1);
  let count = 0;

  // Mentee side: stampMentor[j] === i when mentee i already listed mentor j (in slotMentor[j]).
  const stampMentor = new Int32Array(m).fill(-1);
  const slotMentor = new Int32Array(m);
  const metOfMentee = (i: number, j: number): number => {
    if (stampMentor[j] === i) return slotMentor[j]!;
    stampMentor[j] = i;
    slotMentor[j] = count;
    metMentee[count] = i;
    metMentor[count] = j;
    return count++;
  };
  for (let i = 0; i < n; i++) {
    const mentee = mentees[i]!;
    const { ranking } = mentee;
    for (let k = 0; k < ranking.length; k++) {
      const j = mentorIndex.get(ranking[k]!);
      if (j === undefined) fail(`mentees[${i}].ranking[${k}]`, `unknown mentor "${ranking[k]}"`);
      const r = metOfMentee(i, j);
      if (metRank[r] !== 0) fail(`mentees[${i}].ranking[${k}]`, `mentor "${ranking[k]}" ranked twice`);
      metRank[r] = k + 1;
      if (k === 0) firstChoice[i] = j;
    }
    const notAFit = mentee.notAFit ?? [];
    for (let k = 0; k < notAFit.length; k++) {
      const j = mentorIndex.get(notAFit[k]!);
      if (j === undefined) fail(`mentees[${i}].notAFit[${k}]`, `unknown mentor "${notAFit[k]}"`);
      const r = metOfMentee(i, j);
      if (metRank[r] !== 0) fail(`mentees[${i}].notAFit[${k}]`, `mentor "${notAFit[k]}" is also ranked`);
      if (metFlags[r]! & MET_NOT_A_FIT) fail(`mentees[${i}].notAFit[${k}]`, `mentor "${notAFit[k]}" listed twice`);
      metFlags[r]! |= MET_NOT_A_FIT;
    }
  }

  // Mentor side: first stamp the pairs mentees already listed for this mentor, then read ratings.
  const listedByMentor = countingSort(iota(count), metMentor, m);
  const listedStart = groupStarts(metMentor, count, m);
  const stampMentee = new Int32Array(n).fill(-1);
  const slotMentee = new Int32Array(n);
  for (let j = 0; j < m; j++) {
    for (let x = listedStart[j]!; x < listedStart[j + 1]!; x++) {
      const r = listedByMentor[x]!;
      stampMentee[metMentee[r]!] = j;
      slotMentee[metMentee[r]!] = r;
    }
    const { ratings } = mentors[j]!;
    for (let k = 0; k < ratings.length; k++) {
      const rating = ratings[k]!;
      const i = menteeIndex.get(rating.menteeId);
      if (i === undefined) fail(`mentors[${j}].ratings[${k}]`, `unknown mentee "${rating.menteeId}"`);
      const { fit, wouldMentor } = rating;
      if (!Number.isInteger(fit) || fit < 1 || fit > 5) fail(`mentors[${j}].ratings[${k}]`, 'fit must be an integer 1-5');
      if (typeof wouldMentor !== 'boolean') fail(`mentors[${j}].ratings[${k}]`, 'wouldMentor must be a boolean');
      let r: number;
      if (stampMentee[i] === j) {
        r = slotMentee[i]!;
        if (metFlags[r]! & MET_RATED) fail(`mentors[${j}].ratings[${k}]`, `mentee "${rating.menteeId}" rated twice`);
      } else {
        r = count++;
        metMentee[r] = i;
        metMentor[r] = j;
        stampMentee[i] = j;
        slotMentee[i] = r;
      }
      metFlags[r]! |= MET_RATED | (wouldMentor ? MET_WOULD_MENTOR : 0);
      metFit[r] = fit;
    }
  }
  return {
    count,
    mentee: metMentee.slice(0, count),
    mentor: metMentor.slice(0, count),
    rank: metRank.slice(0, count),
    fit: metFit.slice(0, count),
    flags: metFlags.slice(0, count),
    firstChoice,
  };
}

export function buildModel(input: MatchInput): Model {
  if (!Array.isArray(input.mentees) || !Array.isArray(input.mentors)) {
    fail('input', 'mentees and mentors must be arrays');
  }
  const unranked = input.unranked ?? 'last';
  if (unranked !== 'last' && unranked !== 'exclude') fail('unranked', "must be 'last' or 'exclude'");
  const { seed } = input;
  if (typeof seed !== 'string' && !Number.isFinite(seed)) fail('seed', 'must be a finite number or a string');
  const lottery = createLottery(seed);
  const n = input.mentees.length;
  const m = input.mentors.length;
  const people = indexPeople(input);
  const met = gatherMetPairs(input, people);
  const metCount = met.count;

  // Lookup of a met pair: records by mentee, then mentor, binary-searched (see `metPairOf`).
  const metByMentee = countingSort(countingSort(iota(metCount), met.mentor, m), met.mentee, n);
  const metStart = groupStarts(met.mentee, metCount, n);

  const metEdge = new Int32Array(metCount).fill(-1);
  const metCountOfMentee = new Int32Array(n);
  const metCountOfMentor = new Int32Array(m);
  const notAFitCountOfMentee = new Int32Array(n);
  const wouldCountOfMentee = new Int32Array(n);
  const wouldCountOfMentor = new Int32Array(m);
  let edgeCount = 0;
  let maxRank = 0;
  for (let r = 0; r < metCount; r++) {
    const i = met.mentee[r]!;
    const j = met.mentor[r]!;
    const flags = met.flags[r]!;
    metCountOfMentee[i]!++;
    metCountOfMentor[j]!++;
    if (flags & MET_NOT_A_FIT) notAFitCountOfMentee[i]!++;
    if (flags & MET_WOULD_MENTOR) {
      wouldCountOfMentee[i]!++;
      wouldCountOfMentor[j]!++;
    }
    if (metProblem(flags, met.rank[r]!, unranked) === null) metEdge[r] = edgeCount++;
    if (met.rank[r]! > maxRank) maxRank = met.rank[r]!;
  }

  // Acceptable edges, with the sort keys of both sides' strict preferences.
  const menteeLotteryOrder = lotteryOrder(people.menteeIds, lottery.draw);
  const mentorLotteryOrder = lotteryOrder(people.mentorIds, lottery.draw);
  const menteeLotteryRank = new Int32Array(n);
  for (let k = 0; k < n; k++) menteeLotteryRank[menteeLotteryOrder[k]!] = k;
  const mentorLotteryRank = new Int32Array(m);
  for (let k = 0; k < m; k++) mentorLotteryRank[mentorLotteryOrder[k]!] = k;

  const edgeMentee = new Int32Array(edgeCount);
  const edgeMentor = new Int32Array(edgeCount);
  const edgeRank = new Int32Array(edgeCount);
  const edgeFit = new Int32Array(edgeCount);
  const rankKey = new Int32Array(edgeCount);
  const fitKey = new Int32Array(edgeCount);
  const menteeDraw = new Int32Array(edgeCount);
  const mentorDraw = new Int32Array(edgeCount);
  for (let r = 0; r < metCount; r++) {
    const e = metEdge[r]!;
    if (e < 0) continue;
    const i = met.mentee[r]!;
    const j = met.mentor[r]!;
    edgeMentee[e] = i;
    edgeMentor[e] = j;
    edgeRank[e] = met.rank[r]!;
    edgeFit[e] = met.fit[r]!;
    rankKey[e] = met.rank[r] || maxRank + 1;
    fitKey[e] = 5 - met.fit[r]!;
    menteeDraw[e] = menteeLotteryRank[i]!;
    mentorDraw[e] = mentorLotteryRank[j]!;
  }
  const all = iota(edgeCount);
  // Mentee lists: by rank (unranked last), then mentor lottery. Mentor lists: by fit, descending,
  // then mentee lottery. Least significant key first.
  const menteeEdges = countingSort(countingSort(countingSort(all, mentorDraw, m), rankKey, maxRank + 2), edgeMentee, n);
  const mentorEdges = countingSort(countingSort(countingSort(all, menteeDraw, n), fitKey, 5), edgeMentor, m);
  const menteeStart = groupStarts(edgeMentee, edgeCount, n);
  const mentorStart = groupStarts(edgeMentor, edgeCount, m);
  const menteePos = new Int32Array(edgeCount);
  const mentorPos = new Int32Array(edgeCount);
  for (let k = 0; k < edgeCount; k++) {
    menteePos[menteeEdges[k]!] = k - menteeStart[edgeMentee[menteeEdges[k]!]!]!;
    mentorPos[mentorEdges[k]!] = k - mentorStart[edgeMentor[mentorEdges[k]!]!]!;
  }

  return {
    unranked,
    n,
    m,
    menteeIds: people.menteeIds,
    mentorIds: people.mentorIds,
    menteeIndex: people.menteeIndex,
    mentorIndex: people.mentorIndex,
    quota: people.quota,
    capacity: people.capacity,
    firstChoice: met.firstChoice,
    metStart,
    metByMentee,
    metMentee: met.mentee,
    metMentor: met.mentor,
    metRank: met.rank,
    metFit: met.fit,
    metFlags: met.flags,
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
  const r = metPairOf(model, i, j);
  if (r < 0) return 'not-met';
  return metProblem(model.metFlags[r]!, model.metRank[r]!, model.unranked);
}

/** Index of the met pair (i, j), or -1 when they did not meet. */
export function metPairOf(model: Model, i: number, j: number): number {
  let lo = model.metStart[i]!;
  let hi = model.metStart[i + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = model.metByMentee[mid]!;
    const mj = model.metMentor[r]!;
    if (mj === j) return r;
    if (mj < j) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}
