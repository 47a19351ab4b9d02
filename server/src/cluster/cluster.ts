import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Queryable } from '../plugins/db.ts';
import { HttpError } from '../lib/http-errors.ts';
import { EventLeases } from './leases.ts';

/** What a handler knows of its call: work still queued at `deadline` (epoch ms) must not start, the caller gave up. */
export interface CallContext {
  deadline: number;
}
type Handler = (eventId: string, payload: unknown, context: CallContext) => unknown;

/**
 * The event's owner could not be reached (it just died, or Redis is away), or refused work it could
 * no longer start in time: nothing was done; try again in a few seconds. `uncertain`: it did not
 * answer in time, and what was asked may still happen.
 */
export class OwnerUnavailableError extends Error {
  readonly uncertain: boolean;
  constructor(message: string, options: { uncertain?: boolean } = {}) {
    super(message);
    this.name = 'OwnerUnavailableError';
    this.uncertain = options.uncertain ?? false;
  }
}

/** Throws when queued work reaches its turn after the caller stopped waiting for it (see `CallContext`). */
export function startInTime(context: CallContext | undefined, what: string): void {
  if (context && Date.now() > context.deadline) throw new OwnerUnavailableError(`${what} waited too long to start and was not done`);
}
type Listener = (payload: never) => void;

/**
 * What the application needs to know about the other app nodes, if any. Without REDIS_URL one
 * node owns every event and nothing leaves the process (`SoloCluster`); with it, `RedisCluster`
 * shares sockets through the Socket.IO Redis streams adapter, decides event ownership through
 * PostgreSQL leases, and carries calls to an event's owner and notices to every node over Redis.
 */
export interface Cluster {
  readonly nodeId: string;
  readonly clustered: boolean;
  /** The Socket.IO adapter to install, if any (after `connect`). */
  readonly adapter: ((nsp: unknown) => unknown) | null;
  /** Connects to Redis (before the Socket.IO server is made); a no-op for one node. */
  connect(): Promise<void>;
  /** True while this node runs the event's timers, video rooms and no-show checks. */
  owns(eventId: string): boolean;
  /**
   * Runs `method` on the event's owner (here when this node owns it, or takes it over because nobody
   * does) and returns its result; waits at most `timeoutMs` (4 s by default) for another node's answer.
   */
  call<T>(eventId: string, method: string, payload: unknown, options?: { timeoutMs?: number }): Promise<T>;
  /** What `call` runs for `method` on the owner. */
  handle<P, T>(method: string, handler: (eventId: string, payload: P, context: CallContext) => T | Promise<T>): void;
  /** Tells every other node (not this one); settles once Redis has the notice (or could not take it: logged, never thrown). */
  broadcast(topic: string, payload: unknown): Promise<void>;
  /** Hears what other nodes `broadcast`. */
  subscribe<P>(topic: string, listener: (payload: P) => void): void;
  /** Inside a transaction: throws unless this node still owns the event (fencing). */
  guard(client: Queryable, eventId: string): Promise<void>;
  onAcquired(listener: (eventId: string) => void): void;
  onLost(listener: (eventId: string) => void): void;
  /** Redis came back after an outage: notices sent meanwhile were lost, so caches fed by them must be dropped. */
  onRedisBack(listener: () => void): void;
  /** Whether this node can serve new sockets: `off` without Redis, `down` while Redis is unreachable. */
  redis(): 'off' | 'ok' | 'down';
  /** The events this node owns now. */
  owned(): string[];
  start(): Promise<void>;
  close(): Promise<void>;
}

/** One node: it owns every event, and nothing is sent anywhere. */
export class SoloCluster implements Cluster {
  readonly nodeId = 'solo';
  readonly clustered = false;
  readonly adapter = null;
  readonly #handlers = new Map<string, Handler>();
  owns(): boolean {
    return true;
  }
  async call<T>(eventId: string, method: string, payload: unknown): Promise<T> {
    const handler = this.#handlers.get(method);
    if (!handler) throw new Error(`no handler for ${method}`);
    return (await handler(eventId, payload, { deadline: Infinity })) as T;
  }
  handle<P, T>(method: string, handler: (eventId: string, payload: P, context: CallContext) => T | Promise<T>): void {
    this.#handlers.set(method, handler as Handler);
  }
  async broadcast(): Promise<void> {}
  subscribe(): void {}
  async guard(): Promise<void> {}
  onAcquired(): void {}
  onLost(): void {}
  onRedisBack(): void {}
  redis(): 'off' {
    return 'off';
  }
  owned(): string[] {
    return [];
  }
  async connect(): Promise<void> {}
  async start(): Promise<void> {}
  async close(): Promise<void> {}
}

