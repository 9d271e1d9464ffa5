/**
 * The Keras export, checked by structure (TensorFlow cannot run here): for every export case (every example, the deep
 * residual net, one small graph per layer variant) model.py must parse with Debian's python3 (`ast.parse`); an AST walk
 * must find one `tf.keras.layers.X(...)` (or custom layer) call per node, named after the node, with the node's config;
 * and build_model() + load_weights() are run against a stand-in `tensorflow` package (written below) that records
 * every layer construction and call: the recorded wiring must be the graph's edges (in port order) and the weights set
 * on each layer must have the shapes of tfjs's own weights, in tfjs's (= Keras's) order. Skipped, saying why, without
 * python3 and numpy. No numbers are compared with TensorFlow.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLayerSpec } from '../../../../shared/catalog/registry';
import { resolveParams } from '../../../../shared/catalog/resolveParams';
import type { ResolvedParams } from '../../../../shared/catalog/spec';
import { buildChain } from '../../../../shared/inference/buildGraph';
import { initialisedExportSource, nodeWeightsOf } from '../exportSource';
import { ALL_CASES, perturbWeights, VECTOR } from '../exportTestCases';
import { decodeSafetensors } from '../pytorch/safetensors';
import { exportKeras } from './exportKeras';
import { generateKeras, KerasExportError } from './generateKeras';

const PYTHON = '/usr/bin/python3';
const pyCheck = spawnSync(PYTHON, ['-c', 'import ast, numpy'], { encoding: 'utf8' });
const HAS_PYTHON = pyCheck.status === 0;
if (!HAS_PYTHON) {
  console.warn(
    `SKIPPED: Keras export structure tests need ${PYTHON} with numpy (Debian: apt-get install python3-numpy): ` +
      `${pyCheck.error?.message ?? pyCheck.stderr.trim().split('\n').pop()}`,
  );
}

/** A stand-in `tensorflow` package: records layer constructions, calls and set_weights; knows only real Keras layer names. */
const STUB_TF = `
RECORD = {}
KNOWN = set('''Dense Conv2D DepthwiseConv2D SeparableConv2D Conv2DTranspose MaxPooling2D AveragePooling2D
GlobalAveragePooling2D GlobalMaxPooling2D BatchNormalization LayerNormalization Dropout Flatten Reshape Add Multiply
Concatenate ZeroPadding2D UpSampling2D Embedding LSTM GRU Activation LeakyReLU Layer'''.split())


def reset():
    RECORD.clear()
    RECORD.update({'layers': [], 'inputs': [], 'model': None, 'set_weights': {}, 'objects': {}})


reset()


def _plain(v):
    if callable(v):
        return 'tf.nn.' + v.__name__
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


class KerasTensor:
    def __init__(self, layer_name):
        self.layer_name = layer_name


class _Layer:
    def __init__(self, *args, **kwargs):
        self.name = kwargs.get('name')
        self._record = {'class': type(self).__name__, 'args': [_plain(a) for a in args],
                        'kwargs': {k: _plain(v) for k, v in kwargs.items()}, 'inputs': None, 'list': False}
        if self.name in RECORD['objects']:
            raise ValueError('two layers named ' + str(self.name))
        RECORD['objects'][self.name] = self
        RECORD['layers'].append(self._record)

    def __call__(self, inputs):
        if self._record['inputs'] is not None:
            raise RuntimeError('layer ' + str(self.name) + ' called twice')
        xs = inputs if isinstance(inputs, list) else [inputs]
        for x in xs:
            if not isinstance(x, KerasTensor):
                raise TypeError('layer ' + str(self.name) + ' called on ' + repr(x))
        self._record['inputs'] = [x.layer_name for x in xs]
        self._record['list'] = isinstance(inputs, list)
        return KerasTensor(self.name)

    def set_weights(self, weights):
        RECORD['set_weights'][self.name] = [list(w.shape) for w in weights]


class _Layers:
    def __init__(self):
        self._classes = {}

    def __getattr__(self, name):
        if name not in KNOWN:
            raise AttributeError('tf.keras.layers has no ' + name)
        if name not in self._classes:
            self._classes[name] = type(name, (_Layer,), {})
        return self._classes[name]


class _Model:
    def __init__(self, inputs=None, outputs=None, name=None):
        RECORD['model'] = {'inputs': inputs.layer_name, 'outputs': outputs.layer_name, 'name': name}

    def get_layer(self, name):
        return RECORD['objects'][name]


def _Input(shape=None, dtype=None, name=None):
    RECORD['inputs'].append({'shape': list(shape), 'dtype': dtype, 'name': name})
    return KerasTensor(name)


class _Constant:
    def __init__(self, value):
        self.value = value


class _NS:
    pass


def leaky_relu(features, alpha=0.2):
    raise RuntimeError('stub')


keras = _NS()
keras.layers = _Layers()
keras.Model = _Model
keras.Input = _Input
keras.initializers = _NS()
keras.initializers.Constant = _Constant
nn = _NS()
nn.leaky_relu = leaky_relu
`;

