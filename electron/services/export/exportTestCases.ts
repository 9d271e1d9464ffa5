/**
 * The graphs the export tests run (PyTorch and ONNX): every example (as shipped and with a linear head), a deep residual
 * net with BatchNorm, a chain deeper than the compiler builds flat, and one small graph per layer variant; and
 * perturbWeights, which moves every weight away from its initial value so a weight loaded into the wrong place shows.
 * Test support only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphDocument, Params } from '../../../shared/document/model';
import { loadGraphFile } from '../../../shared/format';
import { buildChain, buildGraph, type EdgeTuple, type NodeTuple } from '../../../shared/inference/buildGraph';
import { MAX_FLAT_LAYERS } from '../compiler/compileGraph';
import { seededUniform } from '../testing/seededUniform';
import type { ExportSource } from './exportSource';

export const EXAMPLES_DIR = path.join(import.meta.dirname, '../../../examples');

export const IMAGE = { kind: 'image', height: 9, width: 9, channels: 3 } as const;
export const EVEN_IMAGE = { kind: 'image', height: 8, width: 10, channels: 2 } as const;
export const VECTOR = { kind: 'vector', size: 6 } as const;
export const SEQUENCE = { kind: 'sequence', length: 5, features: 4 } as const;
export const TOKENS = { kind: 'tokens', length: 7 } as const;

export interface Case {
  readonly name: string;
  readonly doc: GraphDocument;
}

/** Input → nodes → Flatten → Output (regression), chained unless edges are given. */
export function caseGraph(name: string, input: Params, nodes: readonly NodeTuple[], edges?: readonly EdgeTuple[]): Case {
  const all: NodeTuple[] = [['input', 'Input', input], ...nodes, ['tail', 'Flatten'], ['out', 'Output', { task: 'regression', units: 3 }]];
  return { name, doc: edges ? buildGraph(all, [...edges, ['tail', 'out']], name) : buildChain(all, name) };
}
export const single = (type: string, input: Params, variants: readonly Params[]): Case[] =>
  variants.map((params) => caseGraph(`${type} ${JSON.stringify(params)} on ${String(input.kind)} ${String(input.height ?? '')}`, input, [['x', type, params]]));

