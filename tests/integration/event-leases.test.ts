/**
 * Event ownership through PostgreSQL (server/src/cluster/leases.ts), on a real database: one holder
 * at a time, takeover only after expiry with a higher fence, a paused old owner that can no longer
 * act or write, a takeover that waits for the old owner's write in flight, and events spread by
 * rendezvous hashing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { EventLeases, LeaseLostError, preferredNode } from '../../server/src/cluster/leases.ts';
import { inTransaction } from '../../server/src/plugins/db.ts';
import { ownDatabase } from '../helpers/mail.ts';
import { eventually } from '../helpers/livekit.ts';

describe('event leases', () => {
  let pool: pg.Pool;
  let db: Awaited<ReturnType<typeof ownDatabase>>;
  let organizerId: string;
  const managers: EventLeases[] = [];

  beforeAll(async () => {
    // A database of its own: these nodes take every live event they find.
    db = await ownDatabase();
    pool = db.pool;
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO organizers (email, name, password_hash) VALUES ($1, 'Lease Tester', 'x') RETURNING id`,
      [`leases-${process.pid}-${Date.now()}@example.com`],
    );
    organizerId = rows[0]!.id;
  });

  afterAll(async () => {
    await Promise.all(managers.map((m) => m.close()));
    await db.drop();
  });

  async function liveEvent(): Promise<string> {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO events (organizer_id, title, scheduled_start, time_zone, round_seconds, transition_seconds, rounds, status)
       VALUES ($1, 'Lease test', now(), 'UTC', 600, 60, 3, 'live') RETURNING id`,
      [organizerId],
    );
    return rows[0]!.id;
  }

  function manager(nodeId: string, events: { acquired: string[]; lost: string[] } = { acquired: [], lost: [] }) {
    const m = new EventLeases(pool, `${nodeId}-${process.pid}`, {
      ttlMs: 1_000,
      tickMs: 100,
      onAcquired: (id) => events.acquired.push(id),
      onLost: (id) => events.lost.push(id),
    });
    managers.push(m);
    return { m, events };
  }

  it('gives an event to one node; another takes it over only after the holder stops renewing, with a higher fence', { timeout: 60_000 }, async () => {
    const eventId = await liveEvent();
    const a = manager('a');
    const b = manager('b');
    expect(await a.m.acquire(eventId)).toBe(true);
    // Held and renewed by A: B cannot take it.
    expect(await b.m.acquire(eventId)).toBe(false);
    const fenceOf = async () => Number((await pool.query<{ fence: string }>('SELECT fence FROM event_owners WHERE event_id = $1', [eventId])).rows[0]!.fence);
    const before = await fenceOf();
    expect(await b.m.ownerOf(eventId)).toBe(a.m.nodeId);

    // A is paused (no renewals): once its lease runs out it no longer acts, and B takes over.
    await a.m.tick();
    await eventually(() => !a.m.owns(eventId), { what: 'A to stop acting on its own clock', timeoutMs: 10_000, intervalMs: 20 });
    await eventually(() => b.m.acquire(eventId), { what: 'B to take over', timeoutMs: 10_000, intervalMs: 50 });
    expect(await fenceOf()).toBeGreaterThan(before);
    expect(b.m.owns(eventId)).toBe(true);

    // A's writes are refused by the fence, and its next tick tells it the event is gone.
    await expect(inTransaction(pool, (client) => a.m.guard(client, eventId))).rejects.toBeInstanceOf(LeaseLostError);
    await a.m.tick();
    expect(a.events.lost).toContain(eventId);
    expect(a.m.owns(eventId)).toBe(false);
  });

  it('a takeover waits for the old owner’s write in flight: that write lands before the new fence, never after', { timeout: 60_000 }, async () => {
    const eventId = await liveEvent();
    const a = manager('c');
    const b = manager('d');
    expect(await a.m.acquire(eventId)).toBe(true);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const write = inTransaction(pool, async (client) => {
      await a.m.guard(client, eventId);
      order.push('guarded');
      await held;
      await client.query(`UPDATE events SET title = 'written by the old owner' WHERE id = $1`, [eventId]);
      order.push('written');
    });
    await eventually(() => order.includes('guarded'), { what: 'the write to pass its guard' });
    // A renews no more; its lease (1 s) runs out while the write is in flight, and B's takeover must wait for that transaction.
    await eventually(async () => (await pool.query('SELECT 1 FROM event_owners WHERE event_id = $1 AND expires_at < now()', [eventId])).rowCount === 1, {
      what: "A's lease to expire",
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const takeover = b.m.acquire(eventId).then((ok) => {
      order.push('taken');
      return ok;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(order).toEqual(['guarded']);
    release();
    await write;
    expect(await takeover).toBe(true);
    expect(order).toEqual(['guarded', 'written', 'taken']);
  });

  it('spreads live events over the nodes alive, the same way on every node', { timeout: 60_000 }, async () => {
    const nodes = ['e', 'f', 'g'].map((n) => manager(n));
    await Promise.all(nodes.map((n) => n.m.start()));
    const ids = await Promise.all(Array.from({ length: 30 }, () => liveEvent()));
    await eventually(
      async () => {
        const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_owners WHERE event_id = ANY($1::uuid[]) AND expires_at > now()', [ids]);
        return rows[0]!.n === ids.length;
      },
      { what: 'an owner for each event', timeoutMs: 20_000 },
    );
    const { rows } = await pool.query<{ node_id: string; n: number }>(
      'SELECT node_id, count(*)::int AS n FROM event_owners WHERE event_id = ANY($1::uuid[]) GROUP BY node_id',
      [ids],
    );
    expect(rows.length).toBe(3);
    // Each event went to the node the hash prefers among the three.
    const names = nodes.map((n) => n.m.nodeId);
    for (const id of ids) expect(await nodes[0]!.m.ownerOf(id)).toBe(preferredNode(id, names));
  });
});