const RUNNER = `
import ast, importlib.util, json, sys
sys.path.insert(0, sys.argv[3])
import tensorflow as stub


def layer_calls(tree):
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, (ast.Attribute, ast.Name)):
            f = ast.unparse(n.func)
            if f.startswith('tf.keras.layers.') or f in ('SkipInit', 'WSConv2D'):
                kw = {}
                for k in n.keywords:
                    try:
                        kw[k.arg] = ast.literal_eval(k.value)
                    except ValueError:
                        kw[k.arg] = ast.unparse(k.value)
                out.append({'class': f.split('.')[-1], 'kwargs': kw, 'args': [ast.unparse(a) for a in n.args]})
    return out


results = {}
for i, job in enumerate(json.load(open(sys.argv[1]))):
    text = open(job['dir'] + '/model.py').read()
    tree = ast.parse(text)
    functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    stub.reset()
    spec = importlib.util.spec_from_file_location('keras_model_' + str(i), job['dir'] + '/model.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.build_model()
    module.load_weights(model, job['dir'])
    results[job['name']] = {'calls': layer_calls(tree), 'functions': functions, 'layers': stub.RECORD['layers'],
                            'inputs': stub.RECORD['inputs'], 'model': stub.RECORD['model'],
                            'set_weights': stub.RECORD['set_weights']}
json.dump(results, open(sys.argv[2], 'w'))
`;

interface Expected {
  readonly layerName: Map<string, string>;
  readonly nodes: { id: string; type: string; params: ResolvedParams; sources: string[] }[];
  readonly inputId: string;
  readonly outputId: string;
  readonly tfjsShapes: number[][];
  /** Per layer name: tfjs's weight short names, in tfjs's order. */
  readonly tfjsOrder: Map<string, string[]>;
  readonly tensorShapes: Map<string, number[]>;
  readonly layerWeights: ReadonlyMap<string, readonly string[]>;
  readonly metadata: Record<string, string>;
  /** Tensors whose stored values are not tfjs's (should be none: Keras layouts are TF.js's). */
  readonly wrongValues: string[];
}

interface Call {
  class: string;
  kwargs: Record<string, unknown>;
  args: string[];
}
interface Result {
  calls: Call[];
  functions: string[];
  layers: { class: string; args: unknown[]; kwargs: Record<string, unknown>; inputs: string[] | null; list: boolean }[];
  inputs: { shape: number[]; dtype: string | null; name: string }[];
  model: { inputs: string; outputs: string; name: string };
  set_weights: Record<string, number[][]>;
}

const pair = (v: unknown) => [...(v as number[])];

