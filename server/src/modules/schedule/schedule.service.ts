import type pg from 'pg';
import type { PairConstraint, PlanHealthView } from '@constellation/shared/schemas/schedule';
import type { Event } from '@constellation/shared/schemas/events';
import { HttpError, conflict } from '../../lib/http-errors.ts';
import { inTransaction } from '../../plugins/db.ts';
import type { AttendanceService, SeatRecord } from '../attendance/attendance.service.ts';
import type { ClockService } from '../clock/clock.service.ts';
import { findEventById } from '../events/events.repository.ts';
import { absentNoShowIds, absentInRound } from '../video/video.repository.ts';
import { planHealth, type HeldRound, type Plan, type ReplanInput } from './core/index.ts';
import type { PlannerRunner } from './planner.runner.ts';
import {
  listConstraints,
  loadPlan,
  loadPlannerPeople,
  planInputOf,
  planInputsKey,
  savePlan,
  type PlannerPeople,
  type PlanRecord,
} from './schedule.repository.ts';
import { SoloCluster, startInTime, type CallContext, type Cluster } from '../../cluster/cluster.ts';

/** How long a node waits for an event's owner to plan it (a big event's plan takes seconds, and queues behind others'). */
const PLAN_CALL_MS = 120_000;

export interface PlanState {
  event: Event;
  record: PlanRecord | null;
  people: PlannerPeople;
  constraints: PairConstraint[];
  inputsKey: string;
  /** The participants, pins, forbids or rounds changed since the plan was made. */
  stale: boolean;
}

export interface ScheduleServiceDeps {
  pool: pg.Pool;
  planner: PlannerRunner;
  /** Runs plan health and advice (several planner runs) so that they never queue a plan behind them; default `planner`. */
  advisor?: PlannerRunner;
  clock: ClockService;
  attendance: AttendanceService;
  /** Called after a plan is stored, so live participants get their new partners. */
  onPlanChanged: (eventId: string) => Promise<void>;
  /** With several app nodes: an event's plans are made on its owner, one at a time across all nodes. */
  cluster?: Cluster;
}

/**
 * Plans and re-plans an event's rounds. A re-plan starts from what really happened: the meetings
 * that were held (attendance), the seats of the round running now, and the no-shows; so a missed
 * meeting can be planned again and nobody is counted as having met someone they never saw. Plans
 * of one event are made one at a time.
 */
export class ScheduleService {
  readonly #deps: ScheduleServiceDeps;
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Health of each event's latest plan, by plan version: the advice re-runs the planner a few times. */
  readonly #health = new Map<string, { version: number; inputsKey: string; view: Promise<PlanHealthView> }>();

  readonly #cluster: Cluster;

  constructor(deps: ScheduleServiceDeps) {
    this.#deps = deps;
    this.#cluster = deps.cluster ?? new SoloCluster();
    this.#cluster.handle<{ seed: number }, null>('schedule.plan', async (eventId, { seed }, context) => (await this.#plan(eventId, seed, context), null));
    this.#cluster.handle<{ absentIds: string[] }, null>('schedule.replan', async (eventId, { absentIds }, context) => (await this.#replanQueued(eventId, absentIds, context), null));
  }

  async state(eventId: string): Promise<PlanState | null> {
    const { pool } = this.#deps;
    const event = await findEventById(pool, eventId);
    if (!event) return null;
    const [record, people, constraints] = await Promise.all([loadPlan(pool, eventId), loadPlannerPeople(pool, eventId), listConstraints(pool, eventId)]);
    const inputsKey = planInputsKey(event, people, constraints);
    return { event, record, people, constraints, inputsKey, stale: record !== null && record.inputsKey !== inputsKey };
  }

  /** Why the event cannot start now, or null when it can: it needs a plan that is up to date. */
  async startProblem(eventId: string): Promise<{ code: 'no-plan' | 'plan-stale'; reason: string } | null> {
    const state = await this.state(eventId);
    if (!state) return null;
    if (!state.record || state.record.plan.totals.meetings === 0) {
      return { code: 'no-plan', reason: 'There is no rotation plan yet: generate the plan before starting, so everyone has a partner.' };
    }
    if (state.stale) {
      return { code: 'plan-stale', reason: 'The plan is out of date: participants, pins, forbids or rounds changed since it was made. Re-plan, then start.' };
    }
    return null;
  }

