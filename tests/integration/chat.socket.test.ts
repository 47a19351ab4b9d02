/**
 * The table chat's socket handlers: only the people seated together in the round running now send
 * and read it (never the organizer, another table or someone sitting out), it follows a seat change,
 * it is gone when the round ends, and bad input is answered with a clear error, never a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Ack, ChatHistory, ChatMessage, EventSnapshot } from '@constellation/shared/realtime/events';
import { CHAT_TEXT_MAX } from '@constellation/shared/realtime/events';
import { CHAT_RATE_LIMIT } from '../../server/src/modules/chat/chat.gateway.ts';
import { buildTestApp, cookieFrom, signUpOrganizer, type TestApp, listenTestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/livekit.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';

let t: TestApp;
let url: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  // Chat travels over the app's own socket: the video mode does not matter, and direct needs no media server.
  t = await buildTestApp({ video: 'direct' });
  url = await listenTestApp(t.app);
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await t.close();
});

interface Table {
  mentorId: string;
  menteeIds: string[];
}

/** Two mentors, three mentees (one sits out each round), two rounds, planned; everyone's session cookie. */
async function setUpEvent(app: FastifyInstance) {
  const organizer = await signUpOrganizer(app);
  const headers = { cookie: organizer.cookie };
  const event = (await app.inject({ method: 'POST', url: '/api/events', headers, payload: makeEvent({ rounds: 2, roundSeconds: 600, transitionSeconds: 60, noShowAfterSeconds: 600 }) })).json();
  for (const role of ['mentor', 'mentor', 'mentee', 'mentee', 'mentee'] as const) {
    await app.inject({ method: 'POST', url: `/api/events/${event.id}/participants`, headers, payload: makeParticipant({ role }) });
  }
  expect((await app.inject({ method: 'POST', url: `/api/events/${event.id}/plan`, headers, payload: { seed: 1 } })).statusCode).toBe(200);
  const plan = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/plan`, headers })).json() as { plan: { rounds: { tables: Table[]; sitOuts: { participantId: string }[] }[] } };
  const invites = (await app.inject({ method: 'GET', url: `/api/events/${event.id}/invites`, headers })).json().invites as { participantId: string; url: string }[];
  const cookies: Record<string, string> = {};
  for (const invite of invites) cookies[invite.participantId] = cookieFrom(await app.inject({ method: 'POST', url: '/api/join', payload: { token: invite.url.split('#')[1] } }));
  const round1 = plan.plan.rounds[0]!;
  const tables = round1.tables.filter((table) => table.menteeIds.length > 0);
  expect(tables).toHaveLength(2);
  return { organizer, headers, eventId: event.id as string, cookies, tables, sitOut: round1.sitOuts[0]!.participantId };
}

async function joinAs(cookie: string, eventId?: string): Promise<{ socket: ClientSocket; snapshot: EventSnapshot; heard: ChatMessage[] }> {
  const socket = connectSocket(url, { cookie, ...(eventId ? { eventId, as: 'organizer' as const } : {}) });
  sockets.push(socket);
  const heard: ChatMessage[] = [];
  socket.on('chat:messaged', (message) => heard.push(message));
  const snapshot = nextEvent(socket, 'event:snapshot');
  await connected(socket);
  return { socket, snapshot: await snapshot, heard };
}

const send = (socket: ClientSocket, payload?: unknown) => command<ChatMessage>(socket, 'chat:send', payload);
const history = (socket: ClientSocket) => command<ChatHistory>(socket, 'chat:history');
const codeOf = (ack: Ack<unknown>) => ('error' in ack ? ack.error.code : 'ok');

describe('the table chat over Socket.IO', () => {
  it('reaches only the people seated together, never the organizer, another table or someone sitting out', async () => {
    const { organizer, eventId, cookies, tables, sitOut } = await setUpEvent(t.app);
    const [one, two] = tables as [Table, Table];
    const mentor = await joinAs(cookies[one.mentorId]!);
    const mentee = await joinAs(cookies[one.menteeIds[0]!]!);
    const otherMentor = await joinAs(cookies[two.mentorId]!);
    const otherMentee = await joinAs(cookies[two.menteeIds[0]!]!);
    const idle = await joinAs(cookies[sitOut]!);
    const org = await joinAs(organizer.cookie, eventId);

    // Before the round: nothing to chat in.
    expect(codeOf(await send(mentee.socket, { text: 'early' }))).toBe('not-in-round');
    expect(codeOf(await history(mentee.socket))).toBe('not-in-round');
    expect(await command(org.socket, 'clock:start')).toHaveProperty('data');

    const sent = await send(mentee.socket, { text: 'My microphone is broken, can you read this?' });
    if (!('data' in sent)) throw new Error(sent.error.message);
    expect(sent.data).toMatchObject({ round: 1, from: one.menteeIds[0], text: 'My microphone is broken, can you read this?' });
    await eventually(() => mentor.heard.length === 1 && mentee.heard.length === 1, { what: 'both at the table to hear the message' });
    expect(mentor.heard[0]).toEqual(sent.data);
    const reply = await send(mentor.socket, { text: 'Yes, loud and clear' });
    expect(reply).toHaveProperty('data');
    await eventually(() => mentee.heard.length === 2, { what: 'the mentee to hear the reply' });

    // The chat so far, as a reloaded page asks for it: the same for both, oldest first.
    const fromMentee = await history(mentee.socket);
    const fromMentor = await history(mentor.socket);
    if (!('data' in fromMentee) || !('data' in fromMentor)) throw new Error('history refused');
    expect(fromMentee.data.messages.map((m) => m.text)).toEqual(['My microphone is broken, can you read this?', 'Yes, loud and clear']);
    expect(fromMentor.data).toEqual(fromMentee.data);

    // Another table has its own, empty chat; someone sitting out and the organizer have none.
    const otherHistory = await history(otherMentee.socket);
    expect('data' in otherHistory && otherHistory.data.messages).toEqual([]);
    expect('data' in otherHistory && otherHistory.data.seat).not.toBe(fromMentee.data.seat);
    expect(codeOf(await history(idle.socket))).toBe('not-seated');
    expect(codeOf(await send(idle.socket, { text: 'hello?' }))).toBe('not-seated');
    expect(codeOf(await history(org.socket))).toBe('forbidden');
    expect(codeOf(await send(org.socket, { text: 'I am watching' }))).toBe('forbidden');
    // A round trip on each socket after the messages: anything sent to them would have arrived by now.
    await Promise.all([otherMentor, otherMentee, idle, org].map((side) => command(side.socket, 'time:sync', { t0: 0 })));
    expect([otherMentor.heard, otherMentee.heard, idle.heard, org.heard]).toEqual([[], [], [], []]);

    // The round ends: its chat is gone, on the server too.
    expect(await command(org.socket, 'clock:end-round')).toHaveProperty('data');
    expect(codeOf(await history(mentee.socket))).toBe('not-in-round');
    expect(codeOf(await send(mentee.socket, { text: 'still there?' }))).toBe('not-in-round');
    // Nothing of it is held anywhere any more (no other test's round is running now).
    expect(t.app.chat.held).toBe(0);
    expect(await command(org.socket, 'clock:end-event')).toHaveProperty('data');
  }, 60_000);

  it('follows a seat change: moved people chat with their new partner, in a new conversation', async () => {
    const { organizer, headers, eventId, cookies, tables } = await setUpEvent(t.app);
    const [one, two] = tables as [Table, Table];
    const mentorOne = await joinAs(cookies[one.mentorId]!);
    const menteeOne = await joinAs(cookies[one.menteeIds[0]!]!);
    const mentorTwo = await joinAs(cookies[two.mentorId]!);
    const org = await joinAs(organizer.cookie, eventId);
    expect(await command(org.socket, 'clock:start')).toHaveProperty('data');
    expect(await send(menteeOne.socket, { text: 'before the move' })).toHaveProperty('data');

    const moved = nextEvent(menteeOne.socket, 'seat:changed');
    const swap = await t.app.inject({ method: 'POST', url: `/api/events/${eventId}/live/seats`, headers, payload: { kind: 'swap', menteeIds: [one.menteeIds[0], two.menteeIds[0]] } });
    expect(swap.statusCode).toBe(200);
    await moved;

    const after = await history(menteeOne.socket);
    if (!('data' in after)) throw new Error(after.error.message);
    expect(after.data.messages).toEqual([]);
    const sent = await send(menteeOne.socket, { text: 'hello, new partner' });
    expect(sent).toHaveProperty('data');
    await eventually(() => mentorTwo.heard.some((m) => m.text === 'hello, new partner'), { what: 'the new partner to hear the moved mentee' });
    await command(mentorOne.socket, 'time:sync', { t0: 0 });
    expect(mentorOne.heard.map((m) => m.text)).toEqual(['before the move']);
    expect(await command(org.socket, 'clock:end-event')).toHaveProperty('data');
  }, 60_000);

  it('answers bad input with a clear error and keeps serving the socket', async () => {
    const { organizer, eventId, cookies, tables } = await setUpEvent(t.app);
    const mentee = await joinAs(cookies[tables[0]!.menteeIds[0]!]!);
    const mentor = await joinAs(cookies[tables[0]!.mentorId]!);
    const org = await joinAs(organizer.cookie, eventId);
    expect(await command(org.socket, 'clock:start')).toHaveProperty('data');

    const refused = [
      undefined,
      null,
      'just a string',
      {},
      { text: 42 },
      { text: '' },
      { text: 'x'.repeat(CHAT_TEXT_MAX + 1) },
      { text: 'hi', room: 'someone-elses-room' },
      { text: 'nul\u0000inside' },
      { text: '\u0007\u001b\u202e \n ' },
    ];
    for (const payload of refused) {
      const ack = await send(mentee.socket, payload);
      expect(codeOf(ack), JSON.stringify(payload)).toBe('invalid-payload');
      expect('error' in ack && ack.error.message.length).toBeGreaterThan(5);
    }
    // No acknowledgement callback at all, and a stray argument: ignored, the socket still works.
    (mentee.socket.emit as (event: string, ...args: unknown[]) => void)('chat:send', { text: 'fire and forget' });
    (mentee.socket.emit as (event: string, ...args: unknown[]) => void)('chat:history', 'not a callback');
    // Control characters are dropped from what the table reads; the longest message goes through whole.
    const cleaned = await send(mentee.socket, { text: '  bell\u0007 and \u202eright-to-left\r\nnew line ' });
    expect('data' in cleaned && cleaned.data.text).toBe('bell and right-to-left\nnew line');
    const longest = await send(mentee.socket, { text: 'y'.repeat(CHAT_TEXT_MAX) });
    expect('data' in longest && longest.data.text.length).toBe(CHAT_TEXT_MAX);

    // A flood is cut off with its own answer; the others at the table hear only what was accepted.
    const acks = await Promise.all(Array.from({ length: CHAT_RATE_LIMIT.burst + 4 }, (_, i) => send(mentor.socket, { text: `flood ${i}` })));
    const accepted = acks.filter((ack) => 'data' in ack).length;
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(accepted).toBeLessThanOrEqual(CHAT_RATE_LIMIT.burst + 1);
    expect(acks.filter((ack) => codeOf(ack) === 'rate-limited').length).toBe(acks.length - accepted);
    await eventually(() => mentee.heard.filter((m) => m.text.startsWith('flood')).length === accepted, { what: 'the accepted messages to arrive' });
    const all = await history(mentee.socket);
    expect('data' in all && all.data.messages.map((m) => m.text)).toEqual([
      'fire and forget',
      'bell and right-to-left\nnew line',
      'y'.repeat(CHAT_TEXT_MAX),
      ...acks.flatMap((ack) => ('data' in ack ? [ack.data.text] : [])),
    ]);
    expect(await command(org.socket, 'clock:end-event')).toHaveProperty('data');
    expect(t.app.chat.held).toBe(0);
  }, 60_000);
});
