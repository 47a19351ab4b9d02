// Runs the rotation planner off the event loop, so a large (re-)plan never stalls the clock.
import { parentPort } from 'node:worker_threads';
import { planRotation, replan, PlanInputError, type PlanInput, type ReplanInput } from './core/index.ts';

export type PlannerRequest = { id: number; kind: 'plan'; input: PlanInput } | { id: number; kind: 'replan'; input: ReplanInput };
export type PlannerResponse = { id: number; ok: true; plan: ReturnType<typeof planRotation> } | { id: number; ok: false; inputError: boolean; message: string };

parentPort!.on('message', (request: PlannerRequest) => {
  try {
    const plan = request.kind === 'plan' ? planRotation(request.input) : replan(request.input);
    parentPort!.postMessage({ id: request.id, ok: true, plan } satisfies PlannerResponse);
  } catch (error) {
    parentPort!.postMessage({
      id: request.id,
      ok: false,
      inputError: error instanceof PlanInputError,
      message: error instanceof Error ? error.message : String(error),
    } satisfies PlannerResponse);
  }
});
