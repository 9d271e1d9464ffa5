/**
 * CPU milliseconds per call of each ResNet-20 convolution (batch 64, wasm single-threaded): forward, input gradient
 * (Conv2DBackpropInput) and filter gradient (Conv2DBackpropFilter), with GFLOP/s and the per-step total (each layer
 * times how often it occurs in ResNet-20). For A/B runs of the conv kernels' switches, e.g.
 *
 *   node --import tsx bench/convLayers.ts
 *   NB_DIRECT_CONV=0 NB_COL2IM_SCATTER=0 node --import tsx bench/convLayers.ts
 *
 * Times are process.cpuUsage, so other work on the machine skews them less than wall time; each is the best of 3
 * runs of --calls calls (default 5). Outputs are not read back (the wasm kernels run synchronously; a dataSync of a
 * 64×28×28×16 output alone costs ~2.5 ms here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../electron/services/backends/selectBackend';

const i = process.argv.indexOf('--calls');
const calls = i >= 0 ? Number(process.argv[i + 1]) : 5;
if (!Number.isInteger(calls) || calls < 1) throw new Error(`--calls must be a positive integer, got ${process.argv[i + 1]}`);

await selectBackend('wasm', { wasmThreads: 1 });
const rand = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 1);
const B = 64;
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
    fns[kind]().dispose();
    const ms = Math.min(cpuMs(fns[kind], calls), cpuMs(fns[kind], calls), cpuMs(fns[kind], calls));
    total[kind] += ms * times;
    parts.push(`${kind} ${ms.toFixed(2)} ms (${(flops / ms / 1e6).toFixed(0)} GFLOP/s)`);
  }
  console.log(`${name} ×${times}: ${parts.join(', ')}`);
  tf.dispose([x, w, y, dy]);
}
console.log(`per ResNet-20 step: forward ${total.fwd.toFixed(1)} ms, input gradient ${total.dx.toFixed(1)} ms, filter gradient ${total.dw.toFixed(1)} ms`);
process.exit(0);