export const LAYER_CASES: Case[] = [
  ...single('Dense', VECTOR, [{ units: 5 }, { units: 5, useBias: false }, { units: 3, activation: 'leakyRelu' }]),
  ...['linear', 'elu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax'].flatMap((activation) => single('Dense', VECTOR, [{ units: 4, activation }])),
  ...single('Dense', SEQUENCE, [{ units: 3 }]),
  ...single('Conv2D', IMAGE, [
    { filters: 4 },
    { filters: 4, kernelSize: [5, 5], padding: 'valid' },
    { filters: 2, strides: [2, 2], padding: 'same' },
    { filters: 2, kernelSize: [3, 2], strides: [1, 2], padding: 'valid' },
    { filters: 2, dilationRate: [2, 2], padding: 'same' },
    { filters: 3, useBias: false, activation: 'leakyRelu', kernelSize: [2, 2] },
    { filters: 3, activation: 'softmax' },
  ]),
  ...single('Conv2D', EVEN_IMAGE, [{ filters: 3, kernelSize: [4, 4], strides: [2, 2] }, { filters: 2, kernelSize: [3, 3], strides: [3, 3] }]),
  ...single('WSConv2D', IMAGE, [{ filters: 4 }, { filters: 3, strides: [2, 2], activation: 'leakyRelu', eps: 1e-3, useBias: false }]),
  ...single('SkipInit', IMAGE, [{ initialValue: 0.5 }]),
  ...single('DepthwiseConv2D', IMAGE, [{}, { depthMultiplier: 2, strides: [2, 2], padding: 'valid' }, { useBias: false, kernelSize: [4, 4] }]),
  ...single('SeparableConv2D', IMAGE, [{ filters: 5 }, { filters: 5, strides: [2, 2] }, { filters: 4, depthMultiplier: 2, useBias: false, padding: 'valid' }]),
  ...single('Conv2DTranspose', IMAGE, [
    { filters: 2 },
    { filters: 2, kernelSize: [4, 4], strides: [2, 2] },
    { filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: 'valid' },
    { filters: 2, kernelSize: [2, 2], strides: [3, 3], padding: 'valid' },
    { filters: 2, kernelSize: [2, 2], strides: [3, 3], padding: 'same' },
    { filters: 2, strides: [1, 1], padding: 'valid', useBias: false },
  ]),
  ...single('MaxPool2D', IMAGE, [{}, { poolSize: [3, 3], strides: [1, 1], padding: 'same' }, { padding: 'same' }]),
  ...single('AvgPool2D', IMAGE, [{}, { poolSize: [3, 3], strides: [2, 2], padding: 'valid' }, { padding: 'same' }, { poolSize: [3, 3], strides: [1, 1], padding: 'same' }]),
  ...single('GlobalAvgPool2D', IMAGE, [{}]),
  ...single('GlobalMaxPool2D', IMAGE, [{}]),
  ...single('Flatten', SEQUENCE, [{}]),
  ...single('Reshape', VECTOR, [{ targetShape: [2, 3] }, { targetShape: [3, -1, 1] }]),
  ...single('Reshape', IMAGE, [{ targetShape: [27, 9] }, { targetShape: [9, 3, 9] }]),
  ...single('Dropout', IMAGE, [{ rate: 0.5 }]),
  ...single('BatchNorm', IMAGE, [{}]),
  ...single('BatchNorm', VECTOR, [{ momentum: 0.99, epsilon: 0.01 }]),
  ...single('BatchNorm', SEQUENCE, [{}]),
  ...single('LayerNorm', SEQUENCE, [{}]),
  ...single('LayerNorm', IMAGE, [{}]),
  ...single('LayerNorm', VECTOR, [{ epsilon: 1e-5 }]),
  ...['relu', 'leakyRelu', 'elu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax', 'linear'].flatMap((activation) =>
    single('Activation', SEQUENCE, [{ activation, alpha: 0.3 }]),
  ),
  ...single('Activation', IMAGE, [{ activation: 'softmax' }]),
  ...single('LSTM', SEQUENCE, [{ units: 3 }, { units: 3, returnSequences: true }, { units: 2, useBias: false, activation: 'relu' }]),
  ...single('GRU', SEQUENCE, [{ units: 3 }, { units: 3, returnSequences: true }, { units: 2, useBias: false, activation: 'relu' }]),
  ...single('UpSampling2D', IMAGE, [{}, { size: [2, 3], interpolation: 'bilinear' }]),
  ...single('ZeroPadding2D', IMAGE, [{ padding: [0, 2, 1, 3] }]),
  caseGraph('Embedding → LSTM on tokens', TOKENS, [['x', 'Embedding', { inputDim: 20, outputDim: 4 }], ['y', 'LSTM', { units: 3 }]]),
  ...(['Add', 'Multiply'] as const).map((type) =>
    caseGraph(`${type} of a skip and a conv`, IMAGE, [['a', 'Conv2D', { filters: 3 }], ['x', type]], [['input', 'a'], ['a', 'x', 0], ['input', 'x', 0], ['x', 'tail']]),
  ),
  caseGraph('Concatenate channels in port order', IMAGE, [['a', 'Conv2D', { filters: 2 }], ['b', 'Conv2D', { filters: 5, kernelSize: [1, 1] }], ['x', 'Concatenate']], [
    ['input', 'a'],
    ['input', 'b'],
    ['b', 'x', 0],
    ['a', 'x', 1],
    ['input', 'x', 2],
    ['x', 'tail'],
  ]),
  caseGraph('Concatenate images along height (axis 1)', IMAGE, [['a', 'Conv2D', { filters: 3 }], ['x', 'Concatenate', { axis: 1 }]], [
    ['input', 'a'],
    ['input', 'x', 0],
    ['a', 'x', 1],
    ['x', 'tail'],
  ]),
  caseGraph('Concatenate sequences along time (axis 1)', SEQUENCE, [['a', 'Dense', { units: 4 }], ['x', 'Concatenate', { axis: 1 }]], [
    ['input', 'a'],
    ['input', 'x', 0],
    ['a', 'x', 1],
    ['x', 'tail'],
  ]),
];

