/**
 * The sandboxed preload cannot load packages, so everything it imports is inlined into its bundle: it must import
 * only the dependency-free channel names (shared/contracts/channels.ts), not the zod contract, and stay a few KB.
 * Bundled here as scripts/bundle-electron.mjs bundles it, in memory.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('preload bundle', () => {
  it('is under 16 KB and has no zod in it', async () => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['electron/shell/preload.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      minify: true,
      external: ['electron'],
      outfile: 'dist/electron/preload.cjs',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.outputFiles).toHaveLength(1);
    const code = result.outputFiles[0]!;
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => file.includes('node_modules')), 'packages inlined into the preload').toEqual([]);
    expect(inputs).toContain('shared/contracts/channels.ts');
    expect(inputs).not.toContain('shared/contracts/api.ts');
    expect(code.text).not.toMatch(/zod|ZodError/i);
    expect(code.contents.byteLength, `preload bundle is ${code.contents.byteLength} bytes`).toBeLessThan(16 * 1024);
    // It still exposes the API on window.neuralBricks through the context bridge.
    expect(code.text).toContain('exposeInMainWorld');
    expect(code.text).toContain('neuralBricks');
  });
});
