import { createHash } from 'node:crypto';
import type { Queryable } from '../../plugins/db.ts';
import { tableRoomName, type SeatedTable } from '../video/core/seating.ts';
import type { PairConstraint } from '@constellation/shared/schemas/schedule';
import type { Plan, PlanInput } from './core/index.ts';
import type { Profile } from '@constellation/shared/schemas/participants';
import type { RoundFormat } from '@constellation/shared/schemas/events';

export interface PlanRecord {
  seed: number;
  plan: Plan & { plannerMs?: number };
  heldRounds: number;
  version: number;
  updatedAt: Date;
  /** What the plan was made from (see `planInputsKey`); null for plans made before it was kept. */
  inputsKey: string | null;
}

export async function loadPlan(db: Queryable, eventId: string): Promise<PlanRecord | null> {
  const { rows } = await db.query<PlanRecord>(
    `SELECT seed, plan, held_rounds AS "heldRounds", version, updated_at AS "updatedAt", inputs_key AS "inputsKey" FROM event_plans WHERE event_id = $1`,
    [eventId],
  );
  return rows[0] ?? null;
}

/**
 * Stores a plan and its seats (`meetings`); rounds up to `heldRounds` keep their rows (and, in the
 * stored plan, their tables as they were seated). Call inside a transaction.
 */
export async function savePlan(
  db: Queryable,
  eventId: string,
  seed: number,
  plan: Plan,
  heldRounds: number,
  plannerMs: number,
  inputsKey: string,
): Promise<void> {
  const previous = heldRounds > 0 ? await loadPlan(db, eventId) : null;
  const rounds = plan.rounds.map((r) => (r.index < heldRounds && previous?.plan.rounds[r.index] ? { ...previous.plan.rounds[r.index]!, held: true } : r));
  await db.query(
    `INSERT INTO event_plans (event_id, seed, plan, held_rounds, inputs_key) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id) DO UPDATE SET seed = $2, plan = $3, held_rounds = $4, inputs_key = $5, version = event_plans.version + 1, updated_at = now()`,
    [eventId, seed, JSON.stringify({ ...plan, rounds, plannerMs }), heldRounds, inputsKey],
  );
  await db.query('DELETE FROM meetings WHERE event_id = $1 AND round > $2', [eventId, heldRounds]);
  const round: number[] = [];
  const mentor: string[] = [];
  const mentee: string[] = [];
  const score: number[] = [];
  const room: string[] = [];
  const coHost: boolean[] = [];
  for (const r of plan.rounds) {
    if (r.index < heldRounds) continue;
    for (const table of r.tables as SeatedTable[]) {
      // A co-hosted circle: every mentee has a seat with each host, in the one room.
      const hosts = table.coMentorId ? [{ id: table.mentorId, seats: table.seats }, { id: table.coMentorId, seats: table.coSeats ?? table.seats }] : [{ id: table.mentorId, seats: table.seats }];
      hosts.forEach((host, k) => {
        for (const seat of host.seats) {
          round.push(r.index + 1);
          mentor.push(host.id);
          mentee.push(seat.menteeId);
          score.push(seat.score);
          room.push(tableRoomName(eventId, r.index + 1, table));
          coHost.push(k === 1);
        }
      });
    }
  }
  await db.query(
    `INSERT INTO meetings (event_id, round, mentor_id, mentee_id, score, room_name, co_host)
     SELECT $1, * FROM unnest($2::int[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::boolean[])`,
    [eventId, round, mentor, mentee, score, room, coHost],
  );
}

/** Stores the plan whose held rounds a live change re-seated, without touching its version's meetings. */
export async function storeSeating(db: Queryable, eventId: string, plan: Plan): Promise<void> {
  await db.query(
    `UPDATE event_plans SET plan = $2 || jsonb_build_object('plannerMs', plan->'plannerMs'), version = version + 1, updated_at = now() WHERE event_id = $1`,
    [eventId, JSON.stringify(plan)],
  );
}

/**
 * What a plan depends on besides attendance: the participants, the pins and forbids, the number of
 * rounds, shared tables and the rounds' formats. A plan made from another key is stale.
 */
