// `npm start`: builds the client when it is missing or stale, then runs the server in this process.
import { ensureClientBuilt } from './build-client.mjs';

ensureClientBuilt();
const { register } = await import('tsx/esm/api');
register();
await import('../server/src/server.ts');
