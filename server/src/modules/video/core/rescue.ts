/**
 * Live rescue: at a round's no-show point, seat the stranded people with each other. Plain data, no I/O.
 *
 * Stranded and present: mentors whose mentees did not come, mentees whose mentor did not come, and
 * mentees sitting the round out. `planRescue` pairs them so that no excluded pair (already met,
 * forbidden) is formed, a mentor takes at most their seats, and among such plans it seats the most
 * people, then has the highest total compatibility (`scorePair`): an exact lexicographic max-weight
 * bipartite matching, solved as a min-cost maximum flow (the matching feature's exact solver).
 *
 * Rule choices:
 * - Ties: among plans equal in count and score, people listed earlier are preferred for a seat (pass
 *   the lists in priority order, e.g. by who waited longest); what remains tied is settled by the
 *   solver, which is deterministic: the same input always gives the same plan.
 * - A pair with nothing in common (score 0) still beats no conversation at all.
 * - A repeated id counts once (its first entry); an id listed as both mentor and mentee is a mentor.
 * - Seats per mentor: their own `seats`, else the input's `seats`, else 1.
 */
import type { Profile } from '@constellation/shared/schemas/participants';
import { minCostFlow } from '../../matching/core/min-cost-flow.ts';
import { ScoringContext, type ScoreOptions } from '../../schedule/core/scoring.ts';

export interface RescuePerson {
  id: string;
  name: string;
  profile?: Profile;
  /** Mentors only: how many stranded mentees they may take now (overrides `RescueInput.seats`). */
  seats?: number;
}

export interface ExcludedPair {
  mentorId: string;
  menteeId: string;
}

export interface RescueInput {
  /** Stranded and present, in priority order. */
  mentors: readonly RescuePerson[];
  /** Stranded and present (including those sitting out), in priority order. */
  mentees: readonly RescuePerson[];
  /** Pairs never to form: already met, or forbidden by the organizer. */
  excluded: readonly ExcludedPair[];
  scoreOptions?: ScoreOptions;
  /** Mentees a mentor may take, unless the mentor says otherwise; default 1. */
  seats?: number;
}

export interface RescuePair {
  mentorId: string;
  menteeId: string;
  score: number;
  /** `scorePair`'s reasons, from the mentee's side ("wants sql, which the mentor has"); see `rescueMessage`. */
  reasons: string[];
}

export interface RescuePlan {
  /** By mentor, then mentee, in input order. */
  pairs: RescuePair[];
  /** Mentors with no pair, then mentees with no pair, in input order. */
  unpaired: string[];
}

function uniqueById(people: readonly RescuePerson[], taken: ReadonlySet<string> = new Set()): RescuePerson[] {
  const seen = new Set(taken);
  const out: RescuePerson[] = [];
  for (const person of people) {
    if (seen.has(person.id)) continue;
    seen.add(person.id);
    out.push(person);
  }
  return out;
}

export function planRescue(input: RescueInput): RescuePlan {
  const mentors = uniqueById(input.mentors);
  const mentees = uniqueById(input.mentees, new Set(mentors.map((m) => m.id)));
  const M = mentors.length;
  const N = mentees.length;
  const excluded = new Set(input.excluded.map((p) => `${p.mentorId}\u0000${p.menteeId}`));
  const seatsOf = (m: RescuePerson): number => Math.max(0, Math.floor(m.seats ?? input.seats ?? 1));

  const context = new ScoringContext(
    mentors.map((m) => m.profile ?? {}),
    mentees.map((e) => e.profile ?? {}),
    input.scoreOptions,
  );
  const candidates: { i: number; j: number; score: number; reasons: string[] }[] = [];
  for (let i = 0; i < M; i++) {
    if (seatsOf(mentors[i] as RescuePerson) === 0) continue;
    for (let j = 0; j < N; j++) {
      if (excluded.has(`${(mentors[i] as RescuePerson).id}\u0000${(mentees[j] as RescuePerson).id}`)) continue;
      candidates.push({ i, j, ...context.explain(i, j) });
    }
  }

  // Weight = score, scaled so that the tie bonus summed over any matching stays below one point.
  const maxPairs = Math.min(N, mentors.reduce((sum, m) => sum + seatsOf(m), 0));
  const scale = maxPairs * (M + N) + 1;
  const source = 0;
  const sink = M + N + 1;
  const from: number[] = [];
  const to: number[] = [];
  const capacity: number[] = [];
  const cost: number[] = [];
  const arc = (a: number, b: number, cap: number, c: number): void => {
    from.push(a);
    to.push(b);
    capacity.push(cap);
    cost.push(c);
  };
  for (let i = 0; i < M; i++) arc(source, 1 + i, Math.min(N, seatsOf(mentors[i] as RescuePerson)), 0);
  for (let j = 0; j < N; j++) arc(1 + M + j, sink, 1, 0);
  const firstPairArc = from.length;
  for (const { i, j, score } of candidates) arc(1 + i, 1 + M + j, 1, -(score * scale + (M - i) + (N - j)));
  const { flow } = minCostFlow({ nodeCount: M + N + 2, source, sink, from, to, capacity, cost }, 'max-flow');

  const pairedMentor = new Uint8Array(M);
  const pairedMentee = new Uint8Array(N);
  const pairs: RescuePair[] = [];
  candidates.forEach(({ i, j, score, reasons }, k) => {
    if (flow[firstPairArc + k] !== 1) return;
    pairedMentor[i] = 1;
    pairedMentee[j] = 1;
    pairs.push({ mentorId: (mentors[i] as RescuePerson).id, menteeId: (mentees[j] as RescuePerson).id, score, reasons });
  });
  const unpaired = [...mentors.filter((_, i) => !pairedMentor[i]), ...mentees.filter((_, j) => !pairedMentee[j])].map((p) => p.id);
  return { pairs, unpaired };
}

