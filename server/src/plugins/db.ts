import fp from 'fastify-plugin';
import pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    pg: pg.Pool;
  }
}

/**
 * Decorates the app with the PostgreSQL pool it was given; the pool's owner closes it. An idle
 * connection the database drops emits 'error' on the pool: handled here once, so it is logged
 * instead of taking the process down (queries on it report the failure themselves).
 */
export default fp<{ pool: pg.Pool }>(
  async (app, { pool }) => {
    const onPoolError = (error: Error) => app.log.warn({ err: error }, 'idle database connection lost');
    pool.on('error', onPoolError);
    app.decorate('pg', pool);
    app.addHook('onClose', async () => {
      pool.off('error', onPoolError);
    });
  },
  { name: 'db' },
);

/** Runs `work` in one transaction: all of it is written, or none of it. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A backend terminated while this client is checked out emits 'error' on the client: without a
  // listener that is an uncaught exception. The query in flight rejects by itself.
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (!lost) await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.off('error', onError);
    // A broken connection is destroyed rather than handed to the next request.
    client.release(lost ?? undefined);
  }
}

/** PostgreSQL SQLSTATE classes and driver messages that mean "the database is not reachable now". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

/** True when an error means the database is down or the connection was lost, not that the input was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)/i.test(message);
}

export type Queryable = pg.Pool | pg.PoolClient;
