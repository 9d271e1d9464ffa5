import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { setSimdKernelsEnabled, simdModule } from '../backends/wasmKernels/simdModules';
import { ADAM_UPDATE, OPTIMIZER_UPDATE_KERNELS } from '../backends/wasmKernels/optimizerUpdate';
import { ADAMW_WEIGHT_DECAY, applyDecoupledWeightDecay, createOptimizer, MOMENTUM } from './createOptimizer';
import { FusedAdamOptimizer, FusedMomentumOptimizer, FusedRMSPropOptimizer } from './fusedOptimizers';
import { seededUniform } from '../testing/seededUniform';

const values = (n: number, seed: number, scale = 1): Float32Array => seededUniform(n, seed, -scale, scale);

// The bench CNN's dense kernel, a conv filter, biases, and sizes that are not multiples of 4 or 8 (the SIMD tails).
const SHAPES: number[][] = [[3136, 10], [3, 3, 1, 5], [10], [7], [13, 11], [1], [2, 2, 2]];
const STEPS = 20;
const LR = 0.01;

type Kind = 'adam' | 'adamw' | 'momentum' | 'nesterov' | 'rmsprop' | 'rmsprop-momentum';
const KINDS: Kind[] = ['adam', 'adamw', 'momentum', 'nesterov', 'rmsprop', 'rmsprop-momentum'];

function stockOptimizer(kind: Kind): tf.Optimizer {
  switch (kind) {
    case 'adam':
    case 'adamw':
      return tf.train.adam(LR);
    case 'momentum':
      return tf.train.momentum(LR, MOMENTUM);
    case 'nesterov':
      return tf.train.momentum(LR, MOMENTUM, true);
    case 'rmsprop':
      return tf.train.rmsprop(LR);
    case 'rmsprop-momentum':
      return tf.train.rmsprop(LR, 0.8, 0.5);
  }
}

function fusedOptimizer(kind: Kind): tf.Optimizer {
  switch (kind) {
    case 'adam':
      return new FusedAdamOptimizer(LR);
    case 'adamw':
      return new FusedAdamOptimizer(LR, 0.9, 0.999, undefined, ADAMW_WEIGHT_DECAY);
    case 'momentum':
      return new FusedMomentumOptimizer(LR, MOMENTUM);
    case 'nesterov':
      return new FusedMomentumOptimizer(LR, MOMENTUM, true);
    case 'rmsprop':
      return new FusedRMSPropOptimizer(LR);
    case 'rmsprop-momentum':
      return new FusedRMSPropOptimizer(LR, 0.8, 0.5);
  }
}

let run = 0;

/** Runs `steps` updates on fresh variables (same initial values and gradients for every call); returns the weights. */
function train(optimizer: tf.Optimizer, kind: Kind, steps = STEPS, prefix = `opt${run++}`): { weights: Float32Array[]; variables: tf.Variable[] } {
  const variables = SHAPES.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const init = tf.tensor(values(n, 100 + i, 0.5), shape);
    const variable = tf.variable(init, true, `${prefix}/w${i}`);
    init.dispose();
    return variable;
  });
  for (let step = 0; step < steps; step++) step1(optimizer, kind, variables, step);
  return { weights: variables.map((v) => Float32Array.from(v.dataSync())), variables };
}

function step1(optimizer: tf.Optimizer, kind: Kind, variables: tf.Variable[], step: number): void {
  const grads: tf.NamedTensorMap = {};
  variables.forEach((v, i) => {
    // Gradients of varied magnitude, some exactly zero, so the moments see a realistic range.
    const g = values(v.size, 1000 * step + i + 1, 10 ** ((i % 3) - 2));
    for (let k = 0; k < g.length; k += 5) g[k] = 0;
    grads[v.name] = tf.tensor(g, v.shape);
  });
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  // (Not `instanceof`: tfjs' Optimizer answers instanceof by duck typing, so every optimizer is "a FusedAdamOptimizer".)
  if (kind === 'adamw' && optimizer.constructor !== FusedAdamOptimizer) applyDecoupledWeightDecay(variables, LR);
}

function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(a[i]!), 1e-12);
    if (d > worst) worst = d;
  }
  return worst;
}