// ---------------------------------------------------------------------------
// Telling people, in words, whom they meet now and why

export type RescueRole = 'mentor' | 'mentee';

export interface ReasonPhrases {
  /** About the partner, to follow "who …": "offers guidance on sql". */
  partner: string[];
  /** About the two of them, to follow "You …": "both work in fintech". */
  shared: string[];
  /** Reasons this module does not know how to phrase (left out of messages). */
  unknown: string[];
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const MAX_TOPICS = 3;

/**
 * `scorePair`'s reasons (written from the mentee's side, calling the mentor "the mentor") turned
 * around for someone told about a partner of role `partnerRole`.
 */
export function phraseReasons(reasons: readonly string[], partnerRole: RescueRole): ReasonPhrases {
  const goals: string[] = [];
  const challenges: string[] = [];
  const partner: string[] = [];
  const shared: string[] = [];
  const unknown: string[] = [];
  let match: RegExpMatchArray | null;
  for (const reason of reasons) {
    if ((match = reason.match(/^both in (.+)$/))) shared.push(`both work in ${match[1]}`);
    else if ((match = reason.match(/^wants (.+), which the mentor has$/))) goals.push(match[1] as string);
    else if ((match = reason.match(/^skills in common: (.+)$/))) {
      shared.push(`have ${listInWords((match[1] as string).split(', ').slice(0, MAX_TOPICS))} in common`);
    } else if ((match = reason.match(/^faces (.+), which the mentor knows first-hand$/))) challenges.push(match[1] as string);
    else if ((match = reason.match(/^mentor is (\d+(?:\.\d+)?) years? ahead/))) {
      // Worth telling a mentee; a mentor hears nothing about being senior.
      const years = Number(match[1]);
      if (partnerRole === 'mentor') partner.push(`has ${years} more year${years === 1 ? '' : 's'} of experience`);
    } else if ((match = reason.match(/^same working style: (.+)$/))) shared.push(`have the same working style (${match[1]})`);
    else if (/^same time zone \(/.test(reason)) shared.push('are in the same time zone');
    else if ((match = reason.match(/^(\d+(?:\.\d+)?) h of shared working hours/))) shared.push(`share ${match[1]} h of working hours`);
    else unknown.push(reason);
  }
  const topics = (list: string[]): string => listInWords(list.slice(0, MAX_TOPICS));
  const about: string[] = [];
  if (goals.length > 0) about.push(partnerRole === 'mentor' ? `offers guidance on ${topics(goals)}` : `wants to work on ${topics(goals)}`);
  if (challenges.length > 0) about.push(partnerRole === 'mentor' ? `knows ${topics(challenges)} first-hand` : `is facing ${topics(challenges)}`);
  return { partner: [...about, ...partner], shared, unknown };
}

export interface RescueMessageInput {
  /** Who did not come, if the reader was stranded by a no-show; none for a mentee seated from sitting out. */
  absentName?: string | readonly string[];
  partner: { name: string; role: RescueRole };
  /** The pair's reasons from `planRescue` (or `scorePair`). */
  reasons?: readonly string[];
}

/**
 * A kind sentence or two for the reader of a rescue pair: "Hannah couldn't make it; you are now
 * meeting Kwame, who wants to work on system design. You both work in fintech."
 */
export function rescueMessage({ absentName, partner, reasons = [] }: RescueMessageInput): string {
  const absent = (typeof absentName === 'string' ? [absentName] : (absentName ?? [])).map((n) => n.trim()).filter((n) => n !== '');
  const name = partner.name.trim() || `a ${partner.role}`;
  const lead =
    absent.length > 0
      ? `${listInWords(absent)} couldn't make it; you are now meeting ${name}`
      : `You have a conversation this round after all: you are now meeting ${name}`;
  const phrases = phraseReasons(reasons, partner.role);
  let message = phrases.partner.length > 0 ? `${lead}, who ${listInWords(phrases.partner)}.` : `${lead}.`;
  if (phrases.shared.length > 0) message += ` You ${listInWords(phrases.shared)}.`;
  return message;
}
