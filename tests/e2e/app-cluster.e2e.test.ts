/**
 * Several app nodes in real browsers (issue 14): three app nodes behind HAProxy (deploy/haproxy.cfg)
 * and a LiveKit cluster of two nodes. A mentor's browser is pinned to the node that owns the event
 * and the mentee's to another, so their sockets sit on different nodes; they meet on video in a
 * room on the LiveKit cluster. The owner is killed with SIGKILL mid-round: another node takes the
 * event over, the mentor's page reconnects through the proxy to a live node, the call goes on
 * (new frames both ways), the organizer ends the round through a surviving node, and round 2
 * starts at its absolute time on both pages.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClockActive } from '@constellation/shared/clock/state';
import { startAppCluster, haproxyUnavailableReason, type AppCluster } from '../helpers/app-cluster.ts';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.ts';
import { eventually, liveKitAvailability } from '../helpers/livekit.ts';
import { LivePages, partnerVideoLive, type LiveSide } from '../helpers/live-pages.ts';
import { command, connectSocket, connected, nextEvent, type ClientSocket } from '../helpers/realtime.ts';
import { redisUnavailableReason } from '../helpers/redis.ts';

const browserReason = browserUnavailableReason();
const livekit = liveKitAvailability();
const redisReason = await redisUnavailableReason();
const haproxyReason = haproxyUnavailableReason();
for (const reason of [browserReason, redisReason, haproxyReason]) if (reason) console.warn(`Skipping the app cluster browser test: ${reason}`);

describe.skipIf(browserReason !== null || !livekit.available || redisReason !== null || haproxyReason !== null)('a call across app nodes survives the death of the event owner', () => {
  let cluster: AppCluster;
  let browser: Browser;
  let pages: LivePages;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([startAppCluster({ nodes: 3, livekit: true }), launchBrowser()]);
    pages = new LivePages(cluster, browser);
  }, 240_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await pages?.close();
    await browser?.close();
    await cluster?.stop();
  }, 60_000);

  const bothLive = (a: LiveSide, b: LiveSide) => Promise.all([partnerVideoLive(a.page, b.person.id), partnerVideoLive(b.page, a.person.id)]).then(([x, y]) => x && y);

  it('keeps the call, reconnects the page, and starts the next round on time', { timeout: 400_000 }, async () => {
    const cookie = await pages.organizer('cluster');
    const { eventId, tables, people } = await pages.event(
      cookie,
      { title: 'Cluster evening', rounds: 2, roundSeconds: 600, transitionSeconds: 10, noShowAfterSeconds: 3600 },
      [
        ['mentor', 'Marta Mentor'],
        ['mentor', 'Nadia Mentor'],
        ['mentee', 'Theo Mentee'],
        ['mentee', 'Uma Mentee'],
      ],
    );
    // The organizer's socket (one that reconnects, as the run screen's does) makes a node take the
    // event: the one rendezvous hashing prefers.
    const org = connectSocket(cluster.url, { cookie, eventId, as: 'organizer', reconnection: true });
    sockets.push(org);
    await connected(org);
    const owner = await eventually(
      async () => (await cluster.pool.query<{ node_id: string }>('SELECT node_id FROM event_owners WHERE event_id = $1 AND expires_at > now()', [eventId])).rows[0]?.node_id,
      { what: 'an owner for the event', timeoutMs: 30_000 },
    );
    const other = cluster.nodes.map((n) => n.name).find((name) => name !== owner)!;

    // The first table's mentor on the owner's node, their mentee on another node.
    const table = tables[0]!;
    const mentor = await pages.openLive(table.mentor, { node: owner });
    const mentee = await pages.openLive(table.mentees[0]!, { node: other });
    for (const name of [owner, other]) expect((await cluster.health(name))?.sockets ?? 0).toBeGreaterThan(0);

    const started = await command<ClockActive>(org, 'clock:start');
    if (!('data' in started)) throw new Error(JSON.stringify(started));
    await eventually(() => bothLive(mentor, mentee), { what: 'both to see each other', timeoutMs: 60_000 });

    // Every live connection, counted on the nodes: after the kill the survivors must hold them all again.
    const socketsOn = async (names: string[]) => (await Promise.all(names.map((n) => cluster.health(n)))).reduce((sum, h) => sum + (h?.sockets ?? 0), 0);
    const everyone = await socketsOn(cluster.nodes.map((n) => n.name));

    // The owner dies mid-round.
    await cluster.kill(owner);
    await eventually(
      async () => {
        const row = (await cluster.pool.query<{ node_id: string }>('SELECT node_id FROM event_owners WHERE event_id = $1 AND expires_at > now()', [eventId])).rows[0];
        return row !== undefined && row.node_id !== owner;
      },
      { what: 'another node to take the event over', timeoutMs: 30_000 },
    );
    // The mentor's page lost its node and reconnects through the proxy to a live one; the call never depended on it.
    const survivors = cluster.nodes.map((n) => n.name).filter((name) => name !== owner);
    await eventually(async () => (await socketsOn(survivors)) >= everyone, { what: 'every connection back on a surviving node', timeoutMs: 60_000 });
    await mentor.page.getByText('Connected', { exact: true }).waitFor({ timeout: 60_000 });
    for (let i = 0; i < 3; i++) expect(await eventually(() => bothLive(mentor, mentee), { what: 'the call to go on', timeoutMs: 30_000 })).toBe(true);

    // The organizer (on a surviving node, or moved to one) ends the round; round 2 starts at its absolute time on both pages.
    await eventually(async () => org.connected, { what: 'the organizer connected', timeoutMs: 60_000 });
    const ended = await eventually(
      async () => {
        const answer = await command<ClockActive>(org, 'clock:end-round');
        return 'data' in answer ? answer.data : undefined;
      },
      { what: 'the round ended', timeoutMs: 60_000 },
    );
    const round2 = await nextEvent(org, 'clock:changed', 60_000);
    expect(round2.clock).toMatchObject({ phase: 'round', round: 2, startsAt: ended.endsAt });
    // Round 2: each meets the one of the other side they have not met.
    const partnerInRound2 = (side: LiveSide) => {
      const met = [table.mentor.name, table.mentees[0]!.name];
      const name = people.find((p) => p.role !== side.person.role && !met.includes(p.name))!.name;
      return side.page.getByRole('heading', { name: `You are meeting ${name}` });
    };
    for (const side of [mentor, mentee]) await partnerInRound2(side).waitFor({ timeout: 30_000 });
    // (The browser logs the dropped WebSocket as a console error: only uncaught page errors count.)
    expect(mentor.errors.concat(mentee.errors).filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
