/** Generated events for tests and benchmarks (deterministic from `generatorSeed`). */
import type { MatchInput, MenteeInput, MentorInput } from './types.ts';

export interface EventShape {
  mentees: number;
  mentors: number;
  /** Distinct mentors each mentee met (capped at the number of mentors). */
  metPerMentee: number;
  capacity: [min: number, max: number];
  constellationSize: [min: number, max: number];
  /** Share of met mentors marked "not a fit", left unranked, and rated "would not mentor". */
  notAFitRate: number;
  unrankedRate: number;
  wouldNotRate: number;
  generatorSeed: number;
  seed: number | string;
}

const DEFAULT_SHAPE: EventShape = {
  mentees: 40,
  mentors: 12,
  metPerMentee: 5,
  capacity: [1, 5],
  constellationSize: [1, 1],
  notAFitRate: 0.05,
  unrankedRate: 0.05,
  wouldNotRate: 0.1,
  generatorSeed: 1,
  seed: 42,
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A plausible event: each pair met has a hidden compatibility; the mentee ranks by it with
 * noise, the mentor's fit (1-5) follows it with noise, so both sides broadly agree.
 */
export function makeMatchInput(overrides: Partial<EventShape> = {}): MatchInput {
  const shape = { ...DEFAULT_SHAPE, ...overrides };
  const rand = mulberry32(shape.generatorSeed);
  const between = ([lo, hi]: [number, number]): number => lo + Math.floor(rand() * (hi - lo + 1));
  const mentorIds = Array.from({ length: shape.mentors }, (_, j) => `mentor-${j}`);
  const mentors: MentorInput[] = mentorIds.map((id) => ({ id, capacity: between(shape.capacity), ratings: [] }));
  const mentees: MenteeInput[] = [];
  const met = Math.min(shape.metPerMentee, shape.mentors);
  const picked = new Int32Array(shape.mentors).fill(-1);
  for (let i = 0; i < shape.mentees; i++) {
    const id = `mentee-${i}`;
    const seen: { j: number; score: number }[] = [];
    while (seen.length < met) {
      const j = Math.floor(rand() * shape.mentors);
      if (picked[j] === i) continue;
      picked[j] = i;
      seen.push({ j, score: rand() });
    }
    const ranked: { j: number; key: number }[] = [];
    const notAFit: string[] = [];
    for (const { j, score } of seen) {
      const roll = rand();
      if (roll < shape.notAFitRate) notAFit.push(mentorIds[j]!);
      else if (roll >= shape.notAFitRate + shape.unrankedRate) ranked.push({ j, key: score + 0.3 * rand() });
      const fit = Math.min(5, Math.max(1, Math.round(1 + 4 * score + (rand() - 0.5) * 1.5)));
      mentors[j]!.ratings.push({ menteeId: id, fit, wouldMentor: rand() >= shape.wouldNotRate });
    }
    ranked.sort((a, b) => b.key - a.key);
    mentees.push({
      id,
      ranking: ranked.map(({ j }) => mentorIds[j]!),
      notAFit,
      constellationSize: between(shape.constellationSize),
    });
  }
  return { mentees, mentors, seed: shape.seed };
}

/**
 * Peer wishes as circle rounds leave them: each mentee names about `perMentee` peers who ranked one
 * of the mentors they ranked (people who could have shared a circle); `mutualRate` of them wish back.
 */
export function makePeerWishes(input: MatchInput, options: { perMentee: number; mutualRate?: number; generatorSeed: number }): Record<string, string[]> {
  const rand = mulberry32(options.generatorSeed ^ 0x5eed);
  const mutualRate = options.mutualRate ?? 0.5;
  const byMentor = new Map<string, string[]>();
  for (const m of input.mentees) for (const j of m.ranking) (byMentor.get(j) ?? byMentor.set(j, []).get(j)!).push(m.id);
  const wishes: Record<string, string[]> = {};
  const add = (a: string, b: string): void => {
    if (a !== b && !(wishes[a] ??= []).includes(b)) wishes[a]!.push(b);
  };
  for (const m of input.mentees) {
    for (let k = 0; k < options.perMentee && m.ranking.length > 0; k++) {
      const peers = byMentor.get(m.ranking[Math.floor(rand() * m.ranking.length)]!)!;
      const peer = peers[Math.floor(rand() * peers.length)]!;
      add(m.id, peer);
      if (rand() < mutualRate) add(peer, m.id);
    }
  }
  return wishes;
}
