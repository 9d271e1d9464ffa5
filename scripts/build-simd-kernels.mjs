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
//
// A source that uses NB_MADD (simd/nb_madd.h: the multiply-add of the compute-bound kernels) is also built with
// -mrelaxed-simd as <name>.relaxed.wasm and <name>.relaxed.shared.wasm, where NB_MADD is f32x4.relaxed_madd (one fused
// multiply-add on FMA hardware); wasmKernels/relaxedSimd.ts picks them when the engine validates relaxed SIMD.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
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

/** Extra builds of the sources that use NB_MADD (see the header). */
const RELAXED_VARIANTS = [
  { suffix: '.relaxed.wasm', flags: ['-mrelaxed-simd'], relaxed: true },
  { suffix: '.relaxed.shared.wasm', flags: ['-mrelaxed-simd', ...VARIANTS[1].flags], relaxed: true },
];
const usesRelaxedMadd = (source) => /\bNB_MADD\(/.test(readFileSync(path.join(SIMD_DIR, source), 'utf8'));

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

/** A module with one f32x4.relaxed_madd (the same bytes as relaxedSimd.ts' probe). */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2,
  253, 133, 2, 11,
]);
/** Node 20's V8 has relaxed SIMD behind a flag; the checks below compile the relaxed modules. */
function allowRelaxedSimd() {
  if (!WebAssembly.validate(RELAXED_PROBE)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  if (!WebAssembly.validate(RELAXED_PROBE)) throw new Error('this Node cannot compile relaxed SIMD (needs V8 >= 11.4 or --experimental-wasm-relaxed-simd)');
}

/** Byte offset of the code section's payload (llvm-objdump -d addresses count from there). */
function codeSectionStart(bytes) {
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++];
      size |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    if (id === 10) return p;
    p += size;
  }
  throw new Error('no code section');
}

/**
 * clang 14/15 emit NB_MADD as the pre-standard f32x4.fma (0xfd 0xaf 0x01), which engines reject; the standard
 * f32x4.relaxed_madd is 0xfd 0x85 0x02 (same length, same operands a, b, c → a*b + c). Renumbers each one that
 * llvm-objdump finds (at its address, never by searching bytes) and fails when a relaxed module has no multiply-add
 * or some other pre-standard instruction.
 */
function renumberRelaxedMadd(file) {
  const bytes = readFileSync(file);
  const code = codeSectionStart(bytes);
  const text = execFileSync(OBJDUMP, ['-d', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  let renumbered = 0;
  for (const m of text.matchAll(/^\s*([0-9a-f]+):\s+fd af 01\s+f32x4\.fma\s*$/gm)) {
    const at = code + parseInt(m[1], 16);
    if (bytes[at] !== 0xfd || bytes[at + 1] !== 0xaf || bytes[at + 2] !== 0x01) throw new Error(`${file}: no f32x4.fma at byte ${at}`);
    bytes[at + 1] = 0x85;
    bytes[at + 2] = 0x02;
    renumbered++;
  }
  const fma = (text.match(/\bf32x4\.(fma|fms)\b/g) ?? []).length;
  if (fma !== renumbered) throw new Error(`${file}: ${fma - renumbered} pre-standard f32x4.fma/fms not renumbered`);
  if (renumbered === 0 && !/relaxed_madd/.test(text)) throw new Error(`${file}: built with -mrelaxed-simd but has no multiply-add`);
  writeFileSync(file, bytes);
}

/** Fails when a module could touch memory it does not own (see the header). */
function assertSelfContained(file) {
  const module = new WebAssembly.Module(readFileSync(file));
  const imports = WebAssembly.Module.imports(module);
  const foreign = imports.filter((i) => !(i.module === 'env' && i.name === 'memory' && i.kind === 'memory'));
  if (foreign.length > 0) throw new Error(`${file}: unexpected imports ${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}`);
  if (WebAssembly.Module.customSections(module, 'data').length > 0) throw new Error(`${file}: has data`);
  const text = execFileSync(OBJDUMP, ['-d', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (/global\.(get|set)/.test(text)) throw new Error(`${file}: uses the C stack or a global (keep kernels register-only)`);
  const headers = execFileSync(OBJDUMP, ['-h', file], { encoding: 'utf8' });
  if (/\bDATA\b/.test(headers)) throw new Error(`${file}: has a data section`);
}

export function buildAll(outDir = SIMD_DIR, only = []) {
  const built = [];
  const sources = readdirSync(SIMD_DIR).filter((f) => f.endsWith('.c') && (only.length === 0 || only.includes(f.slice(0, -2))));
  if (only.length > 0 && sources.length !== only.length) throw new Error(`no such module among ${only.join(', ')}`);
  for (const source of sources.sort()) {
    for (const variant of [...VARIANTS, ...(usesRelaxedMadd(source) ? RELAXED_VARIANTS : [])]) {
      const out = path.join(outDir, source.replace(/\.c$/, variant.suffix));
      execFileSync('clang', [...FLAGS, ...variant.flags, '-o', out, path.join(SIMD_DIR, source)], { stdio: 'inherit' });
      if (variant.relaxed) {
        allowRelaxedSimd();
        renumberRelaxedMadd(out);
      }
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
