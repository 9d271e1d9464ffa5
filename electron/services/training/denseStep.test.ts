/**
 * The dense step (denseStep.ts) against tfjs' own trainOnBatch on the wasm backend: two copies of the same seeded model,
 * one trained by trainOnBatch, one by the dense step (or by both, alternating) — every returned loss and accuracy,
 * every weight, BatchNorm moving statistic and optimizer slot must be the same bits after every step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument, GraphEdge, GraphNode, Params } from '../../../shared/document/model';
import { selectBackend } from '../backends/selectBackend';
import { compileGraph } from '../compiler/compileGraph';
import { readGraphFile } from '../files/readGraphFile';
import { seededUniform } from '../testing/seededUniform';
import { createOptimizer } from './createOptimizer';
import { denseStepStats, planDenseStep, setDenseStepEnabled, type DenseStep } from './denseStep';
import { compiledLoss } from './fusedLosses';
import { chainGraph, readExample, SPIRALS_MLP } from './referenceGraphs';
import { runTraining } from './runTraining';

/** A graph from [id, type, params, inputs]. */
function dag(name: string, bricks: readonly [string, string, Params, string[]][]): GraphDocument {
  const nodes: GraphNode[] = bricks.map(([id, type, params], i) => ({ id, type, params, position: { x: i * 200, y: 0 } }));
  const edges: GraphEdge[] = bricks.flatMap(([id, , , inputs]) =>
    inputs.map((source, port) => ({ id: `${source}-${id}-${port}`, source, target: id, targetPort: port })),
  );
  return { metadata: { name }, nodes, edges, groups: [] };
}

/** Two skips into one Add chain, a linear Dense without bias, BatchNorm on a branch: every accumulation order. */
const BRANCHY = dag('branchy', [
  ['input', 'Input', { kind: 'vector', size: 20 }, []],
  ['d1', 'Dense', { units: 32, activation: 'relu' }, ['input']],
  ['d2', 'Dense', { units: 32, activation: 'linear', useBias: false }, ['d1']],
  ['bn', 'BatchNorm', { momentum: 0.9 }, ['d1']],
  ['add1', 'Add', {}, ['d2', 'bn', 'd1']],
  ['d3', 'Dense', { units: 16, activation: 'relu' }, ['add1']],
  ['add2', 'Add', {}, ['d3', 'd3']],
  ['output', 'Output', { task: 'classification', units: 5 }, ['add2']],
]);

const REGRESSION = dag('regression', [
  ['input', 'Input', { kind: 'vector', size: 6 }, []],
  ['d1', 'Dense', { units: 24, activation: 'relu' }, ['input']],
  ['bn', 'BatchNorm', {}, ['d1']],
  ['d2', 'Dense', { units: 24, activation: 'relu' }, ['bn']],
  ['add', 'Add', {}, ['bn', 'd2']],
  ['output', 'Output', { task: 'regression', units: 3 }, ['add']],
]);

async function benchMlp(): Promise<GraphDocument> {
  const read = await readGraphFile(new URL('../../../bench/mlp.nbrick', import.meta.url).pathname);
  if (!read.ok) throw new Error(read.error.message);
  return read.file.graph;
}

/** The metrics the trainer compiles with: accuracy for classifiers, none for regression. */
const metricsOf = (c: ReturnType<typeof compileGraph>): string[] => (c.head.task === 'regression' ? [] : ['accuracy']);

function compiled(doc: GraphDocument, optimizer: string) {
  const c = compileGraph(doc, { seed: 7 });
  c.model.compile({ optimizer: createOptimizer(optimizer as 'adam', 0.01), ...compiledLoss(c.head.loss, metricsOf(c)) });
  return c;
}

