/**
 * Gradient clipping against the formulas, with an independent reference written as plain loops over each weight's
 * own layout (Dense [in, out], Conv2D [kh, kw, in, out], vectors), on cpu and wasm; both the tensor path (1 worker)
 * and the flat path (data-parallel).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { seededUniform } from '../testing/seededUniform';
import { AGC_EPSILON, clipFlatGradients, clipGradientTensors, minimizeWith, planGradientClipping, type GradientClipPlan } from './gradientTransforms';

/** stem conv → BN → conv → flatten → dense → dense (output): AGC leaves stem and output alone. */
function cnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, name: 'stem' }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 5, activation: 'relu', name: 'hidden' }),
      tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ],
  });
}

/** Per-unit norms by explicit index arithmetic on each layout: reference for ‖W_i‖ and ‖G_i‖. */
function referenceUnitNorms(values: Float32Array, shape: readonly number[]): { unitOf: (i: number) => number; norms: number[] } {
  if (shape.length <= 1) return { unitOf: (i) => i, norms: Array.from(values, (v) => Math.abs(v)) };
  if (shape.length === 2) {
    const [inputs, outputs] = shape as [number, number];
    const norms = Array.from({ length: outputs }, (_, j) => {
      let s = 0;
      for (let i = 0; i < inputs; i++) s += values[i * outputs + j]! ** 2;
      return Math.sqrt(s);
    });
    return { unitOf: (k) => k % outputs, norms };
  }
  const [kh, kw, inputs, outputs] = shape as [number, number, number, number];
  const norms = Array.from({ length: outputs }, (_, c) => {
    let s = 0;
    for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let i = 0; i < inputs; i++) s += values[((a * kw + b) * inputs + i) * outputs + c]! ** 2;
    return Math.sqrt(s);
  });
  return { unitOf: (k) => k % outputs, norms };
}

/** AGC per the paper: G_i ← λ·max(‖W_i‖, ε)/‖G_i‖ · G_i where ‖G_i‖/max(‖W_i‖, ε) > λ. */
function referenceAgc(g: Float32Array, w: Float32Array, shape: readonly number[], lambda: number): Float64Array {
  const gn = referenceUnitNorms(g, shape);
  const wn = referenceUnitNorms(w, shape);
  const out = Float64Array.from(g);
  for (let k = 0; k < g.length; k++) {
    const u = gn.unitOf(k);
    const floor = Math.max(wn.norms[u]!, AGC_EPSILON);
    if (gn.norms[u]! / floor > lambda) out[k] = (lambda * floor * g[k]!) / gn.norms[u]!;
  }
  return out;
}

function referenceGlobalNorm(gs: Float32Array[], maxNorm: number): Float64Array[] {
  let sq = 0;
  for (const g of gs) for (const v of g) sq += v * v;
  const scale = Math.min(1, maxNorm / Math.sqrt(sq));
  return gs.map((g) => Float64Array.from(g, (v) => v * scale));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 2e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i]!;
    expect(Math.abs(actual[i]! - e)).toBeLessThanOrEqual(rel * Math.max(1e-6, Math.abs(e)));
  }
}

interface Case {
  model: tfl.LayersModel;
  plan: GradientClipPlan;
  variables: tf.Variable[];
  grads: Float32Array[];
}

/** A model with seeded weights and gradients whose units range from far under to far over λ = 0.05. */
function makeCase(plan: (m: tfl.LayersModel) => GradientClipPlan): Case {
  const model = cnn();
  const variables = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  variables.forEach((v, i) => v.assign(tf.tensor(seededUniform(v.size, 10 + i, -0.5, 0.5), v.shape)));
  // Gradient scales differ per unit (a ramp over the flat index), so some units clip and some do not.
  const grads = variables.map((v, i) => seededUniform(v.size, 50 + i, -1, 1).map((x, k) => x * 10 ** (-3 + (4 * k) / v.size)));
  return { model, plan: plan(model), variables, grads };
}

