/** Is dist/renderer up to date with renderer/ and shared/? Used by the e2e setup (and mirrors scripts/start.mjs). */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const rendererIndex = path.join(repoRoot, 'dist/renderer/index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Why a rebuild is needed, or undefined when the build is current. */
export function rendererBuildIsStale(): string | undefined {
  if (!existsSync(rendererIndex)) return 'no build yet';
  const built = statSync(rendererIndex).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(repoRoot, 'renderer')),
    newestMtime(path.join(repoRoot, 'shared')),
    statSync(path.join(repoRoot, 'vite.config.ts')).mtimeMs,
  );
  return sources > built ? 'sources changed since the last build' : undefined;
}

export function buildRenderer(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}