function batch(model: tfl.LayersModel, rows: number, step: number) {
  const inShape = model.inputs[0]!.shape.slice(1) as number[];
  const classes = model.outputs[0]!.shape[1] as number;
  const x = seededUniform(rows * inShape.reduce((a, b) => a * b, 1), 100 + step, -2, 2);
  // Image-like inputs are mostly zeros (what the matrix products skip).
  if (inShape.length > 1) for (let i = 0; i < x.length; i++) if (i % 5 !== 0) x[i] = 0;
  const regression = model.layers[model.layers.length - 1]!.getConfig()['activation'] !== 'softmax';
  const y = regression ? seededUniform(rows * classes, 200 + step, -1, 1) : new Float32Array(rows * classes);
  if (!regression) for (let r = 0; r < rows; r++) y[r * classes + ((r * 7 + step) % classes)] = 1;
  return { xs: tf.tensor(x, [rows, ...inShape]), ys: tf.tensor(y, [rows, classes]) };
}

async function state(model: tfl.LayersModel): Promise<Uint32Array[]> {
  const weights = model.getWeights().map((w) => new Uint32Array(Float32Array.from(w.dataSync() as Float32Array).buffer));
  const named = await model.optimizer.getWeights();
  const slots = named.map((w) => new Uint32Array(Float32Array.from(w.tensor.dataSync() as Float32Array).buffer));
  // getWeights makes a fresh tensor for the iteration count; the slots themselves are the optimizer's variables.
  for (const w of named) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  return [...weights, ...slots];
}

function expectSameBits(a: Uint32Array[], b: Uint32Array[], what: string): void {
  expect(a.length, what).toBe(b.length);
  a.forEach((w, i) => {
    let differing = 0;
    for (let j = 0; j < w.length; j++) if (w[j] !== b[i]![j]) differing++;
    expect(differing, `${what}: tensor ${i} (${w.length} values)`).toBe(0);
  });
}