describe('gradient clipping', () => {
  it('leaves the first and last layers with a kernel out of AGC, and cuts each weight into output units', async () => {
    await selectBackend('cpu');
    const model = cnn();
    const plan = planGradientClipping(model, { kind: 'agc', lambda: 0.01 });
    expect(plan.excludedLayers).toEqual(['stem', 'out']);
    const byLayer = (layer: string) => [...plan.entries.values()].filter((e) => e.name.startsWith(`${layer}/`));
    expect(byLayer('stem').every((e) => !e.clipped)).toBe(true);
    expect(byLayer('out').every((e) => !e.clipped)).toBe(true);
    expect(byLayer('bn').every((e) => e.clipped && e.units === e.size)).toBe(true); // γ, β: per element
    const convKernel = byLayer('conv').find((e) => e.variable.rank === 4)!;
    expect([convKernel.outer, convKernel.units, convKernel.inner]).toEqual([3 * 3 * 3, 4, 1]);
    const hiddenKernel = byLayer('hidden').find((e) => e.variable.rank === 2)!;
    expect([hiddenKernel.outer, hiddenKernel.units, hiddenKernel.inner]).toEqual([2 * 2 * 4, 5, 1]);
    expect(planGradientClipping(model, { kind: 'norm', maxNorm: 1 }).excludedLayers).toEqual([]);
    model.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('AGC on %s matches the formula (tensor and flat paths)', async (backend) => {
    await selectBackend(backend);
    const lambda = 0.05;
    const { model, plan, variables, grads } = makeCase((m) => planGradientClipping(m, { kind: 'agc', lambda }));
    const named: tf.NamedTensorMap = {};
    variables.forEach((v, i) => (named[v.name] = tf.tensor(grads[i]!, v.shape)));
    const clipped = clipGradientTensors(plan, named);
    const flatG = new Float32Array(grads.reduce((a, g) => a + g.length, 0));
    const flatW = new Float32Array(flatG.length);
    let offset = 0;
    variables.forEach((v, i) => {
      flatG.set(grads[i]!, offset);
      flatW.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    });
    clipFlatGradients(plan, variables, flatG, flatW);
    let changedUnits = 0;
    offset = 0;
    variables.forEach((v, i) => {
      const g = grads[i]!;
      const layer = v.name.split('/')[0]!;
      const expected = layer === 'stem' || layer === 'out' ? Float64Array.from(g) : referenceAgc(g, v.dataSync() as Float32Array, v.shape, lambda);
      expectClose(clipped[v.name]!.dataSync(), expected);
      expectClose(flatG.subarray(offset, offset + v.size), expected, 1e-6);
      changedUnits += expected.filter((x, k) => x !== g[k]).length;
      offset += v.size;
    });
    // The case exercises both branches: some units were clipped, some were not.
    expect(changedUnits).toBeGreaterThan(0);
    expect(changedUnits).toBeLessThan(flatG.length);
    tf.dispose([...Object.values(named), ...Object.values(clipped)]);
    model.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('global-norm clipping on %s scales everything by min(1, maxNorm/‖g‖)', async (backend) => {
    await selectBackend(backend);
    const { model, variables, grads } = makeCase((m) => planGradientClipping(m, { kind: 'norm', maxNorm: 1 }));
    for (const maxNorm of [0.5, 1e6]) {
      const plan = planGradientClipping(model, { kind: 'norm', maxNorm });
      const named: tf.NamedTensorMap = {};
      variables.forEach((v, i) => (named[v.name] = tf.tensor(grads[i]!, v.shape)));
      const clipped = clipGradientTensors(plan, named);
      const expected = referenceGlobalNorm(grads, maxNorm);
      const flat = new Float32Array(grads.reduce((a, g) => a + g.length, 0));
      let offset = 0;
      grads.forEach((g) => {
        flat.set(g, offset);
        offset += g.length;
      });
      clipFlatGradients(plan, variables, flat);
      offset = 0;
      variables.forEach((v, i) => {
        const out = clipped[v.name]!.dataSync() as Float32Array;
        if (maxNorm === 1e6) {
          // Not over the bound: passed on bit for bit.
          expect(Array.from(out)).toEqual(Array.from(grads[i]!));
          expect(Array.from(flat.subarray(offset, offset + v.size))).toEqual(Array.from(grads[i]!));
        } else {
          expectClose(out, expected[i]!);
          expectClose(flat.subarray(offset, offset + v.size), expected[i]!, 1e-6);
        }
        offset += v.size;
      });
      tf.dispose([...Object.values(named), ...Object.values(clipped)]);
    }
    model.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('AGC with a huge λ passes every gradient on bit for bit (%s)', async (backend) => {
    await selectBackend(backend);
    const { model, plan, variables, grads } = makeCase((m) => planGradientClipping(m, { kind: 'agc', lambda: 100 }));
    const named: tf.NamedTensorMap = {};
    variables.forEach((v, i) => (named[v.name] = tf.tensor(grads[i]!, v.shape)));
    const clipped = clipGradientTensors(plan, named);
    variables.forEach((v, i) => expect(Array.from(clipped[v.name]!.dataSync())).toEqual(Array.from(grads[i]!)));
    tf.dispose([...Object.values(named), ...Object.values(clipped)]);
    model.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('minimizeWith applies the transformed gradients in a real trainOnBatch step (%s)', async (backend) => {
    await selectBackend(backend);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 6, activation: 'tanh', inputShape: [3] }),
        tfl.layers.dense({ units: 4, activation: 'tanh' }),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const optimizer = tf.train.sgd(1);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const xs = tf.tensor(seededUniform(8 * 3, 3), [8, 3]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1], 'int32'), 2);
    const variables = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const before = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    // The gradients the step will compute (no randomness in this model), clipped by the reference.
    const { grads } = tf.variableGrads(() => tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.predict(xs) as tf.Tensor)) as tf.Scalar, variables);
    const lambda = 0.02;
    const plan = planGradientClipping(model, { kind: 'agc', lambda });
    let observed = 0;
    const tensorsBefore = tf.memory().numTensors;
    await minimizeWith(model, optimizer, { transform: (g) => clipGradientTensors(plan, g), observe: () => observed++ }, () => model.trainOnBatch(xs, ys));
    expect(observed).toBe(1);
    variables.forEach((v, i) => {
      const g = grads[v.name]!.dataSync() as Float32Array;
      const clipped = i === 2 || i === 3 ? referenceAgc(g, before[i]!, v.shape, lambda) : Float64Array.from(g);
      const expected = Array.from(before[i]!, (w, k) => w - clipped[k]!);
      expectClose(v.dataSync(), expected, 1e-4);
    });
    // The hidden layer's kernel really was clipped (so the comparison above means something).
    const hidden = grads[variables[2]!.name]!.dataSync() as Float32Array;
    expect(referenceAgc(hidden, before[2]!, variables[2]!.shape, lambda).some((x, k) => x !== hidden[k])).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore); // nothing leaked by the swap
    tf.dispose([xs, ys, ...Object.values(grads)]);
    model.dispose();
  });
});
