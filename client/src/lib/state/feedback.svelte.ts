import type { CircleFeedbackBody, MetPerson, MyCircle, MyFeedback, RatingBody } from '@constellation/shared/schemas/ratings';
import * as api from '../api/feedback.ts';
import { describeError, isApiError } from '../api/http.ts';

type Status = 'idle' | 'loading' | 'ready' | 'no-session' | 'error';
export type SaveStatus = 'idle' | 'saving' | 'saved' | 'error';

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * A participant's own feedback after their conversations: a mentor's ratings and capacity, a mentee's
 * notes and ranking. Everything is editable until the organizer closes submissions.
 */
export class MyFeedbackState {
  #feedback = $state<MyFeedback | null>(null);
  /** A mentee's circles (empty for mentors and for events without circle rounds). */
  #circles = $state<MyCircle[]>([]);
  #status = $state<Status>('idle');
  #error = $state('');

  // The mentee's ranking as shown (and as the server last stored it), as mentor ids.
  #ranking = $state<string[]>([]);
  #notAFit = $state<string[]>([]);
  #storedRanking = $state<string[]>([]);
  #storedNotAFit = $state<string[]>([]);
  #rankingStatus = $state<SaveStatus>('idle');
  #rankingError = $state<unknown>(null);
  #rankingInFlight = false;
  #rankingDirty = false;
  /** Bumped by every ranking save, so a refresh that started earlier does not overwrite what was stored. */
  #rankingSaves = 0;

  #people = $derived(new Map((this.#feedback?.met ?? []).map((person) => [person.participantId, person])));

  get feedback(): MyFeedback | null {
    return this.#feedback;
  }

  get status(): Status {
    return this.#status;
  }

  get error(): string {
    return this.#error;
  }

  get open(): boolean {
    return this.#feedback?.submissionsOpen ?? false;
  }

  /** The circles the mentee sat in, with the peers present and their own answer. */
  get circles(): MyCircle[] {
    return this.#circles;
  }

  /** The people met so far, in the order of the rounds. */
  get met(): MetPerson[] {
    return this.#feedback?.met ?? [];
  }

  /** Mentors met, best first, without those marked "not a fit". */
  get ranking(): MetPerson[] {
    return this.#ranking.map((id) => this.#people.get(id)).filter((p) => p !== undefined);
  }

  get notAFit(): MetPerson[] {
    return this.#notAFit.map((id) => this.#people.get(id)).filter((p) => p !== undefined);
  }

  get rankingStatus(): SaveStatus {
    return this.#rankingStatus;
  }

  get rankingError(): unknown {
    return this.#rankingError;
  }