type Envelope =
  | { kind: 'call'; id: string; from: string; eventId: string; method: string; payload: unknown; deadline: number }
  | { kind: 'reply'; id: string; ok: true; value: unknown }
  | { kind: 'reply'; id: string; ok: false; error: string; status?: number; problems?: HttpError['problems'] }
  | { kind: 'notice'; from: string; topic: string; payload: unknown };


export interface RedisClusterOptions {
  redisUrl: string;
  /** Prefixes every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  keyPrefix?: string;
  pool: pg.Pool;
  nodeId?: string;
  leaseTtlMs?: number;
  leaseTickMs?: number;
  callTimeoutMs?: number;
  log: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; info(obj: unknown, msg?: string): void };
}

/** Several nodes sharing Redis and PostgreSQL (see `Cluster`). */
export class RedisCluster implements Cluster {
  readonly nodeId: string;
  readonly clustered = true;
  adapter: ((nsp: unknown) => unknown) | null = null;
  readonly #pub: ReturnType<typeof createClient>;
  readonly #sub: ReturnType<typeof createClient>;
  readonly #leases: EventLeases;
  readonly #handlers = new Map<string, Handler>();
  readonly #listeners = new Map<string, Listener[]>();
  readonly #pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  readonly #acquired: ((eventId: string) => void)[] = [];
  readonly #redisBack: (() => void)[] = [];
  readonly #lost: ((eventId: string) => void)[] = [];
  readonly #callTimeoutMs: number;
  readonly #log: RedisClusterOptions['log'];
  readonly #prefix: string;

  constructor(options: RedisClusterOptions) {
    this.#prefix = options.keyPrefix ?? 'constellation';
    this.nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#log = options.log;
    this.#callTimeoutMs = options.callTimeoutMs ?? 4_000;
    // Commands wait for a connection instead of failing at once; an outage is reported by `redis()`.
    this.#pub = createClient({ url: options.redisUrl, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) } });
    this.#sub = this.#pub.duplicate();
    for (const client of [this.#pub, this.#sub]) client.on('error', (error: Error) => this.#log.warn({ err: error }, 'redis connection problem'));
    this.#leases = new EventLeases(options.pool, this.nodeId, {
      ttlMs: options.leaseTtlMs,
      tickMs: options.leaseTickMs,
      onAcquired: (eventId) => {
        this.#log.info({ eventId, node: this.nodeId }, 'event owned by this node');
        for (const listener of this.#acquired) listener(eventId);
      },
      onLost: (eventId) => {
        this.#log.info({ eventId, node: this.nodeId }, 'event no longer owned by this node');
        for (const listener of this.#lost) listener(eventId);
      },
      onError: (error) => this.#log.warn({ err: error }, 'event leases could not be renewed this tick'),
    });
  }

  async connect(): Promise<void> {
    await Promise.all([this.#pub.connect(), this.#sub.connect()]);
    await this.#sub.subscribe([this.#nodeChannel(this.nodeId), this.#all], (raw: string) => this.#receive(raw));
    // Every later `ready` is a reconnection (the client subscribes again by itself).
    this.#sub.on('ready', () => {
      this.#log.info({ node: this.nodeId }, 'redis reachable again');
      for (const listener of this.#redisBack) listener();
    });
    // Heartbeats every second: a dead node's share of a cluster-wide request is given up on after 3 s.
    this.adapter = createAdapter(this.#pub, {
      streamName: `${this.#prefix}:socket.io`,
      channelPrefix: `${this.#prefix}:socket.io`,
      sessionKeyPrefix: `${this.#prefix}:sio:session:`,
      heartbeatInterval: 1_000,
      heartbeatTimeout: 3_000,
      onlyPlaintext: true,
    }) as (nsp: unknown) => unknown;
  }

  #nodeChannel(nodeId: string): string {
    return `${this.#prefix}:node:${nodeId}`;
  }

  get #all(): string {
    return `${this.#prefix}:all`;
  }

  /** Starts taking and renewing event leases: once every handler and listener is in place. */
  async start(): Promise<void> {
    await this.#leases.start();
  }

  owns(eventId: string): boolean {
    return this.#leases.owns(eventId);
  }

  owned(): string[] {
    return this.#leases.held();
  }

  redis(): 'ok' | 'down' {
    return this.#pub.isReady && this.#sub.isReady ? 'ok' : 'down';
  }

  async guard(client: Queryable, eventId: string): Promise<void> {
    await this.#leases.guard(client, eventId);
  }

