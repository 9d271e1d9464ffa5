/**
 * A private copy of the built renderer for one e2e run, so a teammate rebuilding dist/renderer at the same time
 * cannot pull files out from under the web host. Reuses dist/renderer when it is current (scripts/rendererBuild.mjs
 * decides), else builds.
 */
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRenderer, rendererBuildIsStale, rendererIndex } from '../scripts/rendererBuild.mjs';

export { repoRoot } from '../scripts/rendererBuild.mjs';
/** Set by globalSetup for the workers: the folder the fixtures' web hosts serve. */
export const RENDERER_DIR_ENV = 'NB_E2E_RENDERER_DIR';

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
