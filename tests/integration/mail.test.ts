import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { AppOptions } from '../../server/src/app.ts';
import type { MailMessage, Outbox } from '@constellation/shared/schemas/mail';
import { buildTestApp, cookieFrom, type TestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/livekit.ts';
import { ownDatabase, recipientOf, signUpByEmail, startSmtpServer, type TestSmtpServer } from '../helpers/mail.ts';
import { holdEveryRound } from '../helpers/held-event.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

let db: { pool: pg.Pool; drop(): Promise<void> };
let smtp: TestSmtpServer;
let t: TestApp | undefined;
/** The app's clock runs this far ahead of the real one (reminders, skipping transitions). */
let clockOffset = 0;

beforeAll(async () => {
  db = await ownDatabase();
  smtp = await startSmtpServer();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  smtp.onRcpt = () => null;
  smtp.received.length = 0;
  clockOffset = 0;
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

/** The app on this file's own database; `smtpUrl: null` is the zero-configuration outbox. */
async function start(mail: AppOptions['mail'] = { smtpUrl: smtp.url }): Promise<TestApp> {
  t = await buildTestApp({ pool: db.pool, now: () => Date.now() + clockOffset, mail: { pollMs: 100, from: 'Constellation <mentoring@constellation.test>', ...mail } });
  return t;
}

async function eventWithPeople(app: TestApp['app'], people: Parameters<typeof makeParticipant>[0][], event: Parameters<typeof makeEvent>[0] = {}, signedIn?: { cookie: string; id: string }) {
  const organizer = signedIn ?? (await signUpByEmail(app, smtp, 'Ada Organizer'));
  const headers = { cookie: organizer.cookie };
  const created = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ title: 'Spring <mentoring> & more', ...event }) })).json();
  const participants = [];
  for (const p of people) participants.push((await app.inject({ method: 'POST', url: `/api/events/${created.id}/participants`, headers, payload: makeParticipant(p) })).json());
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${created.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  const linkOf = (id: string) => invites.find((i) => i.participantId === id)!.url;
  return { organizer, headers, event: created, participants, linkOf };
}

const outbox = async (app: TestApp['app'], eventId: string, cookie: string): Promise<Outbox> => (await app.inject({ method: 'GET', url: `/api/events/${eventId}/mail`, headers: { cookie } })).json();
const messageTo = async (app: TestApp['app'], eventId: string, cookie: string, email: string): Promise<MailMessage | undefined> =>
  (await outbox(app, eventId, cookie)).messages.find((m) => m.recipient === email);
/** Polls the organizer's outbox until the message to `email` is as `wanted` says. */
const messageWhen = (app: TestApp['app'], e: { event: { id: string }; organizer: { cookie: string } }, email: string, wanted: (m: MailMessage) => boolean, what: string) =>
  eventually(async () => {
    const m = await messageTo(app, e.event.id, e.organizer.cookie, email);
    return m && wanted(m) ? m : undefined;
  }, { what });
const mailTo = (email: string) => smtp.received.filter((m) => recipientOf(m) === email);