  onAcquired(listener: (eventId: string) => void): void {
    this.#acquired.push(listener);
  }

  onLost(listener: (eventId: string) => void): void {
    this.#lost.push(listener);
  }

  onRedisBack(listener: () => void): void {
    this.#redisBack.push(listener);
  }

  handle<P, T>(method: string, handler: (eventId: string, payload: P, context: CallContext) => T | Promise<T>): void {
    this.#handlers.set(method, handler as Handler);
  }

  subscribe<P>(topic: string, listener: (payload: P) => void): void {
    const list = this.#listeners.get(topic) ?? [];
    list.push(listener as Listener);
    this.#listeners.set(topic, list);
  }

  broadcast(topic: string, payload: unknown): Promise<void> {
    return this.#publish(this.#all, { kind: 'notice', from: this.nodeId, topic, payload });
  }

  async call<T>(eventId: string, method: string, payload: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#callTimeoutMs;
    let owner = await this.#leases.ownerOf(eventId);
    // Nobody runs the event (its lobby, or its owner just died): the node it belongs to by hashing takes it on this call.
    if (owner === null) owner = await this.#leases.preferredOwner(eventId);
    if (owner === this.nodeId) {
      if (!(await this.#leases.acquire(eventId))) throw new OwnerUnavailableError(`event ${eventId} was just taken by another node; try again`);
      return (await this.#local(eventId, method, payload, { deadline: Infinity })) as T;
    }
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new OwnerUnavailableError(`${method} on node ${owner} did not answer within ${timeoutMs} ms`, { uncertain: true }));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      // The deadline (the nodes' clocks are synchronized, as the event clock already requires): a call
      // delivered after the caller gave up (Redis was away) is not run, and queued work that reaches
      // its turn after it is not started. A little earlier than the caller's own limit, for the answer's way back.
      const deadline = Date.now() + timeoutMs - Math.min(500, timeoutMs / 4);
      this.#publish(this.#nodeChannel(owner), { kind: 'call', id, from: this.nodeId, eventId, method, payload, deadline });
    });
  }

  async #local(eventId: string, method: string, payload: unknown, context: CallContext): Promise<unknown> {
    const handler = this.#handlers.get(method);
    if (!handler) throw new Error(`no handler for ${method}`);
    return handler(eventId, payload, context);
  }

  #publish(channel: string, envelope: Envelope): Promise<void> {
    return this.#pub.publish(channel, JSON.stringify(envelope)).then(
      () => {},
      (error: unknown) => this.#log.warn({ err: error, channel }, 'redis publish failed'),
    );
  }

  #receive(raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (envelope.kind === 'notice') {
      if (envelope.from === this.nodeId) return;
      for (const listener of this.#listeners.get(envelope.topic) ?? []) {
        try {
          (listener as (payload: unknown) => void)(envelope.payload);
        } catch (error) {
          this.#log.error({ err: error, topic: envelope.topic }, 'cluster notice handler failed');
        }
      }
    } else if (envelope.kind === 'call') {
      const { id, from, eventId, method, payload, deadline } = envelope;
      if (Date.now() > deadline) return;
      // The owner runs it; a node asked to take an event nobody holds takes it first; one that lost it meanwhile refuses.
      const run = (async () => {
        if (!(await this.#leases.acquire(eventId))) throw new Error(`node ${this.nodeId} does not own event ${eventId}`);
        return this.#local(eventId, method, payload, { deadline });
      })();
      run.then(
        (value) => this.#publish(this.#nodeChannel(from), { kind: 'reply', id, ok: true, value: value ?? null }),
        (error: unknown) =>
          this.#publish(this.#nodeChannel(from), {
            kind: 'reply',
            id,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
            // A refusal meant for the person (a 4xx) reaches them as it is, from whichever node they asked.
            ...(error instanceof HttpError && error.statusCode < 500 ? { status: error.statusCode, problems: error.problems } : {}),
          }),
      );
    } else {
      const pending = this.#pending.get(envelope.id);
      if (!pending) return;
      this.#pending.delete(envelope.id);
      clearTimeout(pending.timer);
      if (envelope.ok) pending.resolve(envelope.value);
      else pending.reject(envelope.status ? new HttpError(envelope.status, envelope.error, envelope.problems) : new OwnerUnavailableError(envelope.error));
    }
  }

  async close(): Promise<void> {
    await this.#leases.close();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('this node is shutting down'));
    }
    this.#pending.clear();
    await Promise.allSettled([this.#sub.quit(), this.#pub.quit()]);
  }
}
