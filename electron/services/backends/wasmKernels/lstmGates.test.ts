import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { seededUniform } from '../../testing/seededUniform';
import { setSimdKernelsEnabled } from './simdModules';
import { hasLstmGatesKernels, NB_LSTM_GATES, NB_LSTM_GATES_GRAD } from './lstmGates';

/** tfjs-layers' activations as the stock LSTMCell applies them (K.hardSigmoid and the tfjs-core ops). */
const STOCK: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  hardSigmoid: (x) => tf.clipByValue(tf.add(0.5, tf.mul(0.2, x)), 0, 1),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  linear: (x) => x,
};

/** The stock cell's gate ops (LSTMCell.call after z), composed. */
function stockGates(z: tf.Tensor, c: tf.Tensor, act: string, rec: string): [tf.Tensor, tf.Tensor] {
  const [z0, z1, z2, z3] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const i = STOCK[rec]!(z0);
  const f = STOCK[rec]!(z1);
  const cNext = tf.add(tf.mul(f, c), tf.mul(i, STOCK[act]!(z2)));
  const o = STOCK[rec]!(z3);
  return [tf.mul(o, STOCK[act]!(cNext)), cNext];
}

function fusedGates(z: tf.Tensor, c: tf.Tensor, act: string, rec: string): [tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(NB_LSTM_GATES, { z, c }, { activation: act, recurrentActivation: rec }) as [tf.Tensor, tf.Tensor];
}

interface Result { h: Float32Array; c: Float32Array; dz: Float32Array; dc: Float32Array }

/**
 * h, c' and the gradients of z and c for the loss Σ h·wh (+ Σ c'·wc when `carryLoss`: without it c' reaches no loss,
 * as the last step's carry). z spans ±4 so hard sigmoid is clipped on both sides for some values.
 */
function run(gates: typeof fusedGates, batch: number, units: number, act: string, rec: string, carryLoss: boolean): Result {
  return tf.tidy(() => {
    const z = tf.tensor2d(seededUniform(batch * 4 * units, 31, -4, 4), [batch, 4 * units]);
    const c = tf.tensor2d(seededUniform(batch * units, 32, -2, 2), [batch, units]);
    const wh = tf.tensor2d(seededUniform(batch * units, 33), [batch, units]);
    const wc = tf.tensor2d(seededUniform(batch * units, 34), [batch, units]);
    const [h, cNext] = gates(z, c, act, rec);
    const [dz, dc] = tf.grads((zz: tf.Tensor, cc: tf.Tensor) => {
      const [hh, cn] = gates(zz, cc, act, rec);
      const loss = tf.sum(tf.mul(hh, wh));
      return carryLoss ? tf.add(loss, tf.sum(tf.mul(cn, wc))) : loss;
    })([z, c]) as [tf.Tensor, tf.Tensor];
    return {
      h: h.dataSync() as Float32Array,
      c: cNext.dataSync() as Float32Array,
      dz: dz.dataSync() as Float32Array,
      dc: dc.dataSync() as Float32Array,
    };
  });
}

function expectClose(actual: Result, expected: Result, tolerance: number, label: string): void {
  for (const key of ['h', 'c', 'dz', 'dc'] as const) {
    const a = actual[key];
    const e = expected[key];
    expect(a.length, `${label} ${key}`).toBe(e.length);
    for (let i = 0; i < e.length; i++) {
      const tol = tolerance * Math.max(1, Math.abs(e[i]!));
      if (!(Math.abs(a[i]! - e[i]!) <= tol)) throw new Error(`${label} ${key}[${i}]: ${a[i]} vs ${e[i]} (tolerance ${tol})`);
    }
  }
}

const COMBOS: [string, string][] = [
  ['tanh', 'hardSigmoid'], // tfjs-layers' default LSTM
  ['tanh', 'sigmoid'], // PyTorch's / Keras 3's
  ['relu', 'hardSigmoid'],
  ['sigmoid', 'tanh'],
  ['linear', 'linear'],
];
// 6 units: one vector of 4 and a scalar tail of 2 in the SIMD kernel; 16: vectors only.
const SHAPES: [number, number][] = [[5, 6], [3, 16], [1, 1]];

async function stockOnCpu(batch: number, units: number, act: string, rec: string, carryLoss: boolean): Promise<Result> {
  await tf.setBackend('cpu');
  return run(stockGates, batch, units, act, rec, carryLoss);
}

describe('NbLstmGates / NbLstmGatesGrad', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    await tf.setBackend('cpu');
    expect(hasLstmGatesKernels('cpu')).toBe(true);
    expect(hasLstmGatesKernels('wasm')).toBe(true);
  });

  it.each(COMBOS)('cpu: the stock ops\' bits forward and their gradients (activation %s, recurrent %s)', async (act, rec) => {
    for (const [batch, units] of SHAPES) {
      for (const carryLoss of [true, false]) {
        const expected = await stockOnCpu(batch, units, act, rec, carryLoss);
        const actual = run(fusedGates, batch, units, act, rec, carryLoss);
        expect(Array.from(actual.h), `h ${batch}×${units}`).toEqual(Array.from(expected.h));
        expect(Array.from(actual.c), `c ${batch}×${units}`).toEqual(Array.from(expected.c));
        expectClose(actual, expected, 1e-6, `cpu ${act}/${rec} ${batch}×${units} carryLoss=${carryLoss}`);
      }
    }
  });

  it.each(COMBOS)('wasm SIMD and wasm JavaScript loops = the stock ops on cpu (activation %s, recurrent %s)', async (act, rec) => {
    for (const [batch, units] of SHAPES) {
      for (const carryLoss of [true, false]) {
        const expected = await stockOnCpu(batch, units, act, rec, carryLoss);
        for (const simd of [true, false]) {
          setSimdKernelsEnabled(simd);
          try {
            await tf.setBackend('wasm');
            const before = tf.memory().numTensors;
            const actual = run(fusedGates, batch, units, act, rec, carryLoss);
            expect(tf.memory().numTensors).toBe(before);
            // SIMD tanh is a rational approximation within 3.6e-7; products of gates stay within a few of those.
            expectClose(actual, expected, simd ? 2e-6 : 1e-6, `wasm simd=${simd} ${act}/${rec} ${batch}×${units} carryLoss=${carryLoss}`);
          } finally {
            setSimdKernelsEnabled(true);
          }
        }
      }
    }
  });

  it('says what is wrong with its inputs', async () => {
    await tf.setBackend('wasm');
    const z = tf.zeros([2, 8]);
    const c = tf.zeros([2, 2]);
    expect(() => tf.engine().runKernel(NB_LSTM_GATES, { z, c: tf.zeros([2, 3]) }, { activation: 'tanh', recurrentActivation: 'sigmoid' }))
      .toThrow('NbLstmGates: c must be [2, 2], got shape [2, 3]');
    expect(() => tf.engine().runKernel(NB_LSTM_GATES, { z: tf.zeros([2, 7]), c }, { activation: 'tanh', recurrentActivation: 'sigmoid' }))
      .toThrow('z must be [batch, 4·units]');
    expect(() => tf.engine().runKernel(NB_LSTM_GATES, { z, c }, { activation: 'elu', recurrentActivation: 'sigmoid' }))
      .toThrow('activation must be one of tanh, sigmoid, relu, linear, got elu');
    expect(() => tf.engine().runKernel(NB_LSTM_GATES_GRAD, { dh: tf.zeros([2, 2]), z, c }, { activation: 'tanh', recurrentActivation: 'softmax' }))
      .toThrow('recurrentActivation must be one of hardSigmoid, sigmoid, tanh, linear, got softmax');
  });
});
