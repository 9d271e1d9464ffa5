/**
 * A private copy of the built renderer for one e2e run, so a teammate rebuilding dist/renderer at the same time
 * cannot pull files out from under the web host. Reuses dist/renderer when it is current, else builds.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const rendererIndex = path.join(repoRoot, 'dist/renderer/index.html');
/** Set by globalSetup for the workers: the folder the fixtures' web hosts serve. */
export const RENDERER_DIR_ENV = 'NB_E2E_RENDERER_DIR';

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

/** Why dist/renderer cannot be reused, or undefined when it is current. */
export function rendererBuildIsStale(): string | undefined {
  if (!existsSync(rendererIndex)) return 'no build yet';
  const built = statSync(rendererIndex).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(repoRoot, 'renderer')),
    newestMtime(path.join(repoRoot, 'shared')),
    newestMtime(path.join(repoRoot, 'examples')),
    statSync(path.join(repoRoot, 'vite.config.ts')).mtimeMs,
  );
  return sources > built ? 'sources changed since the last build' : undefined;
}

export function buildRenderer(outDir: string): void {
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'],
    { cwd: repoRoot, stdio: 'inherit' },
  );
}

/** Returns a fresh folder with a current renderer build in it. */
export function prepareRendererSnapshot(log: (line: string) => void): string {
  const snapshot = mkdtempSync(path.join(os.tmpdir(), 'nb-e2e-renderer-'));
  const stale = rendererBuildIsStale();
  if (stale) {
    log(`[e2e] building the renderer (${stale})…`);
    buildRenderer(snapshot);
  } else {
    cpSync(path.dirname(rendererIndex), snapshot, { recursive: true });
  }
  if (!existsSync(path.join(snapshot, 'index.html'))) throw new Error(`renderer build in ${snapshot} has no index.html`);
  return snapshot;
}
