import type { Event } from '@constellation/shared/schemas/events';
import type {
  CirclesProposal,
  EventReport,
  FeedbackProgress,
  Pair,
  Pairing,
  Proposals,
} from '@constellation/shared/schemas/ratings';
import type { PlanView } from '@constellation/shared/schemas/schedule';
import * as api from '../api/feedback.ts';
import { getEvent } from '../api/events.ts';
import { describeError, isApiError } from '../api/http.ts';
import { organizerSession } from './organizer-session.svelte.ts';

type Status = 'loading' | 'ready' | 'not-found' | 'error';
export type ProposalKind = 'stable' | 'welfare';

export interface Person {
  id: string;
  name: string;
}

/** Who met whom in the rounds held (plan rounds are numbered from 0, so round `index + 1` was held). */
function meetingsOf(plan: PlanView['plan'], heldRounds: number): Map<string, string[]> {
  const met = new Map<string, string[]>();
  for (const round of plan?.rounds ?? []) {
    if (round.index >= heldRounds) continue;
    for (const table of round.tables) {
      for (const menteeId of table.menteeIds) {
        const mentors = met.get(menteeId) ?? [];
        if (!mentors.includes(table.mentorId)) mentors.push(table.mentorId);
        met.set(menteeId, mentors);
      }
    }
  }
  return met;
}

/**
 * An organizer's view of one event after its rounds: who has rated and ranked, the two proposals,
 * the pairing under review (with the server's warnings), confirmation, and the report.
 */
export class MatchingWorkspace {
  readonly eventId: string;
  #event = $state<Event | null>(null);
  #progress = $state<FeedbackProgress | null>(null);
  #proposals = $state<Proposals | null>(null);
  #proposalsError = $state('');
  #circles = $state<CirclesProposal | null>(null);
  #pairing = $state<Pairing | null>(null);
  #report = $state<EventReport | null>(null);
  #plan = $state<PlanView['plan']>(null);
  #status = $state<Status>('loading');
  #error = $state('');
  /** What the proposals were computed from; they are fetched again when it changes. */
  #fingerprint = '';

