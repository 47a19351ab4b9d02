// Builds client/dist when it is missing or older than the client or shared sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function ensureClientBuilt(log = console.log) {
  const dist = join(root, 'client/dist/index.html');
  const inputs = ['client/src', 'client/index.html', 'client/vite.config.ts', 'shared/src'].map((p) => join(root, p)).filter(existsSync);
  const sources = Math.max(...inputs.map(newestMtime));
  if (existsSync(dist) && statSync(dist).mtimeMs >= sources) return;
  log('[constellation] building the client…');
  const result = spawnSync('npm', ['run', 'build', '-w', 'client', '--silent'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`client build failed with exit code ${result.status}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureClientBuilt();
