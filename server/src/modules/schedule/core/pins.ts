/**
 * Which pins the plan honours when they do not all fit. A pin never blocks planning: one that
 * cannot be honoured becomes a warning that names it.
 *
 * A set of pins fits when no mentee has more pins than rounds remain and no mentor more than
 * seats remain (rounds × table size); any set that fits can be seated (König, as for the rest of
 * the plan). The rule when they do not all fit: keep as many pins as possible and, among the
 * largest sets, the one whose positions in the input list sum least (earlier pins first). It is
 * a maximum b-matching of the pin graph, solved as a minimum-cost flow whose nodes are numbered
 * in pin order, so the choice depends on the pins and their order only, never on the seed or on
 * the order in which participants are listed.
 */
import { MinCostFlow } from './min-cost-flow.ts';

export interface PinRequest {
  mentor: number;
  mentee: number;
}

export interface PinLimits {
  /** Pins a mentee can still take (rounds that remain). */
  menteeRoom(mentee: number): number;
  /** Pins a mentor can still take (seats that remain). */
  mentorRoom(mentor: number): number;
}

export interface PinChoice {
  /** Per request, in input order: kept or dropped. */
  kept: boolean[];
  /** For a dropped request, which side has no room left for it. */
  fullSide: ('mentee' | 'mentor' | null)[];
}

export function choosePins(requests: readonly PinRequest[], limits: PinLimits): PinChoice {
  const count = requests.length;
  const menteeNode = new Map<number, number>();
  const mentorNode = new Map<number, number>();
  const menteeLoad: number[] = [];
  const mentorLoad: number[] = [];
  for (const { mentor, mentee } of requests) {
    if (!menteeNode.has(mentee)) menteeNode.set(mentee, menteeLoad.push(0) - 1);
    if (!mentorNode.has(mentor)) mentorNode.set(mentor, mentorLoad.push(0) - 1);
    menteeLoad[menteeNode.get(mentee) as number]!++;
    mentorLoad[mentorNode.get(mentor) as number]!++;
  }
  const menteeRoom = [...menteeNode.keys()].map((e) => limits.menteeRoom(e));
  const mentorRoom = [...mentorNode.keys()].map((i) => limits.mentorRoom(i));
  const fits =
    menteeLoad.every((load, x) => load <= (menteeRoom[x] as number)) && mentorLoad.every((load, y) => load <= (mentorRoom[y] as number));
  if (fits) return { kept: requests.map(() => true), fullSide: requests.map(() => null) };

  // source → mentee (room) → mentor (one arc per pin) → sink (room), plus a free bypass.
  // A kept pin earns W, more than any sum of positions, minus its position. With tens of
  // thousands of pins those costs would leave exact double arithmetic; then every pin earns
  // the same and only the count is guaranteed (still deterministic).
  const mentees = menteeLoad.length;
  const mentors = mentorLoad.length;
  const s = mentees + mentors;
  const t = s + 1;
  const nodes = mentees + mentors + 3;
  const byPosition = (count * count + 2) * nodes * nodes < Number.MAX_SAFE_INTEGER / 4;
  const W = byPosition ? count * count + 1 : 1;
  const flow = new MinCostFlow(mentees + mentors + 2);
  menteeRoom.forEach((room, x) => flow.addArc(s, x, Math.max(0, room), 0));
  mentorRoom.forEach((room, y) => flow.addArc(mentees + y, t, Math.max(0, room), 0));
  const arcs = requests.map(({ mentor, mentee }, k) =>
    flow.addArc(menteeNode.get(mentee) as number, mentees + (mentorNode.get(mentor) as number), 1, byPosition ? k - W : -1),
  );
  flow.addArc(s, t, count, 0);
  flow.setSupply(s, count);
  flow.setSupply(t, -count);
  if (flow.solve() !== 'optimal') throw new Error('pin selection flow is not optimal'); // unreachable: the bypass keeps it feasible

  const kept = arcs.map((arc) => flow.flow(arc) === 1);
  const keptE = new Array<number>(mentees).fill(0);
  const keptI = new Array<number>(mentors).fill(0);
  requests.forEach(({ mentor, mentee }, k) => {
    if (!kept[k]) return;
    keptE[menteeNode.get(mentee) as number]!++;
    keptI[mentorNode.get(mentor) as number]!++;
  });
  // A dropped pin always meets a full side: otherwise adding it would keep one pin more.
  const fullSide = requests.map(({ mentor, mentee }, k) => {
    if (kept[k]) return null;
    const x = menteeNode.get(mentee) as number;
    return (keptE[x] as number) >= (menteeRoom[x] as number) ? ('mentee' as const) : ('mentor' as const);
  });
  return { kept, fullSide };
}
