/**
 * Several app nodes when Redis goes away (issue 14, with the hardening issue's rules): the nodes
 * run on a Redis of this test's own, which is killed with SIGKILL. No process exits; each node
 * says so in /healthz (503, `redis: down`, so the load balancer stops sending it people) and
 * refuses new sockets with a clear reason, while HTTP keeps answering from PostgreSQL. When Redis
 * is back the nodes heal by themselves: healthy again, sockets accepted, and an announcement made
 * on one node reaches a participant connected to the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppCluster, haproxyUnavailableReason, type AppCluster } from '../helpers/app-cluster.ts';
import { eventually } from '../helpers/livekit.ts';
import { newOrganizer } from '../helpers/organizers.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { redisCommand, redisUnavailableReason } from '../helpers/redis.ts';
import { apiCall, freePort } from '../helpers/server.ts';
import { makeEvent, makeParticipant } from '../factories/index.ts';

const redisReason = await redisUnavailableReason();
const haproxyReason = haproxyUnavailableReason();
for (const reason of [redisReason, haproxyReason]) if (reason) console.warn(`Skipping the Redis outage test: ${reason}`);

/** A Redis server of this test's own (the machine's redis-server binary), on a port of its own. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await eventually(async () => (await redisCommand(['PING'], `127.0.0.1:${port}`).catch(() => '')) === '+PONG', { what: 'the test Redis', timeoutMs: 20_000 });
  return child;
}

describe.skipIf(redisReason !== null || haproxyReason !== null)('app nodes when Redis goes away and comes back', () => {
  let redisPort: number;
  let redis: ChildProcess;
  let cluster: AppCluster;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    cluster = await startAppCluster({ nodes: 2, redisAddress: `127.0.0.1:${redisPort}` });
  }, 180_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await cluster?.stop();
    redis?.kill('SIGKILL');
  }, 60_000);

  it('no node exits; each reports Redis down and refuses new sockets; all heals when Redis is back', { timeout: 240_000 }, async () => {
    const [one, two] = cluster.nodes.map((n) => `http://127.0.0.1:${n.port}`) as [string, string];
    const organizer = await newOrganizer(cluster.url, { name: 'Outage' });
    const event = await apiCall<{ id: string }>(cluster.url, '/api/events', organizer.cookie, { method: 'POST', body: makeEvent({ rounds: 2 }) });
    await apiCall(cluster.url, `/api/events/${event.id}/participants`, organizer.cookie, { method: 'POST', body: makeParticipant({ role: 'mentor' }) });
    await apiCall(cluster.url, `/api/events/${event.id}/participants`, organizer.cookie, { method: 'POST', body: makeParticipant({ role: 'mentee' }) });
    const { invites } = await apiCall<{ invites: { url: string }[] }>(cluster.url, `/api/events/${event.id}/invites`, organizer.cookie);
    const join = await fetch(`${one}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: invites[0]!.url.split('#')[1] }) });
    const participantCookie = join.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

    redis.kill('SIGKILL');
    for (const base of [one, two]) {
      await eventually(async () => {
        const response = await fetch(`${base}/healthz`);
        const body = (await response.json()) as { redis: string };
        return response.status === 503 && body.redis === 'down';
      }, { what: `${base} to report Redis down`, timeoutMs: 30_000 });
    }
    // A new socket is refused with the reason; the HTTP API still answers from PostgreSQL.
    const refused = connectSocket(two, { cookie: participantCookie });
    sockets.push(refused);
    await expect(connected(refused)).rejects.toThrow();
    refused.disconnect();
    expect((await fetch(`${two}/api/events/${event.id}`, { headers: { cookie: organizer.cookie } })).status).toBe(200);
    expect(cluster.nodes.every((n) => n.server.process.exitCode === null)).toBe(true);

    // Redis back (empty, as after a restart without persistence): both nodes heal by themselves.
    redis = await startRedis(redisPort);
    for (const base of [one, two]) {
      await eventually(async () => (await fetch(`${base}/healthz`)).status === 200, { what: `${base} healthy again`, timeoutMs: 60_000 });
    }
    // Across nodes again: the organizer on node one announces, the participant on node two hears it.
    const participant = connectSocket(two, { cookie: participantCookie });
    sockets.push(participant);
    await connected(participant);
    const org = connectSocket(one, { cookie: organizer.cookie, eventId: event.id, as: 'organizer' });
    sockets.push(org);
    await connected(org);
    const heard = nextEvent(participant, 'announcement:sent', 30_000);
    await eventually(async () => {
      // The adapters' streams may take a moment to be read again: announce until one is heard.
      const sent = await command<{ id: string }>(org, 'announcement:send', { text: 'Back on Redis' });
      expect(sent).toHaveProperty('data');
      return Promise.race([heard.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 2_000))]);
    }, { what: 'an announcement from node one to reach node two', timeoutMs: 30_000, intervalMs: 0 });
    expect((await heard).text).toBe('Back on Redis');
    expect(cluster.nodes.every((n) => n.server.process.exitCode === null)).toBe(true);
  });
});
