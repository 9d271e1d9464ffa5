/**
 * CPU milliseconds per call of each ResNet-20 convolution (batch 64, wasm single-threaded): forward, input gradient
 * (Conv2DBackpropInput) and filter gradient (Conv2DBackpropFilter), with GFLOP/s and the per-step total (each layer
 * times how often it occurs in ResNet-20). For A/B runs of the conv kernels' switches, e.g.
 *
 *   node --import tsx bench/convLayers.ts
 *   NB_DIRECT_CONV=0 NB_COL2IM_SCATTER=0 node --import tsx bench/convLayers.ts
 *   NB_DIRECT_CONV_PACK=0 NB_CONV_DX_DIRECT=0 node --import tsx bench/convLayers.ts --batch 32
 *
 * (the last: direct forwards read the filter in place, strided input gradients run matmul + col2im scatter).
 *
 * With --winograd it compares the Winograd variants instead, on the 3×3 stride-1 layers (ResNet-20's and the bench
 * CNN's 28×28×16): forward and input gradient by F(2×2,3×3) and by F(4×4,3×3), interleaved in this process (median of
 * 5 alternations), at --batch (default 64; e.g. --batch 32):
 *
 *   node --import tsx bench/convLayers.ts --winograd --batch 32
 *
 * Times are process.cpuUsage, so other work on the machine skews them less than wall time; each is the best of 3
 * runs of --calls calls (default 5), after --warmup untimed calls (default 3). Outputs are not read back (the wasm
 * kernels run synchronously; a dataSync of a 64×28×28×16 output alone costs ~2.5 ms here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../electron/services/backends/selectBackend';
import { setWinogradF4, winogradStats } from '../electron/services/backends/wasmKernels/winogradConv2D';

const i = process.argv.indexOf('--calls');
const calls = i >= 0 ? Number(process.argv[i + 1]) : 5;
if (!Number.isInteger(calls) || calls < 1) throw new Error(`--calls must be a positive integer, got ${process.argv[i + 1]}`);
/**
 * Untimed calls per pass first: a new wasm function's first two calls here run on V8's baseline tier (~10× slower),
 * and its optimised compile runs on a background thread that process.cpuUsage counts.
 */
const wi = process.argv.indexOf('--warmup');
const WARMUP = wi >= 0 ? Number(process.argv[wi + 1]) : 3;
if (!Number.isInteger(WARMUP) || WARMUP < 1) throw new Error(`--warmup must be a positive integer, got ${process.argv[wi + 1]}`);

await selectBackend('wasm', { wasmThreads: 1 });
const rand = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 1);
const bi = process.argv.indexOf('--batch');
const B = bi >= 0 ? Number(process.argv[bi + 1]) : 64;
if (!Number.isInteger(B) || B < 1) throw new Error(`--batch must be a positive integer, got ${process.argv[bi + 1]}`);
/** name, x shape, filter shape, stride, occurrences per ResNet-20 step */
const LAYERS: [string, number[], number[], number, number][] = [
  ['stem 3x3 28x28x1->16', [B, 28, 28, 1], [3, 3, 1, 16], 1, 1],
  ['stage 1 3x3 28x28x16->16', [B, 28, 28, 16], [3, 3, 16, 16], 1, 6],
  ['stage 2 3x3/2 28x28x16->32', [B, 28, 28, 16], [3, 3, 16, 32], 2, 1],
  ['stage 2 1x1/2 28x28x16->32', [B, 28, 28, 16], [1, 1, 16, 32], 2, 1],
  ['stage 2 3x3 14x14x32->32', [B, 14, 14, 32], [3, 3, 32, 32], 1, 5],
  ['stage 3 3x3/2 14x14x32->64', [B, 14, 14, 32], [3, 3, 32, 64], 2, 1],
  ['stage 3 1x1/2 14x14x32->64', [B, 14, 14, 32], [1, 1, 32, 64], 2, 1],
  ['stage 3 3x3 7x7x64->64', [B, 7, 7, 64], [3, 3, 64, 64], 1, 5],
];

