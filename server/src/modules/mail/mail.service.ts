import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { createTransport, type Transporter } from 'nodemailer';
import { inviteUrl, signupUrl } from '../../lib/crypto.ts';
import type { Queryable } from '../../plugins/db.ts';
import { DEFAULT_RETRY, afterFailure, dueReminder, type RetryPolicy } from './core/schedule.ts';
import { renderMail, subjectOf, type MailKind, type MailPayload, type RenderedMail } from './core/templates.ts';
import {
  claimDue,
  eventsInReminderWindow,
  insertMessages,
  markFailed,
  markRetry,
  markSent,
  recipientsOf,
  reminderKeys,
  type MailDraft,
  type OutboxRow,
  type Recipient,
} from './mail.repository.ts';
import { redactSmtpUrl } from './mail.config.ts';

export interface MailServiceOptions {
  pool: pg.Pool;
  publicUrl: string;
  secret: string;
  now: () => number;
  log: FastifyBaseLogger;
  /** null: no SMTP server, every message is held in the outbox. */
  smtpUrl: string | null;
  from: string;
  /** How often the sender looks for due messages and reminders (ms). */
  pollMs?: number;
  /** How long a claimed message is left to its sender before another may try it (ms). */
  leaseMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Messages claimed per turn. */
  batchSize?: number;
  /** Open SMTP connections at most. */
  maxConnections?: number;
}

/** An event as the mails describe it. */
export interface MailEvent {
  id: string;
  title: string;
  timeZone: string;
}

/** One draft per recipient, times shown in the recipient's own time zone when they gave one. */
export function draftsFor(kind: MailKind, event: MailEvent, recipients: readonly Recipient[], payloadOf: (recipient: Recipient, timeZone: string) => MailPayload, dedupeKey?: string): MailDraft[] {
  return recipients.map((r) => {
    const payload = payloadOf(r, r.timeZone ?? event.timeZone);
    return { eventId: event.id, participantId: r.id, recipient: r.email, kind, subject: subjectOf(kind, payload), payload, dedupeKey };
  });
}

/**
 * The outbox and its sender. Enqueueing writes rows (inside the caller's transaction when given
 * one), so a message is durable before the request that asked for it is answered. A loop delivers
 * due rows over SMTP: at least once, with at most one duplicate for a message whose sender died
 * between the SMTP server's acceptance and the row being marked sent (its lease runs out and it is
 * sent again). Without SMTP every message is held for the organizer to read.
 */
export class MailService {
  readonly configured: boolean;
  readonly #options: MailServiceOptions;
  readonly #retry: RetryPolicy;
  readonly #transport: Transporter | null;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;

  constructor(options: MailServiceOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.configured = options.smtpUrl !== null;
    this.#transport = options.smtpUrl
      ? createTransport({
          url: options.smtpUrl,
          pool: true,
          maxConnections: options.maxConnections ?? 5,
          connectionTimeout: 15_000,
          greetingTimeout: 15_000,
          socketTimeout: 60_000,
        })
      : null;
  }

  /** Starts the sender loop. */
  start(): void {
    const { log, smtpUrl } = this.#options;
    log.info(smtpUrl ? `mail: sending through ${redactSmtpUrl(smtpUrl)}` : 'mail: no SMTP_URL, messages are kept in each event\'s outbox');
    this.#timer = setInterval(() => this.kick(), this.#options.pollMs ?? 5_000);
    this.#timer.unref();
    this.kick();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running;
    this.#transport?.close();
  }