describe('email invitations over SMTP', () => {
  it("sends each participant their own invitation link, in plain text and HTML, and the link lets them in", async () => {
    const { app } = await start();
    const e = await eventWithPeople(app, [{ role: 'mentee', name: 'Zoë <b>Ünal</b>', email: 'zoe@example.com' }, { role: 'mentor', name: 'Grace', email: 'grace@example.com' }]);
    const queued = await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: {} });
    expect(queued.statusCode).toBe(202);
    expect(queued.json()).toEqual({ messages: 2, status: 'queued' });

    await eventually(() => smtp.received.length === 2, { what: 'two invitations' });
    for (const person of e.participants) {
      const [mail] = mailTo(person.email);
      expect(mail, person.email).toBeDefined();
      expect(mail!.subject).toBe('You are invited to Spring <mentoring> & more');
      expect(mail!.from?.value).toEqual([{ name: 'Constellation', address: 'mentoring@constellation.test' }]);
      const link = e.linkOf(person.id);
      expect(mail!.text).toContain(link);
      expect(mail!.html).toContain(`href="${link}"`);
      // Only this person's link is in it.
      for (const other of e.participants.filter((p) => p.id !== person.id)) expect(mail!.text).not.toContain(e.linkOf(other.id));
    }
    const zoe = mailTo('zoe@example.com')[0]!;
    expect(zoe.text).toContain('Hello Zoë <b>Ünal</b>,');
    expect(zoe.html).toContain('Hello Zoë &lt;b&gt;Ünal&lt;/b&gt;,');
    expect(zoe.html).not.toContain('<b>Ünal');

    const joined = await app.inject({ method: 'POST', url: '/api/join', payload: { token: zoe.text!.match(/#([\w-]+)/)![1] } });
    expect(joined.statusCode).toBe(200);
    const box = await eventually(async () => {
      const b = await outbox(app, e.event.id, e.organizer.cookie);
      return b.counts.sent === 2 && b;
    }, { what: 'both messages marked sent' });
    expect(box.smtpConfigured).toBe(true);
    expect(box.messages.map((m) => [m.kind, m.status, m.attempts, m.lastError])).toEqual([['invitation', 'sent', 1, null], ['invitation', 'sent', 1, null]]);
  });

  it('re-sends to the selected participants only, and refuses people from elsewhere', async () => {
    const { app } = await start();
    const e = await eventWithPeople(app, [{ email: 'one@example.com' }, { email: 'two@example.com' }]);
    const [one] = e.participants;
    for (let i = 0; i < 2; i++) {
      const queued = await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: { participantIds: [one.id] } });
      expect(queued.json()).toEqual({ messages: 1, status: 'queued' });
    }
    await eventually(() => mailTo('one@example.com').length === 2, { what: 'the invitation and its re-send' });
    expect(mailTo('two@example.com')).toEqual([]);
    const stranger = '00000000-0000-4000-8000-000000000000';
    const refused = await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: { participantIds: [one.id, stranger] } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().problems).toEqual([{ field: 'body.participantIds.1', message: 'is not a participant of this event' }]);
    const other = await signUpByEmail(app, smtp);
    expect((await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: { cookie: other.cookie }, payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/events/${e.event.id}/mail`, headers: { cookie: other.cookie } })).statusCode).toBe(404);
    expect((await outbox(app, e.event.id, e.organizer.cookie)).messages).toHaveLength(2);
  });
});

describe('refused and failed sends', () => {
  it('shows a permanent refusal (550) to the organizer with the error, and sends it when retried', async () => {
    const { app } = await start();
    smtp.onRcpt = (address) => (address === 'gone@example.com' ? { code: 550, message: '5.1.1 Mailbox gone@example.com does not exist' } : null);
    const e = await eventWithPeople(app, [{ email: 'gone@example.com' }, { email: 'here@example.com' }]);
    await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: {} });

    const failed = await messageWhen(app, e, 'gone@example.com', (m) => m.status === 'failed', 'the refused message marked failed');
    expect(failed.lastError).toMatch(/550/);
    expect(failed.lastError).toMatch(/does not exist/);
    expect(failed.attempts).toBe(1);
    await eventually(() => mailTo('here@example.com').length === 1, { what: 'the other invitation delivered' });
    expect((await outbox(app, e.event.id, e.organizer.cookie)).counts).toEqual({ queued: 0, sent: 1, failed: 1, held: 0 });

    // The address is fixed at the receiving end; the organizer retries.
    smtp.onRcpt = () => null;
    const retried = await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/${failed.id}/retry`, headers: e.headers });
    expect(retried.statusCode).toBe(200);
    await eventually(() => mailTo('gone@example.com').length === 1, { what: 'the retried message' });
    await eventually(async () => (await messageTo(app, e.event.id, e.organizer.cookie, 'gone@example.com'))?.status === 'sent', { what: 'marked sent' });
    const sent = (await outbox(app, e.event.id, e.organizer.cookie)).messages.find((m) => m.status === 'sent' && m.recipient === 'here@example.com')!;
    const again = await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/${sent.id}/retry`, headers: e.headers });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/sent/);
    expect((await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/999999999/retry`, headers: e.headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/abc/retry`, headers: e.headers })).statusCode).toBe(400);
  });

  it('retries a temporary refusal (451) by itself, showing the error meanwhile, until it is accepted', async () => {
    const { app } = await start({ smtpUrl: smtp.url, retry: { baseMs: 1_500 } });
    smtp.onRcpt = (_address, attempt) => (attempt === 1 ? { code: 451, message: '4.7.1 Greylisted, try again later' } : null);
    const e = await eventWithPeople(app, [{ email: 'grey@example.com' }]);
    await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: {} });
    const waiting = await messageWhen(app, e, 'grey@example.com', (m) => m.lastError !== null, 'the temporary refusal shown');
    expect(waiting.status).toBe('queued');
    expect(waiting.lastError).toMatch(/451/);
    expect(waiting.nextAttemptAt).not.toBeNull();
    const sent = await messageWhen(app, e, 'grey@example.com', (m) => m.status === 'sent', 'the second attempt accepted');
    expect(sent.attempts).toBe(2);
    expect(mailTo('grey@example.com')).toHaveLength(1);
  });

  it('keeps a message whose SMTP server refuses connections, and delivers it once the server is back', async () => {
    const down = await startSmtpServer();
    const port = down.port;
    await down.close();
    // The organizer signs up while mail works (the confirmation link needs it), and signs in later.
    const before = await start();
    const account = await signUpByEmail(before.app, smtp);
    await before.close();
    t = undefined;
    const { app } = await start({ smtpUrl: `smtp://mailer:secret@127.0.0.1:${port}`, retry: { baseMs: 300, maxMs: 600 } });
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email: account.email, password: 'correct horse battery' } });
    const e = await eventWithPeople(app, [{ email: 'later@example.com' }], {}, { cookie: cookieFrom(signIn), id: account.id });
    await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: {} });
    const waiting = await messageWhen(app, e, 'later@example.com', (m) => m.lastError !== null, 'the refused connection shown');
    expect(waiting.status).toBe('queued');
    expect(waiting.lastError).toMatch(/ECONNREFUSED|connect/i);
    const back = await startSmtpServer(port);
    try {
      await eventually(() => back.received.length === 1, { what: 'delivery once the server is back' });
      expect(recipientOf(back.received[0]!)).toBe('later@example.com');
      await eventually(async () => (await messageTo(app, e.event.id, e.organizer.cookie, 'later@example.com'))?.status === 'sent', { what: 'marked sent' });
    } finally {
      // Its pooled SMTP connection first, or the server waits for it (`start` set `t` again: TypeScript cannot see that).
      await (t as TestApp | undefined)?.close();
      t = undefined;
      await back.close();
    }
  });
});

