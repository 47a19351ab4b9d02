// `npm start`: builds the client and the server bundle when missing or stale, then runs the server
// bundle (server/dist/server.js, the Docker image's command too) in this process: plain Node, no loader.
import { enableCompileCache } from 'node:module';
import { ensureClientBuilt } from './build-client.mjs';
import { ensureServerBuilt } from './build-server.mjs';

// Compiled code of the server bundle is kept on disk: restarts load faster.
enableCompileCache();
ensureClientBuilt();
await ensureServerBuilt();
await import('../server/dist/server.js');