  /** Runs the sender soon (after a commit that queued messages); turns never overlap. */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#turn().finally(() => {
      this.#running = null;
      if (this.#again && !this.#closed) {
        this.#again = false;
        this.kick();
      }
    });
  }

  /** Resolves when the loop is idle: for tests and benches that want to see a turn through. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** The app's clock, as the sender reads it. */
  now(): Date {
    return new Date(this.#options.now());
  }

  /** Writes the drafts to the outbox: queued for the sender, or held when no SMTP is configured. */
  async enqueue(db: Queryable, drafts: readonly MailDraft[]): Promise<number> {
    return insertMessages(db, drafts, this.configured ? 'queued' : 'held', this.now());
  }

  /** The message as its recipient reads it, with their own link (derived, never stored). */
  render(row: Pick<OutboxRow, 'kind' | 'payload' | 'invitationId' | 'signupId'>): RenderedMail {
    const { publicUrl, secret } = this.#options;
    const link =
      row.kind === 'signup-exists' ? `${publicUrl}/signin`
      : row.signupId ? signupUrl(publicUrl, secret, row.signupId)
      : row.invitationId ? inviteUrl(publicUrl, secret, row.invitationId)
      : publicUrl;
    return renderMail(row.kind, row.payload, link);
  }

  async #turn(): Promise<void> {
    try {
      await this.#queueDueReminders();
      if (this.#transport) await this.#sendDue(this.#transport);
    } catch (error) {
      // The database may be down: the next turn tries again; nothing is lost, rows stay as they were.
      this.#options.log.warn({ err: error }, 'mail: sender turn failed');
    }
  }

  async #queueDueReminders(): Promise<void> {
    const { pool } = this.#options;
    const now = this.#options.now();
    for (const event of await eventsInReminderWindow(pool, new Date(now))) {
      const due = dueReminder({ startsAt: event.startsAt.getTime(), offsetsMinutes: event.offsets, now, enqueued: await reminderKeys(pool, event.id) });
      if (!due) continue;
      const startsAt = event.startsAt.toISOString();
      const drafts = draftsFor('reminder', event, await recipientsOf(pool, event.id, null), (r, timeZone) => ({ eventTitle: event.title, name: r.name, timeZone, startsAt, offsetMinutes: due.offsetMinutes }), due.key);
      const queued = await this.enqueue(pool, drafts);
      if (queued) this.#options.log.info({ eventId: event.id, offsetMinutes: due.offsetMinutes, messages: queued }, 'mail: reminders queued');
    }
  }

  async #sendDue(transport: Transporter): Promise<void> {
    const { pool, batchSize = 100, leaseMs = 300_000 } = this.#options;
    while (!this.#closed) {
      const now = this.#options.now();
      const rows = await claimDue(pool, new Date(now), new Date(now + leaseMs), batchSize);
      const sent = await Promise.all(rows.map((row) => this.#send(transport, row)));
      // One write for the batch's successes; a batch left unmarked (database down, crash) is sent again when its lease ends.
      await markSent(pool, rows.filter((_, i) => sent[i]).map((row) => row.id), new Date(this.#options.now()));
      if (rows.length < batchSize) return;
    }
  }

  /** True when the SMTP server accepted the message; a failure is recorded on the row. */
  async #send(transport: Transporter, row: OutboxRow): Promise<boolean> {
    const { pool, from, log } = this.#options;
    const mail = this.render(row);
    try {
      await transport.sendMail({ from, to: row.recipient, subject: mail.subject, text: mail.text, html: mail.html });
      return true;
    } catch (error) {
      const e = error as { responseCode?: unknown; message?: unknown };
      const failure = { responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined, message: String(e.message ?? error) };
      const outcome = afterFailure(failure, row.attempts, this.#options.now(), this.#retry);
      log.warn({ messageId: row.id, eventId: row.eventId, attempts: row.attempts, status: outcome.status, smtp: failure.responseCode }, 'mail: send failed');
      // Recording it may fail too (database down): the row then keeps its lease and is tried again after it.
      const recorded = outcome.status === 'failed' ? markFailed(pool, row.id, outcome.error) : markRetry(pool, row.id, new Date(outcome.nextAttemptAt), outcome.error);
      await recorded.catch((dbError: unknown) => log.warn({ err: dbError, messageId: row.id }, 'mail: could not record a failed send'));
      return false;
    }
  }
}
