/**
 * Reading any assignment (a proposal, or one the organizer edited by hand) against the model:
 * which pairs are invalid, who is over capacity, and which pairs block it.
 */
import { metPairOf, pairProblem, type Model } from './model.ts';
import type { AssignmentCheck, CapacityViolation, InvalidPair, MatchPair } from './types.ts';

export interface Assignment {
  /** Valid (acceptable) edges, deduplicated, in input order. */
  edges: number[];
  assigned: Uint8Array;
  /** Seats taken, counting every pair of known people (invalid ones too). */
  menteeLoad: Int32Array;
  mentorLoad: Int32Array;
  /** Has an assigned pair that is not acceptable: worse than anything acceptable. */
  menteeForbidden: Uint8Array;
  mentorForbidden: Uint8Array;
  invalidPairs: InvalidPair[];
}

export function readAssignment(model: Model, pairs: readonly MatchPair[]): Assignment {
  const assigned = new Uint8Array(model.edgeCount);
  const menteeLoad = new Int32Array(model.n);
  const mentorLoad = new Int32Array(model.m);
  const menteeForbidden = new Uint8Array(model.n);
  const mentorForbidden = new Uint8Array(model.m);
  const edges: number[] = [];
  const invalidPairs: InvalidPair[] = [];
  const seenForbidden = new Set<number>();
  for (const pair of pairs) {
    const { menteeId, mentorId } = pair;
    const i = model.menteeIndex.get(menteeId);
    const j = model.mentorIndex.get(mentorId);
    if (i === undefined) {
      invalidPairs.push({ menteeId, mentorId, problem: 'unknown-mentee' });
      continue;
    }
    if (j === undefined) {
      invalidPairs.push({ menteeId, mentorId, problem: 'unknown-mentor' });
      continue;
    }
    const key = i * model.m + j;
    const r = metPairOf(model, i, j);
    const e = r < 0 ? -1 : model.metEdge[r]!;
    if (e >= 0 ? assigned[e] === 1 : seenForbidden.has(key)) {
      invalidPairs.push({ menteeId, mentorId, problem: 'duplicate' });
      continue;
    }
    menteeLoad[i]!++;
    mentorLoad[j]!++;
    if (e >= 0) {
      assigned[e] = 1;
      edges.push(e);
    } else {
      seenForbidden.add(key);
      menteeForbidden[i] = 1;
      mentorForbidden[j] = 1;
      invalidPairs.push({ menteeId, mentorId, problem: pairProblem(model, i, j) ?? 'not-met' });
    }
  }
  return { edges, assigned, menteeLoad, mentorLoad, menteeForbidden, mentorForbidden, invalidPairs };
}

/**
 * `stated`: the preferences people gave (equal fits and unranked mentors are ties), so a pair
 * blocks only if both strictly gain. `strict`: the seed-tie-broken preferences the stable
 * algorithms run on; a stable proposal has no blocking pair under either.
 */
export type PreferenceView = 'stated' | 'strict';

const UNRANKED = 1_000_000;
const FORBIDDEN = 2_000_000;

/** Preference values per edge, lower is better, for both sides. */
function preferenceValues(model: Model, view: PreferenceView): { mentee: Int32Array; mentor: Int32Array } {
  if (view === 'strict') return { mentee: model.menteePos, mentor: model.mentorPos };
  const mentee = new Int32Array(model.edgeCount);
  const mentor = new Int32Array(model.edgeCount);
  for (let e = 0; e < model.edgeCount; e++) {
    mentee[e] = model.edgeRank[e] || UNRANKED;
    mentor[e] = 6 - model.edgeFit[e]!;
  }
  return { mentee, mentor };
}

/** Worst assigned preference value per person (FORBIDDEN when holding an unacceptable pair). */
export function worstAssigned(
  model: Model,
  assignment: Assignment,
  view: PreferenceView,
): { mentee: Int32Array; mentor: Int32Array; values: { mentee: Int32Array; mentor: Int32Array } } {
  const values = preferenceValues(model, view);
  const mentee = new Int32Array(model.n).fill(-1);
  const mentor = new Int32Array(model.m).fill(-1);
  for (const e of assignment.edges) {
    const i = model.edgeMentee[e]!;
    const j = model.edgeMentor[e]!;
    if (values.mentee[e]! > mentee[i]!) mentee[i] = values.mentee[e]!;
    if (values.mentor[e]! > mentor[j]!) mentor[j] = values.mentor[e]!;
  }
  for (let i = 0; i < model.n; i++) if (assignment.menteeForbidden[i]) mentee[i] = FORBIDDEN;
  for (let j = 0; j < model.m; j++) if (assignment.mentorForbidden[j]) mentor[j] = FORBIDDEN;
  return { mentee, mentor, values };
}

/** Blocking edges, ordered by mentee then the mentee's preference. */
export function blockingEdges(model: Model, assignment: Assignment, view: PreferenceView): number[] {
  const worst = worstAssigned(model, assignment, view);
  const { values } = worst;
  const out: number[] = [];
  for (let i = 0; i < model.n; i++) {
    const menteeHasRoom = assignment.menteeLoad[i]! < model.quota[i]!;
    for (let p = model.menteeStart[i]!; p < model.menteeStart[i + 1]!; p++) {
      const e = model.menteeEdges[p]!;
      if (assignment.assigned[e]) continue;
      if (!menteeHasRoom && values.mentee[e]! >= worst.mentee[i]!) continue;
      const j = model.edgeMentor[e]!;
      if (assignment.mentorLoad[j]! < model.capacity[j]! || values.mentor[e]! < worst.mentor[j]!) out.push(e);
    }
  }
  return out;
}

export function edgePair(model: Model, e: number): MatchPair {
  return { menteeId: model.menteeIds[model.edgeMentee[e]!]!, mentorId: model.mentorIds[model.edgeMentor[e]!]! };
}

export function capacityViolations(model: Model, assignment: Assignment): CapacityViolation[] {
  const out: CapacityViolation[] = [];
  for (let j = 0; j < model.m; j++) {
    const assigned = assignment.mentorLoad[j]!;
    if (assigned > model.capacity[j]!) out.push({ side: 'mentor', id: model.mentorIds[j]!, limit: model.capacity[j]!, assigned });
  }
  for (let i = 0; i < model.n; i++) {
    const assigned = assignment.menteeLoad[i]!;
    if (assigned > model.quota[i]!) out.push({ side: 'mentee', id: model.menteeIds[i]!, limit: model.quota[i]!, assigned });
  }
  return out;
}

export function checkModelAssignment(model: Model, pairs: readonly MatchPair[]): AssignmentCheck {
  const assignment = readAssignment(model, pairs);
  const violations = capacityViolations(model, assignment);
  return {
    ok: violations.length === 0 && assignment.invalidPairs.length === 0,
    capacityViolations: violations,
    invalidPairs: assignment.invalidPairs,
    blockingPairs: blockingEdges(model, assignment, 'stated').map((e) => edgePair(model, e)),
  };
}
