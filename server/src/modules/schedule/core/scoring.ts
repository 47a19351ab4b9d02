/**
 * Compatibility score of a mentor–mentee pair, read from the two profiles.
 *
 * Integer points, higher is better, every point explained by a reason:
 *
 * | factor                                                        | points                    |
 * |---------------------------------------------------------------|---------------------------|
 * | same industry                                                 | 20                        |
 * | each mentee goal that is one of the mentor's strengths        | 12, at most 2 counted (24)|
 * | each mentee skill that is one of the mentor's strengths       | 6, at most 3 counted (18) |
 * | each mentee challenge the mentor teaches or has faced         | 5, at most 2 counted (10) |
 * | experience gap, mentor ahead by 1–2 / 3–5 / 6–15 / 16+ years  | 4 / 10 / 15 / 10          |
 * | same working style                                            | 8                         |
 * | shared 09:00–17:00 working hours ≥6 h / ≥4 h / ≥2 h / >0 h    | 12 / 8 / 4 / 1            |
 *
 * The maximum is MAX_PAIR_SCORE = 107; a pair with nothing in common scores 0.
 *
 * Affinity of two mentees who share a circle (below the planner's three levels, see index.ts):
 *
 * | factor                                                        | points                    |
 * |---------------------------------------------------------------|---------------------------|
 * | each goal both mentees have                                   | 4, at most 3 counted (12) |
 * | same industry                                                 | 3                         |
 *
 * The maximum is MAX_PEER_SCORE = 15.
 * A mentor who is not ahead in experience earns no experience points (a useful
 * gap is the point of mentoring). Tags are compared case-, space- and
 * hyphen-insensitively ("People-Management" = "people management").
 */
import type { Profile } from '@constellation/shared/schemas/participants';
import { zoneOverlapMinutes } from './time-zones.ts';

export const POINTS = {
  industry: 20,
  goal: 12,
  goalCap: 2,
  skill: 6,
  skillCap: 3,
  challenge: 5,
  challengeCap: 2,
  workingStyle: 8,
} as const;
export const MAX_PAIR_SCORE = 107;
export const PEER_POINTS = { goal: 4, goalCap: 3, industry: 3 } as const;
export const MAX_PEER_SCORE = 15;

/** Instant used for time-zone offsets when none is given, so scores stay deterministic. */
export const DEFAULT_SCORING_INSTANT = '2025-01-15T12:00:00Z';

export interface PairScore {
  score: number;
  reasons: string[];
}

export interface ScoreOptions {
  /** ISO instant whose UTC offsets (daylight saving time) decide time-zone overlap; the event's start. */
  at?: string;
}

export function experiencePoints(gapYears: number): number {
  if (gapYears <= 0) return 0;
  if (gapYears <= 2) return 4;
  if (gapYears <= 5) return 10;
  if (gapYears <= 15) return 15;
  return 10;
}

export function timeZonePoints(overlapMinutes: number): number {
  if (overlapMinutes >= 360) return 12;
  if (overlapMinutes >= 240) return 8;
  if (overlapMinutes >= 120) return 4;
  return overlapMinutes > 0 ? 1 : 0;
}

