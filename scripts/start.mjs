// `npm start`: builds the client when it is missing or stale, then runs the server in this process.
// Plain Node: the server's TypeScript runs through Node's built-in type stripping, no loader.
import { ensureClientBuilt } from './build-client.mjs';

ensureClientBuilt();
await import('../server/src/server.ts');
