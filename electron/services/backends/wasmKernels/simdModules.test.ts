import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const simdDir = path.join(root, 'electron/services/backends/wasmKernels/simd');

function works(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasCompiler = (): boolean => works('clang') && works('wasm-ld') && (works('llvm-objdump') || works('llvm-objdump-14'));

describe('SIMD kernel modules', () => {
  it('every simd/*.c has both built variants committed beside it (plain and shared memory)', () => {
    const files = readdirSync(simdDir);
    const sources = files.filter((f) => f.endsWith('.c'));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(files).toContain(source.replace(/\.c$/, '.wasm'));
      expect(files).toContain(source.replace(/\.c$/, '.shared.wasm'));
    }
  });

  // Rebuilds every module and compares bytes, so a .c edit without a rebuild (or a module that grew data, a stack
  // or imports beyond the backend's memory) fails here. Needs clang, wasm-ld and llvm-objdump (.ci/run installs them).
  it.skipIf(!hasCompiler())('the committed .wasm files are what their C sources build to (clang + wasm-ld)', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/build-simd-kernels.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  }, 60_000);
});