  /**
   * How thin the stored plan is and what would fix it (see core/health.ts); null figures when there
   * is no plan or it is out of date, since advice about another set of people would mislead.
   */
  async health(eventId: string): Promise<PlanHealthView | null> {
    const state = await this.state(eventId);
    if (!state) return null;
    const { record } = state;
    if (!record || state.stale) return { health: null, advice: [], version: record?.version ?? 0, stale: state.stale };
    const cached = this.#health.get(eventId);
    if (cached && cached.version === record.version && cached.inputsKey === state.inputsKey) return cached.view;
    const input = planInputAsMade(state, record);
    const view = (this.#deps.advisor ?? this.#deps.planner)
      .health(input, record.plan, MAX_ROUNDS)
      // Held rounds as live changes left them may be more than the planner accepts as history (an
      // input error): the figures of the plan itself still hold, only the what-ifs cannot be run.
      .catch((error: unknown) => {
        if (!(error instanceof HttpError)) throw error;
        return { health: planHealth(input, record.plan), advice: [] };
      })
      .then(({ health, advice }) => ({ health, advice, version: record.version, stale: false }));
    this.#health.set(eventId, { version: record.version, inputsKey: state.inputsKey, view });
    view.catch(() => this.#health.get(eventId)?.view === view && this.#health.delete(eventId));
    if (this.#health.size > HEALTH_CACHE) this.#health.delete(this.#health.keys().next().value as string);
    return view;
  }

  /** Plans every round; before the event starts (or, if it started without a plan, the rounds not yet held). */
  async plan(eventId: string, seed: number): Promise<void> {
    await this.#cluster.call(eventId, 'schedule.plan', { seed }, { timeoutMs: PLAN_CALL_MS });
  }

  #plan(eventId: string, seed: number, context: CallContext): Promise<void> {
    return this.#serialize(eventId, async () => {
      startInTime(context, 'The plan');
      const held = await this.#deps.clock.heldRounds(eventId);
      const state = await this.#state(eventId);
      if (held > 0 && state.record) throw conflict('Rounds were already held: re-plan the remaining rounds instead');
      if (held > 0) return this.#replan(state, seed, []);
      this.#needsPeople(state.people);
      const input = planInputOf(state.event, state.people, state.constraints, seed);
      await this.#save(eventId, seed, 0, state.inputsKey, () => this.#deps.planner.plan(input));
    });
  }

  /** Re-plans the rounds not yet held from what really happened; `absentIds` are absent on top of the no-shows. */
  async replan(eventId: string, absentIds: readonly string[] = []): Promise<void> {
    await this.#cluster.call(eventId, 'schedule.replan', { absentIds }, { timeoutMs: PLAN_CALL_MS });
  }

  #replanQueued(eventId: string, absentIds: readonly string[], context: CallContext): Promise<void> {
    return this.#serialize(eventId, async () => {
      startInTime(context, 'The re-plan');
      const state = await this.#state(eventId);
      await this.#replan(state, state.record?.seed ?? Math.floor(Math.random() * 2_147_483_647), absentIds);
    });
  }

  async #replan(state: PlanState, seed: number, absentIds: readonly string[]): Promise<void> {
    const { pool, clock, attendance } = this.#deps;
    const eventId = state.event.id;
    this.#needsPeople(state.people);
    const held = Math.min(await clock.heldRounds(eventId), state.event.rounds);
    const known = new Set([...state.people.mentors, ...state.people.mentees].map((p) => p.id));
    const windows = await clock.windows(eventId);
    const running = windows.find((w) => !w.ended)?.round ?? null;
    const [seats, noShows, absentNow] = await Promise.all([
      attendance.seats(eventId),
      absentNoShowIds(pool, eventId),
      running === null ? Promise.resolve(new Set<string>()) : absentInRound(pool, eventId, running),
    ]);
    const pairsSize = state.event.allowSharedTables ? 2 : 1;
    const formats = state.event.roundFormats;
    const tableSize = (round: number) => {
      const format = formats?.[round - 1];
      return format?.kind === 'circle' ? format.size : pairsSize;
    };
    const hostsOf = (round: number) => {
      const format = formats?.[round - 1];
      return format?.kind === 'circle' ? (format.hosts ?? 1) : 1;
    };
    const heldRounds = historyOf(seats, held, running, absentNow, known, tableSize, hostsOf);
    const absent = [...new Set([...absentIds, ...noShows])].filter((id) => known.has(id));
    const input = { ...planInputOf(state.event, state.people, state.constraints, seed), heldRounds, absentIds: absent };
    await this.#save(eventId, seed, held, state.inputsKey, () => this.#deps.planner.replan(input));
  }

  async #state(eventId: string): Promise<PlanState> {
    const state = await this.state(eventId);
    if (!state) throw new HttpError(404, 'Event not found');
    return state;
  }

  #needsPeople(people: PlannerPeople): void {
    if (people.mentors.length === 0 || people.mentees.length === 0) throw new HttpError(422, 'Add at least one mentor and one mentee before planning');
  }

  /** Runs the planner (timed), stores its plan in one transaction, and tells the live event. */
  async #save(eventId: string, seed: number, held: number, inputsKey: string, run: () => Promise<Plan>): Promise<void> {
    const started = performance.now();
    const plan = await run();
    await inTransaction(this.#deps.pool, async (client) => {
      // Fenced: an owner that lost the event while planning stores nothing over the new owner's plans.
      await this.#cluster.guard(client, eventId);
      await savePlan(client, eventId, seed, plan, held, performance.now() - started, inputsKey);
    });
    await this.#deps.onPlanChanged(eventId);
  }

  #serialize<T>(eventId: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(eventId) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => {});
    this.#queues.set(eventId, settled);
    void settled.then(() => this.#queues.get(eventId) === settled && this.#queues.delete(eventId));
    return run;
  }
}

