import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the server runs from. In source (`node server/src/server.ts`) this file is server/src/paths.ts;
 * in the server bundle (`node server/dist/server.js`, scripts/build-server.mjs) every module shares the
 * bundle's files in server/dist. Both are two folders below the repository, so files outside the code
 * (migrations, the built client) are found from it the same way in both.
 */
export const BUNDLED = !import.meta.url.endsWith('.ts');
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MIGRATIONS_DIR = join(ROOT, 'db/migrations');
export const CLIENT_DIST = join(ROOT, 'client/dist');
/** The planner's worker thread: its own entry beside server.js in the bundle, the TypeScript file in source. */
export const PLANNER_WORKER = new URL(BUNDLED ? './planner.worker.js' : './modules/schedule/planner.worker.ts', import.meta.url);
