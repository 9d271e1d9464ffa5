// Builds our hand-written WebAssembly SIMD kernels: every electron/services/backends/wasmKernels/simd/<name>.c becomes
// <name>.wasm (for tfjs' single-threaded wasm build, whose memory is a plain one) and <name>.shared.wasm (for its
// multi-threaded build, whose memory is a shared WebAssembly.Memory of at most 4 GiB), committed beside it, so
// installs need no compiler. Needs clang, wasm-ld and llvm-objdump (Debian: apt-get install clang lld llvm).
//
//   node scripts/build-simd-kernels.mjs           # rebuild every module
//   node scripts/build-simd-kernels.mjs pool      # rebuild only simd/pool.c (names without .c)
//   node scripts/build-simd-kernels.mjs --check   # rebuild into a temp dir; exit 1 if a committed .wasm is stale
//
// The modules run inside the tfjs wasm backend's own memory (imported, never their own), so they must not have data
// segments or use the C stack (a shadow stack would live at addresses tfjs' allocator owns). The flags below and
// the checks after linking enforce that: -nostdlib (no libc), no globals used by code, no data section.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SIMD_DIR = path.join(root, 'electron/services/backends/wasmKernels/simd');
const FLAGS = [
  '--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-nostdlib', '-fno-builtin', '-ffp-contract=off',
  '-Wall', '-Werror', '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--strip-debug',
];
const VARIANTS = [
  { suffix: '.wasm', flags: [] },
  { suffix: '.shared.wasm', flags: ['-matomics', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'] },
];

function works(tool) {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const OBJDUMP = ['llvm-objdump', 'llvm-objdump-14', 'llvm-objdump-15', 'llvm-objdump-16'].find(works);

function haveTools() {
  return works('clang') && works('wasm-ld') && OBJDUMP !== undefined;
}

/** Fails when a module could touch memory it does not own (see the header). */
function assertSelfContained(file) {
  const module = new WebAssembly.Module(readFileSync(file));
  const imports = WebAssembly.Module.imports(module);
  const foreign = imports.filter((i) => !(i.module === 'env' && i.name === 'memory' && i.kind === 'memory'));
  if (foreign.length > 0) throw new Error(`${file}: unexpected imports ${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}`);
  if (WebAssembly.Module.customSections(module, 'data').length > 0) throw new Error(`${file}: has data`);
  const text = execFileSync(OBJDUMP, ['-d', file], { encoding: 'utf8' });
  if (/global\.(get|set)/.test(text)) throw new Error(`${file}: uses the C stack or a global (keep kernels register-only)`);
  const headers = execFileSync(OBJDUMP, ['-h', file], { encoding: 'utf8' });
  if (/\bDATA\b/.test(headers)) throw new Error(`${file}: has a data section`);
}

export function buildAll(outDir = SIMD_DIR, only = []) {
  const built = [];
  const sources = readdirSync(SIMD_DIR).filter((f) => f.endsWith('.c') && (only.length === 0 || only.includes(f.slice(0, -2))));
  if (only.length > 0 && sources.length !== only.length) throw new Error(`no such module among ${only.join(', ')}`);
  for (const source of sources.sort()) {
    for (const variant of VARIANTS) {
      const out = path.join(outDir, source.replace(/\.c$/, variant.suffix));
      execFileSync('clang', [...FLAGS, ...variant.flags, '-o', out, path.join(SIMD_DIR, source)], { stdio: 'inherit' });
      assertSelfContained(out);
      built.push(out);
    }
  }
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!haveTools()) {
    console.error('clang, wasm-ld and llvm-objdump are needed to build the SIMD kernels (Debian: apt-get install clang lld llvm)');
    process.exit(process.argv.includes('--check') ? 0 : 1);
  }
  if (process.argv.includes('--check')) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'nb-simd-'));
    const stale = [];
    for (const file of buildAll(tmp)) {
      const committed = path.join(SIMD_DIR, path.basename(file));
      let same = false;
      try {
        same = readFileSync(committed).equals(readFileSync(file));
      } catch {}
      if (!same) stale.push(path.relative(root, committed));
    }
    rmSync(tmp, { recursive: true, force: true });
    if (stale.length > 0) {
      console.error(`stale SIMD kernels (run node scripts/build-simd-kernels.mjs): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('SIMD kernels are up to date');
  } else {
    const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
    for (const file of buildAll(SIMD_DIR, only)) console.log(`built ${path.relative(root, file)}`);
  }
}
