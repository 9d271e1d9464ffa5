import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RELAXED_SIMD_MODULES } from './simdModules';

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
const objdump = (): string => (works('llvm-objdump') ? 'llvm-objdump' : 'llvm-objdump-14');

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

  it('the sources that use NB_MADD are the relaxed-SIMD modules, each with both relaxed builds committed', () => {
    const files = readdirSync(simdDir);
    const usesMadd = files
      .filter((f) => f.endsWith('.c') && /\bNB_MADD\(/.test(readFileSync(path.join(simdDir, f), 'utf8')))
      .map((f) => f.slice(0, -2));
    expect(usesMadd.sort()).toEqual([...RELAXED_SIMD_MODULES].sort());
    for (const name of usesMadd) {
      expect(files).toContain(`${name}.relaxed.wasm`);
      expect(files).toContain(`${name}.relaxed.shared.wasm`);
    }
    const relaxedFiles = files.filter((f) => f.includes('.relaxed.')).map((f) => f.split('.')[0]);
    expect([...new Set(relaxedFiles)].sort(), 'no relaxed build without a source using NB_MADD').toEqual(usesMadd.sort());
  });

  // f32x4.relaxed_madd is 0xfd 0x85 0x02 (llvm-objdump 14 prints it as <unknown>, newer ones by name).
  it.skipIf(!hasCompiler())('relaxed builds multiply-add with f32x4.relaxed_madd, plain builds never', () => {
    for (const name of RELAXED_SIMD_MODULES) {
      for (const shared of ['', '.shared']) {
        const count = (suffix: string) =>
          (execFileSync(objdump(), ['-d', path.join(simdDir, `${name}${suffix}${shared}.wasm`)], { encoding: 'utf8', maxBuffer: 1 << 28 })
            .match(/:\s+fd 85 02\s/g) ?? []).length;
        expect(count('.relaxed'), `${name}.relaxed${shared}.wasm`).toBeGreaterThan(0);
        expect(count(''), `${name}${shared}.wasm`).toBe(0);
      }
    }
  });

  // Rebuilds every module and compares bytes, so a .c edit without a rebuild (or a module that grew data, a stack
  // or imports beyond the backend's memory) fails here; the .relaxed builds too. Needs clang, wasm-ld and llvm-objdump (.ci/run installs them).
  it.skipIf(!hasCompiler())('the committed .wasm files are what their C sources build to (clang + wasm-ld)', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/build-simd-kernels.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  }, 60_000);
});