function cpuMs(fn: () => tf.Tensor, n: number): number {
  const start = process.cpuUsage();
  for (let k = 0; k < n; k++) fn().dispose();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

if (process.argv.includes('--winograd')) {
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const total = { f2: 0, f4: 0, best: 0 };
  for (const [name, xShape, fShape, s, times] of LAYERS) {
    if (s !== 1 || fShape[0] !== 3 || fShape[2]! % 4 !== 0) continue;
    const x = rand(xShape) as tf.Tensor4D;
    const w = rand(fShape) as tf.Tensor4D;
    const b = rand([fShape[3]!]) as tf.Tensor1D;
    const dy = rand([B, xShape[1]!, xShape[2]!, fShape[3]!]);
    const fns = {
      fwd: () => tf.fused.conv2d({ x, filter: w, bias: b, strides: 1, pad: 'same', activation: 'relu' }),
      dx: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: xShape }) as tf.Tensor,
    };
    const parts: string[] = [];
    for (const kind of ['fwd', 'dx'] as const) {
      const t: Record<'never' | 'always', number[]> = { never: [], always: [] };
      for (let r = 0; r < 5; r++) {
        for (const mode of ['never', 'always'] as const) {
          setWinogradF4(mode);
          const f4 = winogradStats.f4Calls;
          for (let k = 0; k < WARMUP; k++) fns[kind]().dispose();
          if ((winogradStats.f4Calls > f4) !== (mode === 'always')) throw new Error(`${name} ${kind}: F(4×4) ${mode} did not take effect`);
          t[mode].push(cpuMs(fns[kind], calls));
        }
      }
      const f2 = median(t.never), f4 = median(t.always);
      total.f2 += f2 * times;
      total.f4 += f4 * times;
      total.best += Math.min(f2, f4) * times;
      parts.push(`${kind} F(2x2) ${f2.toFixed(2)} ms, F(4x4) ${f4.toFixed(2)} ms (${(f2 / f4).toFixed(2)}x)`);
    }
    setWinogradF4('auto');
    console.log(`${name} batch ${B} ×${times}: ${parts.join('; ')}`);
    tf.dispose([x, w, b, dy]);
  }
  console.log(`per ResNet-20 step (forward + input gradient): F(2x2) ${total.f2.toFixed(1)} ms, F(4x4) ${total.f4.toFixed(1)} ms, best per layer ${total.best.toFixed(1)} ms`);
  process.exit(0);
}

const total = { fwd: 0, dx: 0, dw: 0 };
for (const [name, xShape, fShape, s, times] of LAYERS) {
  const x = rand(xShape) as tf.Tensor4D;
  const w = rand(fShape) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s as 1, 'same');
  const dy = rand(y.shape);
  const attrs = { strides: [s, s], pad: 'same', dataFormat: 'NHWC' };
  const fns = {
    fwd: () => tf.conv2d(x, w, s as 1, 'same'),
    dx: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape }) as tf.Tensor,
    dw: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape }) as tf.Tensor,
  };
  const flops = 2 * y.size * fShape[0]! * fShape[1]! * fShape[2]!;
  const parts: string[] = [];
  for (const kind of ['fwd', 'dx', 'dw'] as const) {
    for (let k = 0; k < WARMUP; k++) fns[kind]().dispose();
    const ms = Math.min(cpuMs(fns[kind], calls), cpuMs(fns[kind], calls), cpuMs(fns[kind], calls));
    total[kind] += ms * times;
    parts.push(`${kind} ${ms.toFixed(2)} ms (${(flops / ms / 1e6).toFixed(0)} GFLOP/s)`);
  }
  console.log(`${name} ×${times}: ${parts.join(', ')}`);
  tf.dispose([x, w, y, dy]);
}
console.log(`per ResNet-20 step: forward ${total.fwd.toFixed(1)} ms, input gradient ${total.dx.toFixed(1)} ms, filter gradient ${total.dw.toFixed(1)} ms`);
process.exit(0);
