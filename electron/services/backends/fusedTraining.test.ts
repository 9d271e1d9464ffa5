import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './selectBackend';
import { fusedTrainingStats, setFusedTrainingEnabled } from './fusedTraining';
import { seededUniform } from '../testing/seededUniform';

type Result = { y: number[]; grads: Record<string, number[]>; kernels: string[]; taken: number };

const values = (shape: number[], seed: number, lo = -1, hi = 1) => tf.tensor(seededUniform(tf.util.sizeFromShape(shape), seed, lo, hi), shape);

/**
 * One recorded forward/backward through tf.fused.conv2d or tf.fused.matMul (what tfjs-layers' Conv2D and Dense call),
 * loss Σ y·r for a random r, gradients with respect to the given variables.
 */
async function run(kind: 'conv' | 'dense', opts: { activation: 'linear' | 'relu'; bias: boolean; stride?: number; pad?: 'same' | 'valid'; xTrainable?: boolean }, fused: boolean): Promise<Result> {
  setFusedTrainingEnabled(fused);
  const before = kind === 'conv' ? fusedTrainingStats.conv2d : fusedTrainingStats.matMul;
  const xShape = kind === 'conv' ? [2, 9, 8, 4] : [6, 20];
  const wShape = kind === 'conv' ? [3, 3, 4, 16] : [20, 12];
  const x = tf.variable(values(xShape, 1, -1, 1), opts.xTrainable !== false, `x${Math.random()}`);
  const w = tf.variable(values(wShape, 2, -0.5, 0.5), true, `w${Math.random()}`);
  const b = tf.variable(values([wShape[wShape.length - 1]!], 3, -0.3, 0.3), true, `b${Math.random()}`);
  let y: tf.Tensor | undefined;
  let grads: tf.NamedTensorMap = {};
  const info = await tf.profile(() => {
    const out = tf.variableGrads(() => {
      const bias = opts.bias ? b : undefined;
      y = kind === 'conv'
        ? tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: opts.stride ?? 1, pad: opts.pad ?? 'same', bias, activation: opts.activation })
        : tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias, activation: opts.activation });
      tf.keep(y);
      return tf.sum(tf.mul(y, values(y.shape, 4))) as tf.Scalar;
    }, [...(opts.xTrainable !== false ? [x] : []), w, ...(opts.bias ? [b] : [])]);
    grads = out.grads;
    out.value.dispose();
  });
  const named = (v: tf.Variable, label: string) => (grads[v.name] ? { [label]: Array.from(grads[v.name]!.dataSync()) } : {});
  const result = {
    y: Array.from(y!.dataSync()),
    grads: { ...named(x, 'x'), ...named(w, 'w'), ...named(b, 'b') },
    kernels: info.kernels.map((k) => k.name),
    taken: (kind === 'conv' ? fusedTrainingStats.conv2d : fusedTrainingStats.matMul) - before,
  };
  tf.dispose([x, w, b, y!, ...Object.values(grads)]);
  return result;
}

function expectClose(actual: number[], expected: number[], what: string, tol: number): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  actual.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!) / Math.max(1, Math.abs(expected[i]!)))));
  expect(worst, what).toBeLessThanOrEqual(tol);
}

describe('fused bias + activation in training (fusedTraining.ts)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => setFusedTrainingEnabled(true));

  const cases = [
    ['conv', { activation: 'relu', bias: true }],
    ['conv', { activation: 'linear', bias: true }],
    ['conv', { activation: 'relu', bias: false }],
    ['conv', { activation: 'relu', bias: true, stride: 2, pad: 'valid' }],
    ['conv', { activation: 'linear', bias: false, stride: 2 }],
    ['dense', { activation: 'relu', bias: true }],
    ['dense', { activation: 'linear', bias: true }],
    ['dense', { activation: 'relu', bias: false }],
  ] as const;

  for (const backend of ['wasm', 'cpu'] as const) {
    it.each(cases.map(([k, o]) => [`${k} ${JSON.stringify(o)}`, k, o] as const))(`${backend}: %s — one kernel forward, the same values and gradients as tfjs' ops`, async (_, kind, opts) => {
      await tf.setBackend(backend);
      const ours = await run(kind, opts, true);
      const stock = await run(kind, opts, false);
      expect(ours.taken).toBe(1);
      expect(stock.taken).toBe(0);
      expectClose(ours.y, stock.y, 'y', backend === 'cpu' ? 1e-6 : 1e-5);
      expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(stock.grads).sort());
      for (const key of Object.keys(stock.grads)) expectClose(ours.grads[key]!, stock.grads[key]!, `d${key}`, 1e-5);
      // One forward kernel: no separate bias Add or Relu (tfjs' training path ran both for ReLU layers).
      const forward = kind === 'conv' ? 'FusedConv2D' : '_FusedMatMul';
      expect(ours.kernels.filter((k) => k === forward)).toHaveLength(1);
      expect(ours.kernels).not.toContain('Relu');
      if (opts.activation === 'relu') expect(stock.kernels).toContain('Relu');
    });
  }

  it('does not compute the input gradient of a first layer (no weight upstream of its input)', async () => {
    await tf.setBackend('wasm');
    const ours = await run('conv', { activation: 'linear', bias: true, xTrainable: false }, true);
    const stock = await run('conv', { activation: 'linear', bias: true, xTrainable: false }, false);
    expect(ours.taken).toBe(1);
    expect(ours.kernels).not.toContain('Conv2DBackpropInput');
    expect(stock.kernels).toContain('Conv2DBackpropInput'); // tfjs' customGrad computes it and throws it away
    for (const key of Object.keys(stock.grads)) expectClose(ours.grads[key]!, stock.grads[key]!, `d${key}`, 1e-5);
  });

  it('keeps tfjs’ own call outside training, for other activations and for dilated convolutions', async () => {
    await tf.setBackend('wasm');
    const before = { ...fusedTrainingStats };
    const x = values([1, 6, 6, 4], 5) as tf.Tensor4D;
    const w = values([3, 3, 4, 8], 6) as tf.Tensor4D;
    const v = tf.variable(w);
    tf.tidy(() => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', activation: 'relu' })); // inference
    for (const extra of [{ activation: 'elu' as const }, { dilations: 2 }]) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.fused.conv2d({ x, filter: v as tf.Tensor4D, strides: 1, pad: 'same', ...extra })) as tf.Scalar, [v]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    v.dispose();
    expect(fusedTrainingStats).toEqual(before);
    tf.dispose([x, w]);
  });
});
