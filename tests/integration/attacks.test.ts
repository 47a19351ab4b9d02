/**
 * The attack suite: one test per hostile move against the app (the findings of issue 10), each
 * through the real HTTP API or a real Socket.IO client on the real PostgreSQL. Prints
 * "attacks tried / held" at the end.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, parseTrustProxy } from '../../server/src/config.ts';
import { toCsv } from '../../server/src/lib/csv.ts';
import { safeNext } from '../../client/src/lib/routes.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, uniqueEmail, type TestApp, listenTestApp } from '../helpers/app.ts';
import { makeCsv, makeEvent, makeParticipant } from '../factories/index.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';

let t: TestApp;
let url: string;
const sockets: ClientSocket[] = [];
let tried = 0;
let held = 0;

beforeAll(async () => {
  t = await buildTestApp({ publicUrl: 'http://constellation.test' });
  url = await listenTestApp(t.app);
});
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await t.close();
  console.log(`[attacks] attacks tried ${tried} / held ${held}`);
});

/** One attack: counted as tried, and as held when every expectation in it passes. */
function attack(name: string, run: () => Promise<void>, timeoutMs?: number): void {
  it(name, async () => {
    tried++;
    await run();
    held++;
  }, timeoutMs);
}

function track(socket: ClientSocket): ClientSocket {
  sockets.push(socket);
  return socket;
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An event with 2 mentors and 2 mentees, planned, everyone holding a participant session. */
async function setUpEvent(app: FastifyInstance) {
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2, roundSeconds: 300, transitionSeconds: 60 }) })).json();
  const people: { id: string; role: string }[] = [];
  for (const role of ['mentor', 'mentor', 'mentee', 'mentee'] as const) {
    people.push((await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) })).json());
  }
  expect((await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).statusCode).toBe(200);
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  const cookies: Record<string, string> = {};
  for (const invite of invites) {
    cookies[invite.participantId] = cookieFrom(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
  }
  return { organizer, event, people, cookies, invites };
}

/** A connected socket and everything it receives after connecting. */
async function open(cookie: string, eventId?: string, as?: 'organizer') {
  const socket = track(connectSocket(url, { cookie, ...(eventId ? { eventId } : {}), ...(as ? { as } : {}) }));
  const received: string[] = [];
  socket.onAny((event: string) => received.push(event));
  const snapshot = nextEvent(socket, 'event:snapshot');
  await connected(socket);
  await snapshot;
  let disconnectedAt: number | null = null;
  socket.on('disconnect', () => (disconnectedAt = Date.now()));
  return { socket, received, disconnectedAt: () => disconnectedAt };
}

/** A POST over a real connection, written chunk by chunk; the server may answer (and close) before the end. */
function rawPost(path: string, cookie: string, headers: Record<string, string>, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'text/csv', ...headers } }, (response) => {
      let body = '';
      response.on('data', (d: Buffer) => (body += d.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', (error) => (request.writableEnded ? undefined : reject(error)));
    (async () => {
      for (const chunk of chunks) {
        if (request.destroyed) return;
        if (!request.write(chunk)) await new Promise((r) => request.once('drain', r));
      }
      if (!headers['content-length']) request.end();
    })().catch(() => {});
  });
}

const participantCount = async (eventId: string) => (await t.pool.query('SELECT count(*)::int AS n FROM participants WHERE event_id = $1', [eventId])).rows[0].n as number;

