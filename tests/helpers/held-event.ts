import type { FastifyInstance } from 'fastify';
import { attendRound } from './attendance.ts';

/**
 * Runs every round of an event with everyone seated present (as LiveKit's webhooks would report),
 * moving the app's clock with `jump` past each transition and the time a meeting needs to count as held.
 */
export async function holdEveryRound(app: FastifyInstance, event: { id: string; rounds: number; transitionSeconds: number }, organizerId: string, jump: (ms: number) => void): Promise<void> {
  for (let i = 0; i <= event.rounds; i++) {
    const type = i === 0 ? 'start' : 'endRound';
    const result = await app.clock.command(event.id, { type }, organizerId);
    if (!result.ok) throw new Error(result.reason);
    if (type === 'endRound') jump((event.transitionSeconds + 1) * 1000);
    const clock = await app.clock.state(event.id);
    if (clock?.phase === 'round') {
      await attendRound(app, event.id, clock.round);
      jump(61_000);
    }
  }
}