/** The most rounds an event may have (shared/schemas/events.ts). */
const MAX_ROUNDS = 20;
const HEALTH_CACHE = 200;

/**
 * The input a stored, up-to-date plan was made from: the event's people and constraints, the plan's
 * held rounds as they stand in it, and the people it marks absent.
 */
function planInputAsMade(state: PlanState, record: NonNullable<PlanState['record']>): ReplanInput {
  const rounds = record.plan.rounds;
  const heldRounds = rounds
    .filter((r) => r.held)
    .map((r) => ({ tables: r.tables.map((t) => ({ mentorId: t.mentorId, ...(t.coMentorId ? { coMentorId: t.coMentorId } : {}), menteeIds: [...t.menteeIds] })) }));
  const firstPlanned = rounds.find((r) => !r.held);
  const absentIds = (firstPlanned?.sitOuts ?? []).filter((s) => s.code === 'absent').map((s) => s.participantId);
  return { ...planInputOf(state.event, state.people, state.constraints, record.seed), heldRounds, absentIds };
}

/**
 * The planner's held rounds from what really happened: for rounds that ended, the meetings held;
 * for the round running now, its seats except those of people flagged absent in it (their meeting
 * will not happen and may be planned again). One table per mentor and round, at most `tableSize`
 * mentees (per round, for round formats), each mentee once per round, or with each host of a
 * co-hosted circle (`hostsOf(round)` = 2: one table per host, so a host who did not come, or met only
 * some of the circle, is recorded as it happened); people no longer in the event are left out.
 */
export function historyOf(
  seats: readonly SeatRecord[],
  held: number,
  running: number | null,
  absentNow: ReadonlySet<string>,
  known: ReadonlySet<string>,
  tableSize: number | ((round: number) => number),
  hostsOf: (round: number) => number = () => 1,
): HeldRound[] {
  const sizeOf = typeof tableSize === 'number' ? () => tableSize : tableSize;
  const rounds: HeldRound[] = Array.from({ length: held }, () => ({ tables: [] }));
  /** Per round, the rooms each mentee sat in. */
  const seated = rounds.map(() => new Map<string, Set<string>>());
  const met = new Set<string>();
  for (const s of seats) {
    if (s.round > held || !known.has(s.mentorId) || !known.has(s.menteeId)) continue;
    const counts = s.round === running ? s.replacedAt === null && !absentNow.has(s.mentorId) && !absentNow.has(s.menteeId) : s.met;
    const pair = `${s.mentorId}:${s.menteeId}`;
    const rooms = seated[s.round - 1]!.get(s.menteeId);
    // A second seat in the round only with the other host of the same co-hosted circle.
    const fits = !rooms || (hostsOf(s.round) === 2 && rooms.size === 1 && rooms.has(s.roomName) && seatsOf(rounds[s.round - 1]!, s.menteeId) < 2);
    if (!counts || met.has(pair) || !fits) continue;
    const round = rounds[s.round - 1]!;
    let table = round.tables.find((t) => t.mentorId === s.mentorId);
    if (!table) round.tables.push((table = { mentorId: s.mentorId, menteeIds: [] }));
    if (table.menteeIds.length >= sizeOf(s.round)) continue;
    table.menteeIds.push(s.menteeId);
    if (rooms) rooms.add(s.roomName);
    else seated[s.round - 1]!.set(s.menteeId, new Set([s.roomName]));
    met.add(pair);
  }
  return rounds;
}

function seatsOf(round: HeldRound, menteeId: string): number {
  return round.tables.filter((t) => t.menteeIds.includes(menteeId)).length;
}
