// Runs the rotation planner off the event loop, so a large (re-)plan never stalls the clock.
import { parentPort } from 'node:worker_threads';
import { planAdvice, planHealth, planRotation, replan, PlanInputError, type Advice, type Plan, type PlanHealth, type PlanInput, type ReplanInput } from './core/index.ts';

export type PlannerRequest =
  | { id: number; kind: 'plan'; input: PlanInput }
  | { id: number; kind: 'replan'; input: ReplanInput }
  /** The health of `plan`, made from `input`, and what would fix it (several planner runs). */
  | { id: number; kind: 'health'; input: ReplanInput; plan: Plan; maxRounds: number };
export type PlanHealthResult = { health: PlanHealth; advice: Advice[] };
export type PlannerResponse = { id: number; ok: true; result: Plan | PlanHealthResult } | { id: number; ok: false; inputError: boolean; message: string };

function answer(request: PlannerRequest): Plan | PlanHealthResult {
  switch (request.kind) {
    case 'plan':
      return planRotation(request.input);
    case 'replan':
      return replan(request.input);
    case 'health':
      return { health: planHealth(request.input, request.plan), advice: planAdvice(request.input, request.plan, { maxRounds: request.maxRounds }) };
  }
}

parentPort!.on('message', (request: PlannerRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, ok: true, result: answer(request) } satisfies PlannerResponse);
  } catch (error) {
    parentPort!.postMessage({
      id: request.id,
      ok: false,
      inputError: error instanceof PlanInputError,
      message: error instanceof Error ? error.message : String(error),
    } satisfies PlannerResponse);
  }
});
