/**
 * The key cross-check: for every layer type (and param variants) our catalog's shapes and parameter counts must equal
 * what tfjs-layers builds. If a spec's formula drifts from tfjs, this fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../../../shared/document/model';
import { listLayerSpecs } from '../../../shared/catalog/registry';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { buildGraph, buildChain, buildDeepChain, type EdgeTuple, type NodeTuple } from '../../../shared/inference/buildGraph';
import { MAX_NODES } from '../../../shared/format/loadGraphFile';
import { loadModelFromDir, modelToFiles } from '../training/modelFiles';
import { writeModelFiles } from '../training/writeModelFiles';
import { leafLayers } from './leafLayers';
import { compileGraph, GraphCompileError, sanitizeName } from './compileGraph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const IMAGE = { kind: 'image', height: 9, width: 9, channels: 3 } as const;
const VECTOR = { kind: 'vector', size: 6 } as const;
const SEQUENCE = { kind: 'sequence', length: 5, features: 4 } as const;
const TOKENS = { kind: 'tokens', length: 7 } as const;

interface Case {
  readonly name: string;
  readonly input: Params;
  /** Nodes after `input`; a chain unless `edges` is given. */
  readonly nodes: readonly NodeTuple[];
  readonly edges?: readonly EdgeTuple[];
}

const single = (type: string, input: Params, variants: readonly Params[]): Case[] =>
  variants.map((params) => ({ name: `${type} ${JSON.stringify(params)} on ${String(input.kind)}`, input, nodes: [['x', type, params]] }));

