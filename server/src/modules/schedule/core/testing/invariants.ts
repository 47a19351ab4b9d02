/** Checks every promise the planner makes about a plan; returns the broken ones (empty = all kept). */
import { scorePair } from '../scoring.ts';
import type { Plan, ReplanInput, Seat } from '../types.ts';

const SIT_OUT_CODES = new Set(['more-mentees-than-tables', 'more-tables-than-mentees', 'met-everyone-available', 'absent']);

export function brokenPromises(input: ReplanInput, plan: Plan): string[] {
  const broken: string[] = [];
  const fail = (message: string): void => void broken.push(message);
  const absent = new Set(input.absentIds ?? []);
  const mentors = new Map(input.mentors.map((p) => [p.id, p]));
  const mentees = new Map(input.mentees.map((p) => [p.id, p]));
  const tableSize = (id: string): number => mentors.get(id)?.tableSize ?? (input.allowSharedTables ? 2 : 1);
  // A mentor's seats in round r: their table size, or the circle's size in a circle round.
  const formats = input.formats;
  const seatsIn = (id: string, r: number): number => {
    const format = formats?.[r];
    return format?.kind === 'circle' ? format.size : tableSize(id);
  };
  const coHosted = (r: number): boolean => {
    const format = formats?.[r];
    return format?.kind === 'circle' && format.hosts === 2;
  };
  const presentMentors = input.mentors.filter((p) => !absent.has(p.id)).length;
  let seatsLeft = (id: string): number => (input.rounds - input.heldRounds.length) * tableSize(id);
  if (formats) seatsLeft = (id) => formats.slice(input.heldRounds.length).reduce((sum, _, k) => sum + seatsIn(id, input.heldRounds.length + k), 0);
  const key = (mentorId: string, menteeId: string): string => `${mentorId}\u0000${menteeId}`;
  const forbidden = new Set((input.forbidden ?? []).map((p) => key(p.mentorId, p.menteeId)));
  const heldCount = input.heldRounds.length;
  const remaining = input.rounds - heldCount;

  if (plan.rounds.length !== input.rounds) fail(`plan has ${plan.rounds.length} rounds, event has ${input.rounds}`);
  plan.rounds.forEach((round, r) => {
    if (round.index !== r) fail(`round ${r} has index ${round.index}`);
    if (round.held !== r < heldCount) fail(`round ${r} held flag is ${round.held}`);
  });

  // Held rounds are returned exactly as given.
  const ref = (t: { mentorId: string; coMentorId?: string; menteeIds: string[] }) => ({ mentorId: t.mentorId, coMentorId: t.coMentorId, menteeIds: t.menteeIds });
  input.heldRounds.forEach((held, r) => {
    if (JSON.stringify(plan.rounds[r]?.tables.map(ref)) !== JSON.stringify(held.tables.map(ref))) fail(`held round ${r} changed`);
  });

  const met = new Set<string>();
  const busyRounds = new Map<string, number>();
  const newLoad = new Map<string, number>();
  const perRound: number[] = [];
  for (const round of plan.rounds) {
    const seatedMentees = new Set<string>();
    const seatedMentors = new Set<string>();
    let meetings = 0;
    let seatedCount = 0;
    let loneHosts = 0;
    for (const table of round.tables) {
      const hosts = table.coMentorId === undefined ? [table.mentorId] : [table.mentorId, table.coMentorId];
      for (const id of hosts) {
        if (seatedMentors.has(id)) fail(`round ${round.index}: mentor ${id} has two tables`);
        seatedMentors.add(id);
      }
      if (table.coMentorId !== undefined && !coHosted(round.index)) fail(`round ${round.index}: a co-host outside a co-hosted circle round`);
      if (table.coMentorId === table.mentorId) fail(`round ${round.index}: mentor ${table.mentorId} co-hosts their own table`);
      if ((table.coMentorId === undefined) !== (table.coSeats === undefined)) fail(`round ${round.index}: coSeats without a co-host, or a co-host without coSeats`);
      if (table.coMentorId === undefined) loneHosts++;
      if (table.menteeIds.length !== table.seats.length) fail(`round ${round.index}: seats and menteeIds disagree`);
      const hostSeats: [string, Seat[]][] = [[table.mentorId, table.seats]];
      if (table.coMentorId !== undefined && table.coSeats) hostSeats.push([table.coMentorId, table.coSeats]);
      let score = 0;
      for (const [mentorId, seats] of hostSeats) {
        if (seats.length !== table.menteeIds.length) fail(`round ${round.index}: ${mentorId}'s seats and menteeIds disagree`);
        seats.forEach((seat, k) => {
          score += seat.score;
          if (seat.menteeId !== table.menteeIds[k]) fail(`round ${round.index}: seat order differs from menteeIds`);
          const expected = scorePair(mentors.get(mentorId)?.profile ?? {}, mentees.get(seat.menteeId)?.profile ?? {}, { at: input.scoringInstant });
          if (seat.score !== expected.score || JSON.stringify(seat.reasons) !== JSON.stringify(expected.reasons)) {
            fail(`round ${round.index}: seat ${mentorId}–${seat.menteeId} is not scored by scorePair`);
          }
        });
      }
      if (table.score !== score) fail(`round ${round.index}: table score is not the sum of its seats`);
      for (const menteeId of table.menteeIds) {
        // A held co-hosted round may list a mentee at each host's table (one table per host).
        if (seatedMentees.has(menteeId) && !(round.held && coHosted(round.index))) fail(`round ${round.index}: mentee ${menteeId} sits at two tables`);
        seatedMentees.add(menteeId);
        seatedCount++;
        for (const mentorId of hosts) {
          const k = key(mentorId, menteeId);
          if (met.has(k)) fail(`pair ${mentorId}–${menteeId} meets twice`);
          met.add(k);
          if (round.held) continue;
          meetings++;
          newLoad.set(mentorId, (newLoad.get(mentorId) ?? 0) + 1);
          if (forbidden.has(k)) fail(`forbidden pair ${mentorId}–${menteeId} meets`);
          if (absent.has(menteeId) || absent.has(mentorId)) fail(`round ${round.index}: an absent participant is seated`);
          if (!mentees.has(menteeId) || !mentors.has(mentorId)) fail(`round ${round.index}: unknown participant`);
        }
      }
      if (!round.held) {
        for (const id of hosts) busyRounds.set(id, (busyRounds.get(id) ?? 0) + 1);
        if (table.menteeIds.length > seatsIn(table.mentorId, round.index)) fail(`round ${round.index}: mentor ${table.mentorId} over table size`);
        if (table.menteeIds.length === 0) fail(`round ${round.index}: empty table`);
      }
    }
    // Co-hosted rounds pair the present mentors: one hosts alone only when their number is odd.
    if (!round.held && coHosted(round.index) && loneHosts > presentMentors % 2) fail(`round ${round.index}: ${loneHosts} circles with one host`);
    if (round.held) continue;
    perRound.push(meetings);

    // Every present participant not seated sits out once, with a reason; nobody else does.
    const sitOuts = new Map<string, string>();
    for (const s of round.sitOuts) {
      if (sitOuts.has(s.participantId)) fail(`round ${round.index}: ${s.participantId} sits out twice`);
      sitOuts.set(s.participantId, s.code);
      if (!SIT_OUT_CODES.has(s.code) || s.reason === '') fail(`round ${round.index}: sit-out ${s.participantId} has code ${s.code}`);
      if ((s.code === 'absent') !== absent.has(s.participantId)) fail(`round ${round.index}: ${s.participantId} absent code mismatch`);
    }
    // Seats of the round: every present mentor's, or in a co-hosted round every circle's (⌈M/2⌉ circles).
    let seats = 0;
    for (const id of mentors.keys()) if (!absent.has(id)) seats += seatsIn(id, round.index);
    const format = formats?.[round.index];
    if (format?.kind === 'circle' && format.hosts === 2) seats = Math.ceil(presentMentors / 2) * format.size;
    for (const id of [...mentors.keys(), ...mentees.keys()]) {
      const seated = seatedMentors.has(id) || seatedMentees.has(id);
      if (seated === sitOuts.has(id)) fail(`round ${round.index}: ${id} is ${seated ? 'seated and sits out' : 'neither seated nor sitting out'}`);
      if (sitOuts.get(id) === 'more-mentees-than-tables' && seatedCount !== seats) fail(`round ${round.index}: tables are not full`);
    }
  }

  // Rounds differ by at most one meeting, so sit-outs spread evenly (rounds of one format only).
  if (!formats && perRound.length > 0 && Math.max(...perRound) - Math.min(...perRound) > 1) fail(`planned rounds hold ${perRound.join('/')} meetings`);

  // A mentor shares a table only when their load leaves no other way.
  for (const [mentorId, load] of formats ? [] : newLoad) {
    if ((busyRounds.get(mentorId) ?? 0) !== Math.min(load, remaining)) fail(`mentor ${mentorId} shares tables needlessly`);
  }

  // Pinned pairs meet, unless someone is absent, no round remains, or the mentee or the mentor has
  // more pins left than rounds or seats; then a warning names the pin.
  const metBefore = new Set<string>();
  for (const round of input.heldRounds) {
    for (const t of round.tables) for (const mentorId of [t.mentorId, ...(t.coMentorId ? [t.coMentorId] : [])]) for (const id of t.menteeIds) metBefore.add(key(mentorId, id));
  }
  const open = new Map<string, { mentorId: string; menteeId: string }>();
  for (const pin of input.pinned ?? []) {
    const k = key(pin.mentorId, pin.menteeId);
    if (!metBefore.has(k) && !absent.has(pin.mentorId) && !absent.has(pin.menteeId)) open.set(k, pin);
  }
  const pinLoad = new Map<string, number>();
  for (const pin of open.values()) {
    pinLoad.set(pin.mentorId, (pinLoad.get(pin.mentorId) ?? 0) + 1);
    pinLoad.set(pin.menteeId, (pinLoad.get(pin.menteeId) ?? 0) + 1);
  }
  for (const pin of input.pinned ?? []) {
    if (met.has(key(pin.mentorId, pin.menteeId))) continue;
    const overbooked = (pinLoad.get(pin.menteeId) ?? 0) > remaining || (pinLoad.get(pin.mentorId) ?? 0) > seatsLeft(pin.mentorId);
    // With formats, a pin may find no round where both have room; it must then be named too.
    const excused = remaining === 0 || absent.has(pin.mentorId) || absent.has(pin.menteeId) || overbooked || formats !== undefined;
    if (!excused) fail(`pinned pair ${pin.mentorId}–${pin.menteeId} never meets`);
    else if (!plan.warnings.some((w) => w.includes(`pinned pair ${pin.mentorId}–${pin.menteeId} `))) fail(`unmet pin ${pin.mentorId}–${pin.menteeId} without warning`);
  }
  return broken;
}

/** Meeting counts over the whole event, among participants present for the planned rounds. */
export function counts(input: ReplanInput, plan: Plan): { mentees: number[]; mentors: number[]; meetings: number } {
  const absent = new Set(input.absentIds ?? []);
  const count = new Map<string, number>();
  let meetings = 0;
  for (const round of plan.rounds) {
    for (const table of round.tables) {
      for (const mentorId of [table.mentorId, ...(table.coMentorId ? [table.coMentorId] : [])]) {
        for (const menteeId of table.menteeIds) {
          count.set(menteeId, (count.get(menteeId) ?? 0) + 1);
          count.set(mentorId, (count.get(mentorId) ?? 0) + 1);
          if (!round.held) meetings++;
        }
      }
    }
  }
  return {
    mentees: input.mentees.filter((p) => !absent.has(p.id)).map((p) => count.get(p.id) ?? 0),
    mentors: input.mentors.filter((p) => !absent.has(p.id)).map((p) => count.get(p.id) ?? 0),
    meetings,
  };
}