/** The Keras class and keyword arguments a node must be written with (the config table). */
function expectedCall(type: string, p: ResolvedParams): { class: string; kwargs: Record<string, unknown> } {
  const act = (a: unknown) => (a === 'leakyRelu' ? 'tf.nn.leaky_relu' : a);
  const bias = (b: unknown) => (b ? {} : { use_bias: false });
  switch (type) {
    case 'Dense':
      return { class: 'Dense', kwargs: { units: p.units, activation: act(p.activation), ...bias(p.useBias) } };
    case 'Output':
      return { class: 'Dense', kwargs: { activation: p.task === 'classification' ? 'softmax' : p.task === 'binary' ? 'sigmoid' : 'linear' } };
    case 'Conv2D':
    case 'WSConv2D':
      return {
        class: type,
        kwargs: {
          filters: p.filters,
          kernel_size: pair(p.kernelSize),
          strides: pair(p.strides),
          padding: p.padding,
          activation: act(p.activation),
          ...bias(p.useBias),
          ...(type === 'Conv2D' ? { dilation_rate: pair(p.dilationRate) } : { eps: p.eps }),
        },
      };
    case 'DepthwiseConv2D':
    case 'SeparableConv2D':
      return {
        class: type,
        kwargs: {
          ...(type === 'SeparableConv2D' ? { filters: p.filters } : {}),
          kernel_size: pair(p.kernelSize),
          strides: pair(p.strides),
          padding: p.padding,
          depth_multiplier: p.depthMultiplier,
          activation: act(p.activation),
          ...bias(p.useBias),
        },
      };
    case 'Conv2DTranspose':
      return { class: type, kwargs: { filters: p.filters, kernel_size: pair(p.kernelSize), strides: pair(p.strides), padding: p.padding, activation: act(p.activation) } };
    case 'MaxPool2D':
    case 'AvgPool2D':
      return { class: type === 'MaxPool2D' ? 'MaxPooling2D' : 'AveragePooling2D', kwargs: { pool_size: pair(p.poolSize), strides: pair(p.strides), padding: p.padding } };
    case 'BatchNorm':
      return { class: 'BatchNormalization', kwargs: { momentum: p.momentum, epsilon: p.epsilon } };
    case 'LayerNorm':
      return { class: 'LayerNormalization', kwargs: { axis: -1, epsilon: p.epsilon } };
    case 'Dropout':
      return { class: 'Dropout', kwargs: { rate: p.rate } };
    case 'Embedding':
      return { class: 'Embedding', kwargs: { input_dim: p.inputDim, output_dim: p.outputDim } };
    case 'LSTM':
    case 'GRU':
      return {
        class: type,
        kwargs: {
          units: p.units,
          activation: act(p.activation),
          recurrent_activation: 'hard_sigmoid',
          return_sequences: p.returnSequences,
          ...bias(p.useBias),
          ...(type === 'GRU' ? { reset_after: false } : {}),
        },
      };
    case 'UpSampling2D':
      return { class: type, kwargs: { size: pair(p.size), interpolation: p.interpolation } };
    case 'ZeroPadding2D': {
      const [t, b, l, r] = p.padding as number[];
      return { class: type, kwargs: { padding: [[t, b], [l, r]] } };
    }
    case 'GlobalAvgPool2D':
      return { class: 'GlobalAveragePooling2D', kwargs: {} };
    case 'GlobalMaxPool2D':
      return { class: 'GlobalMaxPooling2D', kwargs: {} };
    case 'Activation':
      return p.activation === 'leakyRelu' ? { class: 'LeakyReLU', kwargs: {} } : { class: 'Activation', kwargs: {} };
    case 'SkipInit':
      return { class: 'SkipInit', kwargs: { initial_value: p.initialValue } };
    default:
      return { class: type, kwargs: {} };
  }
}

const expected = new Map<string, Expected>();
let results: Record<string, Result> = {};
let workDir = '';