describe('revocation reaches open sockets (finding 2)', () => {
  attack('a new invite link closes the sockets the old link opened, which then receive nothing and cannot come back', async () => {
    const { organizer, event, people, cookies } = await setUpEvent(t.app);
    const mentee = people.find((p) => p.role === 'mentee')!;
    const old = await open(cookies[mentee.id]!);
    const org = await open(organizer.cookie, event.id, 'organizer');
    const revokedAt = Date.now();
    const regenerate = await t.app.inject({ method: 'POST', url: `/api/events/${event.id}/participants/${mentee.id}/invite`, headers: { cookie: organizer.cookie } });
    expect(regenerate.statusCode).toBe(200);
    await until(() => old.disconnectedAt() !== null, 5_000, 'the old socket closing');
    console.log(`[attacks] socket closed ${old.disconnectedAt()! - revokedAt} ms after the invite was regenerated`);
    const before = old.received.length;
    // The round starts: tokens and snapshots go out; none may reach the revoked socket.
    expect('data' in (await command(org.socket, 'clock:start'))).toBe(true);
    await command(org.socket, 'announcement:send', { text: 'Round one is on' });
    expect(old.received.slice(before)).toEqual([]);
    const again = track(connectSocket(url, { cookie: cookies[mentee.id]! }));
    await expect(connected(again)).rejects.toThrow(/unauthorized/);
  });

  attack('removing a participant closes their sockets', async () => {
    const { organizer, event, people, cookies } = await setUpEvent(t.app);
    const mentor = people.find((p) => p.role === 'mentor')!;
    const s = await open(cookies[mentor.id]!);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/events/${event.id}/participants/${mentor.id}`, headers: { cookie: organizer.cookie } })).statusCode).toBe(204);
    await until(() => s.disconnectedAt() !== null, 5_000, 'the removed participant\'s socket closing');
    const again = track(connectSocket(url, { cookie: cookies[mentor.id]! }));
    await expect(connected(again)).rejects.toThrow(/unauthorized/);
  });

  attack("signing out closes the organizer's sockets: the clock can no longer be run from them", async () => {
    const { organizer, event } = await setUpEvent(t.app);
    const org = await open(organizer.cookie, event.id, 'organizer');
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/signout', headers: { cookie: organizer.cookie } })).statusCode).toBe(204);
    await until(() => org.disconnectedAt() !== null, 5_000, "the organizer's socket closing");
    const again = track(connectSocket(url, { cookie: organizer.cookie, eventId: event.id, as: 'organizer' }));
    await expect(connected(again)).rejects.toThrow(/unauthorized/);
  });
});

describe('rate limits key on the real client address (finding 3)', () => {
  attack('a different X-Forwarded-For on each sign-in attempt does not escape the limit', async () => {
    const app = await buildTestApp({ rateLimits: { signIn: { max: 3, timeWindow: 60_000 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await app.app.inject({
          method: 'POST',
          url: '/api/auth/signin',
          headers: { 'x-forwarded-for': `203.0.113.${i}` },
          payload: { email: 'nobody@example.com', password: 'wrong password here' },
        });
        statuses.push(response.statusCode);
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    } finally {
      await app.close();
    }
  });

  attack('TRUST_PROXY takes a hop count or proxy addresses, never "anyone"', async () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('10.0.0.1, 10.0.1.0/24')).toEqual(['10.0.0.1', '10.0.1.0/24']);
    expect(() => parseTrustProxy('true')).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy('*')).toThrow(/TRUST_PROXY/);
    // Behind one trusted proxy, clients are told apart by the address the proxy saw.
    const app = await buildTestApp({ trustProxy: 1, rateLimits: { signIn: { max: 2, timeWindow: 60_000 } } });
    try {
      const signIn = (ip: string) =>
        app.app.inject({ method: 'POST', url: '/api/auth/signin', headers: { 'x-forwarded-for': ip }, payload: { email: 'nobody@example.com', password: 'wrong password here' } });
      for (let i = 0; i < 2; i++) expect((await signIn('198.51.100.7')).statusCode).toBe(401);
      expect((await signIn('198.51.100.7')).statusCode).toBe(429);
      expect((await signIn('198.51.100.8')).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('invite links and SESSION_SECRET (finding 4)', () => {
  attack('a new SESSION_SECRET revokes every invite link issued under the old one', async () => {
    const { invites } = await setUpEvent(t.app);
    const token = invites[0]!.url.split('#')[1];
    expect((await t.app.inject({ method: 'POST', url: '/api/join', payload: { token } })).statusCode).toBe(200);
    const rotated = await buildTestApp({ sessionSecret: 'a-completely-different-secret-of-32-chars' });
    try {
      const refused = await rotated.app.inject({ method: 'POST', url: '/api/join', payload: { token } });
      expect(refused.statusCode).toBe(401);
    } finally {
      await rotated.close();
    }
  });
});

describe('CSV import limits (finding 5)', () => {
  attack('a file declared larger than the limit is refused before it is read, and one that streams past it is cut off', async () => {
    const { organizer, event } = await setUpEvent(t.app);
    const path = `/api/events/${event.id}/participants/import`;
    const before = await participantCount(event.id);
    const declared = await rawPost(path, organizer.cookie, { 'content-length': String(21 * 1024 * 1024) }, ['role,name,email\n']);
    expect(declared.status).toBe(413);
    // No declared length (chunked): counted while it streams in, and cut off at the limit.
    // 1.2 kB rows: the byte limit comes before the row limit.
    const line = `mentee,Someone,someone@example.com,${'x'.repeat(1200)}\n`.repeat(100);
    const streamed = await rawPost(path, organizer.cookie, {}, ['role,name,email,industry\n', ...Array.from({ length: 200 }, () => line)]);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).message).toMatch(/larger than 20 MB/);
    expect(await participantCount(event.id)).toBe(before);
  });

  attack('20,001 rows are refused without importing any; /healthz keeps answering during a 20,000-row import', async () => {
    const { organizer, event } = await setUpEvent(t.app);
    const path = `/api/events/${event.id}/participants/import`;
    const csv20k = makeCsv(20_000);
    const tooMany = await t.app.inject({ method: 'POST', url: path, headers: { cookie: organizer.cookie, 'content-type': 'text/csv' }, payload: makeCsv(20_001) });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().message).toMatch(/Too many rows/);
    const latencies: number[] = [];
    let importing = true;
    const probe = (async () => {
      while (importing) {
        const started = performance.now();
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const imported = await fetch(`${url}${path}`, { method: 'POST', headers: { cookie: organizer.cookie, 'content-type': 'text/csv' }, body: csv20k });
    importing = false;
    await probe;
    expect(imported.status).toBe(201);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
    console.log(`[attacks] /healthz during a 20,000-row import: ${latencies.length} probes, p99 ${p99.toFixed(1)} ms, max ${(latencies.at(-1) ?? 0).toFixed(1)} ms`);
  }, 120_000);
});

describe('characters PostgreSQL cannot store (finding 6)', () => {
  attack('NUL bytes get a 400 naming the field in every kind of input, and an invalid-payload answer on sockets', async () => {
    const { organizer, event, people, cookies } = await setUpEvent(t.app);
    const headers = { cookie: organizer.cookie };
    const mentee = people.find((p) => p.role === 'mentee')!;
    const mentor = people.find((p) => p.role === 'mentor')!;
    const cases: { method: 'POST' | 'PUT' | 'PATCH'; url: string; cookie?: string; payload: unknown; field: string }[] = [
      { method: 'POST', url: '/api/auth/signup', payload: { email: uniqueEmail(), name: 'Ada\u0000', password: 'correct horse battery' }, field: 'body.name' },
      { method: 'POST', url: '/api/events', cookie: organizer.cookie, payload: makeEvent({ title: 'Spring\u0000' }), field: 'body.title' },
      { method: 'PATCH', url: `/api/events/${event.id}`, cookie: organizer.cookie, payload: { description: 'x\u0000y' }, field: 'body.description' },
      { method: 'POST', url: `/api/events/${event.id}/participants`, cookie: organizer.cookie, payload: makeParticipant({ name: 'Nul\u0000l' }), field: 'body.name' },
      {
        method: 'PATCH',
        url: `/api/events/${event.id}/participants/${mentee.id}`,
        cookie: organizer.cookie,
        payload: { profile: { industry: 'fin\u0000tech', skills: ['ok', 'b\u0000d'] } },
        field: 'body.profile.industry',
      },
      { method: 'PUT', url: `/api/me/notes/${mentor.id}`, cookie: cookies[mentee.id], payload: { note: 'great\u0000' }, field: 'body.note' },
      { method: 'PUT', url: `/api/me/ratings/${mentee.id}`, cookie: cookies[mentor.id], payload: { fit: 4, wouldMentor: true, note: '\u0000' }, field: 'body.note' },
      { method: 'POST', url: '/api/join', payload: { token: 'abc\u0000' }, field: 'body.token' },
      { method: 'POST', url: '/api/events', cookie: organizer.cookie, payload: makeEvent({ title: 'lone \ud800 surrogate' }), field: 'body.title' },
    ];
    for (const c of cases) {
      const response = await t.app.inject({ method: c.method, url: c.url, headers: c.cookie ? { cookie: c.cookie } : {}, payload: c.payload as object });
      expect(response.statusCode, `${c.method} ${c.url}`).toBe(400);
      expect(response.json().problems?.[0]?.field, `${c.method} ${c.url}`).toBe(c.field);
    }
    const csv = await t.app.inject({
      method: 'POST',
      url: `/api/events/${event.id}/participants/import`,
      headers: { ...headers, 'content-type': 'text/csv' },
      payload: 'role,name,email\nmentee,Bad\u0000Name,bad@example.com\n',
    });
    expect(csv.statusCode).toBe(400);
    expect(csv.json().problems[0]).toMatchObject({ row: 2, column: 'name' });
    const org = await open(organizer.cookie, event.id, 'organizer');
    const announcement = await command(org.socket, 'announcement:send', { text: 'hello\u0000' });
    expect(announcement).toMatchObject({ error: { code: 'invalid-payload', message: expect.stringContaining('payload.text') } });
  });
});

describe('CSV exports (finding 7)', () => {
  attack('every exported cell is quoted and a formula hidden behind any separator is neutralised', async () => {
    const hostile = ["ok;=cmd|' /C calc'!A0", '=1+1', 'a\t-2+3', 'x,@SUM(A1)', '+cmd', 'x|=y', 'ok\n=z'];
    const csv = toCsv(['note'], hostile.map((h) => [h]));
    for (const line of csv.trim().split('\r\n')) expect(line.startsWith('"')).toBe(true);
    for (const separator of [',', ';', '\t', '|', '\n']) {
      // Split as a spreadsheet with this separator would (ignoring quotes, the worst case): no cell may start a formula.
      const cells = csv.replace(/\r\n/g, '\n').split(separator).map((c) => c.replace(/^[\s"]+/, ''));
      expect(cells.filter((c) => /^[=+\-@]/.test(c)), `separator ${JSON.stringify(separator)}`).toEqual([]);
    }
  });
});

describe('sign-in redirects (finding 8)', () => {
  attack('a next parameter never leads to another origin', async () => {
    for (const next of ['/\t/evil.example/x', '//evil.example', '/\\evil.example', '/\n/evil.example', 'https://evil.example', '/\r\n/evil.example', '\\\\evil.example', 'javascript:alert(1)']) {
      expect(safeNext(next), JSON.stringify(next)).toBe('/events');
    }
    expect(safeNext('/events/1/run?x=1')).toBe('/events/1/run?x=1');
  });
});

describe('production settings (finding 9)', () => {
  attack('with an https PUBLIC_URL the server refuses development LiveKit keys and default secrets, naming the setting', async () => {
    const base = { PUBLIC_URL: 'https://mentoring.example.com', DATA_DIR: '/tmp/constellation-attacks-unused' };
    expect(() => loadConfig({ ...base, SESSION_SECRET: 'x'.repeat(40) })).toThrow(/LIVEKIT_API_KEY/);
    expect(() => loadConfig({ ...base, SESSION_SECRET: 'change-me-to-a-long-random-string', LIVEKIT_API_KEY: 'prod', LIVEKIT_API_SECRET: 'y'.repeat(40) })).toThrow(/SESSION_SECRET/);
    expect(() =>
      loadConfig({ ...base, SESSION_SECRET: 'x'.repeat(40), LIVEKIT_API_KEY: 'constellation', LIVEKIT_API_SECRET: 'change-me-livekit-secret-at-least-32-chars' }),
    ).toThrow(/LIVEKIT_API_SECRET/);
    expect(loadConfig({ ...base, SESSION_SECRET: 'x'.repeat(40), LIVEKIT_API_KEY: 'prod', LIVEKIT_API_SECRET: 'y'.repeat(40) }).publicUrl).toBe(base.PUBLIC_URL);
    // And every service in the compose file comes back when it dies.
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    expect(compose.match(/^\s+restart: unless-stopped$/gm)).toHaveLength(3);
  });
});

describe('cross-site requests (finding 10)', () => {
  attack('a cross-site form is refused by CSV import, invite regeneration and sign-out; JSON routes accept only JSON; the socket handshake checks Origin', async () => {
    const { organizer, event, people } = await setUpEvent(t.app);
    const evil = { origin: 'https://evil.example', 'content-type': 'text/plain', cookie: organizer.cookie };
    for (const path of [`/api/events/${event.id}/participants/import`, `/api/events/${event.id}/participants/${people[0]!.id}/invite`, '/api/auth/signout']) {
      const response = await t.app.inject({ method: 'POST', url: path, headers: evil, payload: 'role,name,email\nmentee,X,x@example.com\n' });
      expect(response.statusCode, path).toBe(403);
    }
    // Without Origin but flagged cross-site by the browser.
    const fetchMeta = await t.app.inject({ method: 'POST', url: '/api/auth/signout', headers: { cookie: organizer.cookie, 'sec-fetch-site': 'cross-site' } });
    expect(fetchMeta.statusCode).toBe(403);
    // Same origin is fine; a text/plain body to a JSON route is not JSON.
    const plain = await t.app.inject({ method: 'POST', url: '/api/events', headers: { cookie: organizer.cookie, origin: 'http://constellation.test', 'content-type': 'text/plain' }, payload: JSON.stringify(makeEvent()) });
    expect(plain.statusCode).toBe(415);
    const json = await t.app.inject({ method: 'POST', url: '/api/events', headers: { cookie: organizer.cookie, origin: 'http://constellation.test' }, payload: makeEvent() });
    expect(json.statusCode).toBe(201);
    // The socket handshake from another site's page.
    for (const transports of [['websocket'], ['polling']]) {
      const socket = track(
        io(url, { transports, extraHeaders: { cookie: organizer.cookie, origin: 'https://evil.example' }, auth: { eventId: event.id, as: 'organizer' }, reconnection: false, forceNew: true }) as ClientSocket,
      );
      await expect(connected(socket), transports[0]).rejects.toThrow();
    }
    const sameSite = track(io(url, { transports: ['websocket'], extraHeaders: { cookie: organizer.cookie, origin: 'http://constellation.test' }, auth: { eventId: event.id, as: 'organizer' }, reconnection: false, forceNew: true }) as ClientSocket);
    await connected(sameSite);
  });
});

describe('floods, headers and account enumeration (findings 11, 12)', () => {
  attack('a socket flooding messages gets rate-limited answers and the server keeps answering others', async () => {
    const { people, cookies } = await setUpEvent(t.app);
    const s = await open(cookies[people[2]!.id]!);
    const answers = await Promise.all(Array.from({ length: 300 }, () => command<{ serverTime: number }>(s.socket, 'time:sync', { t0: 1 })));
    const limited = answers.filter((a) => 'error' in a && a.error.code === 'rate-limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.filter((a) => 'data' in a).length).toBeGreaterThan(0);
    expect((limited[0] as { error: { message: string } }).error.message).toMatch(/Too many messages/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  attack('responses carry security headers from helmet: a CSP forbidding framing, nosniff', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  attack('sign-up does not tell which emails have accounts (no SMTP: the owner approves)', async () => {
    // The shared database has an owner already; this app has no SMTP_URL (tests/integration/mail.signup.test.ts covers email).
    const { email } = await signUpOrganizer(t.app);
    const signUp = (address: string) => fetch(`${url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: address, name: 'Eve', password: 'guessing passwords' }) });
    const [known, knownUpper, fresh] = await Promise.all([signUp(email), signUp(email.toUpperCase()), signUp(uniqueEmail('probe'))]);
    const bodies = await Promise.all([known, knownUpper, fresh].map((r) => r.text()));
    expect([known.status, knownUpper.status, fresh.status]).toEqual([202, 202, 202]);
    expect(new Set(bodies).size).toBe(1);
    expect([known, knownUpper, fresh].map((r) => r.headers.getSetCookie().length)).toEqual([0, 0, 0]);
  });
});
