import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { setSimdKernelsEnabled } from './simdModules';
import {
  ADAM_UPDATE,
  type AdamUpdateAttrs,
  MOMENTUM_UPDATE,
  type MomentumUpdateAttrs,
  registerOptimizerUpdateKernels,
  setAdamFlushSubnormals,
  setOptimizerFlushSubnormals,
  RMSPROP_UPDATE,
  type RMSPropUpdateAttrs,
} from './optimizerUpdate';
import { seededUniform } from '../../testing/seededUniform';

const values = (n: number, seed: number, scale = 1, positive = false): Float32Array =>
  seededUniform(n, seed, positive ? 0 : -scale, scale);

const f = Math.fround;
const ADAM: AdamUpdateAttrs = {
  beta1: f(0.9),
  oneMinusBeta1: f(1 - 0.9),
  beta2: f(0.999),
  oneMinusBeta2: f(1 - 0.999),
  oneMinusAccBeta1: f(1 - f(0.9 ** 3)),
  oneMinusAccBeta2: f(1 - f(0.999 ** 3)),
  epsilon: f(1e-7),
  negLearningRate: f(-0.01),
  decayFactor: 1,
};
const MOMENTUM: MomentumUpdateAttrs = { momentum: f(0.9), negLearningRate: f(-0.05), useNesterov: false };
const RMSPROP: RMSPropUpdateAttrs = { decay: f(0.9), oneMinusDecay: f(1 - 0.9), momentum: f(0.5), learningRate: f(0.01), epsilon: f(1e-7) };

interface Case {
  name: string;
  kernel: string;
  inputs: string[];
  attrs: object;
}
const CASES: Case[] = [
  { name: 'adam', kernel: ADAM_UPDATE, inputs: ['x', 'm', 'v', 'g'], attrs: ADAM },
  { name: 'adamw', kernel: ADAM_UPDATE, inputs: ['x', 'm', 'v', 'g'], attrs: { ...ADAM, decayFactor: f(1 - 0.01 * 0.01) } },
  { name: 'momentum', kernel: MOMENTUM_UPDATE, inputs: ['x', 'accumulation', 'g'], attrs: MOMENTUM },
  { name: 'nesterov', kernel: MOMENTUM_UPDATE, inputs: ['x', 'accumulation', 'g'], attrs: { ...MOMENTUM, useNesterov: true } },
  { name: 'rmsprop', kernel: RMSPROP_UPDATE, inputs: ['x', 'meanSquare', 'moments', 'g'], attrs: RMSPROP },
];
// Vector body (8 or 4 per iteration) and every tail length.
const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 1000, 31360];

/** Runs one kernel on fresh inputs; returns every output's values. Second-moment inputs are non-negative. */
function run(backend: 'cpu' | 'wasm', c: Case, n: number): Float32Array[] {
  return tf.tidy(() => {
    const inputs: tf.NamedTensorMap = {};
    c.inputs.forEach((name, i) => {
      const positive = name === 'v' || name === 'meanSquare';
      inputs[name] = tf.tensor(values(n, 11 + i, name === 'g' ? 0.1 : 1, positive), [n]);
    });
    const before = c.inputs.map((name) => Float32Array.from(inputs[name]!.dataSync()));
    const outs = tf.engine().runKernel(c.kernel, inputs, c.attrs as NamedAttrMap) as tf.Tensor[];
    expect(outs).toHaveLength(c.inputs.length - 1);
    // Functional like every tfjs kernel: the inputs are untouched.
    c.inputs.forEach((name, i) => expect(inputs[name]!.dataSync()).toEqual(before[i]));
    return outs.map((o) => {
      expect(o.shape).toEqual([n]);
      return Float32Array.from(o.dataSync());
    });
  });
}

beforeAll(async () => {
  await selectBackend('wasm');
  registerOptimizerUpdateKernels();
});

afterEach(() => {
  setSimdKernelsEnabled(true);
  setAdamFlushSubnormals(true);
  setOptimizerFlushSubnormals(true);
});

describe.each(CASES)('$name update kernel', (c) => {
  it.each(SIZES)('n=%i: wasm SIMD, wasm fallback and cpu agree bit for bit', async (n) => {
    await tf.setBackend('cpu');
    const cpu = run('cpu', c, n);
    await tf.setBackend('wasm');
    const ids = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const idsBefore = ids();
    const simd = run('wasm', c, n);
    setSimdKernelsEnabled(false);
    const fallback = run('wasm', c, n);
    expect(ids()).toBe(idsBefore);
    for (const out of cpu) expect(out.every(Number.isFinite)).toBe(true);
    expect(simd).toEqual(cpu);
    expect(fallback).toEqual(cpu);
  });
});

