// Whether dist/renderer is current, and how to build it: one rule for `npm start` (scripts/start.mjs) and the e2e
// setup (e2e/rendererBuild.ts). Plain JS so start.mjs runs on bare Node; types in rendererBuild.d.mts.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const rendererIndex = path.join(repoRoot, 'dist/renderer/index.html');

/** What the renderer bundle is made from: its sources, the shared code, the bundled templates and the Vite config. */
const RENDERER_INPUTS = ['renderer', 'shared', 'examples', 'vite.config.ts'];

/** Newest modification time of a file, or of any file under a folder (skipping node_modules and dot-entries). */
function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const info = statSync(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** Why dist/renderer cannot be reused, or undefined when it is current. */
export function rendererBuildIsStale() {
  if (!existsSync(rendererIndex)) return 'no build yet';
  const built = statSync(rendererIndex).mtimeMs;
  const sources = Math.max(...RENDERER_INPUTS.map((p) => newestMtime(path.join(repoRoot, p))));
  return sources > built ? 'sources changed since the last build' : undefined;
}

/** Runs `vite build`, into dist/renderer or into `outDir` (emptied first). */
export function buildRenderer(outDir) {
  const args = ['build', '--logLevel', 'warn'];
  if (outDir !== undefined) args.push('--outDir', outDir, '--emptyOutDir');
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), ...args], { cwd: repoRoot, stdio: 'inherit' });
}
