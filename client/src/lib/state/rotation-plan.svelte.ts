import type { PairConstraint, PlanHealthView, PlanView } from '@constellation/shared/schemas/schedule';
import * as schedule from '../api/schedule.ts';
import { describeError } from '../api/http.ts';
import { organizerSession } from './organizer-session.svelte.ts';

type Status = 'loading' | 'ready' | 'error';
export type PlanRound = NonNullable<PlanView['plan']>['rounds'][number];

/** An event's rotation plan as its organizer reviews it: every round, scores, reasons, sit-outs and pair constraints. */
export class RotationPlan {
  readonly eventId: string;
  #view = $state<PlanView | null>(null);
  #status = $state<Status>('loading');
  #error = $state('');
  #busy = $state(false);
  #health = $state<PlanHealthView | null>(null);
  #healthError = $state('');

  #constraints = $derived(
    new Map((this.#view?.constraints ?? []).map((c) => [pairKey(c.mentorId, c.menteeId), c.kind] as const)),
  );

  constructor(eventId: string) {
    this.eventId = eventId;
  }

  get view(): PlanView | null {
    return this.#view;
  }

  get rounds(): PlanRound[] {
    return this.#view?.plan?.rounds ?? [];
  }

  /** How thin the plan is and what would fix it; null until loaded. */
  get health(): PlanHealthView | null {
    return this.#health;
  }

  get healthError(): string {
    return this.#healthError;
  }

  get status(): Status {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  /** A generate, re-plan or constraint change is running. */
  get busy(): boolean {
    return this.#busy;
  }

  name(participantId: string): string {
    return this.#view?.people[participantId]?.name ?? 'Someone who left';
  }

  constraintFor(mentorId: string, menteeId: string): PairConstraint['kind'] | null {
    return this.#constraints.get(pairKey(mentorId, menteeId)) ?? null;
  }

  /** Round `round` (1-based), or undefined. */
  round(round: number): PlanRound | undefined {
    return this.rounds[round - 1];
  }

  async load(): Promise<void> {
    if (!this.#view) this.#status = 'loading';
    try {
      this.#view = await organizerSession.call(() => schedule.getPlan(this.eventId));
      this.#status = 'ready';
    } catch (error) {
      this.#error = describeError(error);
      this.#status = 'error';
      return;
    }
    await this.loadHealth();
  }

  /** The health of the plan on screen; it changes only with the plan, so it is fetched after each plan. */
  async loadHealth(): Promise<void> {
    if (this.#health && this.#view && this.#health.version === this.#view.version && this.#health.stale === this.#view.stale) return;
    try {
      this.#health = await organizerSession.call(() => schedule.getPlanHealth(this.eventId));
      this.#healthError = '';
    } catch (error) {
      this.#healthError = describeError(error);
    }
  }

  generate(seed?: number): Promise<void> {
    return this.#change(() => schedule.generatePlan(this.eventId, seed));
  }

  replan(absentIds: string[] = []): Promise<void> {
    return this.#change(() => schedule.replan(this.eventId, absentIds));
  }

  /** Pins or forbids a pair, or clears its constraint (kind null). The plan becomes stale until re-planned. */
  constrain(mentorId: string, menteeId: string, kind: PairConstraint['kind'] | null): Promise<void> {
    return this.#change(async () => {
      if (kind) await schedule.setConstraint(this.eventId, mentorId, menteeId, kind);
      else await schedule.deleteConstraint(this.eventId, mentorId, menteeId);
      return schedule.getPlan(this.eventId);
    });
  }

  async #change(run: () => Promise<PlanView>): Promise<void> {
    this.#busy = true;
    try {
      this.#view = await organizerSession.call(run);
      this.#status = 'ready';
    } finally {
      this.#busy = false;
    }
    void this.loadHealth();
  }
}

function pairKey(mentorId: string, menteeId: string): string {
  return `${mentorId}:${menteeId}`;
}
