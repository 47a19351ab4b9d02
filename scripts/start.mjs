// `npm start`: builds the client when it is missing or stale, then runs the server in this process.
// Plain Node: the server's TypeScript runs through Node's built-in type stripping, no loader.
import { enableCompileCache } from 'node:module';
import { ensureClientBuilt } from './build-client.mjs';

// Compiled code of the server and its ~1,200 dependency modules is kept on disk: restarts load faster.
enableCompileCache();
ensureClientBuilt();
await import('../server/src/server.ts');