export function planInputsKey(
  event: { rounds: number; allowSharedTables: boolean; roundFormats: RoundFormat[] | null },
  people: PlannerPeople,
  constraints: readonly PairConstraint[],
): string {
  const ids = (list: { id: string }[]) => list.map((p) => p.id).sort();
  const pairs = constraints.map((c) => `${c.kind}:${c.mentorId}:${c.menteeId}`).sort();
  const parts: unknown[] = [event.rounds, event.allowSharedTables, ids(people.mentors), ids(people.mentees), pairs];
  // Round formats join the key only when set, so plans of events without them stay up to date.
  if (event.roundFormats !== null) parts.push(event.roundFormats.map((f) => (f.kind === 'circle' ? `circle:${f.size}${f.hosts === 2 ? ':2' : ''}` : 'pairs')));
  const text = JSON.stringify(parts);
  return createHash('sha256').update(text).digest('base64url');
}

export async function listConstraints(db: Queryable, eventId: string): Promise<PairConstraint[]> {
  const { rows } = await db.query<PairConstraint>(
    `SELECT mentor_id AS "mentorId", mentee_id AS "menteeId", kind FROM pair_constraints WHERE event_id = $1 ORDER BY created_at`,
    [eventId],
  );
  return rows;
}

export async function upsertConstraint(db: Queryable, eventId: string, c: PairConstraint): Promise<void> {
  await db.query(
    `INSERT INTO pair_constraints (event_id, mentor_id, mentee_id, kind)
     SELECT $1, $2, $3, $4
      WHERE EXISTS (SELECT 1 FROM participants WHERE event_id = $1 AND id = $2 AND role = 'mentor')
        AND EXISTS (SELECT 1 FROM participants WHERE event_id = $1 AND id = $3 AND role = 'mentee')
     ON CONFLICT (event_id, mentor_id, mentee_id) DO UPDATE SET kind = $4`,
    [eventId, c.mentorId, c.menteeId, c.kind],
  );
}

export async function deleteConstraint(db: Queryable, eventId: string, mentorId: string, menteeId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM pair_constraints WHERE event_id = $1 AND mentor_id = $2 AND mentee_id = $3', [eventId, mentorId, menteeId]);
  return (rowCount ?? 0) > 0;
}

export interface PlannerPeople {
  mentors: { id: string; name: string; profile: Profile }[];
  mentees: { id: string; name: string; profile: Profile }[];
}

export async function loadPlannerPeople(db: Queryable, eventId: string): Promise<PlannerPeople> {
  const { rows } = await db.query<{ id: string; name: string; role: 'mentor' | 'mentee'; profile: Profile }>(
    `SELECT id, name, role, profile FROM participants WHERE event_id = $1 ORDER BY id`,
    [eventId],
  );
  return {
    mentors: rows.filter((r) => r.role === 'mentor').map(({ id, name, profile }) => ({ id, name, profile })),
    mentees: rows.filter((r) => r.role === 'mentee').map(({ id, name, profile }) => ({ id, name, profile })),
  };
}

/** The planner's input for an event, from its participants and the organizer's pins and forbids. */
export function planInputOf(
  event: { rounds: number; allowSharedTables: boolean; scheduledStart: string; roundFormats: RoundFormat[] | null },
  people: PlannerPeople,
  constraints: PairConstraint[],
  seed: number,
): PlanInput {
  return {
    mentors: people.mentors.map(({ id, profile }) => ({ id, profile })),
    mentees: people.mentees.map(({ id, profile }) => ({ id, profile })),
    rounds: event.rounds,
    allowSharedTables: event.allowSharedTables,
    pinned: constraints.filter((c) => c.kind === 'pin').map(({ mentorId, menteeId }) => ({ mentorId, menteeId })),
    forbidden: constraints.filter((c) => c.kind === 'forbid').map(({ mentorId, menteeId }) => ({ mentorId, menteeId })),
    seed,
    scoringInstant: event.scheduledStart,
    ...(event.roundFormats ? { formats: event.roundFormats.map((f) => ({ ...f })) } : {}),
  };
}
