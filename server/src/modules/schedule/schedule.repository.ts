import type { Queryable } from '../../plugins/db.ts';
import type { PairConstraint } from '@constellation/shared/schemas/schedule';
import type { Plan, PlanInput } from './core/index.ts';
import type { Profile } from '@constellation/shared/schemas/participants';

export interface PlanRecord {
  seed: number;
  plan: Plan & { plannerMs?: number };
  heldRounds: number;
  version: number;
  updatedAt: Date;
}

export async function loadPlan(db: Queryable, eventId: string): Promise<PlanRecord | null> {
  const { rows } = await db.query<PlanRecord>(
    `SELECT seed, plan, held_rounds AS "heldRounds", version, updated_at AS "updatedAt" FROM event_plans WHERE event_id = $1`,
    [eventId],
  );
  return rows[0] ?? null;
}

/** Stores a plan and its meetings; rounds up to `heldRounds` keep their rows. Call inside a transaction. */
export async function savePlan(db: Queryable, eventId: string, seed: number, plan: Plan, heldRounds: number, plannerMs: number): Promise<void> {
  await db.query(
    `INSERT INTO event_plans (event_id, seed, plan, held_rounds) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id) DO UPDATE SET seed = $2, plan = $3, held_rounds = $4, version = event_plans.version + 1, updated_at = now()`,
    [eventId, seed, JSON.stringify({ ...plan, plannerMs }), heldRounds],
  );
  await db.query('DELETE FROM meetings WHERE event_id = $1 AND round > $2', [eventId, heldRounds]);
  const round: number[] = [];
  const mentor: string[] = [];
  const mentee: string[] = [];
  const score: number[] = [];
  for (const r of plan.rounds) {
    if (r.index < heldRounds) continue;
    for (const table of r.tables) {
      for (const seat of table.seats) {
        round.push(r.index + 1);
        mentor.push(table.mentorId);
        mentee.push(seat.menteeId);
        score.push(seat.score);
      }
    }
  }
  await db.query(
    `INSERT INTO meetings (event_id, round, mentor_id, mentee_id, score)
     SELECT $1, * FROM unnest($2::int[], $3::uuid[], $4::uuid[], $5::int[])`,
    [eventId, round, mentor, mentee, score],
  );
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
  event: { rounds: number; allowSharedTables: boolean; scheduledStart: string },
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
  };
}