export function normalizeTag(tag: string): string {
  return tag.normalize('NFKC').toLowerCase().replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Score and reasons for one pair. For many pairs build a ScoringContext once. */
export function scorePair(mentor: Profile, mentee: Profile, options: ScoreOptions = {}): PairScore {
  return new ScoringContext([mentor], [mentee], options).explain(0, 0);
}

interface Tags {
  ids: Int32Array;
  labels: string[];
}

/**
 * Interns every tag once so that scoring all mentor × mentee pairs costs a few
 * array lookups per tag; `score` and `explain` share one code path.
 */
export class ScoringContext {
  readonly #at: string;
  readonly #vocabulary = new Map<string, number>();
  readonly #mentorStrengths: Tags[];
  readonly #mentorKnown: Int32Array[];
  readonly #mentorIndustry: Int32Array;
  readonly #mentorStyle: Int32Array;
  readonly #mentorYears: Float64Array;
  readonly #mentorZone: Int32Array;
  readonly #menteeSkills: Tags[];
  readonly #menteeGoals: Tags[];
  readonly #menteeChallenges: Tags[];
  readonly #menteeIndustry: Int32Array;
  readonly #menteeIndustryLabel: string[];
  readonly #menteeStyle: Int32Array;
  readonly #menteeStyleLabel: string[];
  readonly #menteeYears: Float64Array;
  readonly #menteeZone: Int32Array;
  readonly #zoneNames: string[] = [];
  readonly #zoneIds = new Map<string, number>();
  /** Working-hours overlap in minutes by zone id pair, -1 until computed. */
  #overlap = new Int32Array(0);
  readonly #flat: {
    goals: Int32Array;
    goalStart: Int32Array;
    skills: Int32Array;
    skillStart: Int32Array;
    challenges: Int32Array;
    challengeStart: Int32Array;
  };
  #strengthStamp: Int32Array = new Int32Array(0);
  #knownStamp: Int32Array = new Int32Array(0);
  #stamped = -1;

  constructor(mentors: readonly Profile[], mentees: readonly Profile[], options: ScoreOptions = {}) {
    this.#at = options.at ?? DEFAULT_SCORING_INSTANT;
    this.#mentorStrengths = mentors.map((p) => this.#tags(p.skills));
    this.#mentorKnown = mentors.map((p) => this.#tags([...(p.skills ?? []), ...(p.challenges ?? [])]).ids);
    this.#mentorIndustry = Int32Array.from(mentors, (p) => this.#single(p.industry));
    this.#mentorStyle = Int32Array.from(mentors, (p) => this.#single(p.workingStyle));
    this.#mentorYears = Float64Array.from(mentors, (p) => p.yearsExperience ?? Number.NaN);
    this.#mentorZone = Int32Array.from(mentors, (p) => this.#zone(p.timeZone));
    this.#menteeSkills = mentees.map((p) => this.#tags(p.skills));
    this.#menteeGoals = mentees.map((p) => this.#tags(p.goals));
    this.#menteeChallenges = mentees.map((p) => this.#tags(p.challenges));
    this.#menteeIndustry = Int32Array.from(mentees, (p) => this.#single(p.industry));
    this.#menteeIndustryLabel = mentees.map((p) => (p.industry ?? '').trim());
    this.#menteeStyle = Int32Array.from(mentees, (p) => this.#single(p.workingStyle));
    this.#menteeStyleLabel = mentees.map((p) => (p.workingStyle ?? '').trim());
    this.#menteeYears = Float64Array.from(mentees, (p) => p.yearsExperience ?? Number.NaN);
    this.#menteeZone = Int32Array.from(mentees, (p) => this.#zone(p.timeZone));
    const zones = this.#zoneNames.length;
    this.#overlap = new Int32Array(zones * zones).fill(-1);
    const flatten = (lists: Tags[]): { flat: Int32Array; start: Int32Array } => {
      const start = new Int32Array(lists.length + 1);
      lists.forEach((l, e) => (start[e + 1] = (start[e] as number) + l.ids.length));
      const flat = new Int32Array(start[lists.length] as number);
      lists.forEach((l, e) => flat.set(l.ids, start[e] as number));
      return { flat, start };
    };
    const goals = flatten(this.#menteeGoals);
    const skills = flatten(this.#menteeSkills);
    const challenges = flatten(this.#menteeChallenges);
    this.#flat = {
      goals: goals.flat,
      goalStart: goals.start,
      skills: skills.flat,
      skillStart: skills.start,
      challenges: challenges.flat,
      challengeStart: challenges.start,
    };
  }

  /** Score of mentor `mentor` with mentee `mentee` (indices into the constructor's arrays). */
  score(mentor: number, mentee: number): number {
    return this.#evaluate(mentor, mentee, null);
  }

  /**
   * Scores of mentor `mentor` with every mentee, written to out[offset + mentee]: the same
   * numbers as `score`, computed with everything about the mentor hoisted out of the loop
   * (the planner scores every pair of a 200 × 2,000 event this way).
   */
  scoreRow(mentor: number, out: Uint8Array, offset = 0): void {
    if (this.#stamped !== mentor) this.#stamp(mentor);
    const mark = mentor + 1;
    const strength = this.#strengthStamp;
    const known = this.#knownStamp;
    const industry = this.#mentorIndustry[mentor] as number;
    const style = this.#mentorStyle[mentor] as number;
    const years = this.#mentorYears[mentor] as number;
    const zone = this.#mentorZone[mentor] as number;
    const zones = this.#zoneNames.length;
    const zonePoints = new Int32Array(zones);
    if (zone >= 0) for (let z = 0; z < zones; z++) zonePoints[z] = timeZonePoints(this.#zoneOverlap(zone, z));
    const { goals, goalStart, skills, skillStart, challenges, challengeStart } = this.#flat;
    const menteeIndustry = this.#menteeIndustry;
    const menteeStyle = this.#menteeStyle;
    const menteeYears = this.#menteeYears;
    const menteeZone = this.#menteeZone;
    const count = menteeIndustry.length;
    for (let e = 0; e < count; e++) {
      let score = 0;
      if (industry >= 0 && menteeIndustry[e] === industry) score += POINTS.industry;
      let matched = 0;
      for (let k = goalStart[e] as number, end = goalStart[e + 1] as number; k < end; k++) {
        if (strength[goals[k] as number] === mark) matched++;
      }
      score += POINTS.goal * Math.min(matched, POINTS.goalCap);
      matched = 0;
      for (let k = skillStart[e] as number, end = skillStart[e + 1] as number; k < end; k++) {
        if (strength[skills[k] as number] === mark) matched++;
      }
      score += POINTS.skill * Math.min(matched, POINTS.skillCap);
      matched = 0;
      for (let k = challengeStart[e] as number, end = challengeStart[e + 1] as number; k < end; k++) {
        if (known[challenges[k] as number] === mark) matched++;
      }
      score += POINTS.challenge * Math.min(matched, POINTS.challengeCap);
      const gap = years - (menteeYears[e] as number);
      if (gap > 0) score += experiencePoints(gap);
      if (style >= 0 && menteeStyle[e] === style) score += POINTS.workingStyle;
      const z = menteeZone[e] as number;
      if (zone >= 0 && z >= 0) score += zonePoints[z] as number;
      out[offset + e] = score;
    }
  }

  explain(mentor: number, mentee: number): PairScore {
    const reasons: string[] = [];
    const score = this.#evaluate(mentor, mentee, reasons);
    return { score, reasons };
  }

  /** Affinity of mentees `a` and `b` sharing a circle (the second table at the top of this file). */
  peerScore(a: number, b: number): number {
    return this.#peers(a, b, null);
  }

  /** The same with its reasons: "both want public speaking", "both in fintech". */
  explainPeers(a: number, b: number): PairScore {
    const reasons: string[] = [];
    const score = this.#peers(a, b, reasons);
    return { score, reasons };
  }

  #peers(a: number, b: number, reasons: string[] | null): number {
    let score = 0;
    const goalsA = this.#menteeGoals[a] as Tags;
    const goalsB = this.#menteeGoals[b] as Tags;
    let matched = 0;
    for (let k = 0; k < goalsA.ids.length; k++) {
      if (!goalsB.ids.includes(goalsA.ids[k] as number)) continue;
      if (matched++ < PEER_POINTS.goalCap) score += PEER_POINTS.goal;
      reasons?.push(`both want ${goalsA.labels[k]}`);
    }
    const industry = this.#menteeIndustry[a] as number;
    if (industry >= 0 && industry === this.#menteeIndustry[b]) {
      score += PEER_POINTS.industry;
      reasons?.push(`both in ${this.#menteeIndustryLabel[a]}`);
    }
    return score;
  }

  #evaluate(i: number, e: number, reasons: string[] | null): number {
    if (this.#stamped !== i) this.#stamp(i);
    const mark = i + 1;
    let score = 0;

    const industry = this.#menteeIndustry[e] as number;
    if (industry >= 0 && industry === this.#mentorIndustry[i]) {
      score += POINTS.industry;
      reasons?.push(`both in ${this.#menteeIndustryLabel[e]}`);
    }

    const goals = this.#menteeGoals[e] as Tags;
    let matched = 0;
    for (let k = 0; k < goals.ids.length; k++) {
      if (this.#strengthStamp[goals.ids[k] as number] !== mark) continue;
      if (matched++ < POINTS.goalCap) score += POINTS.goal;
      reasons?.push(`wants ${goals.labels[k]}, which the mentor has`);
    }

    const skills = this.#menteeSkills[e] as Tags;
    matched = 0;
    let common: string[] | null = null;
    for (let k = 0; k < skills.ids.length; k++) {
      if (this.#strengthStamp[skills.ids[k] as number] !== mark) continue;
      if (matched++ < POINTS.skillCap) score += POINTS.skill;
      if (reasons) (common ??= []).push(skills.labels[k] as string);
    }
    if (common) reasons?.push(`skills in common: ${common.join(', ')}`);

    const challenges = this.#menteeChallenges[e] as Tags;
    matched = 0;
    for (let k = 0; k < challenges.ids.length; k++) {
      if (this.#knownStamp[challenges.ids[k] as number] !== mark) continue;
      if (matched++ < POINTS.challengeCap) score += POINTS.challenge;
      reasons?.push(`faces ${challenges.labels[k]}, which the mentor knows first-hand`);
    }

    const mentorYears = this.#mentorYears[i] as number;
    const menteeYears = this.#menteeYears[e] as number;
    const gap = mentorYears - menteeYears; // NaN when either is unknown: no points
    if (gap > 0) {
      score += experiencePoints(gap);
      reasons?.push(
        `mentor is ${gap} year${gap === 1 ? '' : 's'} ahead (${mentorYears} vs ${menteeYears} years of experience)`,
      );
    }

    const style = this.#menteeStyle[e] as number;
    if (style >= 0 && style === this.#mentorStyle[i]) {
      score += POINTS.workingStyle;
      reasons?.push(`same working style: ${this.#menteeStyleLabel[e]}`);
    }

    const zoneA = this.#mentorZone[i] as number;
    const zoneB = this.#menteeZone[e] as number;
    if (zoneA >= 0 && zoneB >= 0) {
      const overlap = this.#zoneOverlap(zoneA, zoneB);
      const points = timeZonePoints(overlap);
      if (points > 0) {
        score += points;
        if (reasons) {
          const hours = Math.round((overlap / 60) * 10) / 10;
          const nameA = this.#zoneNames[zoneA] as string;
          const nameB = this.#zoneNames[zoneB] as string;
          reasons.push(
            zoneA === zoneB ? `same time zone (${nameA})` : `${hours} h of shared working hours (${nameA} / ${nameB})`,
          );
        }
      }
    }
    return score;
  }

  #zoneOverlap(a: number, b: number): number {
    const k = a * this.#zoneNames.length + b;
    let overlap = this.#overlap[k] as number;
    if (overlap < 0) {
      overlap = zoneOverlapMinutes(this.#zoneNames[a] as string, this.#zoneNames[b] as string, this.#at) ?? 0;
      this.#overlap[k] = overlap;
    }
    return overlap;
  }

  #zone(name: string | undefined): number {
    const key = name?.trim() ?? '';
    if (key === '') return -1;
    let id = this.#zoneIds.get(key);
    if (id === undefined) {
      id = this.#zoneNames.length;
      this.#zoneIds.set(key, id);
      this.#zoneNames.push(key);
    }
    return id;
  }

  #stamp(i: number): void {
    const size = this.#vocabulary.size;
    if (this.#strengthStamp.length < size) {
      this.#strengthStamp = new Int32Array(size);
      this.#knownStamp = new Int32Array(size);
    }
    const mark = i + 1;
    // Clear the previous mentor's marks lazily: stamps compare with `mark`, so stale ones never match
    // unless the same index is re-stamped, which is exactly when they are still right.
    for (const id of (this.#mentorStrengths[i] as Tags).ids) this.#strengthStamp[id] = mark;
    for (const id of this.#mentorKnown[i] as Int32Array) this.#knownStamp[id] = mark;
    this.#stamped = i;
  }

  /** Raw tag → interned id (or -1 when it normalises to nothing); the same few tags repeat thousands of times. */
  readonly #rawIds = new Map<string, number>();

  #internRaw(raw: string, prefix: string): number {
    const cacheKey = prefix + raw;
    let id = this.#rawIds.get(cacheKey);
    if (id === undefined) {
      const key = normalizeTag(raw);
      id = key === '' ? -1 : this.#intern(prefix + key);
      this.#rawIds.set(cacheKey, id);
    }
    return id;
  }

  #intern(tag: string): number {
    let id = this.#vocabulary.get(tag);
    if (id === undefined) {
      id = this.#vocabulary.size;
      this.#vocabulary.set(tag, id);
    }
    return id;
  }

  #single(value: string | undefined): number {
    return value === undefined ? -1 : this.#internRaw(value, '\u0001');
  }

  #tags(values: readonly string[] | undefined): Tags {
    const ids: number[] = [];
    const labels: string[] = [];
    for (const value of values ?? []) {
      const id = this.#internRaw(value, '');
      if (id < 0 || ids.includes(id)) continue; // a tag listed twice counts once
      ids.push(id);
      labels.push(value.trim());
    }
    return { ids: Int32Array.from(ids), labels };
  }
}
