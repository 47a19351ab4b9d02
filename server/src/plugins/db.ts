import fp from 'fastify-plugin';
import pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    pg: pg.Pool;
  }
}

/** Decorates the app with the PostgreSQL pool it was given; the pool's owner closes it. */
export default fp<{ pool: pg.Pool }>(
  async (app, { pool }) => {
    app.decorate('pg', pool);
  },
  { name: 'db' },
);

/** Runs `work` in one transaction: all of it is written, or none of it. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export type Queryable = pg.Pool | pg.PoolClient;