describe('zero configuration: the outbox', () => {
  it('holds every message in the outbox, readable with its link, when no SMTP server is configured', async () => {
    const { app } = await start({ smtpUrl: null });
    const e = await eventWithPeople(app, [{ name: 'Ilse', email: 'ilse@example.com' }]);
    const queued = await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: {} });
    expect(queued.json()).toEqual({ messages: 1, status: 'held' });
    const box = await outbox(app, e.event.id, e.organizer.cookie);
    expect(box.smtpConfigured).toBe(false);
    expect(box.counts).toEqual({ queued: 0, sent: 0, failed: 0, held: 1 });
    const [message] = box.messages;
    expect(message).toMatchObject({ kind: 'invitation', recipient: 'ilse@example.com', status: 'held', subject: 'You are invited to Spring <mentoring> & more' });
    expect(message!.text).toContain(e.linkOf(e.participants[0].id));
    const retry = await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/${message!.id}/retry`, headers: e.headers });
    expect(retry.statusCode).toBe(409);
    expect(retry.json().message).toMatch(/SMTP_URL/);
    // The token is never stored: only the invitation it is derived from.
    const { rows } = await db.pool.query('SELECT payload::text AS payload, subject FROM mail_outbox WHERE event_id = $1', [e.event.id]);
    expect(JSON.stringify(rows)).not.toContain(e.linkOf(e.participants[0].id).split('#')[1]);
    expect(smtp.received).toEqual([]);
  });

  it('keeps an acknowledged invitation across a restart, and a later app with SMTP sends it when retried', async () => {
    const first = await start({ smtpUrl: null });
    const e = await eventWithPeople(first.app, [{ email: 'durable@example.com' }]);
    await first.app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/invitations`, headers: e.headers, payload: {} });
    await first.close();
    t = undefined;
    const { app } = await start();
    const [held] = (await outbox(app, e.event.id, e.organizer.cookie)).messages;
    expect(held).toMatchObject({ status: 'held', recipient: 'durable@example.com' });
    expect((await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/mail/${held!.id}/retry`, headers: e.headers })).statusCode).toBe(200);
    await eventually(() => mailTo('durable@example.com').length === 1, { what: 'the held message sent' });
  });
});

describe('reminders', () => {
  it('emails each participant a reminder at the time set on the event, once', async () => {
    const { app } = await start();
    const startsAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    const e = await eventWithPeople(app, [{ email: 'r1@example.com', profile: { timeZone: 'America/Mexico_City' } }, { email: 'r2@example.com' }], { scheduledStart: startsAt, reminderOffsetsMinutes: [120, 30] });
    expect(e.event.reminderOffsetsMinutes).toEqual([120, 30]);
    const turn = async () => {
      app.mail.kick();
      await app.mail.idle();
    };
    await turn();
    expect(smtp.received).toEqual([]);
    // Two hours before: the first reminder.
    clockOffset = 60 * 60_000 + 1_000;
    await turn();
    await eventually(() => smtp.received.length === 2, { what: 'the two-hour reminders' });
    expect(smtp.received.map((m) => m.subject)).toEqual(['Reminder: Spring <mentoring> & more starts in 2 hours', 'Reminder: Spring <mentoring> & more starts in 2 hours']);
    const r1 = mailTo('r1@example.com')[0]!;
    expect(r1.text).toContain(e.linkOf(e.participants[0].id));
    expect(r1.text).toMatch(/\(America\/Mexico_City\)/);
    await turn();
    await turn();
    expect(smtp.received).toHaveLength(2);
    // Half an hour before: the second.
    clockOffset = 150 * 60_000 + 1_000;
    await turn();
    await eventually(() => smtp.received.length === 4, { what: 'the half-hour reminders' });
    expect(smtp.received.slice(2).map((m) => m.subject)).toEqual(['Reminder: Spring <mentoring> & more starts in 30 minutes', 'Reminder: Spring <mentoring> & more starts in 30 minutes']);
    await turn();
    expect(smtp.received).toHaveLength(4);
    const patched = await app.inject({ method: 'PATCH', url: `/api/events/${e.event.id}`, headers: e.headers, payload: { reminderOffsetsMinutes: [0] } });
    expect(patched.statusCode).toBe(400);
  });
});

describe('outcome emails', () => {
  it('tells each participant their outcome once the organizer confirms: the match and the follow-up, or why not', async () => {
    const { app } = await start();
    const e = await eventWithPeople(
      app,
      [
        { role: 'mentor', name: 'Grace', email: 'grace@example.com' },
        { role: 'mentor', name: 'Linus', email: 'linus@example.com' },
        { role: 'mentee', name: 'Zoë', email: 'zoe@example.com', profile: { timeZone: 'America/Mexico_City' } },
        { role: 'mentee', name: 'Omar', email: 'omar@example.com' },
      ],
      { rounds: 2, scheduledStart: '2026-12-01T15:00:00.000Z', timeZone: 'Europe/Berlin', followUpDays: 7, followUpTime: '17:00' },
    );
    const [grace, linus, zoe, omar] = e.participants;
    const cookie: Record<string, string> = {};
    for (const p of e.participants) cookie[p.id] = cookieFrom(await app.inject({ method: 'POST', url: '/api/join', payload: { token: e.linkOf(p.id).split('#')[1] } }));
    expect((await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/plan`, headers: e.headers, payload: { seed: 5 } })).statusCode).toBeLessThan(300);
    // Both rounds held: everyone joins, the app's clock jumps past the time a meeting needs.
    await holdEveryRound(app, e.event, e.organizer.id, (ms) => (clockOffset += ms));
    const put = (who: string, url: string, payload: object) => app.inject({ method: 'PUT', url, headers: { cookie: cookie[who]! }, payload });
    for (const mentor of [grace, linus]) for (const mentee of [zoe, omar]) expect((await put(mentor.id, `/api/me/ratings/${mentee.id}`, { fit: 4, wouldMentor: true })).statusCode).toBe(204);
    // Zoë ranks; Omar never does.
    expect((await put(zoe.id, '/api/me/preferences', { ranking: [grace.id, linus.id], notAFit: [] })).statusCode).toBe(204);
    const pairs = [{ mentorId: grace.id, menteeId: zoe.id }];
    expect((await app.inject({ method: 'PUT', url: `/api/events/${e.event.id}/matches`, headers: e.headers, payload: { source: 'manual', pairs } })).statusCode).toBe(200);
    expect(smtp.received).toEqual([]);
    expect((await app.inject({ method: 'POST', url: `/api/events/${e.event.id}/matches/confirm`, headers: e.headers })).statusCode).toBe(200);

    await eventually(() => smtp.received.length === 4, { what: 'four outcome emails' });
    const zoeMail = mailTo('zoe@example.com')[0]!;
    expect(zoeMail.subject).toBe('Your match from Spring <mentoring> & more');
    expect(zoeMail.text).toContain('Grace (mentor, grace@example.com)');
    // 17:00 in Berlin a week after 1 December is 16:00 UTC: 10:00 on Zoë's clock in Mexico City.
    expect(zoeMail.text).toContain('Tuesday, 8 December 2026, 10:00 (America/Mexico_City)');
    expect(zoeMail.text).toContain(e.linkOf(zoe.id));
    expect(zoeMail.html).toContain(`href="${e.linkOf(zoe.id)}"`);
    const graceMail = mailTo('grace@example.com')[0]!;
    expect(graceMail.text).toContain('Zoë (mentee, zoe@example.com)');
    expect(graceMail.text).toContain('Tuesday, 8 December 2026, 17:00 (Europe/Berlin)');
    const omarMail = mailTo('omar@example.com')[0]!;
    expect(omarMail.subject).toBe('Your outcome from Spring <mentoring> & more');
    expect(omarMail.text).toContain('not matched');
    expect(omarMail.text).toContain('You did not rank the mentors you met');
    expect(omarMail.text).toContain(e.linkOf(omar.id));
    expect(omarMail.text).not.toContain('Grace');
    const linusMail = mailTo('linus@example.com')[0]!;
    expect(linusMail.text).toContain('Why:');
    // The outcome matches what the app shows each of them.
    expect((await app.inject({ method: 'GET', url: '/api/me/match', headers: { cookie: cookie[omar.id]! } })).json()).toMatchObject({ status: 'not-matched', reasonCode: 'not-ranked' });
  });
});
