import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Queryable } from '../plugins/db.ts';

/** Thrown by `guard` inside a transaction when this node no longer holds the event's lease: the transaction must roll back. */
export class LeaseLostError extends Error {
  constructor(eventId: string) {
    super(`this node no longer owns event ${eventId}: another node took it over`);
    this.name = 'LeaseLostError';
  }
}

export interface LeaseOptions {
  /** How long a lease lasts without renewal: a dead owner is replaced this long after its last renewal (plus one tick). */
  ttlMs?: number;
  /** How often leases are renewed and expired ones looked for. */
  tickMs?: number;
  onAcquired?: (eventId: string) => void;
  onLost?: (eventId: string) => void;
  onError?: (error: unknown) => void;
}

interface Held {
  fence: number;
  /** performance.now() until which this node may act: the renewal's send time plus the ttl, less a margin. */
  validUntil: number;
}

/** Rendezvous hashing: every node computes the same preferred owner for an event from the same list of nodes. */
export function preferredNode(eventId: string, nodes: readonly string[]): string | null {
  let best: string | null = null;
  let bestScore = -1n;
  for (const node of nodes) {
    const score = createHash('sha1').update(`${eventId}\u0000${node}`).digest().readBigUInt64BE(0);
    if (score > bestScore || (score === bestScore && best !== null && node < best)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Event ownership through PostgreSQL: one lease row per event (holder, fencing number, expiry).
 * Each node renews the leases it holds every tick; it takes over a live event whose lease has
 * expired (the preferred node by rendezvous hashing at once, any node one tick later), raising the
 * fence. A node acts for an event only while its own clock says the last renewal is still valid,
 * and its writes check the fence in the same transaction (`guard`), so a paused or cut-off old
 * owner cannot act after losing the lease: the new owner's takeover waits for, or invalidates, it.
 */
export class EventLeases {
  readonly nodeId: string;
  readonly #pool: pg.Pool;
  readonly #ttlMs: number;
  readonly #tickMs: number;
  readonly #held = new Map<string, Held>();
  readonly #options: LeaseOptions;
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  /** A takeover under way: it may wait for an old owner's write, and must not hold up the renewals. */
  #taking: Promise<void> | null = null;
  /** Every take in flight (takeovers and takes on demand), so that a closing node waits for them before handing back. */
  readonly #takes = new Set<Promise<void>>();
  #closed = false;

  constructor(pool: pg.Pool, nodeId: string, options: LeaseOptions = {}) {
    this.#pool = pool;
    this.nodeId = nodeId;
    this.#ttlMs = options.ttlMs ?? 3_000;
    this.#tickMs = options.tickMs ?? 500;
    this.#options = options;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Starts renewing and taking over; the first round runs before this resolves. */
  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
    this.#timer.unref();
  }

  /** True while this node may act for the event. */
  owns(eventId: string): boolean {
    const held = this.#held.get(eventId);
    return held !== undefined && performance.now() < held.validUntil;
  }

  /** The events this node holds now. */
  held(): string[] {
    return [...this.#held.keys()].filter((id) => this.owns(id));
  }

  /** The node holding the event's lease now, or null when none does. */
  async ownerOf(eventId: string): Promise<string | null> {
    if (this.owns(eventId)) return this.nodeId;
    const { rows } = await this.#pool.query<{ node_id: string }>('SELECT node_id FROM event_owners WHERE event_id = $1 AND expires_at > now()', [eventId]);
    return rows[0]?.node_id ?? null;
  }

  /** The node that should take an event nobody holds: the same answer on every node (rendezvous hashing over the nodes alive). */
  async preferredOwner(eventId: string): Promise<string> {
    const { rows } = await this.#pool.query<{ node_id: string }>(`SELECT node_id FROM app_nodes WHERE seen_at > now() - $1 * interval '1 millisecond'`, [this.#ttlMs]);
    return preferredNode(eventId, rows.map((r) => r.node_id)) ?? this.nodeId;
  }

  /** Takes the event's lease when nobody holds it (an event in its lobby, or one whose owner just died). True when this node holds it now. */
  async acquire(eventId: string): Promise<boolean> {
    if (this.owns(eventId)) return true;
    if (this.#closed) return false;
    await this.#tracked(this.#take([eventId]));
    return this.owns(eventId);
  }

  #tracked(take: Promise<void>): Promise<void> {
    this.#takes.add(take);
    return take.finally(() => this.#takes.delete(take));
  }

  /**
   * Inside a transaction: locks the lease row for share and checks that this node still holds it
   * with the fence it knows. A takeover (an UPDATE of that row) waits for this transaction, so
   * the write either lands while this node is the owner or not at all.
   */
  async guard(client: Queryable, eventId: string): Promise<void> {
    const held = this.#held.get(eventId);
    if (!held || !this.owns(eventId)) throw new LeaseLostError(eventId);
    const { rowCount } = await client.query(
      'SELECT 1 FROM event_owners WHERE event_id = $1 AND node_id = $2 AND fence = $3 AND expires_at > clock_timestamp() FOR SHARE',
      [eventId, this.nodeId, held.fence],
    );
    if (!rowCount) throw new LeaseLostError(eventId);
  }

  /** One round: heartbeat, renew what this node holds, take over expired leases of live events. */
  tick(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#ticking ??= this.#tick().finally(() => (this.#ticking = null));
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    try {
      const sentAt = performance.now();
      await this.#pool.query('INSERT INTO app_nodes (node_id, seen_at) VALUES ($1, now()) ON CONFLICT (node_id) DO UPDATE SET seen_at = now()', [this.nodeId]);
      const { rows: renewed } = await this.#pool.query<{ event_id: string; fence: string }>(
        // Only what this node holds (a row it let go of must expire for another node to take it), with the
        // fence it knows; a finished event needs nobody: its lease lapses.
        `UPDATE event_owners o SET expires_at = now() + $2 * interval '1 millisecond'
           FROM events e, unnest($3::uuid[], $4::bigint[]) AS h(event_id, fence)
          WHERE e.id = o.event_id AND o.event_id = h.event_id AND o.fence = h.fence AND o.node_id = $1 AND e.status <> 'finished'
         RETURNING o.event_id, o.fence`,
        [this.nodeId, this.#ttlMs, [...this.#held.keys()], [...this.#held.values()].map((h) => h.fence)],
      );
      const still = new Set<string>();
      for (const row of renewed) {
        still.add(row.event_id);
        const known = this.#held.get(row.event_id);
        if (known && known.fence === Number(row.fence)) known.validUntil = sentAt + this.#ttlMs - this.#margin;
      }
      for (const id of [...this.#held.keys()]) if (!still.has(id)) this.#lose(id);

      const { rows: open } = await this.#pool.query<{ id: string; missing: boolean; late_ms: number | null }>(
        `SELECT e.id, o.event_id IS NULL AS missing, (extract(epoch FROM now() - o.expires_at) * 1000)::float8 AS late_ms
           FROM events e LEFT JOIN event_owners o ON o.event_id = e.id
          WHERE (e.status = 'live' AND (o.event_id IS NULL OR o.expires_at < now()))
             OR (e.status <> 'finished' AND o.expires_at < now() AND o.expires_at > now() - interval '60 seconds')`,
      );
      if (open.length > 0) {
        const { rows: nodes } = await this.#pool.query<{ node_id: string }>(
          `SELECT node_id FROM app_nodes WHERE seen_at > now() - $1 * interval '1 millisecond'`,
          [this.#ttlMs],
        );
        const alive = nodes.map((n) => n.node_id);
        // The preferred node takes an event at once; any node does once it has been left a tick longer.
        const mine = open.filter((e) => preferredNode(e.id, alive) === this.nodeId || (!e.missing && (e.late_ms ?? 0) > 2 * this.#tickMs));
        if (mine.length > 0 && !this.#taking) {
          this.#taking = this.#tracked(this.#take(mine.map((e) => e.id)))
            .catch((error: unknown) => this.#options.onError?.(error))
            .finally(() => (this.#taking = null));
        }
      }
    } catch (error) {
      this.#options.onError?.(error);
    }
    // A renewal that did not come through in time: stop acting for the event.
    for (const id of [...this.#held.keys()]) if (!this.owns(id)) this.#lose(id);
  }

  get #margin(): number {
    return Math.min(500, this.#ttlMs / 5);
  }

  /**
   * Takes each event's lease if it is free or expired, one event at a time: a takeover that must wait
   * for an old owner's write in flight (its `FOR SHARE` lock) waits at most a second, then is tried
   * again on a later tick, and holds up no other event.
   */
  async #take(eventIds: string[]): Promise<void> {
    for (const eventId of eventIds) {
      if (this.#closed) return;
      const sentAt = performance.now();
      const client = await this.#pool.connect();
      let row: { event_id: string; fence: string } | undefined;
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL lock_timeout = '1s'`);
        ({ rows: [row] } = await client.query<{ event_id: string; fence: string }>(
          `INSERT INTO event_owners (event_id, node_id, fence, expires_at)
           SELECT id, $1, 1, now() + $2 * interval '1 millisecond' FROM events WHERE id = $3 AND status <> 'finished'
           ON CONFLICT (event_id) DO UPDATE SET node_id = EXCLUDED.node_id, fence = event_owners.fence + 1, expires_at = EXCLUDED.expires_at
            WHERE event_owners.expires_at < now()
           RETURNING event_id, fence`,
          [this.nodeId, this.#ttlMs, eventId],
        ));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        this.#options.onError?.(error);
        continue;
      } finally {
        client.release();
      }
      if (!row) continue;
      const before = this.#held.get(row.event_id);
      this.#held.set(row.event_id, { fence: Number(row.fence), validUntil: sentAt + this.#ttlMs - this.#margin });
      if (!before) this.#options.onAcquired?.(row.event_id);
    }
  }

  #lose(eventId: string): void {
    if (!this.#held.delete(eventId)) return;
    this.#options.onLost?.(eventId);
  }

  /** Stops, and hands this node's leases back at once so another node takes them over on its next tick. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#ticking?.catch(() => {});
    await Promise.allSettled([...this.#takes]);
    this.#held.clear();
    await this.#pool.query('DELETE FROM event_owners WHERE node_id = $1', [this.nodeId]).catch(() => {});
    await this.#pool.query('DELETE FROM app_nodes WHERE node_id = $1', [this.nodeId]).catch(() => {});
  }
}