  /** True when the order on screen is not what the server has stored (never ranked yet, or a new mentor met). */
  get rankingUnsaved(): boolean {
    return !sameIds(this.#ranking, this.#storedRanking) || !sameIds(this.#notAFit, this.#storedNotAFit);
  }

  async load(): Promise<void> {
    if (this.#status !== 'ready') this.#status = 'loading';
    try {
      const [fresh, circles] = await Promise.all([api.getMyFeedback(), api.getMyCircles()]);
      this.#apply(fresh, false);
      this.#circles = circles.circles;
      this.#status = 'ready';
    } catch (error) {
      this.#status = isApiError(error, 401) ? 'no-session' : 'error';
      this.#error = describeError(error);
    }
  }

  /**
   * Picks up people met in later rounds and whether submissions are still open, keeping what the
   * person is editing (the forms hold their own drafts; the ranking on screen is kept).
   */
  async refresh(): Promise<void> {
    if (this.#status !== 'ready') return this.load();
    const saves = this.#rankingSaves;
    try {
      const [fresh, circles] = await Promise.all([api.getMyFeedback(), api.getMyCircles()]);
      this.#apply(fresh, true, saves === this.#rankingSaves && !this.#rankingInFlight);
      this.#circles = circles.circles;
    } catch (error) {
      if (isApiError(error, 401)) this.#status = 'no-session';
      // Anything else: the next refresh tries again; the screen keeps what it has.
    }
  }

  /** Refreshes every `intervalMs` until the returned cleanup runs. */
  poll(intervalMs: number): () => void {
    const timer = setInterval(() => void this.refresh(), intervalMs);
    return () => clearInterval(timer);
  }

  /** For the live connection: the organizer closed or reopened submissions. */
  setSubmissionsOpen(open: boolean): void {
    if (this.#feedback) this.#feedback.submissionsOpen = open;
  }

  async saveRating(menteeId: string, body: RatingBody): Promise<void> {
    await this.#write(() => api.saveRating(menteeId, body));
    const person = this.#people.get(menteeId);
    if (person) person.rating = { fit: body.fit, wouldMentor: body.wouldMentor, note: body.note ?? '' };
  }

  async saveNote(mentorId: string, note: string): Promise<void> {
    await this.#write(() => api.saveMenteeNote(mentorId, note));
    const person = this.#people.get(mentorId);
    if (person) person.note = note;
  }

  /** A mentee's rating of a circle and the peers they would like to keep learning with. */
  async saveCircle(round: number, body: CircleFeedbackBody): Promise<void> {
    await this.#write(() => api.saveCircle(round, body));
    const circle = this.#circles.find((c) => c.round === round);
    if (circle) circle.feedback = { rating: body.rating, note: body.note ?? '', peerIds: [...body.peerIds] };
  }

  async saveCapacity(capacity: number): Promise<void> {
    await this.#write(() => api.saveCapacity(capacity));
    if (this.#feedback) {
      this.#feedback.capacity = capacity;
      this.#feedback.capacityConfirmed = true;
    }
  }

  /** Moves a ranked mentor to `toIndex` (0 = first choice) and saves; false when nothing moved. */
  move(mentorId: string, toIndex: number): boolean {
    const from = this.#ranking.indexOf(mentorId);
    const to = Math.max(0, Math.min(this.#ranking.length - 1, toIndex));
    if (from === -1 || from === to || !this.open) return false;
    const next = this.#ranking.filter((id) => id !== mentorId);
    next.splice(to, 0, mentorId);
    this.#ranking = next;
    void this.#saveRanking();
    return true;
  }

  /** Takes a mentor out of the ranking ("not a fit"), or puts them back at the end of it; then saves. */
  setNotAFit(mentorId: string, notAFit: boolean): void {
    if (!this.open || !this.#people.has(mentorId)) return;
    this.#ranking = this.#ranking.filter((id) => id !== mentorId);
    this.#notAFit = this.#notAFit.filter((id) => id !== mentorId);
    if (notAFit) this.#notAFit = [...this.#notAFit, mentorId];
    else this.#ranking = [...this.#ranking, mentorId];
    void this.#saveRanking();
  }

  /** Stores the order on screen as it is (a mentee happy with the order they met people in). */
  saveRanking(): Promise<void> {
    return this.#saveRanking();
  }

  /** Saves the ranking, one request at a time: moves made while one is in flight go out together after it. */
  async #saveRanking(): Promise<void> {
    this.#rankingSaves += 1;
    if (this.#rankingInFlight) {
      this.#rankingDirty = true;
      return;
    }
    this.#rankingInFlight = true;
    this.#rankingStatus = 'saving';
    this.#rankingError = null;
    try {
      do {
        this.#rankingDirty = false;
        const body = { ranking: [...this.#ranking], notAFit: [...this.#notAFit] };
        await this.#write(() => api.savePreferences(body));
        this.#storedRanking = body.ranking;
        this.#storedNotAFit = body.notAFit;
      } while (this.#rankingDirty && this.open);
      this.#rankingStatus = 'saved';
    } catch (error) {
      this.#rankingStatus = 'error';
      this.#rankingError = error;
    } finally {
      this.#rankingInFlight = false;
    }
  }

  /** Every write goes through here: a 409 means submissions closed meanwhile, so the screen turns read-only. */
  async #write(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (isApiError(error, 409)) this.setSubmissionsOpen(false);
      if (isApiError(error, 401)) this.#status = 'no-session';
      throw error;
    }
  }

  #apply(fresh: MyFeedback, keepLocal: boolean, takeStored = true): void {
    const mentors = [...new Set(fresh.met.filter((p) => p.role === 'mentor').map((p) => p.participantId))];
    const known = new Set(mentors);
    const ranking = (keepLocal ? this.#ranking : fresh.ranking).filter((id) => known.has(id));
    const notAFit = (keepLocal ? this.#notAFit : fresh.notAFit).filter((id) => known.has(id) && !ranking.includes(id));
    // Mentors not placed yet (never ranked, or met since) join the end of the ranking, in the order met.
    const placed = new Set([...ranking, ...notAFit]);
    for (const id of mentors) if (!placed.has(id)) ranking.push(id);

    this.#feedback = fresh;
    this.#ranking = ranking;
    this.#notAFit = notAFit;
    if (takeStored) {
      this.#storedRanking = fresh.ranking;
      this.#storedNotAFit = fresh.notAFit;
    }
  }
}

export const myFeedback = new MyFeedbackState();