describe.skipIf(!HAS_PYTHON)('Keras export: model.py parses, its layers and configs are the graph’s, build_model() wires them as the graph', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    workDir = mkdtempSync(path.join(tmpdir(), 'nb-export-keras-'));
    const stubDir = path.join(workDir, 'stub', 'tensorflow');
    mkdirSync(stubDir, { recursive: true });
    writeFileSync(path.join(stubDir, '__init__.py'), STUB_TF);
    const jobs: { name: string; dir: string }[] = [];
    let i = 0;
    for (const c of ALL_CASES) {
      const source = initialisedExportSource(c.doc, 200 + i);
      try {
        perturbWeights(source, 500 * (i + 1));
        const dir = path.join(workDir, `case${i}`);
        const result = await exportKeras(source, dir);
        const g = result.generated;
        const file = decodeSafetensors(readFileSync(path.join(dir, 'weights.safetensors')));
        const weightsOf = nodeWeightsOf(source.model, source.layerNames);
        const incoming = (id: string) =>
          c.doc.edges
            .filter((e) => e.target === id)
            .sort((a, b) => a.targetPort - b.targetPort || (a.id < b.id ? -1 : 1))
            .map((e) => e.source);
        const nodes = c.doc.nodes
          .filter((n) => n.type !== 'Input' && g.layerNames.has(n.id))
          .map((n) => ({ id: n.id, type: n.type, params: resolveParams(getLayerSpec(n.type)!, n.params).params, sources: incoming(n.id) }));
        const tfjsOrder = new Map<string, string[]>();
        const fileTensors = new Map(file.tensors.map((t) => [t.name, t]));
        const wrongValues: string[] = [];
        for (const n of nodes) {
          const w = weightsOf(n.id);
          if (!w) continue;
          const layerName = g.layerNames.get(n.id)!;
          tfjsOrder.set(layerName, [...w.keys()]);
          for (const [short, value] of w) {
            const stored = fileTensors.get(`${layerName}/${short}`);
            if (!stored || stored.data.some((v, k) => v !== value.data[k])) wrongValues.push(`${layerName}/${short}`);
          }
        }
        expected.set(c.name, {
          layerName: new Map(g.layerNames),
          nodes,
          inputId: g.input.nodeId,
          outputId: c.doc.nodes.find((n) => n.type === 'Output')!.id,
          tfjsShapes: source.model.getWeights().map((w) => [...w.shape]),
          tfjsOrder,
          tensorShapes: new Map(file.tensors.map((t) => [t.name, [...t.shape]])),
          layerWeights: g.layerWeights,
          metadata: file.metadata,
          wrongValues,
        });
        jobs.push({ name: c.name, dir });
      } finally {
        source.dispose();
      }
      i++;
    }
    const jobsFile = path.join(workDir, 'jobs.json');
    const resultsFile = path.join(workDir, 'results.json');
    writeFileSync(jobsFile, JSON.stringify(jobs));
    writeFileSync(path.join(workDir, 'runner.py'), RUNNER);
    const run = spawnSync(PYTHON, [path.join(workDir, 'runner.py'), jobsFile, resultsFile, path.join(workDir, 'stub')], { encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
    results = JSON.parse(readFileSync(resultsFile, 'utf8')) as typeof results;
  }, 600_000);

  afterAll(() => {
    if (workDir && !process.env.NB_KEEP_EXPORTS) rmSync(workDir, { recursive: true, force: true });
    else if (workDir) console.info(`exports kept in ${workDir}`);
  });

  it.each(ALL_CASES.map((c) => c.name))('%s', (name) => {
    const e = expected.get(name)!;
    const r = results[name]!;
    expect(r, `python gave no result for ${name}`).toBeDefined();
    expect(r.functions).toEqual(expect.arrayContaining(['build_model', 'load_weights', 'read_safetensors']));

    // AST: one layer call per node, named after it, with the node's config.
    const callsByName = new Map<string, Call[]>();
    for (const call of r.calls) {
      const n = String(call.kwargs.name);
      callsByName.set(n, [...(callsByName.get(n) ?? []), call]);
    }
    expect(r.calls).toHaveLength(e.nodes.length);
    for (const node of e.nodes) {
      const layerName = e.layerName.get(node.id)!;
      expect(layerName).toBe(node.id.replace(/\//g, '_'));
      const calls = callsByName.get(layerName) ?? [];
      expect(calls, `layer calls named '${layerName}'`).toHaveLength(1);
      const want = expectedCall(node.type, node.params);
      expect(calls[0]!.class, `class of '${node.id}'`).toBe(want.class);
      expect(calls[0]!.kwargs, `config of '${node.id}' (${node.type})`).toMatchObject(want.kwargs);
      if (node.type === 'Activation' && node.params.activation !== 'leakyRelu') expect(calls[0]!.args).toEqual([`'${String(node.params.activation)}'`]);
    }

    // The stand-in run: the Input, every layer constructed once and called on its graph inputs in port order.
    expect(r.inputs).toHaveLength(1);
    expect(r.inputs[0]!.name).toBe(e.layerName.get(e.inputId));
    expect(r.model).toMatchObject({ inputs: e.layerName.get(e.inputId), outputs: e.layerName.get(e.outputId) });
    const recorded = new Map(r.layers.map((l) => [String(l.kwargs.name), l]));
    expect(r.layers).toHaveLength(e.nodes.length);
    for (const node of e.nodes) {
      const l = recorded.get(e.layerName.get(node.id)!)!;
      expect(l, `layer '${node.id}' built`).toBeDefined();
      expect(l.inputs, `inputs of '${node.id}'`).toEqual(node.sources.map((s) => e.layerName.get(s)));
      expect(l.list).toBe(['Add', 'Multiply', 'Concatenate'].includes(node.type));
    }

    // Weights: every tfjs weight once, with its shape; each layer gets them in tfjs's (= Keras's get_weights) order.
    const shapesKey = (shapes: number[][]) => shapes.map((s) => JSON.stringify(s)).sort();
    expect(shapesKey([...e.tensorShapes.values()])).toEqual(shapesKey(e.tfjsShapes));
    expect(e.wrongValues).toEqual([]);
    expect(JSON.parse(e.metadata.keras_layers!)).toEqual(Object.fromEntries(e.layerWeights));
    expect(Object.keys(r.set_weights).sort()).toEqual([...e.tfjsOrder.keys()].sort());
    for (const [layer, order] of e.tfjsOrder) {
      expect(e.layerWeights.get(layer), `weight order of '${layer}'`).toEqual(order);
      expect(r.set_weights[layer]).toEqual(order.map((w) => e.tensorShapes.get(`${layer}/${w}`)));
    }
  });
});

describe('Keras export pieces', () => {
  it('Concatenate: channels are axis=-1, other sample axes their batch-inclusive index, inputs in port order', async () => {
    await tf.setBackend('cpu');
    const want: Record<string, string> = {
      'Concatenate channels in port order': "x_ = tf.keras.layers.Concatenate(axis=-1, name='x')([b, a, input_])",
      'Concatenate images along height (axis 1)': "x_ = tf.keras.layers.Concatenate(axis=1, name='x')([input_, a])",
      'Concatenate sequences along time (axis 1)': "x_ = tf.keras.layers.Concatenate(axis=1, name='x')([input_, a])",
    };
    for (const [name, line] of Object.entries(want)) {
      const c = ALL_CASES.find((k) => k.name === name)!;
      const source = initialisedExportSource(c.doc, 1);
      try {
        const g = generateKeras(c.doc, source.analysis, nodeWeightsOf(source.model, source.layerNames), { weightsFrom: 'test' });
        expect(g.source, name).toContain(line);
      } finally {
        source.dispose();
      }
    }
  });

  it('a node without a Keras mapping (here: its weights missing) fails naming the node and why', async () => {
    await tf.setBackend('cpu');
    const doc = buildChain([['input', 'Input', VECTOR], ['d', 'Dense', { units: 2 }], ['out', 'Output', { task: 'regression', units: 1 }]]);
    const source = initialisedExportSource(doc, 1);
    try {
      let error: unknown;
      try {
        generateKeras(doc, source.analysis, (id) => (id === 'd' ? undefined : new Map()), { weightsFrom: 'test' });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(KerasExportError);
      expect((error as KerasExportError).problems.map((p) => p.nodeId)).toEqual(['d', 'out']);
      expect((error as Error).message).toMatch(/'d' \(Dense\): its model layer has no weight 'kernel'/);
    } finally {
      source.dispose();
    }
  });

  it('variables are sanitised node ids; layer names keep the id with / as _', async () => {
    await tf.setBackend('cpu');
    const doc = buildChain([['input', 'Input', VECTOR], ['block/fc', 'Dense', { units: 3 }], ['model', 'Dense', { units: 3 }], ['out', 'Output', { task: 'regression', units: 1 }]]);
    const source = initialisedExportSource(doc, 1);
    try {
      const g = generateKeras(doc, source.analysis, nodeWeightsOf(source.model, source.layerNames), { weightsFrom: 'test' });
      expect(Object.fromEntries(g.names)).toEqual({ input: 'input_', 'block/fc': 'block_fc', model: 'model_2', out: 'out' });
      expect(g.source).toContain("block_fc = tf.keras.layers.Dense(units=3, activation='relu', name='block_fc')(input_)");
      expect(g.source).toContain("model_2 = tf.keras.layers.Dense(units=3, activation='relu', name='model')(block_fc)");
    } finally {
      source.dispose();
    }
  });
});