const CASES: Case[] = [
  ...single('Dense', VECTOR, [{ units: 5 }, { units: 5, useBias: false }, { units: 3, activation: 'leakyRelu' }]),
  ...['linear', 'relu', 'elu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax'].flatMap((activation) =>
    single('Dense', VECTOR, [{ units: 4, activation }]),
  ),
  ...single('Dense', SEQUENCE, [{ units: 3 }]),
  ...single('Conv2D', IMAGE, [
    { filters: 4 },
    { filters: 4, kernelSize: [5, 5], padding: 'valid' },
    { filters: 2, strides: [2, 2], padding: 'same' },
    { filters: 2, strides: [2, 2], padding: 'valid' },
    { filters: 2, kernelSize: [3, 2], strides: [1, 2], padding: 'valid' },
    { filters: 2, dilationRate: [2, 2], padding: 'valid' },
    { filters: 2, dilationRate: [2, 2], padding: 'same' },
    { filters: 3, useBias: false, activation: 'leakyRelu' },
  ]),
  ...single('WSConv2D', IMAGE, [
    { filters: 4 },
    { filters: 2, kernelSize: [3, 2], strides: [1, 2], padding: 'valid', useBias: false },
    { filters: 3, strides: [2, 2], activation: 'leakyRelu', eps: 1e-3 },
    { filters: 2, activation: 'gelu' },
  ]),
  ...single('SkipInit', IMAGE, [{}, { initialValue: 0.5 }]),
  ...single('SkipInit', VECTOR, [{}]),
  ...single('DepthwiseConv2D', IMAGE, [{}, { depthMultiplier: 2, strides: [2, 2], padding: 'valid' }, { useBias: false, kernelSize: [5, 5] }]),
  ...single('SeparableConv2D', IMAGE, [
    { filters: 5 },
    { filters: 5, strides: [2, 2] },
    { filters: 4, depthMultiplier: 2, useBias: false, padding: 'valid' },
  ]),
  ...single('Conv2DTranspose', IMAGE, [
    { filters: 2 },
    { filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: 'valid' },
    { filters: 2, kernelSize: [2, 2], strides: [3, 3], padding: 'valid' },
    { filters: 2, strides: [1, 1], padding: 'valid', useBias: false },
  ]),
  ...single('MaxPool2D', IMAGE, [{}, { poolSize: [3, 3], strides: [1, 1], padding: 'same' }, { padding: 'same' }]),
  ...single('AvgPool2D', IMAGE, [{}, { poolSize: [3, 3], strides: [2, 2], padding: 'valid' }, { padding: 'same' }]),
  ...single('GlobalAvgPool2D', IMAGE, [{}]),
  ...single('GlobalMaxPool2D', IMAGE, [{}]),
  ...single('Flatten', IMAGE, [{}]),
  ...single('Flatten', SEQUENCE, [{}]),
  ...single('Flatten', VECTOR, [{}]),
  ...single('Reshape', VECTOR, [{ targetShape: [2, 3] }, { targetShape: [3, -1, 1] }]),
  ...single('Reshape', IMAGE, [{ targetShape: [27, 9] }]),
  ...single('Dropout', IMAGE, [{ rate: 0.5 }]),
  ...single('BatchNorm', IMAGE, [{}]),
  ...single('BatchNorm', VECTOR, [{ momentum: 0.9, epsilon: 0.01 }]),
  ...single('LayerNorm', SEQUENCE, [{}]),
  ...single('LayerNorm', VECTOR, [{ epsilon: 1e-5 }]),
  ...['relu', 'leakyRelu', 'elu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax', 'linear'].flatMap((activation) =>
    single('Activation', SEQUENCE, [{ activation }]),
  ),
  ...single('LSTM', SEQUENCE, [{ units: 3 }, { units: 3, returnSequences: true }, { units: 2, useBias: false }]),
  ...single('GRU', SEQUENCE, [{ units: 3 }, { units: 3, returnSequences: true }, { units: 2, useBias: false, activation: 'relu' }]),
  ...single('UpSampling2D', IMAGE, [{}, { size: [2, 3], interpolation: 'bilinear' }]),
  ...single('ZeroPadding2D', IMAGE, [{}, { padding: [0, 2, 1, 3] }]),
  { name: 'Embedding → LSTM on tokens', input: TOKENS, nodes: [['x', 'Embedding', { inputDim: 20, outputDim: 4 }], ['y', 'LSTM', { units: 3 }]] },
  { name: 'Embedding → GlobalAvg via Flatten', input: TOKENS, nodes: [['x', 'Embedding', { inputDim: 11, outputDim: 3 }]] },
  ...(['Add', 'Multiply'] as const).map((type) => ({
    name: `${type} of a skip and a conv`,
    input: IMAGE,
    nodes: [['a', 'Conv2D', { filters: 3 }], ['x', type]] as NodeTuple[],
    edges: [['input', 'a'], ['a', 'x', 0], ['input', 'x', 0], ['x', 'tail']] as EdgeTuple[],
  })),
  {
    name: 'Add of three inputs',
    input: VECTOR,
    nodes: [['a', 'Dense', { units: 6 }], ['b', 'Dense', { units: 6 }], ['x', 'Add']],
    edges: [['input', 'a'], ['input', 'b'], ['a', 'x'], ['b', 'x'], ['input', 'x'], ['x', 'tail']],
  },
  {
    name: 'Concatenate channels in port order',
    input: IMAGE,
    nodes: [['a', 'Conv2D', { filters: 2 }], ['b', 'Conv2D', { filters: 5, kernelSize: [1, 1] }], ['x', 'Concatenate']],
    edges: [['input', 'a'], ['input', 'b'], ['b', 'x', 0], ['a', 'x', 1], ['input', 'x', 2], ['x', 'tail']],
  },
  {
    name: 'Concatenate sequences along time (axis 1)',
    input: SEQUENCE,
    nodes: [['a', 'Dense', { units: 4 }], ['x', 'Concatenate', { axis: 1 }]],
    edges: [['input', 'a'], ['input', 'x', 0], ['a', 'x', 1], ['x', 'tail']],
  },
];

/** Wraps a case as Input → case → Flatten → Output(regression) so every case is a trainable model. */
function caseGraph(c: Case, output: Params = { task: 'regression', units: 1 }) {
  const nodes: NodeTuple[] = [['input', 'Input', c.input], ...c.nodes, ['tail', 'Flatten'], ['out', 'Output', output]];
  if (!c.edges) return buildChain(nodes, c.name);
  return buildGraph(nodes, [...c.edges, ['tail', 'out']], c.name);
}

describe('compileGraph matches tfjs for every layer type', () => {
  it('covers all 27 layer types', () => {
    const covered = new Set(['Input', 'Output', 'Flatten', ...CASES.flatMap((c) => c.nodes.map((n) => n[1]))]);
    expect([...covered].sort()).toEqual(listLayerSpecs().map((s) => s.type).sort());
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const doc = caseGraph(c);
    const analysis = analyzeGraph(doc);
    expect(analysis.issues).toEqual([]);
    const compiled = compileGraph(doc, { analysis });
    try {
      expect(analysis.totals.params).toBe(compiled.model.countParams());
      for (const [nodeId, names] of compiled.layerNames) {
        const last = names[names.length - 1];
        if (last === undefined) continue; // pass-through node (Flatten on a vector)
        const tfShape = compiled.model.getLayer(last).outputShape as (number | null)[];
        expect([nodeId, tfShape.slice(1)]).toEqual([nodeId, analysis.nodes.get(nodeId)?.output]);
        // Every node's own layers hold exactly the params we attribute to it.
        const tfParams = names.reduce((sum, n) => sum + compiled.model.getLayer(n).countParams(), 0);
        expect([nodeId, tfParams]).toEqual([nodeId, analysis.nodes.get(nodeId)?.params]);
      }
      // And the model really runs.
      const inShape = analysis.nodes.get('input')?.output ?? [];
      const x = c.input.kind === 'tokens' ? tf.zeros([2, ...inShape], 'int32') : tf.randomNormal([2, ...inShape]);
      const y = compiled.model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 1]);
      tf.dispose([x, y]);
    } finally {
      compiled.model.dispose();
    }
  });
});

