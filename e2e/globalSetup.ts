/** Gives this e2e run its own current renderer build (see rendererBuild.ts) and removes it afterwards. */
import { rmSync } from 'node:fs';
import { prepareRendererSnapshot, RENDERER_DIR_ENV } from './rendererBuild';

export default async function globalSetup(): Promise<() => void> {
  const dir = prepareRendererSnapshot((line) => console.log(line));
  process.env[RENDERER_DIR_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
