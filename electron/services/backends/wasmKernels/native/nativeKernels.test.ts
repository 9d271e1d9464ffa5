import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../selectBackend';
import { seededUniform } from '../../../testing/seededUniform';
import { heapAddress, nativeKernelsLevel, simdModule, simdModuleBuild, type SimdModuleName } from '../simdModules';
import { nativeKernels, nativeKernelsPath, nativeKernelsUnavailableReason, setNativeKernelsEnabled, supportedLevel, type NativeAddon } from './nativeKernels';
import { winogradPlane } from '../winogradConv2D';

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

  // Like the wasm modules' staleness check: a kernel source edited since the build would leave the native kernels
  // computing the old code while the wasm ones compute the new.
  it.runIf(addon)('is newer than every source it is built from (else: npm run build:native)', () => {
    const built = statSync(nativeKernelsPath()!).mtimeMs;
    const sources = [
      ...readdirSync(simdDir).filter((f) => /\.(c|h|inc)$/.test(f)).map((f) => path.join(simdDir, f)),
      ...['nb_native.c', 'nb_native.h', 'include/wasm_simd128.h'].map((f) => path.join(here, f)),
      path.join(here, '../../../../../scripts/build-native-kernels.mjs'),
    ];
    const stale = sources.filter((f) => statSync(f).mtimeMs > built).map((f) => path.basename(f));
    expect(stale, 'sources newer than the native build').toEqual([]);
  });
});