function expectSameWeights(actual: Float32Array[], expected: Float32Array[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((w, i) => {
    expect(maxRelativeDiff(w, expected[i]!), `weight ${i}`).toBeLessThanOrEqual(1e-5);
    // Same float32 operations in the same order: bit-identical, not just close.
    expect(w).toEqual(expected[i]);
  });
}

function cleanUp(...optimizers: tf.Optimizer[]): void {
  for (const o of optimizers) o.dispose();
  for (const v of Object.values(tf.engine().registeredVariables)) v.dispose();
}

beforeAll(async () => {
  await selectBackend('wasm');
});

afterEach(() => {
  setSimdKernelsEnabled(true);
});

describe.each(['cpu', 'wasm'] as const)('fused optimizers on %s', (backend) => {
  it.each(KINDS)('%s: 20 steps equal tfjs stock optimizer (bit for bit)', async (kind) => {
    await tf.setBackend(backend);
    const stock = stockOptimizer(kind);
    const fused = fusedOptimizer(kind);
    let before = tf.memory().numTensors;
    const expected = train(stock, kind).weights;
    const stockTensors = tf.memory().numTensors - before;
    before = tf.memory().numTensors;
    const actual = train(fused, kind).weights;
    // The fused path keeps exactly what the stock one keeps (the weights and their slots): nothing leaks.
    expect(tf.memory().numTensors - before).toBe(stockTensors);
    expectSameWeights(actual, expected);
    // Slots (moments, accumulators) equal too, in tfjs' names and order.
    const [s, f] = [await stock.getWeights(), await fused.getWeights()];
    expect(f.map((w) => w.name.replace(/^opt\d+\//, ''))).toEqual(s.map((w) => w.name.replace(/^opt\d+\//, '')));
    f.forEach((w, i) => expect(w.tensor.dataSync()).toEqual(s[i]!.tensor.dataSync()));
    cleanUp(stock, fused);
  });
});

describe('fused optimizers on wasm: SIMD kernel vs its JS fallback', () => {
  it('the SIMD module loads here (so the comparisons below exercise it)', async () => {
    await tf.setBackend('wasm');
    expect(simdModule(tf.backend() as never, 'optimizer')).toBeDefined();
  });

  it.each(KINDS)('%s: SIMD and fallback give identical weights after 20 steps', async (kind) => {
    await tf.setBackend('wasm');
    setSimdKernelsEnabled(false);
    const a = fusedOptimizer(kind);
    const fallback = train(a, kind).weights;
    setSimdKernelsEnabled(true);
    const b = fusedOptimizer(kind);
    const simd = train(b, kind).weights;
    expectSameWeights(simd, fallback);
    cleanUp(a, b);
  });
});

describe('fused optimizers are drop-ins', () => {
  it.each(KINDS)('%s: same className and config as tfjs', async (kind) => {
    await tf.setBackend('cpu');
    const [stock, fused] = [stockOptimizer(kind), fusedOptimizer(kind)];
    expect(fused.getClassName()).toBe(stock.getClassName());
    expect(fused.getConfig()).toEqual(stock.getConfig());
    // Deserializing the config (what a saved model's training config does) gives tfjs' class back.
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[fused.getClassName()]!;
    const revived = fromConfig(cls, fused.getConfig()) as tf.Optimizer;
    expect(revived.getClassName()).toBe(stock.getClassName());
    expect(revived.getConfig()).toEqual(stock.getConfig());
    cleanUp(stock, fused, revived);
  });

  it.each(['cpu', 'wasm'] as const)('Adam checkpoint round trip on %s: getWeights → setWeights continues identically', async (backend) => {
    await tf.setBackend(backend);
    // Reference: 20 uninterrupted steps.
    const whole = new FusedAdamOptimizer(LR);
    const expected = train(whole, 'adam', STEPS, 'ckpt').weights;
    cleanUp(whole);
    // 8 steps, save the optimizer state, restore it into a new optimizer, 12 more steps on the same variables.
    const first = new FusedAdamOptimizer(LR);
    const { variables } = train(first, 'adam', 8, 'ckpt');
    const saved = (await first.getWeights()).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
    expect(saved.map((w) => w.name)).toEqual([
      'iter',
      ...SHAPES.map((_, i) => `ckpt/w${i}/m`),
      ...SHAPES.map((_, i) => `ckpt/w${i}/v`),
    ]);
    first.dispose();
    const second = new FusedAdamOptimizer(LR);
    await second.setWeights(saved);
    expect(second.iterations).toBe(8);
    for (let step = 8; step < STEPS; step++) step1(second, 'adam', variables, step);
    const resumed = variables.map((v) => Float32Array.from(v.dataSync()));
    resumed.forEach((w, i) => expect(maxRelativeDiff(w, expected[i]!)).toBeLessThanOrEqual(1e-5));
    tf.dispose(saved.map((w) => w.tensor));
    cleanUp(second);
  });

  it('a stock Adam checkpoint loads into the fused Adam and vice versa', async () => {
    await tf.setBackend('cpu');
    const stock = tf.train.adam(LR);
    train(stock, 'adam', 5, 'mix');
    const fused = new FusedAdamOptimizer(LR);
    await fused.setWeights(await stock.getWeights());
    const back = tf.train.adam(LR);
    await back.setWeights(await fused.getWeights());
    expect((await back.getWeights()).map((w) => w.name)).toEqual((await stock.getWeights()).map((w) => w.name));
    cleanUp(stock, fused, back);
  });

  it.each(['adam', 'adamw', 'momentum', 'rmsprop'] as const)(
    '%s: a backend without the fused kernel runs the stock update (as tfjs-node does)',
    async (kind) => {
      await tf.setBackend('cpu');
      const expected = train(stockOptimizer(kind), kind).weights;
      const hidden = OPTIMIZER_UPDATE_KERNELS.filter((k) => k.backendName === 'cpu');
      for (const k of hidden) tf.unregisterKernel(k.kernelName, 'cpu');
      try {
        expect(tf.getKernel(ADAM_UPDATE, 'cpu')).toBeUndefined();
        const fused = fusedOptimizer(kind);
        // The constructor re-registers the kernels; hide them again so this really is a backend without them.
        for (const k of hidden) tf.unregisterKernel(k.kernelName, 'cpu');
        expectSameWeights(train(fused, kind).weights, expected);
      } finally {
        for (const k of hidden) if (!tf.getKernel(k.kernelName, 'cpu')) tf.registerKernel(k);
      }
      cleanUp();
    },
  );

  const MODEL_CASES = (['cpu', 'wasm'] as const).flatMap((b) => (['adam', 'adamw', 'momentum', 'rmsprop'] as const).map((k) => [b, k] as const));
  it.each(MODEL_CASES)('createOptimizer on %s, %s: a compiled model trains exactly as with tfjs optimizers', async (backend, kind) => {
    await tf.setBackend(backend);
    const build = (): tfl.LayersModel => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, activation: 'relu' }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      });
      const shapes = model.weights.map((w) => w.shape as number[]);
      model.setWeights(shapes.map((shape, i) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), 7 + i, 0.3), shape)));
      return model;
    };
    const x = tf.tensor(values(4 * 36, 3), [4, 6, 6, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 4, 2], 'int32'), 5);
    const results: Float32Array[][] = [];
    for (const fused of [false, true]) {
      const model = build();
      const optimizer = fused ? createOptimizer(kind, LR) : stockOptimizer(kind);
      expect(optimizer.constructor === tf.AdamOptimizer || optimizer.constructor === tf.MomentumOptimizer || optimizer.constructor === tf.RMSPropOptimizer).toBe(!fused);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const variables = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
      for (let i = 0; i < 5; i++) {
        await model.trainOnBatch(x, y);
        // What the trainer did for adamw before the decay moved into the optimizer.
        if (kind === 'adamw' && !fused) applyDecoupledWeightDecay(variables, LR);
      }
      results.push(model.getWeights().map((w) => Float32Array.from(w.dataSync())));
      model.dispose();
      optimizer.dispose();
    }
    expectSameWeights(results[1]!, results[0]!);
    tf.dispose([x, y]);
  });
});
