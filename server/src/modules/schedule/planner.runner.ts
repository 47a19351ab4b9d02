import { Worker } from 'node:worker_threads';
import type { Plan, PlanInput, ReplanInput } from './core/index.ts';
import type { PlanHealthResult, PlannerRequest, PlannerResponse } from './planner.worker.ts';
import { HttpError } from '../../lib/http-errors.ts';
import { PLANNER_WORKER } from '../../paths.ts';

/** One long-lived worker thread for the planner; requests queue on it. */
export class PlannerRunner {
  #worker: Worker | null = null;
  #nextId = 1;
  #pending = new Map<number, { resolve: (result: Plan | PlanHealthResult) => void; reject: (error: Error) => void }>();

  plan(input: PlanInput): Promise<Plan> {
    return this.#run({ id: this.#nextId++, kind: 'plan', input }) as Promise<Plan>;
  }

  replan(input: ReplanInput): Promise<Plan> {
    return this.#run({ id: this.#nextId++, kind: 'replan', input }) as Promise<Plan>;
  }

  /** Plan health and advice: the advice re-runs the planner, so it runs here too, off the event loop. */
  health(input: ReplanInput, plan: Plan, maxRounds: number): Promise<PlanHealthResult> {
    return this.#run({ id: this.#nextId++, kind: 'health', input, plan, maxRounds }) as Promise<PlanHealthResult>;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await worker.terminate();
  }

  #run(request: PlannerRequest): Promise<Plan | PlanHealthResult> {
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      this.#ensureWorker().postMessage(request);
    });
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(PLANNER_WORKER);
    worker.on('message', (response: PlannerResponse) => {
      const pending = this.#pending.get(response.id);
      if (!pending) return;
      this.#pending.delete(response.id);
      if (response.ok) pending.resolve(response.result);
      else pending.reject(response.inputError ? new HttpError(422, response.message) : new Error(response.message));
    });
    const failAll = (error: Error) => {
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      if (this.#worker === worker) this.#worker = null;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`planner worker exited with code ${code}`)));
    worker.unref();
    this.#worker = worker;
    return worker;
  }
}