describe('compileGraph heads and naming', () => {
  it.each([
    ['classification', { task: 'classification', units: 3 }, 'softmax', 'categoricalCrossentropy', 3],
    ['binary', { task: 'binary' }, 'sigmoid', 'binaryCrossentropy', 1],
    ['regression', { task: 'regression', units: 2 }, 'linear', 'meanSquaredError', 2],
  ] as const)('%s head', (_n, output, activation, loss, units) => {
    const doc = buildChain([['input', 'Input', VECTOR], ['h', 'Dense', { units: 4 }], ['out', 'Output', output]]);
    const compiled = compileGraph(doc);
    expect(compiled.head).toMatchObject({ loss, units });
    expect(compiled.inputNodeId).toBe('input');
    expect(compiled.outputNodeId).toBe('out');
    const config = compiled.model.getLayer('out').getConfig();
    expect(config.activation).toBe(activation);
    expect(compiled.model.outputs[0]?.shape).toEqual([null, units]);
    compiled.model.dispose();
  });

  it('turns node ids into unique, valid layer names', () => {
    expect(sanitizeName('conv 1/a')).toBe('conv_1_a');
    expect(sanitizeName('_x')).toBe('n_x');
    const doc = buildChain([
      ['in put', 'Input', VECTOR],
      ['a b', 'Dense', { units: 3, activation: 'leakyRelu' }],
      ['a_b', 'Dense', { units: 2 }],
      ['out', 'Output', { units: 2 }],
    ]);
    const compiled = compileGraph(doc);
    expect(Object.fromEntries(compiled.layerNames)).toEqual({
      'in put': ['in_put'],
      'a b': ['a_b', 'a_b__act'],
      a_b: ['a_b_2'],
      out: ['out'],
    });
    expect(compiled.model.layers.map((l) => l.name)).toEqual(['in_put', 'a_b', 'a_b__act', 'a_b_2', 'out']);
    compiled.model.dispose();
  });

  it('leaves side branches that do not reach the Output out of the model', () => {
    const doc = buildGraph(
      [['input', 'Input', VECTOR], ['side', 'Dense', { units: 50 }], ['h', 'Dense', { units: 3 }], ['out', 'Output', { units: 2 }]],
      [['input', 'side'], ['input', 'h'], ['h', 'out']],
    );
    const compiled = compileGraph(doc);
    expect(compiled.model.layers.map((l) => l.name)).not.toContain('side');
    expect(compiled.model.countParams()).toBe(6 * 3 + 3 + 3 * 2 + 2);
    compiled.model.dispose();
  });

  it('is reproducible with a seed', () => {
    const doc = buildChain([['input', 'Input', VECTOR], ['h', 'Dense', { units: 4 }], ['out', 'Output', { units: 2 }]]);
    const weights = (seed: number) => {
      const m = compileGraph(doc, { seed }).model;
      const w = Array.from(m.getLayer('h').getWeights()[0]!.dataSync());
      m.dispose();
      return w;
    };
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });

  it('trains a model with every kind of layer for one step (gradients exist on cpu)', async () => {
    const doc = buildGraph(
      [
        ['input', 'Input', { kind: 'image', height: 8, width: 8, channels: 2 }],
        ['c', 'Conv2D', { filters: 4, activation: 'gelu' }],
        ['bn', 'BatchNorm'],
        ['dw', 'DepthwiseConv2D', { activation: 'swish' }],
        ['ws', 'WSConv2D', { filters: 4, activation: 'linear' }],
        ['skip', 'SkipInit', { initialValue: 0.1 }],
        ['add', 'Add'],
        ['sep', 'SeparableConv2D', { filters: 4, strides: [2, 2], activation: 'leakyRelu' }],
        ['up', 'Conv2DTranspose', { filters: 2 }],
        ['cat', 'Concatenate'],
        ['pool', 'AvgPool2D'],
        ['r', 'Reshape', { targetShape: [16, 4] }],
        ['gru', 'GRU', { units: 4, returnSequences: true }],
        ['ln', 'LayerNorm'],
        ['lstm', 'LSTM', { units: 4 }],
        ['drop', 'Dropout', { rate: 0.3 }],
        ['act', 'Activation', { activation: 'elu' }],
        ['out', 'Output', { task: 'classification', units: 3 }],
      ],
      [
        ['input', 'c'], ['c', 'bn'], ['bn', 'dw'], ['dw', 'ws'], ['ws', 'skip'], ['skip', 'add'], ['bn', 'add'], ['add', 'sep'], ['sep', 'up'],
        ['up', 'cat', 0], ['input', 'cat', 1], ['cat', 'pool'], ['pool', 'r'], ['r', 'gru'], ['gru', 'ln'], ['ln', 'lstm'],
        ['lstm', 'drop'], ['drop', 'act'], ['act', 'out'],
      ],
    );
    const compiled = compileGraph(doc, { seed: 1 });
    compiled.model.compile({ optimizer: 'adam', loss: compiled.head.loss });
    const x = tf.randomNormal([4, 8, 8, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const history = await compiled.model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every((l) => Number.isFinite(l))).toBe(true);
    tf.dispose([x, y]);
    compiled.model.dispose();
  });
});

describe('compileGraph refuses', () => {
  it('graphs with errors, naming the node', () => {
    const doc = buildChain([['input', 'Input', { kind: 'image' }], ['d', 'Dense'], ['out', 'Output']]);
    expect(() => compileGraph(doc)).toThrowError(GraphCompileError);
    try {
      compileGraph(doc);
    } catch (err) {
      expect(err).toMatchObject({ code: 'graph-has-errors', nodeId: 'd' });
      expect((err as Error).message).toContain('Dense expects a flat vector');
    }
  });

  it('graphs without exactly one Input and one Output', () => {
    const twoInputs = buildGraph(
      [['a', 'Input', VECTOR], ['b', 'Input', VECTOR], ['add', 'Add'], ['out', 'Output', { units: 2 }]],
      [['a', 'add'], ['b', 'add'], ['add', 'out']],
    );
    expect(() => compileGraph(twoInputs)).toThrowError(expect.objectContaining({ code: 'input-count', nodeId: 'b' }));
    const twoOutputs = buildGraph(
      [['input', 'Input', VECTOR], ['o1', 'Output', { units: 2 }], ['o2', 'Output', { units: 2 }]],
      [['input', 'o1'], ['input', 'o2']],
    );
    expect(() => compileGraph(twoOutputs)).toThrowError(expect.objectContaining({ code: 'output-count', nodeId: 'o2' }));
  });
});

describe('compileGraph on graphs as deep as the loader allows', () => {
  it(`builds a ${MAX_NODES}-node chain, predicts, trains a step and serialises it (no recursion over depth)`, async () => {
    const doc = buildDeepChain(MAX_NODES);
    const compiled = compileGraph(doc, { seed: 3 });
    const { model } = compiled;
    expect(model.countParams()).toBe(compiled.analysis.totals.params);
    expect(compiled.layerNames.get('d4999')).toBeUndefined();
    expect(compiled.layerNames.get('d4998')).toEqual(['d4998']);
    // Nested segments hide no layer from code that inspects them all.
    expect(leafLayers(model).filter((l) => l.getClassName() === 'Dense')).toHaveLength(MAX_NODES - 1);
    const x = tf.randomNormal([3, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0], 'int32'), 2);
    const predicted = model.predict(x) as tf.Tensor;
    expect(predicted.shape).toEqual([3, 2]);
    model.compile({ optimizer: 'sgd', loss: compiled.head.loss });
    const loss = (await model.trainOnBatch(x, y)) as number;
    expect(Number.isFinite(loss)).toBe(true);
    // The saved model (nested segments) loads back and predicts what the trained model predicts.
    const files = await modelToFiles(model);
    expect(files.map((f) => f.name).sort()).toEqual(['model.json', 'weights.bin']);
    const dir = await mkdtemp(path.join(tmpdir(), 'deep-chain-'));
    try {
      await writeModelFiles(dir, files);
      const loaded = await loadModelFromDir(dir);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    tf.dispose([x, y, predicted]);
    model.dispose();
  }, 120_000);
});
