import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { NB_LSTM_GATES, NB_LSTM_GATES_GRAD, setLstmGatesEnabled } from '../backends/wasmKernels/lstmGates';
import { seededUniform } from '../testing/seededUniform';
import { fastLstm, fastLstmStats } from './fastLstm';

const T = 7;
const F = 5;
const BATCH = 6;

type LstmFactory = (args: Parameters<typeof tfl.layers.lstm>[0]) => tfl.layers.Layer;

/** Input [T, F] → LSTM 6 (sequences) → LSTM 4 → softmax 3, every weight seeded, so two builds start equal. */
function buildModel(lstm: LstmFactory, cell: Partial<Parameters<typeof tfl.layers.lstm>[0]> = {}): tfl.LayersModel {
  const input = tfl.input({ shape: [T, F], name: 'in' });
  const l1 = lstm({ units: 6, returnSequences: true, name: 'lstm_a', ...cell }).apply(input) as tfl.SymbolicTensor;
  const l2 = lstm({ units: 4, name: 'lstm_b', ...cell }).apply(l1) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(l2) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out, name: 'lstm_model' });
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(seededUniform(w.size, 100 + i, -0.5, 0.5), w.shape)));
  return model;
}

/** Three Adam steps of categorical cross-entropy on seeded data; returns every weight after them and the losses. */
async function train(model: tfl.LayersModel): Promise<{ weights: Float32Array[]; losses: number[] }> {
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.tensor3d(seededUniform(BATCH * T * F, 7, -2, 2), [BATCH, T, F]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0, 2], 'int32'), 3);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) losses.push(Number(await model.trainOnBatch(x, y)));
  tf.dispose([x, y]);
  return { weights: model.getWeights().map((w) => w.dataSync() as Float32Array), losses };
}

function expectWeightsClose(actual: Float32Array[], expected: Float32Array[], tolerance: number, label: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, k) => {
    const e = expected[k]!;
    for (let i = 0; i < e.length; i++) {
      const tol = tolerance * Math.max(1, Math.abs(e[i]!));
      if (!(Math.abs(a[i]! - e[i]!) <= tol)) throw new Error(`${label}: weight ${k}[${i}] ${a[i]} vs ${e[i]} (tolerance ${tol})`);
    }
  });
}

async function stockOnCpu(cell: Partial<Parameters<typeof tfl.layers.lstm>[0]> = {}): Promise<{ weights: Float32Array[]; losses: number[] }> {
  await tf.setBackend('cpu');
  return train(buildModel(tfl.layers.lstm, cell));
}

/** Trains with our layer, counting fused cell steps and which kernels the last step ran. */
async function trainFast(cell: Partial<Parameters<typeof tfl.layers.lstm>[0]> = {}) {
  const model = buildModel(fastLstm, cell);
  const before = fastLstmStats.fusedSteps;
  const result = await train(model);
  const fusedSteps = fastLstmStats.fusedSteps - before;
  const x = tf.zeros([2, T, F]);
  const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 3);
  const info = await tf.profile(async () => {
    await model.trainOnBatch(x, y);
  });
  tf.dispose([x, y]);
  const counts: Record<string, number> = {};
  for (const k of info.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
  return { ...result, fusedSteps, kernels: new Set(info.kernels.map((k) => k.name)), counts, model };
}

describe('FastLSTM', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('trains like the stock LSTM on cpu: same losses and weights after three Adam steps', async () => {
    const expected = await stockOnCpu();
    const actual = await trainFast();
    // Two layers × 7 time steps × 3 steps (trainOnBatch's forward; the gradients replay the tape, not the cell).
    expect(actual.fusedSteps).toBe(2 * T * 3);
    expect(actual.kernels.has(NB_LSTM_GATES) && actual.kernels.has(NB_LSTM_GATES_GRAD)).toBe(true);
    expect(actual.kernels.has('SplitV')).toBe(false);
    // The sequence path: per layer one product for x·W over all steps and one h·U per step after the first (+ the head's).
    expect(actual.counts['_FusedMatMul']).toBe(2 * T + 1);
    actual.losses.forEach((l, i) => expect(l).toBeCloseTo(expected.losses[i]!, 6));
    expectWeightsClose(actual.weights, expected.weights, 1e-5, 'cpu');
  });

  it('trains on wasm (SIMD gates) like the stock LSTM on cpu, within 1e-4', async () => {
    const expected = await stockOnCpu();
    await tf.setBackend('wasm');
    const actual = await trainFast();
    expect(actual.fusedSteps).toBe(2 * T * 3);
    actual.losses.forEach((l, i) => expect(Math.abs(l - expected.losses[i]!)).toBeLessThan(1e-5));
    expectWeightsClose(actual.weights, expected.weights, 1e-4, 'wasm');
  });

  it('without a bias and with relu/sigmoid activations, on cpu and wasm', async () => {
    for (const cell of [{ useBias: false }, { activation: 'relu' as const, recurrentActivation: 'sigmoid' as const }]) {
      const expected = await stockOnCpu(cell);
      for (const backend of ['cpu', 'wasm']) {
        await tf.setBackend(backend);
        const actual = await trainFast(cell);
        expect(actual.fusedSteps, JSON.stringify(cell)).toBe(2 * T * 3);
        expectWeightsClose(actual.weights, expected.weights, backend === 'cpu' ? 1e-5 : 1e-4, `${JSON.stringify(cell)} ${backend}`);
      }
    }
  });

  it('runs the stock RNN loop with the fused cell where the sequence path does not apply (goBackwards)', async () => {
    const expected = await stockOnCpu({ goBackwards: true });
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const actual = await trainFast({ goBackwards: true });
      expect(actual.fusedSteps).toBe(2 * T * 3);
      expect(actual.counts['_FusedMatMul']).toBe(2 * 2 * T + 1); // x·W and h·U per step, per layer
      expectWeightsClose(actual.weights, expected.weights, backend === 'cpu' ? 1e-5 : 1e-4, `goBackwards ${backend}`);
    }
  });

  it('keeps the stock cell where the kernel does not apply: other activations, dropout, the switch off', async () => {
    await tf.setBackend('wasm');
    for (const cell of [{ activation: 'elu' as const }, { recurrentActivation: 'softmax' as const }, { recurrentDropout: 0.3, seed: 1 }]) {
      const run = await trainFast(cell);
      expect(run.fusedSteps, JSON.stringify(cell)).toBe(0);
      expect(run.kernels.has(NB_LSTM_GATES)).toBe(false);
    }
    const expected = await stockOnCpu();
    await tf.setBackend('wasm');
    setLstmGatesEnabled(false);
    try {
      const run = await trainFast();
      expect(run.fusedSteps).toBe(0);
      expect(run.kernels.has('SplitV')).toBe(true);
      expectWeightsClose(run.weights, expected.weights, 1e-4, 'switch off');
    } finally {
      setLstmGatesEnabled(true);
    }
  });

  it('saves as the stock layer: same class names, config and weight names', async () => {
    await tf.setBackend('cpu');
    const stock = buildModel(tfl.layers.lstm);
    const fast = buildModel(fastLstm);
    expect(fast.toJSON(null, false)).toEqual(stock.toJSON(null, false));
    expect(fast.weights.map((w) => w.originalName)).toEqual(stock.weights.map((w) => w.originalName));
    expect(fast.getLayer('lstm_a').getClassName()).toBe('LSTM');
  });
});