/** Two conv residual blocks with BatchNorm (the second with a strided 1×1 projection), pooling, flatten, dense. */
export function deepResidualNet(): Case {
  const conv = (filters: number, extra: Params = {}): Params => ({ filters, kernelSize: [3, 3], activation: 'linear', useBias: false, ...extra });
  const nodes: NodeTuple[] = [
    ['input', 'Input', { kind: 'image', height: 12, width: 12, channels: 3 }],
    ['stem', 'Conv2D', conv(8, { useBias: true })],
    ['stem-bn', 'BatchNorm', {}],
    ['stem-relu', 'Activation', { activation: 'relu' }],
    ['block1/conv1', 'Conv2D', conv(8)],
    ['block1/bn1', 'BatchNorm', {}],
    ['block1/relu1', 'Activation', { activation: 'relu' }],
    ['block1/conv2', 'Conv2D', conv(8)],
    ['block1/bn2', 'BatchNorm', { momentum: 0.99, epsilon: 1e-5 }],
    ['block1/add', 'Add'],
    ['block1/relu2', 'Activation', { activation: 'relu' }],
    ['block2/conv1', 'Conv2D', conv(16, { strides: [2, 2] })],
    ['block2/bn1', 'BatchNorm', {}],
    ['block2/relu1', 'Activation', { activation: 'relu' }],
    ['block2/conv2', 'Conv2D', conv(16)],
    ['block2/bn2', 'BatchNorm', {}],
    ['block2/proj', 'Conv2D', conv(16, { kernelSize: [1, 1], strides: [2, 2] })],
    ['block2/proj-bn', 'BatchNorm', {}],
    ['block2/add', 'Add'],
    ['block2/relu2', 'Activation', { activation: 'relu' }],
    ['pool', 'MaxPool2D', { poolSize: [2, 2], strides: [2, 2] }],
    ['flatten', 'Flatten'],
    ['fc', 'Dense', { units: 12, activation: 'relu' }],
    ['drop', 'Dropout', { rate: 0.3 }],
    ['out', 'Output', { task: 'classification', units: 5 }],
  ];
  const chain = (ids: string[]): EdgeTuple[] => ids.slice(1).map((id, i) => [ids[i]!, id]);
  const edges: EdgeTuple[] = [
    ...chain(['input', 'stem', 'stem-bn', 'stem-relu', 'block1/conv1', 'block1/bn1', 'block1/relu1', 'block1/conv2', 'block1/bn2', 'block1/add']),
    ['stem-relu', 'block1/add'],
    ...chain(['block1/add', 'block1/relu2', 'block2/conv1', 'block2/bn1', 'block2/relu1', 'block2/conv2', 'block2/bn2', 'block2/add']),
    ...chain(['block1/relu2', 'block2/proj', 'block2/proj-bn', 'block2/add']),
    ...chain(['block2/add', 'block2/relu2', 'pool', 'flatten', 'fc', 'drop', 'out']),
  ];
  return { name: 'deep residual net with BatchNorm', doc: buildGraph(nodes, edges, 'Deep ResNet') };
}

export function exampleCases(): Case[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.nbrick'))
    .sort()
    .map((f) => {
      const loaded = loadGraphFile(readFileSync(path.join(EXAMPLES_DIR, f), 'utf8'));
      if (!loaded.ok) throw new Error(`${f}: ${loaded.error.message}`);
      return { name: `examples/${f}`, doc: loaded.file.graph };
    })
    .flatMap((c) => [c, { name: `${c.name} with a linear head (logits)`, doc: linearHead(c.doc) }]);
}

/** The graph with its Output made a regression head of the same width: compares logits, which softmax can hide. */
export function linearHead(doc: GraphDocument): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) =>
      n.type === 'Output' ? { ...n, params: { task: 'regression', units: n.params.task === 'binary' ? 1 : (n.params.units ?? 10) } } : n,
    ),
  };
}

/**
 * Moves every weight away from its initial value, so a weight loaded into the wrong place shows: biases, BatchNorm
 * gamma/beta/moving statistics (variance kept positive) and SkipInit's α (0 at init) get seeded values.
 */
export function perturbWeights(source: ExportSource, seed: number): void {
  let k = seed;
  for (const layer of source.model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.getWeights().map((w, i) => {
      const name = layer.weights[i]!.originalName.split('/').pop()!;
      const noise = seededUniform(w.size, k++, -0.3, 0.3);
      const base = w.dataSync();
      const data = new Float32Array(w.size);
      for (let j = 0; j < data.length; j++) {
        data[j] = name === 'moving_variance' ? 0.5 + Math.abs(noise[j]!) * 3 : name === 'gamma' ? 1 + noise[j]! : base[j]! + noise[j]!;
      }
      return tf.tensor(data, w.shape);
    });
    layer.setWeights(values);
    values.forEach((v) => v.dispose());
  }
}


/** Deeper than the compiler builds flat: its layers sit in nested sub-models, which the export must find. */
export function segmentedChain(): Case {
  const nodes: NodeTuple[] = [['input', 'Input', { kind: 'vector', size: 4 }]];
  for (let i = 1; i <= MAX_FLAT_LAYERS + 10; i++) nodes.push([`d${i}`, 'Dense', { units: 4, activation: 'tanh' }]);
  nodes.push(['out', 'Output', { task: 'regression', units: 2 }]);
  return { name: `chain of ${MAX_FLAT_LAYERS + 10} Dense layers (compiled in segments)`, doc: buildChain(nodes, 'deep chain') };
}

export const DEEP = deepResidualNet();
export const ALL_CASES = [...exampleCases(), DEEP, { name: `${DEEP.name} with a linear head (logits)`, doc: linearHead(DEEP.doc) }, segmentedChain(), ...LAYER_CASES];