describe('update kernel input checks', () => {
  it.each(['cpu', 'wasm'] as const)('%s: mismatched sizes and non-float32 inputs are named in the error', async (backend) => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const [x, m, v] = [tf.zeros([4]), tf.zeros([4]), tf.zeros([4])];
      expect(() => tf.engine().runKernel(ADAM_UPDATE, { x, m, v, g: tf.zeros([5]) }, ADAM as unknown as NamedAttrMap)).toThrow(
        /NbAdamUpdate: input 'g' has 5 values, expected 4/,
      );
      expect(() => tf.engine().runKernel(ADAM_UPDATE, { x, m, v, g: tf.zeros([4], 'int32') }, ADAM as unknown as NamedAttrMap)).toThrow(
        /input 'g' is int32/,
      );
    });
  });
});

describe('Adam with subnormal moments (a dead unit: zero gradient, m decaying below 2^-126)', () => {
  const MIN_NORMAL = 2 ** -126;
  const isSubnormal = (y: number): boolean => y !== 0 && Math.abs(y) < MIN_NORMAL;
  // 37 values (vector body and tail): m from 3e-38 (m·b1 stays normal) down to 1e-45, either sign; v likewise tiny;
  // g 0 on most lanes, and a normal gradient on every 5th lane (m' normal there).
  const n = 37;
  const m = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * 3e-38 * 0.7 ** i);
  const v = Float32Array.from({ length: n }, (_, i) => 2e-38 * 0.6 ** i);
  const g = Float32Array.from({ length: n }, (_, i) => (i % 5 === 4 ? 0.01 * (i - 18) : 0));
  // Weights of ordinary size (none 0: a weight ~1e-30 or smaller would see the flushed step, as documented).
  const x = Float32Array.from({ length: n }, (_, i) => (i - 18.5) / 7);

  function adam(backend: 'cpu' | 'wasm'): Float32Array[] {
    return tf.tidy(() => {
      const inputs = { x: tf.tensor(x), m: tf.tensor(m), v: tf.tensor(v), g: tf.tensor(g) };
      const outs = tf.engine().runKernel(ADAM_UPDATE, inputs, ADAM as unknown as NamedAttrMap) as tf.Tensor[];
      return outs.map((o) => Float32Array.from(o.dataSync()));
    });
  }
  async function allPaths(): Promise<Float32Array[]> {
    await tf.setBackend('cpu');
    const cpu = adam('cpu');
    await tf.setBackend('wasm');
    const simd = adam('wasm');
    setSimdKernelsEnabled(false);
    const fallback = adam('wasm');
    setSimdKernelsEnabled(true);
    expect(simd).toEqual(cpu);
    expect(fallback).toEqual(cpu);
    return cpu;
  }
  /** tfjs' stock Adam moment arithmetic with cpu ops: m' = m·b1 + g·(1−b1), v' = v·b2 + g²·(1−b2). */
  async function stockMoments(): Promise<[Float32Array, Float32Array]> {
    await tf.setBackend('cpu');
    return tf.tidy(() => {
      const [tm, tv, tg] = [tf.tensor(m), tf.tensor(v), tf.tensor(g)];
      const m1 = tf.add(tf.mul(tm, ADAM.beta1), tf.mul(tg, ADAM.oneMinusBeta1));
      const v1 = tf.add(tf.mul(tv, ADAM.beta2), tf.mul(tf.square(tg), ADAM.oneMinusBeta2));
      return [Float32Array.from(m1.dataSync()), Float32Array.from(v1.dataSync())] as [Float32Array, Float32Array];
    });
  }

  it('flushes subnormal m′, v′ to 0 on every path alike; normal values and x′ are as tfjs computes them', async () => {
    const [stockM, stockV] = await stockMoments();
    expect(stockM.some(isSubnormal), 'the case reaches the subnormal range').toBe(true);
    expect(stockV.some(isSubnormal)).toBe(true);
    expect(stockM.some((y, i) => !isSubnormal(y) && g[i] === 0 && y !== 0), 'and has tiny normal m′ too').toBe(true);
    const [x1, m1, v1] = await allPaths();
    for (let i = 0; i < n; i++) {
      expect(m1![i], `m′[${i}]`).toBe(isSubnormal(stockM[i]!) ? 0 : stockM[i]);
      expect(v1![i], `v′[${i}]`).toBe(isSubnormal(stockV[i]!) ? 0 : stockV[i]);
    }
    setAdamFlushSubnormals(false);
    const [x0] = await allPaths();
    // The weights move by less than their last bit either way at these magnitudes.
    expect(x1).toEqual(x0);
  });

  it('NB_ADAM_FTZ off (setAdamFlushSubnormals(false)): tfjs\' exact subnormal moments on every path', async () => {
    const [stockM, stockV] = await stockMoments();
    setAdamFlushSubnormals(false);
    const [, m1, v1] = await allPaths();
    expect(m1).toEqual(stockM);
    expect(v1).toEqual(stockV);
  });
});

