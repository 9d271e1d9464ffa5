/** Builds the renderer once before the e2e run when dist/renderer is missing or older than its sources. */
import { rendererBuildIsStale, buildRenderer } from './rendererBuild';

export default async function globalSetup(): Promise<void> {
  const reason = rendererBuildIsStale();
  if (reason) {
    console.log(`[e2e] building the renderer (${reason})…`);
    buildRenderer();
  }
}
