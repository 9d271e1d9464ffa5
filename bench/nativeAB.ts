/**
 * Two native kernel builds (wasmKernels/native) against each other and against the WebAssembly modules, in one process
 * on the same heap, calls interleaved — so a shared machine's drift hits every side alike. For a change to the native
 * code: build the other side into a folder (e.g. the same sources with -DNB_NO_WIDE: the 128-bit tiles) and compare.
 *
 *   node --import tsx bench/nativeAB.ts --b /tmp/nw/nb_kernels.v4.node [--a <addon>] [--reps 15]
 *
 * --a defaults to the build this machine loads (native/out). Prints one JSON line per kernel and shape: the median
 * ms per call of each side (a, b, wasm) and the ratios a/b and wasm/a. Kernels: the F(4×4) Winograd forward
 * (winograd_conv3x3_f4 at 64 channels, winograd_conv3x3_f4_small at 16 and 32) and filter gradient (banded) on
 * ResNet-20's layers at batch 32, the direct convolutions (forward, input and filter gradients) on its stride-2 3×3 and 1×1
 * layers, training-mode BatchNorm and ReLU's gradient on its activations, and the packed matmul on the bench MLP's
 * products at batch 64.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../electron/services/backends/selectBackend';
import { heapAddress, simdModule } from '../electron/services/backends/wasmKernels/simdModules';
import { nativeKernelsPath, setNativeKernelsEnabled, type NativeAddon } from '../electron/services/backends/wasmKernels/native/nativeKernels';
import { seededUniform } from '../electron/services/testing/seededUniform';
import { winogradPlane } from '../electron/services/backends/wasmKernels/winogradConv2D';

type Fn = (...args: number[]) => number | undefined;
/** winogradFilterGradF4.ts' chunk of tiles. */
const FG_CHUNK = 32;
const WARMUP = 5;
const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  await selectBackend('wasm', { wasmThreads: 1 });
  const backend = tf.backend() as BackendWasm;
  const require = createRequire(import.meta.url);
  const aPath = value('--a') ?? nativeKernelsPath();
  const bPath = value('--b');
  if (!aPath || !bPath) throw new Error('usage: --b <addon.node> [--a <addon.node>] (and a native build in native/out for the default --a)');
  const reps = Number(value('--reps') ?? 15);
  const memory = (backend.wasm as unknown as { asm?: { memory?: { buffer: ArrayBuffer } }; wasmMemory?: { buffer: ArrayBuffer } });
  const mem = (memory.asm?.memory ?? memory.wasmMemory)!;
  const bind = (addon: NativeAddon, module: string): Record<string, Fn> =>
    Object.fromEntries(Object.entries(addon.modules[module]!).map(([name, f]) => [name, (...args: number[]) => f(new Uint8Array(mem.buffer), ...args)]));
  const a = require(aPath) as NativeAddon;
  const b = require(bPath) as NativeAddon;
  setNativeKernelsEnabled(false);
  const sides = (module: 'winograd' | 'matmul' | 'conv2d' | 'batchnorm' | 'elementwise'): [string, Record<string, Fn>][] => [
    ['a', bind(a, module)],
    ['b', bind(b, module)],
    ['wasm', simdModule<Record<string, Fn>>(backend, module)!],
  ];
  const tensor = (n: number, seed: number) => tf.tensor1d(seededUniform(n, seed, -1, 1));
  const addr = (t: tf.Tensor) => heapAddress(backend, t as unknown as Parameters<typeof heapAddress>[1]);

  function time(calls: [string, () => void][]): Record<string, number> {
    const ms: Record<string, number[]> = {};
    // Warm-up: wasm functions start in V8's baseline tier and move to optimized code in the background after a few
    // long calls; timing before that would charge the baseline code to the wasm side.
    for (const [name, run] of calls) {
      ms[name] = [];
      for (let w = 0; w < WARMUP; w++) run();
    }
    const settle = Date.now() + 200;
    while (Date.now() < settle); // the background compile finishing (a busy wait: the main thread stays on-core)
    for (let r = 0; r < reps; r++) {
      for (const [name, run] of calls) {
        const t0 = performance.now();
        run();
        ms[name]!.push(performance.now() - t0);
      }
    }
    return Object.fromEntries(Object.entries(ms).map(([name, v]) => [name, v.sort((x, y) => x - y)[v.length >> 1]!]));
  }
  const report = (kernel: string, shape: string, t: Record<string, number>) =>
    console.log(JSON.stringify({ kernel, shape, msA: +t['a']!.toFixed(3), msB: +t['b']!.toFixed(3), msWasm: +t['wasm']!.toFixed(3), aOverB: +(t['a']! / t['b']!).toFixed(3), wasmOverA: +(t['wasm']! / t['a']!).toFixed(3) }));

  // Winograd F(4×4) forward, ResNet-20's 3×3 layers at batch 32 (pad 1).
  for (const [hw, c] of [[28, 16], [14, 32], [7, 64]] as const) {
    const batch = 32;
    const tiles = batch * Math.ceil(hw / 4) ** 2;
    const chunk = Math.min(16, Math.ceil(tiles / 4) * 4);
    const small = c <= 32;
    const band = 6 * (4 * Math.ceil(hw / 4) + 2) * c;
    const x = tensor(batch * hw * hw * c, 1);
    const w = tensor(9 * c * c, 2);
    const u = tf.zeros([36 * winogradPlane(c, c)]);
    const vs = tf.zeros([small ? 36 * chunk * c + band : 36 * (chunk * c + 16)]);
    const ms = tf.zeros([small ? 36 * chunk * c : 36 * (chunk * c + 16)]);
    const out = tf.zeros([batch * hw * hw * c]);
    const name = small ? 'winograd_conv3x3_f4_small' : 'winograd_conv3x3_f4';
    const calls = sides('winograd').map(([side, fns]) => {
      fns['winograd_filter_f4']!(addr(w), addr(u), c, c);
      return [side, () => fns[name]!(addr(x), addr(u), 0, addr(out), addr(vs), addr(ms), batch, hw, hw, c, hw, hw, c, 1, 1, 1, chunk, 2)] as [string, () => void];
    });
    report(name, `${batch}x${hw}x${hw}x${c} -> ${c}`, time(calls));
    tf.dispose([x, w, u, vs, ms, out]);
  }

  // Winograd F(4×4) filter gradient (banded), the same layers.
  for (const [hw, c] of [[28, 16], [14, 32], [7, 64]] as const) {
    const batch = 32;
    const tiles = batch * Math.ceil(hw / 4) ** 2;
    const chunk = Math.min(FG_CHUNK, tiles);
    const bandFloats = 6 * (4 * Math.ceil(hw / 4) + 2) * c;
    const x = tensor(batch * hw * hw * c, 5);
    const dy = tensor(batch * hw * hw * c, 6);
    const vs = tf.zeros([36 * (chunk * c + 16) + bandFloats]);
    const ws = tf.zeros([36 * (chunk * c + 16)]);
    const ms = tf.zeros([36 * winogradPlane(c, c)]);
    const dw = tf.zeros([9 * c * c]);
    const calls = sides('winograd').map(
      ([side, fns]) =>
        [side, () => fns['winograd_filter_grad_f4']!(addr(x), addr(dy), addr(dw), addr(vs), addr(ws), addr(ms), batch, hw, hw, c, hw, hw, c, 1, 1, chunk, 1)] as [string, () => void],
    );
    report('winograd_filter_grad_f4', `${batch}x${hw}x${hw}x${c} -> ${c}`, time(calls));
    tf.dispose([x, dy, vs, ws, ms, dw]);
  }

  // Direct convolutions (conv2d.c) on ResNet-20's stride-2 layers at batch 32 ('same' padding: 0 before, 1 after):
  // forward (bias, ReLU), input gradient (gather) and filter gradient. [in, ci, co, k]
  for (const [hw, ci, co, k] of [[28, 16, 32, 3], [14, 32, 64, 3], [28, 16, 32, 1], [14, 32, 64, 1]] as const) {
    const batch = 32;
    const out = hw / 2;
    const shape = `${batch}x${hw}x${hw}x${ci} -> ${co}, ${k}x${k}/2`;
    const x = tensor(batch * hw * hw * ci, 7);
    const dy = tensor(batch * out * out * co, 8);
    const w = tensor(k * k * ci * co, 9);
    const bias = tensor(co, 10);
    const y = tf.zeros([batch * out * out * co]);
    const pack = tf.zeros([co * k * k * ci]);
    const dx = tf.zeros([batch * hw * hw * ci]);
    const dxPack = tf.zeros([Math.ceil(ci / 16) * 16 * k * k * co + co]);
    const dw = tf.zeros([k * k * ci * co]);
    const conv = sides('conv2d');
    report('conv2d_forward', shape, time(conv.map(([side, f]) => [side, () => f['conv2d_forward']!(addr(x), addr(w), addr(bias), addr(y), batch, hw, hw, ci, out, out, co, k, k, 2, 2, 1, 1, 0, 0, 1, k > 1 ? addr(pack) : 0)] as [string, () => void])));
    report('conv2d_backprop_input', shape, time(conv.map(([side, f]) => [side, () => f['conv2d_backprop_input']!(addr(dy), addr(w), addr(dx), batch, hw, hw, ci, out, out, co, k, k, 2, 2, 0, 0, addr(dxPack))] as [string, () => void])));
    report('conv2d_backprop_filter', shape, time(conv.map(([side, f]) => [side, () => f['conv2d_backprop_filter']!(addr(x), addr(dy), addr(dw), batch, hw, hw, ci, out, out, co, k, k, 2, 2, 1, 1, 0, 0)] as [string, () => void])));
    tf.dispose([x, dy, w, bias, y, pack, dx, dxPack, dw]);
  }

  // Training-mode BatchNorm (forward: sums + normalise; backward: sums + apply) and ReLU's gradient on ResNet-20's
  // activations at batch 32 (memory-bound passes: what the wide vectors buy there).
  for (const [hw, c] of [[28, 16], [14, 32], [7, 64]] as const) {
    const rows = 32 * hw * hw;
    const shape = `32x${hw}x${hw}x${c}`;
    const x = tensor(rows * c, 11);
    const dy = tensor(rows * c, 12);
    const gamma = tensor(c, 13);
    const beta = tensor(c, 14);
    const y = tf.zeros([rows * c]);
    const dx = tf.zeros([rows * c]);
    const stats = tf.zeros([5 * c]);
    const scratch = tf.zeros([8 * c]);
    const at = (t: tf.Tensor, floats: number) => addr(t) + 4 * floats;
    const bn = sides('batchnorm');
    report('bn_train_forward', shape, time(bn.map(([side, f]) => [side, () => f['bn_train_forward']!(addr(x), addr(gamma), addr(beta), addr(y), at(stats, 0), at(stats, c), addr(scratch), rows, c, 1e-3)] as [string, () => void])));
    report('bn_train_backward', shape, time(bn.map(([side, f]) => [side, () => f['bn_train_backward']!(addr(dy), addr(x), addr(gamma), at(stats, 0), at(stats, c), addr(dx), at(stats, 2 * c), at(stats, 3 * c), addr(scratch), rows, c, 1e-3)] as [string, () => void])));
    report('relu_grad', shape, time(sides('elementwise').map(([side, f]) => [side, () => f['relu_grad']!(addr(x), addr(dy), addr(dx), rows * c)] as [string, () => void])));
    tf.dispose([x, dy, gamma, beta, y, dx, stats, scratch]);
  }

  // Packed NN matmul, the bench MLP's products at batch 64 (P: one 16-column strip of scratch).
  for (const [M, K, N] of [[64, 784, 256], [64, 256, 256], [256, 64, 256]] as const) {
    const A = tensor(M * K, 3);
    const B = tensor(K * N, 4);
    const C = tf.zeros([M * N]);
    const P = tf.zeros([16 * K]);
    const calls = sides('matmul').map(([side, fns]) => [side, () => fns['matmul_nn']!(addr(A), addr(B), addr(C), 1, M, K, N, 0, 0, addr(P), 0)] as [string, () => void]);
    report('matmul_nn', `${M}x${K}.${K}x${N}`, time(calls));
    tf.dispose([A, B, C, P]);
  }
}

await main();