describe.each([
  { name: 'momentum', attrs: MOMENTUM },
  { name: 'nesterov', attrs: { ...MOMENTUM, useNesterov: true } },
  { name: 'rmsprop', attrs: RMSPROP },
])('$name with subnormal slots (a dead unit: zero gradient, the slots decaying below 2^-126)', ({ name, attrs }) => {
  const MIN_NORMAL = 2 ** -126;
  const isSubnormal = (y: number): boolean => y !== 0 && Math.abs(y) < MIN_NORMAL;
  const flushed = (a: Float32Array): Float32Array => a.map((y) => (isSubnormal(y) ? 0 : y));
  // As for Adam: 37 values (vector body and tail), slots from ~3e-38 (decayed once: still normal) down to 1e-45, a
  // zero gradient on most lanes and a normal one on every 5th lane. meanSquare is non-negative.
  const n = 37;
  const signed = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * 3e-38 * 0.7 ** i);
  const square = Float32Array.from({ length: n }, (_, i) => 2e-38 * 0.6 ** i);
  const g = Float32Array.from({ length: n }, (_, i) => (i % 5 === 4 ? 0.01 * (i - 18) : 0));
  const x = Float32Array.from({ length: n }, (_, i) => (i - 18.5) / 7);
  const rms = name === 'rmsprop';
  const kernel = rms ? RMSPROP_UPDATE : MOMENTUM_UPDATE;

  function update(): Float32Array[] {
    return tf.tidy(() => {
      const inputs: tf.NamedTensorMap = rms
        ? { x: tf.tensor(x), meanSquare: tf.tensor(square), moments: tf.tensor(signed), g: tf.tensor(g) }
        : { x: tf.tensor(x), accumulation: tf.tensor(signed), g: tf.tensor(g) };
      const outs = tf.engine().runKernel(kernel, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor[];
      return outs.map((o) => Float32Array.from(o.dataSync()));
    });
  }
  async function allPaths(): Promise<Float32Array[]> {
    await tf.setBackend('cpu');
    const cpu = update();
    await tf.setBackend('wasm');
    const simd = update();
    setSimdKernelsEnabled(false);
    const fallback = update();
    setSimdKernelsEnabled(true);
    expect(simd).toEqual(cpu);
    expect(fallback).toEqual(cpu);
    return cpu;
  }
  /**
   * tfjs' stock slot arithmetic with cpu ops: momentum a' = momentum·a + g; RMSProp ms' = ms·decay + g²·(1−decay),
   * mom' = mom·momentum + (g·lr)/sqrt(ms' + eps).
   */
  async function stockSlots(): Promise<Float32Array[]> {
    await tf.setBackend('cpu');
    return tf.tidy(() => {
      const [ts, tq, tg] = [tf.tensor(signed), tf.tensor(square), tf.tensor(g)];
      if (!rms) return [Float32Array.from(tf.add(tf.mul(MOMENTUM.momentum, ts), tg).dataSync())];
      const ms1 = tf.add(tf.mul(tq, RMSPROP.decay), tf.mul(tf.square(tg), RMSPROP.oneMinusDecay));
      const step = tf.div(tf.mul(tg, RMSPROP.learningRate), tf.sqrt(tf.add(ms1, RMSPROP.epsilon)));
      const mom1 = tf.add(tf.mul(ts, RMSPROP.momentum), step);
      return [Float32Array.from(ms1.dataSync()), Float32Array.from(mom1.dataSync())];
    });
  }

  it('flushes subnormal slots to 0 on every path alike; normal values and x′ are as tfjs computes them', async () => {
    const stock = await stockSlots();
    for (const slot of stock) {
      expect(slot.some(isSubnormal), 'the case reaches the subnormal range').toBe(true);
      expect(slot.some((y, i) => !isSubnormal(y) && g[i] === 0 && y !== 0), 'and has tiny normal values too').toBe(true);
    }
    const [x1, ...slots1] = await allPaths();
    expect(slots1).toEqual(stock.map(flushed));
    setOptimizerFlushSubnormals(false);
    const [x0] = await allPaths();
    // The weights move by less than their last bit either way at these magnitudes.
    expect(x1).toEqual(x0);
  });

  it('NB_OPTIMIZER_FTZ off (setOptimizerFlushSubnormals(false)): tfjs\' exact subnormal slots on every path', async () => {
    const stock = await stockSlots();
    setOptimizerFlushSubnormals(false);
    const [, ...slots0] = await allPaths();
    expect(slots0).toEqual(stock);
  });

  it('NB_ADAM_FTZ is Adam\'s alone: setAdamFlushSubnormals(false) leaves this flush on', async () => {
    const stock = await stockSlots();
    setAdamFlushSubnormals(false);
    const [, ...slots1] = await allPaths();
    expect(slots1).toEqual(stock.map(flushed));
  });
});