describe('dense step (denseStep.ts) equals trainOnBatch bit for bit on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => setDenseStepEnabled(true));

  const cases: [string, () => Promise<GraphDocument>, string, number][] = [
    ['bench MLP (Flatten, ReLU, BatchNorm, residual Add), Adam', benchMlp, 'adam', 64],
    ['spirals MLP (vector input, three ReLU layers), SGD', async () => SPIRALS_MLP, 'sgd', 32],
    ['branchy: 3-input Add, Add(x, x), linear Dense without bias, BatchNorm on a branch, RMSProp, odd rows', async () => BRANCHY, 'rmsprop', 37],
    ['examples/autoencoder.nbrick (784-128-32-128-784, mean squared error), Adam', async () => (await readExample('autoencoder.nbrick')).graph, 'adam', 64],
    ['regression: BatchNorm, residual Add, linear output of 3, MSE, Momentum', async () => REGRESSION, 'momentum', 20],
  ];
  it.each(cases)('%s', async (_, graph, optimizer, rows) => {
    const doc = await graph();
    const reference = compiled(doc, optimizer);
    const ours = compiled(doc, optimizer);
    const plan = planDenseStep(ours.model, ours.head.loss, metricsOf(ours));
    expect('reason' in plan ? plan.reason : 'planned').toBe('planned');
    const dense = plan as DenseStep;
    const backend = tf.backend() as BackendWasm;
    for (let step = 0; step < 5; step++) {
      const { xs, ys } = batch(ours.model, rows, step);
      const expected = [(await reference.model.trainOnBatch(xs, ys)) as number | number[]].flat();
      const before = { steps: denseStepStats.steps, buffers: backend.numDataIds(), tensors: tf.memory().numTensors };
      // Steps 0, 1, 3, 4 on the dense step, step 2 on trainOnBatch: the two paths share every piece of state.
      const got = [(step === 2 ? await ours.model.trainOnBatch(xs, ys) : dense.step(xs, ys)) as number | number[]].flat();
      expect(denseStepStats.steps - before.steps).toBe(step === 2 ? 0 : 1);
      // Nothing left behind on the heap or in the engine (once the first step made the optimizer's slots).
      if (step >= 3) expect([backend.numDataIds(), tf.memory().numTensors], `step ${step}`).toEqual([before.buffers, before.tensors]);
      expect(got.map((v) => Math.fround(v))).toEqual(expected.map((v) => Math.fround(v)));
      expectSameBits(await state(ours.model), await state(reference.model), `step ${step}`);
      tf.dispose([xs, ys]);
    }
    // A batch that does not fit the model is refused with both shapes named (as trainOnBatch refuses it).
    const wrong = tf.zeros([rows, 3]);
    expect(() => dense.step(wrong, wrong)).toThrow(/takes inputs \[batch,.*got \[\d+,3\]/);
    wrong.dispose();
    reference.model.dispose();
    ours.model.dispose();
  });

  it('says why a model does not qualify, and the trainer keeps trainOnBatch for it', () => {
    const reason = (doc: GraphDocument, loss?: string, metrics: string[] = ['accuracy']) => {
      const c = compileGraph(doc, { seed: 1 });
      c.model.compile({ optimizer: createOptimizer('adam', 0.01), ...compiledLoss(c.head.loss, metrics) });
      const plan = planDenseStep(c.model, loss ?? c.head.loss, metrics);
      c.model.dispose();
      return 'reason' in plan ? plan.reason : 'planned';
    };
    const vector = ['input', 'Input', { kind: 'vector', size: 4 }] as const;
    const out = ['output', 'Output', { task: 'classification', units: 3 }] as const;
    expect(reason(chainGraph('tanh', [vector, ['h', 'Dense', { units: 8, activation: 'tanh' }], out]))).toMatch(/activation tanh/);
    expect(reason(chainGraph('dropout', [vector, ['h', 'Dense', { units: 8, activation: 'relu' }], ['drop', 'Dropout', { rate: 0.5 }], out]))).toMatch(/Dropout/);
    expect(reason(chainGraph('binary', [vector, ['h', 'Dense', { units: 8, activation: 'relu' }], ['output', 'Output', { task: 'binary' }]]), undefined, [])).toMatch(/loss|activation/);
    expect(reason(chainGraph('regression', [vector, ['h', 'Dense', { units: 8, activation: 'relu' }], ['output', 'Output', { task: 'regression', units: 2 }]]), undefined, [])).toBe('planned');
    expect(reason(chainGraph('ok', [vector, ['h', 'Dense', { units: 8, activation: 'relu' }], out]), undefined, ['accuracy'])).toBe('planned');
    setDenseStepEnabled(false);
    expect(reason(chainGraph('off', [vector, ['h', 'Dense', { units: 8, activation: 'relu' }], out]))).toBe('NB_DENSE_STEP=0');
  });

  it('in the trainer: a seeded run with it (telemetry-measured steps on trainOnBatch in between) is the run without it', async () => {
    // The spirals example's data and training block on an all-ReLU MLP (the example's tanh layer does not qualify).
    const file = await readExample('spirals.nbrick');
    const train = async (on: boolean) => {
      setDenseStepEnabled(on);
      const before = denseStepStats.steps;
      let telemetry = 0;
      const result = await runTraining(SPIRALS_MLP, undefined, { ...file.training, epochs: 3, backend: 'wasm' }, {
        keepModel: true,
        callbacks: { onTelemetry: () => telemetry++ },
      });
      const weights = result.model!.getWeights().map((w) => Array.from(new Uint32Array(Float32Array.from(w.dataSync() as Float32Array).buffer)));
      result.model!.dispose();
      return { summary: result.summary, weights, dense: denseStepStats.steps - before, telemetry };
    };
    const fast = await train(true);
    const plain = await train(false);
    expect(fast.dense).toBeGreaterThan(0);
    expect(plain.dense).toBe(0);
    expect(fast.telemetry).toBeGreaterThanOrEqual(2);
    expect(fast.summary.final).toEqual(plain.summary.final);
    expect(fast.weights).toEqual(plain.weights);
  });
});
