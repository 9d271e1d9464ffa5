import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../selectBackend';
import { seededUniform } from '../../../testing/seededUniform';
import { heapAddress, nativeKernelsLevel, simdModule, simdModuleBuild, type SimdModuleName } from '../simdModules';
import { nativeKernels, nativeKernelsUnavailableReason, setNativeKernelsEnabled, supportedLevel, type NativeAddon } from './nativeKernels';

const here = path.dirname(fileURLToPath(import.meta.url));
const simdDir = path.join(here, '../simd');
const MODULES: SimdModuleName[] = ['conv2d', 'pool', 'elementwise', 'batchnorm', 'optimizer', 'matmul', 'winograd'];

describe('native kernel level', () => {
  const cpu = (...flags: string[]): Pick<NativeAddon, 'cpu'> => ({ cpu: (name) => flags.includes(name) });
  it('takes the highest level whose every instruction set the CPU runs', () => {
    expect(supportedLevel(cpu())).toBe('base');
    expect(supportedLevel(cpu('avx2', 'fma'))).toBe('base'); // v3 also needs BMI2
    expect(supportedLevel(cpu('avx2', 'fma', 'bmi2'))).toBe('v3');
    expect(supportedLevel(cpu('avx2', 'fma', 'bmi2', 'avx512f'))).toBe('v3'); // AVX-512F alone is not v4
    expect(supportedLevel(cpu('avx2', 'fma', 'bmi2', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'))).toBe('v4');
  });
});

// `npm install` builds the addon where a C compiler is (scripts/build-native-kernels.mjs); CI sets NB_REQUIRE_NATIVE=1
// so that a build that silently stopped working fails here instead of quietly testing only the wasm path.
const addon = nativeKernels();
const required = process.env['NB_REQUIRE_NATIVE'] === '1';

describe('native kernels build', () => {
  it.runIf(required)('is built and loads (NB_REQUIRE_NATIVE=1)', () => {
    expect(nativeKernelsUnavailableReason()).toBeUndefined();
    expect(addon).toBeDefined();
  });
});

describe.skipIf(!addon)('native kernels on the wasm heap', () => {
  let backend: BackendWasm;
  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as BackendWasm;
  });
  afterEach(() => setNativeKernelsEnabled(undefined));

  it('loads the build for this CPU, and `base` knows what the CPU runs', () => {
    expect(addon!.level).toBe(supportedLevel(addon!));
  });

  it('has every function of every wasm module, under the same names', () => {
    for (const name of MODULES) {
      const wasm = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(path.join(simdDir, `${name}.wasm`))))
        .filter((e) => e.kind === 'function')
        .map((e) => e.name)
        .sort();
      expect(Object.keys(addon!.modules[name] ?? {}).sort(), name).toEqual(wasm);
    }
  });

  it('simdModule hands out the native build (reported in BackendInfo), and the wasm one when turned off', () => {
    for (const name of MODULES) expect(simdModuleBuild(backend, name), name).toBe('native');
    expect(nativeKernelsLevel(backend)).toBe(addon!.level);
    setNativeKernelsEnabled(false);
    for (const name of MODULES) expect(simdModuleBuild(backend, name), name).not.toBe('native');
    expect(nativeKernelsLevel(backend)).toBeUndefined();
  });

  /** C = A·B through a module's matmul_nn: the same call on the native and the wasm build. */
  function matmulNN(M: number, K: number, N: number, a: Float32Array, b: Float32Array, extra: number[] = []): Float32Array {
    return tf.tidy(() => {
      const A = tf.tensor2d(a, [M, K]);
      const B = tf.tensor2d(b, [K, N]);
      const C = tf.zeros([M, N]);
      const simd = simdModule<Record<string, (...args: number[]) => number | undefined>>(backend, 'matmul')!;
      // batch 1, no packing scratch (P = 0: NULL) and no zero lists (I = 0)
      simd['matmul_nn']!(heapAddress(backend, A), heapAddress(backend, B), heapAddress(backend, C), 1, M, K, N, 0, 0, 0, 0, ...extra);
      return Float32Array.from(C.dataSync());
    });
  }

  it('computes what the wasm build computes (fused multiply-adds: within float rounding)', () => {
    const [M, K, N] = [37, 129, 70];
    const a = seededUniform(M * K, 1, -1, 1);
    const b = seededUniform(K * N, 2, -1, 1);
    const native = matmulNN(M, K, N, a, b);
    setNativeKernelsEnabled(false);
    const wasm = matmulNN(M, K, N, a, b);
    let worst = 0;
    for (let i = 0; i < native.length; i++) worst = Math.max(worst, Math.abs(native[i]! - wasm[i]!));
    expect(worst).toBeLessThan(2e-5);
    expect(native.some((v, i) => v !== 0 && v === wasm[i])).toBe(true); // the same sums, not just similar ones
  });

  it('takes arguments as a wasm export does: extra values ignored, missing ones 0, numbers coerced', () => {
    const [M, K, N] = [4, 8, 16];
    const a = seededUniform(M * K, 3, -1, 1);
    const b = seededUniform(K * N, 4, -1, 1);
    expect(matmulNN(M, K, N, a, b, [123, 456])).toEqual(matmulNN(M, K, N, a, b));
    const fn = addon!.modules['matmul']!['matmul_nn']!;
    const heap = new ArrayBuffer(64);
    expect(fn(heap)).toBeUndefined(); // every pointer NULL and every size 0: nothing to do, as in wasm
    // An int result comes back: 0 for NT (no zero lists), 1 for an empty NN.
    expect(addon!.modules['matmul']!['matmul_lists']!(heap, 2)).toBe(0);
    expect(addon!.modules['matmul']!['matmul_lists']!(heap)).toBe(1);
  });

  it('rejects what is not a heap or not inside it, naming the kernel and the argument', () => {
    const fn = addon!.modules['matmul']!['matmul_nn']!;
    expect(() => (fn as unknown as (x: unknown) => void)(new Float32Array(4))).toThrow(/native kernel matmul_nn: .*ArrayBuffer/);
    expect(() => fn(new ArrayBuffer(64), 16, 32, 4096, 1, 1, 1, 1)).toThrow(/native kernel matmul_nn: C \(4096\) is not a byte offset inside the heap \(64 bytes\)/);
    expect(() => fn(new ArrayBuffer(64), { valueOf: () => { throw new Error('no number here'); } } as unknown as number)).toThrow('no number here');
  });

  it('follows the heap when tfjs grows it (a new ArrayBuffer each time)', () => {
    // The single-threaded build exports its memory (asm.memory); the threaded one (shared memory) keeps it as wasmMemory.
    const module = backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
    const memory = (module.asm?.memory ?? module.wasmMemory)!;
    const before = memory.buffer;
    const big = tf.zeros([Math.ceil((before.byteLength * 1.5) / 4)]); // forces the heap to grow
    expect(memory.buffer).not.toBe(before);
    const [M, K, N] = [8, 16, 32];
    const a = seededUniform(M * K, 5, -1, 1);
    const b = seededUniform(K * N, 6, -1, 1);
    const native = matmulNN(M, K, N, a, b);
    big.dispose();
    setNativeKernelsEnabled(false);
    const wasm = matmulNN(M, K, N, a, b);
    for (let i = 0; i < native.length; i++) expect(Math.abs(native[i]! - wasm[i]!)).toBeLessThan(1e-5);
  });
});