  #met = $derived(meetingsOf(this.#plan, this.#progress?.heldRounds ?? 0));
  #names = $derived.by(() => {
    const names = new Map<string, string>();
    for (const p of this.#progress?.mentors ?? []) names.set(p.id, p.name);
    for (const p of this.#progress?.mentees ?? []) names.set(p.id, p.name);
    for (const [id, p] of Object.entries(this.#pairing?.people ?? {})) names.set(id, p.name);
    return names;
  });

  constructor(eventId: string) {
    this.eventId = eventId;
  }

  get event(): Event | null {
    return this.#event;
  }

  get progress(): FeedbackProgress | null {
    return this.#progress;
  }

  get proposals(): Proposals | null {
    return this.#proposals;
  }

  /** The circles proposal (issue 13), fetched with the other proposals. */
  get circles(): CirclesProposal | null {
    return this.#circles;
  }

  get proposalsError(): string {
    return this.#proposalsError;
  }

  get pairing(): Pairing | null {
    return this.#pairing;
  }

  get report(): EventReport | null {
    return this.#report;
  }

  get status(): Status {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  get confirmed(): boolean {
    return this.#pairing?.status === 'confirmed';
  }

  name(id: string): string {
    return this.#names.get(id) ?? 'Someone removed from the event';
  }

  /** The mentors a mentee met in the rounds held: the only sensible choices for a manual assignment. */
  mentorsMetBy(menteeId: string): Person[] {
    const ids = this.#met.get(menteeId);
    // Without a plan to tell, offer every mentor; the server warns about pairs that never met.
    const mentors = ids ?? (this.#progress?.mentors ?? []).map((m) => m.id);
    return mentors.map((id) => ({ id, name: this.name(id) }));
  }

  async load(): Promise<void> {
    this.#status = 'loading';
    try {
      const [event, progress, pairing, report, plan] = await Promise.all([
        organizerSession.call(() => getEvent(this.eventId)),
        organizerSession.call(() => api.getFeedbackProgress(this.eventId)),
        organizerSession.call(() => api.getPairing(this.eventId)),
        organizerSession.call(() => api.getReport(this.eventId)),
        organizerSession.call(() => api.getPlan(this.eventId)),
      ]);
      this.#event = event;
      this.#progress = progress;
      this.#pairing = pairing;
      this.#report = report;
      this.#plan = plan.plan;
      this.#status = 'ready';
      await this.#reloadProposalsIfChanged(progress);
    } catch (error) {
      this.#status = isApiError(error, 404) || isApiError(error, 400) ? 'not-found' : 'error';
      this.#error = describeError(error);
    }
  }

  /** The live completion figures; when anything changed, the proposals and the report follow. */
  async refreshProgress(): Promise<void> {
    try {
      const progress = await organizerSession.call(() => api.getFeedbackProgress(this.eventId));
      const newRounds = progress.heldRounds !== this.#progress?.heldRounds;
      this.#progress = progress;
      if (newRounds) this.#plan = (await organizerSession.call(() => api.getPlan(this.eventId))).plan;
      if (await this.#reloadProposalsIfChanged(progress)) {
        const [pairing, report] = await Promise.all([
          organizerSession.call(() => api.getPairing(this.eventId)),
          organizerSession.call(() => api.getReport(this.eventId)),
        ]);
        this.#pairing = pairing;
        this.#report = report;
      }
    } catch {
      // A missed refresh is retried on the next tick; the screen keeps the last figures.
    }
  }

  /** Refreshes the completion every `intervalMs`, one request at a time, until the cleanup runs. */
  poll(intervalMs = 3000): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      await this.refreshProgress();
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    timer = setTimeout(tick, intervalMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  async setSubmissionsOpen(open: boolean): Promise<void> {
    await organizerSession.call(() => api.setSubmissionsOpen(this.eventId, open));
    if (this.#progress) this.#progress.submissionsOpen = open;
    await this.refreshProgress();
  }

  /** Computes both proposals again from everything submitted so far. */
  async refreshProposals(): Promise<void> {
    this.#fingerprint = '';
    await this.refreshProgress();
  }

  /** Makes a proposal the pairing under review. */
  async useProposal(kind: ProposalKind): Promise<Pairing> {
    const proposal = this.#proposals?.[kind];
    if (!proposal) throw new Error('The proposals are not loaded yet');
    const pairs = proposal.pairs.map(({ mentorId, menteeId }) => ({ mentorId, menteeId }));
    return this.#propose({ source: kind, pairs });
  }

  /** Makes the circles proposal the pairing under review. */
  async useCircles(): Promise<Pairing> {
    const proposal = this.#circles;
    if (!proposal) throw new Error('The circles proposal is not loaded yet');
    return this.#propose({ source: 'circles', pairs: proposal.pairs.map(({ mentorId, menteeId }) => ({ mentorId, menteeId })) });
  }

  /**
   * Gives a mentee `toMentorId` in place of `fromMentorId` (either may be null: a new assignment, or a
   * removal). The server stores it and answers with warnings when it breaks stability or a capacity.
   */
  async reassign(menteeId: string, fromMentorId: string | null, toMentorId: string | null): Promise<Pairing> {
    const pairs: Pair[] = (this.#pairing?.pairs ?? [])
      .filter((p) => !(p.menteeId === menteeId && p.mentorId === fromMentorId))
      .map(({ mentorId, menteeId }) => ({ mentorId, menteeId }));
    if (toMentorId && !pairs.some((p) => p.menteeId === menteeId && p.mentorId === toMentorId)) {
      pairs.push({ mentorId: toMentorId, menteeId });
    }
    // Circles stay circles when adjusted by hand: the server keeps each mentee in one circle.
    return this.#propose({ source: this.#pairing?.source === 'circles' ? 'circles' : 'manual', pairs });
  }

  async confirm(): Promise<Pairing> {
    const pairing = await organizerSession.call(() => api.confirmPairing(this.eventId));
    this.#pairing = pairing;
    this.#report = await organizerSession.call(() => api.getReport(this.eventId));
    return pairing;
  }

  async #propose(body: { source: 'stable' | 'welfare' | 'manual' | 'circles'; pairs: Pair[] }): Promise<Pairing> {
    try {
      const pairing = await organizerSession.call(() => api.proposePairing(this.eventId, body));
      this.#pairing = pairing;
      this.#report = await organizerSession.call(() => api.getReport(this.eventId)).catch(() => this.#report);
      return pairing;
    } catch (error) {
      // 409: confirmed meanwhile (another tab); show what is stored.
      if (isApiError(error, 409)) this.#pairing = await organizerSession.call(() => api.getPairing(this.eventId));
      throw error;
    }
  }

  async #reloadProposalsIfChanged(progress: FeedbackProgress): Promise<boolean> {
    // Counts, not contents: a re-ranking while submissions are open shows after "Refresh" or on closing.
    const fingerprint = JSON.stringify([
      progress.submissionsOpen,
      progress.heldRounds,
      progress.mentors.map((m) => [m.id, m.rated, m.capacity, m.capacityConfirmed]),
      progress.mentees.map((m) => [m.id, m.ranked]),
      progress.circles,
    ]);
    if (fingerprint === this.#fingerprint) return false;
    try {
      [this.#proposals, this.#circles] = await Promise.all([
        organizerSession.call(() => api.getProposals(this.eventId)),
        organizerSession.call(() => api.getCirclesProposal(this.eventId)),
      ]);
      this.#proposalsError = '';
      this.#fingerprint = fingerprint;
    } catch (error) {
      this.#proposalsError = describeError(error);
    }
    return true;
  }
}