describe.skipIf(!addon)('native kernels on the wasm heap', () => {
  let backend: BackendWasm;
  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as BackendWasm;
  });
  afterEach(() => setNativeKernelsEnabled(undefined));

  it('loads the build for this CPU (or the level NB_NATIVE_KERNELS caps it to), and `base` knows what the CPU runs', () => {
    const levels = ['base', 'v3', 'v4'];
    const cap = process.env['NB_NATIVE_KERNELS'];
    const best = supportedLevel(addon!);
    const expected = cap && levels.includes(cap) && levels.indexOf(cap) < levels.indexOf(best) ? cap : best;
    expect(addon!.level).toBe(expected);
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

// The wide paths (simd/nb_wide.h, the winograd_*.inc instances on 8/16-lane vectors) must compute what the 128-bit
// native code computes: the same sums in the same order with the same fused multiply-adds. Built here with
// -DNB_NO_WIDE for this CPU's level and compared bit for bit on ResNet-20-like layers and the MLP's products.
describe.skipIf(!addon || addon.level === 'base')('native wide paths against the 128-bit native build', () => {
  let narrow: NativeAddon;
  let backend: BackendWasm;
  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as BackendWasm;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nb-narrow-'));
    // @ts-expect-error plain .mjs build script without type declarations
    const { buildNativeKernels } = (await import('../../../../../scripts/build-native-kernels.mjs')) as {
      buildNativeKernels(o: object): Promise<{ ok: boolean; why?: string; built?: string[] }>;
    };
    const result = await buildNativeKernels({ quiet: true, outDir: dir, only: [addon!.level], defines: ['NB_NO_WIDE'] });
    expect(result, result.why).toMatchObject({ ok: true, built: [addon!.level] });
    narrow = createRequire(import.meta.url)(path.join(dir, `nb_kernels.${addon!.level}.node`)) as NativeAddon;
  }, 180_000);

  const memory = () => {
    const m = backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
    return (m.asm?.memory ?? m.wasmMemory)!;
  };
  const addr = (t: tf.Tensor) => heapAddress(backend, t as unknown as Parameters<typeof heapAddress>[1]);
  /** Runs `call` with each build's functions of `module` and returns what it read back from each. */
  function both(module: string, call: (fns: Record<string, (...args: number[]) => unknown>) => Float32Array[]): [Float32Array[], Float32Array[]] {
    const bind = (a: NativeAddon) =>
      Object.fromEntries(Object.entries(a.modules[module]!).map(([n, f]) => [n, (...args: number[]) => f(new Uint8Array(memory().buffer), ...args)]));
    return [call(bind(addon!)), call(bind(narrow))];
  }
  const expectSameBits = (wide: Float32Array[], plain: Float32Array[]) =>
    wide.forEach((w, i) => {
      expect(w.length).toBeGreaterThan(0);
      expect(Buffer.from(w.buffer, w.byteOffset, w.byteLength).equals(Buffer.from(plain[i]!.buffer, plain[i]!.byteOffset, plain[i]!.byteLength)), `output ${i}`).toBe(true);
    });

  it.each([[28, 16], [14, 32], [7, 64], [9, 48]] as const)('Winograd F(4×4) forward (bias, ReLU) and filter gradient: %i×%i channels', (hw, c) => {
    const batch = 3;
    const tiles = batch * Math.ceil(hw / 4) ** 2;
    const chunk = Math.min(16, Math.ceil(tiles / 4) * 4);
    const small = c === 16 || c === 32;
    const band = 6 * (4 * Math.ceil(hw / 4) + 2) * c;
    const x = tf.tensor1d(seededUniform(batch * hw * hw * c, 11, -1, 1));
    const dy = tf.tensor1d(seededUniform(batch * hw * hw * c, 12, -1, 1));
    const w = tf.tensor1d(seededUniform(9 * c * c, 13, -1, 1));
    const bias = tf.tensor1d(seededUniform(c, 14, -1, 1));
    const [wide, plain] = both('winograd', (f) => {
      const u = tf.zeros([36 * winogradPlane(c, c)]);
      const vs = tf.zeros([small ? 36 * chunk * c + band : 36 * (chunk * c + 16)]);
      const ms = tf.zeros([small ? 36 * chunk * c : 36 * (chunk * c + 16)]);
      const out = tf.zeros([batch * hw * hw * c]);
      f['winograd_filter_f4']!(addr(w), addr(u), c, c);
      f[small ? 'winograd_conv3x3_f4_small' : 'winograd_conv3x3_f4']!(addr(x), addr(u), addr(bias), addr(out), addr(vs), addr(ms), batch, hw, hw, c, hw, hw, c, 1, 1, 1, chunk, 2);
      const fgChunk = Math.min(32, tiles);
      const V = tf.zeros([36 * (fgChunk * c + 16) + band]);
      const W = tf.zeros([36 * (fgChunk * c + 16)]);
      const M = tf.zeros([36 * winogradPlane(c, c)]);
      const dw = tf.zeros([9 * c * c]);
      f['winograd_filter_grad_f4']!(addr(x), addr(dy), addr(dw), addr(V), addr(W), addr(M), batch, hw, hw, c, hw, hw, c, 1, 1, fgChunk, 1);
      const result = [Float32Array.from(out.dataSync()), Float32Array.from(dw.dataSync())];
      tf.dispose([u, vs, ms, out, V, W, M, dw]);
      return result;
    });
    expectSameBits(wide, plain);
    tf.dispose([x, dy, w, bias]);
  });

  // Direct convolutions (conv2d.c): ResNet's stride-2 3×3 and 1×1 layers, odd sizes with padding on both sides, channel
  // counts that leave 8- and 4-channel tails past the 16-channel strips, a large image (the filter gradient's per-row
  // walk) and a dilated filter. [in, ci, co, k, stride, pad top/left, dilation]
  it.each([
    [28, 16, 32, 3, 2, 0, 1],
    [14, 32, 64, 3, 2, 0, 1],
    [28, 16, 32, 1, 2, 0, 1],
    [15, 20, 40, 3, 2, 1, 1],
    [9, 48, 36, 3, 1, 1, 1],
    [41, 16, 16, 3, 2, 1, 1],
    [13, 16, 32, 3, 1, 2, 2],
  ] as const)('direct convolution in %i², %i→%i channels, filter %i, stride %i, pad %i, dilation %i: forward (bias, ReLU), input and filter gradients', (hw, ci, co, k, s, p, dil) => {
    const batch = 3;
    const out = Math.floor((hw + 2 * p - dil * (k - 1) - 1) / s) + 1;
    const x = tf.tensor1d(seededUniform(batch * hw * hw * ci, 31, -1, 1));
    const dy = tf.tensor1d(seededUniform(batch * out * out * co, 32, -1, 1));
    const w = tf.tensor1d(seededUniform(k * k * ci * co, 33, -1, 1));
    const bias = tf.tensor1d(seededUniform(co, 34, -1, 1));
    const [wide, plain] = both('conv2d', (f) => {
      const y = tf.zeros([batch * out * out * co]);
      const pack = tf.zeros([Math.max(1, (co & ~15) * k * k * ci)]);
      f['conv2d_forward']!(addr(x), addr(w), addr(bias), addr(y), batch, hw, hw, ci, out, out, co, k, k, s, s, dil, dil, p, p, 1, addr(pack));
      const dw = tf.zeros([k * k * ci * co]);
      f['conv2d_backprop_filter']!(addr(x), addr(dy), addr(dw), batch, hw, hw, ci, out, out, co, k, k, s, s, dil, dil, p, p);
      const result = [Float32Array.from(y.dataSync()), Float32Array.from(dw.dataSync())];
      if (dil === 1) {
        const dx = tf.zeros([batch * hw * hw * ci]);
        const dxPack = tf.zeros([Math.ceil(ci / 16) * 16 * k * k * co + co]);
        f['conv2d_backprop_input']!(addr(dy), addr(w), addr(dx), batch, hw, hw, ci, out, out, co, k, k, s, s, p, p, addr(dxPack));
        result.push(Float32Array.from(dx.dataSync()));
        tf.dispose([dx, dxPack]);
      }
      tf.dispose([y, pack, dw]);
      return result;
    });
    expectSameBits(wide, plain);
    tf.dispose([x, dy, w, bias]);
  });

  // Training-mode BatchNorm (batchnorm.c) on 16-channel strips plus the 8-, 4- and 1-channel tails, rows not a
  // multiple of the 64-row block (odd, for the row-pair sums), and ReLU's gradient with NaN, ±0 and ±∞ among x.
  it.each([[16, 1000], [32, 333], [64, 129], [24, 77], [20, 65], [13, 64]] as const)('BatchNorm forward and backward, %i channels × %i rows', (C, rows) => {
    const x = tf.tensor1d(seededUniform(rows * C, 41, -3, 5));
    const dy = tf.tensor1d(seededUniform(rows * C, 42, -1, 1));
    const gamma = tf.tensor1d(seededUniform(C, 43, 0.5, 2));
    const beta = tf.tensor1d(seededUniform(C, 44, -1, 1));
    const [wide, plain] = both('batchnorm', (f) => {
      const y = tf.zeros([rows * C]);
      const mean = tf.zeros([C]);
      const variance = tf.zeros([C]);
      const scratch = tf.zeros([6 * C]);
      f['bn_train_forward']!(addr(x), addr(gamma), addr(beta), addr(y), addr(mean), addr(variance), addr(scratch), rows, C, 1e-3);
      const dx = tf.zeros([rows * C]);
      const dgamma = tf.zeros([C]);
      const dbeta = tf.zeros([C]);
      const scratch2 = tf.zeros([7 * C]);
      f['bn_train_backward']!(addr(dy), addr(x), addr(gamma), addr(mean), addr(variance), addr(dx), addr(dgamma), addr(dbeta), addr(scratch2), rows, C, 1e-3);
      const result = [y, mean, variance, dx, dgamma, dbeta].map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([y, mean, variance, scratch, dx, dgamma, dbeta, scratch2]);
      return result;
    });
    expectSameBits(wide, plain);
    tf.dispose([x, dy, gamma, beta]);
  });

  it('ReLU gradient (NaN, ±0, ±∞ in x)', () => {
    const n = 1000 + 13;
    const values = seededUniform(n, 51, -1, 1);
    [NaN, 0, -0, Infinity, -Infinity, 1e-45, -1e-45].forEach((v, i) => (values[i * 37] = v));
    const x = tf.tensor1d(values);
    const dy = tf.tensor1d(seededUniform(n, 52, -1, 1));
    const [wide, plain] = both('elementwise', (f) => {
      const out = tf.zeros([n]);
      f['relu_grad']!(addr(x), addr(dy), addr(out), n);
      const result = [Float32Array.from(out.dataSync())];
      out.dispose();
      return result;
    });
    expectSameBits(wide, plain);
    expect(Number.isNaN(wide[0]![0]!)).toBe(true);
    tf.dispose([x, dy]);
  });

  // NT (C = A·Bᵀ) on the native packed path: B's rows packed transposed, then NN's strip tiles — so the bits of NN on
  // Bᵀ, in both builds; also through matmul_block's row blocks (the kernel helper's chunks) and with an epilogue.
  it.each([[64, 512, 128], [37, 129, 70], [64, 256, 784], [5, 33, 17]] as const)('packed matmul NT %i×%i·(%i×K)ᵀ = NN on Bᵀ, whole and in row blocks', (M, K, N) => {
    const A = tf.tensor1d(seededUniform(M * K, 23, -1, 1));
    const B = tf.tensor1d(seededUniform(N * K, 24, -1, 1));
    const Bt = tf.tensor1d(tf.transpose(tf.tensor2d(B.dataSync(), [N, K])).dataSync());
    const bias = tf.tensor1d(seededUniform(N, 25, -1, 1));
    const [wide, plain] = both('matmul', (f) => {
      const C = tf.zeros([M * N]);
      const D = tf.zeros([M * N]);
      const E = tf.zeros([M * N]);
      const F = tf.zeros([M * N]);
      const G = tf.zeros([M * N]);
      const P = tf.zeros([16 * K]);
      f['matmul_nt']!(addr(A), addr(B), addr(C), 1, M, K, N, 0, 0, addr(P), 0);
      f['matmul_nn']!(addr(A), addr(Bt), addr(D), 1, M, K, N, 0, 0, addr(P), 0);
      // row blocks of 8, and (where it packs) column blocks of 32 as the kernel helper cuts them
      for (let i0 = 0; i0 < M; i0 += 8) f['matmul_block']!(2, addr(A), addr(B), addr(E), M, K, N, i0, Math.min(M, i0 + 8), 0, N, 0, 0, 0, addr(P), 0);
      const H = tf.zeros([M * N]);
      for (let j0 = 0; j0 < N; j0 += 32) f['matmul_block']!(2, addr(A), addr(B), addr(H), M, K, N, 0, M, j0, Math.min(N, j0 + 32), addr(bias), 1, 0, addr(P), 0);
      f['fused_matmul_nt']!(addr(A), addr(B), addr(F), 1, M, K, N, 0, 0, addr(bias), 1, 0, addr(P), 0);
      f['fused_matmul_nn']!(addr(A), addr(Bt), addr(G), 1, M, K, N, 0, 0, addr(bias), 1, 0, addr(P), 0);
      const result = [C, D, E, F, G, H].map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([C, D, E, F, G, H, P]);
      return result;
    });
    expectSameBits(wide, plain);
    if (M >= 4 && N >= 16) {
      // the packed path (PACKS): NT gives NN-on-Bᵀ's bits, whole or in row blocks, with or without the epilogue
      expectSameBits([wide[0]!, wide[2]!, wide[3]!, wide[5]!], [wide[1]!, wide[1]!, wide[4]!, wide[4]!]);
    } else {
      expectSameBits([wide[2]!], [wide[0]!]); // the dot products, whole or in row blocks
    }
    tf.dispose([A, B, Bt, bias]);
  });

  it.each([[64, 784, 256], [37, 129, 70], [256, 64, 10 + 16]] as const)('packed matmul NN %i×%i·%i', (M, K, N) => {
    const A = tf.tensor1d(seededUniform(M * K, 21, -1, 1));
    const B = tf.tensor1d(seededUniform(K * N, 22, -1, 1));
    const [wide, plain] = both('matmul', (f) => {
      const C = tf.zeros([M * N]);
      const P = tf.zeros([16 * K]);
      f['matmul_nn']!(addr(A), addr(B), addr(C), 1, M, K, N, 0, 0, addr(P), 0);
      const result = [Float32Array.from(C.dataSync())];
      tf.dispose([C, P]);
      return result;
    });
    expectSameBits(wide, plain);
    tf.dispose([A, B]);
  });
});
