import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { FastifyInstance } from 'fastify';
import { adminDatabaseUrl } from './db.ts';
import { cookieFrom, uniqueEmail } from './app.ts';
import { ensureInviter, newOrganizer } from './organizers.ts';
import { migrate } from '../../server/src/db/migrate.ts';

/** What the test SMTP server answers to a RCPT TO: null accepts, otherwise the code and text of a refusal. */
export type RcptAnswer = { code: number; message: string } | null;

export interface TestSmtpServer {
  /** smtp://user:pass@127.0.0.1:port */
  url: string;
  port: number;
  /** Every message accepted, parsed. */
  received: ParsedMail[];
  /** Decides each RCPT TO; `attempt` counts this address's RCPTs so far, from 1. */
  onRcpt: (address: string, attempt: number) => RcptAnswer;
  close(): Promise<void>;
}

/** A real SMTP server (the `smtp-server` package) on a free local port, requiring a login as a real relay would. */
export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const attempts = new Map<string, number>();
  const state: TestSmtpServer = {
    url: '',
    port: 0,
    received: [],
    onRcpt: () => null,
    close: async () => {},
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    closeTimeout: 2_000,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'secret') callback(null, { user: 'mailer' });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const n = (attempts.get(address.address) ?? 0) + 1;
      attempts.set(address.address, n);
      const answer = state.onRcpt(address.address, n);
      if (answer) callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
      else callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          state.received.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {}); // a client dropping its connection is not the test's concern
  state.port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://mailer:secret@127.0.0.1:${state.port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** The address (or addresses) a parsed message went to. */
export function recipientOf(mail: ParsedMail): string {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((a) => a.value.map((v) => v.address ?? '')).join(', ');
}

/**
 * A database of its own, migrated, for tests whose app scans every event (the mail sender's
 * reminders): apps of other test files on the shared database must not see its events, nor it theirs.
 */
export async function ownDatabase(): Promise<{ pool: pg.Pool; url: string; drop(): Promise<void> }> {
  const name = `constellation_mail_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  await migrate(url.toString());
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  pool.on('error', () => {});
  return {
    pool,
    url: url.toString(),
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: adminDatabaseUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Signs up an organizer on an app that sends email: directly when it is the instance's first, else
 * through the confirmation link the test SMTP server received, as a person would. On an app without
 * SMTP (whose owner would approve), through a colleague's invitation instead.
 */
export async function signUpByEmail(app: FastifyInstance, smtp: TestSmtpServer, name = 'Ada Organizer'): Promise<{ cookie: string; id: string; email: string }> {
  // The helpers' inviter owns a fresh instance, so an app without SMTP later on the same database can still make organizers.
  await ensureInviter(app);
  if (!app.mail.configured) return newOrganizer(app, { name });
  const email = uniqueEmail();
  let response = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, name, password: 'correct horse battery' } });
  if (response.statusCode === 202) {
    const deadline = Date.now() + 30_000;
    let mail: ParsedMail | undefined;
    while (!(mail = smtp.received.find((m) => recipientOf(m) === email))) {
      if (Date.now() > deadline) throw new Error(`no confirmation email for ${email}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const token = /\/signup\/confirm#([\w.-]+)/.exec(mail.text ?? '')?.[1] ?? '';
    smtp.received.splice(smtp.received.indexOf(mail), 1); // the test counts its own messages
    response = await app.inject({ method: 'POST', url: '/api/auth/signup/confirm', payload: { token } });
  }
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.statusCode} ${response.body}`);
  return { cookie: cookieFrom(response), id: response.json().id, email };
}
