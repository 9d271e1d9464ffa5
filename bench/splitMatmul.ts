/**
 * What a second thread inside one training step could give (issue 17's MLP, which trains on one worker: its
 * data-parallel halves cost nearly what the whole batch does). The product runs in a shared WebAssembly memory —
 * what tfjs' threaded wasm build gives, even with one XNNPACK thread — once on this thread, and once split by rows
 * between this thread and a worker running the same SIMD module on the same memory, handed its half through an
 * Atomics handshake (row pairs are computed alike either way: the same bits). Also times an empty round trip.
 *
 *   node --import tsx bench/splitMatmul.ts [--reps 30] [--calls 50]
 *
 * Prints one JSON line per shape: best ms per call single and split, GFLOP/s, the speed-up, and the round trip in µs.
 * 2026-12-07 on the 2-vCPU AMD EPYC VM (relaxed build, three runs): 64x784·784x256 0.585 → 0.341 ms (1.70–1.71×),
 * 64x256·256x256 1.74–1.77×, 784x64·64x256 1.70–1.86×, same bits; round trip 0.7–1.2 µs. (A first run right after
 * start gave 1.03× on the first shape: keep --reps high.) The MLP's GEMMs are 1.6–2.0 of its 3.7–4.7 ms step and Adam
 * another 0.6, elementwise and splittable the same way: what a helper thread for our kernels could take off one
 * worker's step, once the trainer uses the threaded build (one XNNPACK thread, shared heap) for 1-worker runs.
 * Built since as wasmKernels/kernelHelper.ts (the backends README's "Kernel helper"): chunks that both threads claim
 * instead of fixed halves, because in the real training loop the second core is also V8's GC and compiler threads'.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { relaxedSimdActive } from '../electron/services/backends/wasmKernels/relaxedSimd';

interface MatmulExports {
  matmul_nn(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, sa: number, sb: number, p: number, i: number): void;
}

const arg = (flag: string, fallback: number): number => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const REPS = arg('--reps', 30);
const CALLS = arg('--calls', 50);
const SHAPES: [number, number, number][] = [
  [64, 784, 256],
  [64, 256, 256],
  [784, 64, 256],
];

// Turns V8's relaxed-SIMD flag on where Node needs it (NB_RELAXED_SIMD=0: the plain build).
const relaxed = relaxedSimdActive();
const file = new URL(`../electron/services/backends/wasmKernels/simd/matmul${relaxed ? '.relaxed' : ''}.shared.wasm`, import.meta.url);
const module = new WebAssembly.Module(readFileSync(file));
const memory = new WebAssembly.Memory({ initial: 2048, maximum: 65536, shared: true });
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as MatmulExports;
/** [0] job number (negative: stop), [1] job done, [2..8] the worker's matmul_nn arguments. */
const control = new Int32Array(new SharedArrayBuffer(64));

// The worker spins briefly after each job (back-to-back calls in a step), then sleeps on the job number.
const worker = new Worker(
  `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
let job = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(control, 0) === job && spins++ < 2000) {}
  Atomics.wait(control, 0, job);
  job = Atomics.load(control, 0);
  if (job < 0) break;
  const a = control.subarray(2, 9);
  kernels.matmul_nn(a[0], a[1], a[2], 1, a[3], a[4], a[5], 0, 0, a[6], 0);
  Atomics.store(control, 1, job);
  Atomics.notify(control, 1);
}
`,
  { eval: true, workerData: { module, memory, control } },
);

const A = 0, B = 16 << 20, C = 32 << 20, P0 = 48 << 20, P1 = 52 << 20;
let job = 0;
function handOff(args: number[]): void {
  job++;
  control.set(args, 2);
  Atomics.store(control, 0, job);
  Atomics.notify(control, 0);
}
function waitDone(): void {
  let spins = 0;
  while (Atomics.load(control, 1) !== job && spins++ < 100_000) {}
  while (Atomics.load(control, 1) !== job) Atomics.wait(control, 1, Atomics.load(control, 1));
}

await new Promise((resolve) => setTimeout(resolve, 200));
for (const [M, K, N] of SHAPES) {
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < M * K; i++) f[A / 4 + i] = Math.sin(i);
  for (let i = 0; i < K * N; i++) f[B / 4 + i] = Math.cos(i);
  const half = (M >> 2) << 1; // an even row count: row pairs stay whole
  const single = () => kernels.matmul_nn(A, B, C, 1, M, K, N, 0, 0, P0, 0);
  const split = () => {
    handOff([A + half * K * 4, B, C + half * N * 4, M - half, K, N, P1]);
    kernels.matmul_nn(A, B, C, 1, half, K, N, 0, 0, P0, 0);
    waitDone();
  };
  const roundTrip = () => {
    handOff([A, B, C, 0, K, N, P1]);
    waitDone();
  };
  single();
  const whole = new Float32Array(memory.buffer, C, M * N).slice();
  split();
  const parts = new Float32Array(memory.buffer, C, M * N);
  const sameBits = whole.every((v, i) => Object.is(v, parts[i]));
  const runs: [string, () => void][] = [['single', single], ['split', split], ['roundTrip', roundTrip]];
  for (let i = 0; i < 300; i++) for (const [, run] of runs) run();
  const best: Record<string, number> = { single: Infinity, split: Infinity, roundTrip: Infinity };
  for (let r = 0; r < REPS; r++) {
    for (const [name, run] of runs) {
      const t = performance.now();
      for (let i = 0; i < CALLS; i++) run();
      best[name] = Math.min(best[name]!, (performance.now() - t) / CALLS);
    }
  }
  const gflops = (ms: number) => Math.round((2 * M * K * N) / ms / 1e5) / 10;
  console.log(
    JSON.stringify({
      shape: `${M}x${K}·${K}x${N}`,
      relaxed,
      singleMs: +best['single']!.toFixed(3),
      splitMs: +best['split']!.toFixed(3),
      singleGflops: gflops(best['single']!),
      splitGflops: gflops(best['split']!),
      speedup: +(best['single']! / best['split']!).toFixed(2),
      roundTripUs: +(best['roundTrip']! * 1000).toFixed(1),
      sameBits,
    }),
  );
}
Atomics.store(control, 0, -1);
Atomics.notify(control, 0);
await worker.terminate();
