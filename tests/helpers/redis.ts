import { connect } from 'node:net';

/** Where the tests find Redis (LiveKit's multi-node mode needs it): `TEST_REDIS_ADDRESS`, else 127.0.0.1:6379. */
export const REDIS_ADDRESS = process.env.TEST_REDIS_ADDRESS ?? '127.0.0.1:6379';

/** Sends one command in Redis's wire format and resolves with the first reply line. */
export function redisCommand(args: string[], address = REDIS_ADDRESS, db = 0): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  const encode = (parts: string[]) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) });
    let replies = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`Redis at ${address} did not answer within 3 s`));
    }, 3_000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('connect', () => socket.write(encode(['SELECT', String(db)]) + encode(args)));
    socket.on('data', (chunk) => {
      replies += chunk.toString('utf8');
      const lines = replies.split('\r\n');
      // The SELECT's +OK, then the command's own reply.
      if (lines.length >= 3) {
        clearTimeout(timer);
        socket.end();
        resolve(lines[1]!);
      }
    });
  });
}

/**
 * Whether Redis answers; outside CI a missing one skips the test with one line saying how to get it,
 * in CI it fails the run.
 */
export async function redisUnavailableReason(): Promise<string | null> {
  try {
    if ((await redisCommand(['PING'])) === '+PONG') return null;
  } catch {
    // Not there.
  }
  const reason = `Redis not answering at ${REDIS_ADDRESS}: install and start it (apt-get install redis-server; redis-server --daemonize yes), or set TEST_REDIS_ADDRESS`;
  if (process.env.CI) throw new Error(`${reason}. CI must run the LiveKit cluster tests, not skip them.`);
  return reason;
}

/**
 * A Redis database (1–15) of this test's own, for a LiveKit cluster's state (LiveKit's keys have no
 * prefix): claimed in database 0 with SET NX, so test files running side by side never share one
 * (two LiveKit clusters in one database would become one cluster). `release` frees it.
 */
export async function claimRedisDb(owner: string): Promise<{ db: number; release(): Promise<void> }> {
  for (let attempt = 0; attempt < 600; attempt++) {
    for (let db = 1; db <= 15; db++) {
      const key = `constellation-test:redis-db:${db}`;
      if ((await redisCommand(['SET', key, owner, 'NX', 'EX', '3600'])) === '+OK') {
        await redisCommand(['FLUSHDB'], REDIS_ADDRESS, db);
        return {
          db,
          release: async () => {
            await redisCommand(['FLUSHDB'], REDIS_ADDRESS, db).catch(() => {});
            await redisCommand(['DEL', key]).catch(() => {});
          },
        };
      }
    }
    // All fifteen taken by tests running now: wait for one to be released.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no free Redis database (1–15) for a LiveKit cluster within a minute');
}
