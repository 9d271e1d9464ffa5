import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectRelaxedSimd, RELAXED_SIMD_FLAG, RELAXED_SIMD_PROBE, type RelaxedSimdEngine } from './relaxedSimd';
import { RELAXED_SIMD_MODULES } from './simdModules';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const simdDir = path.join(root, 'electron/services/backends/wasmKernels/simd');

/** An engine that validates the probe once `flagged` (or from the start), recording the flags it was given. */
function fakeEngine(start: 'relaxed' | 'flag' | 'never' | 'refuses flags') {
  const flags: string[] = [];
  let on = start === 'relaxed';
  const engine: RelaxedSimdEngine = {
    validate: (bytes) => {
      expect(bytes).toBe(RELAXED_SIMD_PROBE);
      return on;
    },
    setFlags: (f) => {
      if (start === 'refuses flags') throw new Error('flags are frozen');
      flags.push(f);
      if (start === 'flag' && f === RELAXED_SIMD_FLAG) on = true;
    },
  };
  return { engine, flags };
}

describe('relaxed SIMD detection', () => {
  it('uses relaxed SIMD where the engine validates it, without touching V8 flags', () => {
    const { engine, flags } = fakeEngine('relaxed');
    expect(detectRelaxedSimd(undefined, engine)).toEqual({ relaxed: true });
    expect(flags).toEqual([]);
  });

  it('turns V8 flag on when relaxed SIMD is behind it (Node 20)', () => {
    const { engine, flags } = fakeEngine('flag');
    expect(detectRelaxedSimd('1', engine)).toEqual({ relaxed: true, note: `enabled with ${RELAXED_SIMD_FLAG}` });
    expect(flags).toEqual(['--experimental-wasm-relaxed-simd']);
  });

  it('keeps the plain modules where the engine has no relaxed SIMD, or refuses flags', () => {
    expect(detectRelaxedSimd(undefined, fakeEngine('never').engine)).toEqual({ relaxed: false, note: 'engine has no relaxed SIMD' });
    expect(detectRelaxedSimd(undefined, fakeEngine('refuses flags').engine)).toEqual({ relaxed: false, note: 'engine has no relaxed SIMD' });
  });

  it('NB_RELAXED_SIMD=0 keeps the plain modules even where relaxed SIMD works, and sets no flag', () => {
    const { engine, flags } = fakeEngine('relaxed');
    expect(detectRelaxedSimd('0', engine)).toEqual({ relaxed: false, note: 'NB_RELAXED_SIMD=0' });
    const flagged = fakeEngine('flag');
    expect(detectRelaxedSimd('0', flagged.engine).relaxed).toBe(false);
    expect([...flags, ...flagged.flags]).toEqual([]);
  });

  // The probe stands for the committed relaxed modules: an engine (here a fresh Node, with and without the flag)
  // validates the probe exactly when it validates them, and the plain modules either way.
  it.each([[[]], [[RELAXED_SIMD_FLAG]]])('the probe validates exactly where the relaxed modules do (node %s)', (flags) => {
    const files = RELAXED_SIMD_MODULES.flatMap((name) => [`${name}.relaxed.wasm`, `${name}.wasm`]);
    const code = `const fs = require('node:fs');
      const v = (b) => WebAssembly.validate(new Uint8Array(b));
      console.log(JSON.stringify({ probe: v(${JSON.stringify([...RELAXED_SIMD_PROBE])}),
        files: Object.fromEntries(${JSON.stringify(files)}.map((f) => [f, v(fs.readFileSync(${JSON.stringify(simdDir)} + '/' + f))])) }));`;
    const out = JSON.parse(execFileSync(process.execPath, [...flags, '-e', code], { encoding: 'utf8' })) as {
      probe: boolean;
      files: Record<string, boolean>;
    };
    if (flags.length > 0) expect(out.probe).toBe(true);
    for (const [file, valid] of Object.entries(out.files)) expect(valid, file).toBe(file.includes('.relaxed.') ? out.probe : true);
  });
});

/** Whether scripts/build-native-kernels.mjs built the native twin here (npm install does where a compiler is). */
const nativeKernelsBuilt = existsSync(path.join(root, 'electron/services/backends/wasmKernels/native/out/nb_kernels.base.node'));

interface Report {
  info: { threads: number; simdKernels: boolean; relaxedSimd?: boolean };
  builds: Record<string, string>;
  probe: boolean;
  bareWorkerProbe: boolean;
  replica: { builds: Record<string, string>; relaxedSimd?: boolean };
}

/** A fresh trainer-like process (flags and the wasm build are per process): see testing/relaxedSimdReport.ts. */
function reportFromChild(threads: number, env: Record<string, string> = {}): Report {
  const script = path.join(root, 'electron/services/testing/relaxedSimdReport.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, String(threads)], {
    cwd: root,
    encoding: 'utf8',
    // These cases are about the wasm builds: the native twin (native/nativeKernels.test.ts) stays off unless asked for.
    env: { ...process.env, NB_NATIVE_KERNELS: '0', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`relaxedSimdReport printed no JSON: ${out}`);
  return JSON.parse(line) as Report;
}

const expectedBuilds = (relaxed: boolean) =>
  Object.fromEntries(
    ['conv2d', 'pool', 'elementwise', 'batchnorm', 'optimizer', 'matmul', 'winograd'].map((name) => [
      name,
      relaxed && (RELAXED_SIMD_MODULES as readonly string[]).includes(name) ? 'relaxed' : 'plain',
    ]),
  );

describe('relaxed SIMD in a trainer process and its worker threads', () => {
  it('loads the relaxed builds (shared memory: 2 XNNPACK threads), also in worker threads of the process', () => {
    const r = reportFromChild(2);
    expect(r.info).toMatchObject({ threads: 2, simdKernels: true, relaxedSimd: true });
    expect(r.builds).toEqual(expectedBuilds(true));
    expect(r.probe).toBe(true);
    // V8 flags are per process: a thread that never ran our code validates relaxed SIMD too.
    expect(r.bareWorkerProbe).toBe(true);
    // A replica thread selects the backend itself (single-threaded build) and gets the relaxed builds.
    expect(r.replica).toEqual({ builds: expectedBuilds(true), relaxedSimd: true });
  }, 60_000);

  it.skipIf(!nativeKernelsBuilt)('with the native build: it runs on the plain heap, the shared one (threads) and in replica threads', () => {
    const native = Object.fromEntries(Object.keys(expectedBuilds(true)).map((name) => [name, 'native']));
    for (const threads of [1, 2]) {
      const r = reportFromChild(threads, { NB_NATIVE_KERNELS: '' });
      expect(r.info).toMatchObject({ threads, simdKernels: true });
      expect(r.builds).toEqual(native);
      expect(r.replica.builds).toEqual(native);
    }
  }, 60_000);

  it('NB_RELAXED_SIMD=0 loads the plain builds everywhere', () => {
    const r = reportFromChild(1, { NB_RELAXED_SIMD: '0' });
    expect(r.info).toMatchObject({ threads: 1, simdKernels: true, relaxedSimd: false });
    expect(r.builds).toEqual(expectedBuilds(false));
    expect(r.replica).toEqual({ builds: expectedBuilds(false), relaxedSimd: false });
  }, 60_000);
});
