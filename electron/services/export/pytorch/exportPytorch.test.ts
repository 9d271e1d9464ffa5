/**
 * The PyTorch export, verified by running it: every example, a deep residual net with BatchNorm and one small graph per
 * layer variant are exported with non-trivial weights (BatchNorm running statistics, biases and SkipInit gains moved
 * away from their initial values), then Debian's python3-torch runs model.py's load_model on the same inputs
 * (NHWC → NCHW) and the outputs must match tfjs's predict within 1e-4. Skipped, saying why, without `import torch`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument, Params } from '../../../../shared/document/model';
import { loadGraphFile } from '../../../../shared/format';
import { buildChain, buildGraph, type EdgeTuple, type NodeTuple } from '../../../../shared/inference/buildGraph';
import { listLayerSpecs } from '../../../../shared/catalog/registry';
import { MAX_FLAT_LAYERS } from '../../compiler/compileGraph';
import { seededUniform } from '../../testing/seededUniform';
import { initialisedExportSource, type ExportSource } from '../exportSource';
import { exportPytorch } from './exportPytorch';
import { generatePytorch, pythonIdentifier, PytorchExportError, samePadding, transpose } from './generatePytorch';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

const PYTHON = '/usr/bin/python3';
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const HAS_TORCH = torchCheck.status === 0;
if (!HAS_TORCH) {
  console.warn(
    `SKIPPED: PyTorch export parity tests need ${PYTHON} with torch (Debian: apt-get install python3-torch): ` +
      `${torchCheck.error?.message ?? torchCheck.stderr.trim().split('\n').pop()}`,
  );
}

const EXAMPLES_DIR = path.join(import.meta.dirname, '../../../../examples');
const TOLERANCE = 1e-4;
const SAMPLES = 3;

const IMAGE = { kind: 'image', height: 9, width: 9, channels: 3 } as const;
const EVEN_IMAGE = { kind: 'image', height: 8, width: 10, channels: 2 } as const;
const VECTOR = { kind: 'vector', size: 6 } as const;
const SEQUENCE = { kind: 'sequence', length: 5, features: 4 } as const;
const TOKENS = { kind: 'tokens', length: 7 } as const;

interface Case {
  readonly name: string;
  readonly doc: GraphDocument;
}

/** Input → nodes → Flatten → Output (regression), chained unless edges are given. */
function caseGraph(name: string, input: Params, nodes: readonly NodeTuple[], edges?: readonly EdgeTuple[]): Case {
  const all: NodeTuple[] = [['input', 'Input', input], ...nodes, ['tail', 'Flatten'], ['out', 'Output', { task: 'regression', units: 3 }]];
  return { name, doc: edges ? buildGraph(all, [...edges, ['tail', 'out']], name) : buildChain(all, name) };
}
const single = (type: string, input: Params, variants: readonly Params[]): Case[] =>
  variants.map((params) => caseGraph(`${type} ${JSON.stringify(params)} on ${String(input.kind)} ${String(input.height ?? '')}`, input, [['x', type, params]]));

const LAYER_CASES: Case[] = [
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
function deepResidualNet(): Case {
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

function exampleCases(): Case[] {
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
function linearHead(doc: GraphDocument): GraphDocument {
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
function perturbWeights(source: ExportSource, seed: number): void {
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

interface Prepared {
  readonly name: string;
  readonly dir: string;
  readonly expected: Float32Array;
  readonly outputShape: number[];
  readonly source: string;
  readonly names: ReadonlyMap<string, string>;
}

/** Deeper than the compiler builds flat: its layers sit in nested sub-models, which the export must find. */
function segmentedChain(): Case {
  const nodes: NodeTuple[] = [['input', 'Input', { kind: 'vector', size: 4 }]];
  for (let i = 1; i <= MAX_FLAT_LAYERS + 10; i++) nodes.push([`d${i}`, 'Dense', { units: 4, activation: 'tanh' }]);
  nodes.push(['out', 'Output', { task: 'regression', units: 2 }]);
  return { name: `chain of ${MAX_FLAT_LAYERS + 10} Dense layers (compiled in segments)`, doc: buildChain(nodes, 'deep chain') };
}

const DEEP = deepResidualNet();
const ALL_CASES = [...exampleCases(), DEEP, { name: `${DEEP.name} with a linear head (logits)`, doc: linearHead(DEEP.doc) }, segmentedChain(), ...LAYER_CASES];
const prepared = new Map<string, Prepared>();
const measured = new Map<string, number>();
let workDir = '';

const RUNNER = `
import json, sys, importlib.util, torch
torch.set_num_threads(1)
results = {}
for job in json.load(open(sys.argv[1])):
    spec = importlib.util.spec_from_file_location('model_' + str(len(results)), job['dir'] + '/model.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model(job['dir'])
    raw = open(job['dir'] + '/input.bin', 'rb').read()
    x = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(job['shape'])
    if job['image']:
        x = x.permute(0, 3, 1, 2).contiguous()  # the app's NHWC -> PyTorch's NCHW
    with torch.no_grad():
        y = model(x)
    results[job['name']] = {'shape': list(y.shape), 'values': y.reshape(-1).tolist(), 'training': model.training}
json.dump(results, open(sys.argv[2], 'w'))
`;

describe.skipIf(!HAS_TORCH)('PyTorch export runs in python3-torch and matches tfjs', () => {
  let results: Record<string, { shape: number[]; values: number[]; training: boolean }> = {};

  beforeAll(async () => {
    await tf.setBackend('cpu');
    workDir = mkdtempSync(path.join(tmpdir(), 'nb-export-pytorch-'));
    const jobs: { name: string; dir: string; shape: number[]; image: boolean }[] = [];
    let i = 0;
    for (const c of ALL_CASES) {
      const source = initialisedExportSource(c.doc, 100 + i);
      try {
        perturbWeights(source, 1000 * (i + 1));
        const inputLayer = source.model.inputs[0]!;
        const sampleShape = inputLayer.shape.slice(1) as number[];
        const count = SAMPLES * sampleShape.reduce((a, b) => a * b, 1);
        const tokens = inputLayer.dtype === 'int32';
        const x = tokens ? Float32Array.from(seededUniform(count, 7 + i, 0, 10), Math.floor) : seededUniform(count, 7 + i, 0, 1);
        const xt = tokens ? tf.tensor(Int32Array.from(x), [SAMPLES, ...sampleShape], 'int32') : tf.tensor(x, [SAMPLES, ...sampleShape]);
        const y = source.model.predict(xt) as tf.Tensor;
        const expected = y.dataSync() as Float32Array;
        const outputShape = [...y.shape];
        xt.dispose();
        y.dispose();
        const dir = path.join(workDir, `case${i}`);
        const result = await exportPytorch(source, dir);
        writeFileSync(path.join(dir, 'input.bin'), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
        jobs.push({ name: c.name, dir, shape: [SAMPLES, ...sampleShape], image: sampleShape.length === 3 });
        prepared.set(c.name, { name: c.name, dir, expected, outputShape, source: result.generated.source, names: result.generated.names });
      } finally {
        source.dispose();
      }
      i++;
    }
    const jobsFile = path.join(workDir, 'jobs.json');
    const resultsFile = path.join(workDir, 'results.json');
    writeFileSync(jobsFile, JSON.stringify(jobs));
    writeFileSync(path.join(workDir, 'runner.py'), RUNNER);
    const run = spawnSync(PYTHON, [path.join(workDir, 'runner.py'), jobsFile, resultsFile], { encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
    results = JSON.parse(readFileSync(resultsFile, 'utf8')) as typeof results;
  }, 600_000);

  afterAll(() => {
    if (measured.size > 0) {
      console.info(`PyTorch vs tfjs max |diff| per graph:\n${[...measured].map(([n, d]) => `  ${d.toExponential(2)}  ${n}`).join('\n')}`);
    }
    if (workDir && !process.env.NB_KEEP_EXPORTS) rmSync(workDir, { recursive: true, force: true });
    else if (workDir) console.info(`exports kept in ${workDir}`);
  });

  it.each(ALL_CASES.map((c) => c.name))('%s: same outputs within 1e-4, module in eval mode', (name) => {
    const p = prepared.get(name)!;
    const r = results[name];
    expect(r, `python gave no result for ${name}`).toBeDefined();
    expect(r!.training).toBe(false);
    expect(r!.shape).toEqual(p.outputShape);
    let max = 0;
    r!.values.forEach((v, k) => (max = Math.max(max, Math.abs(v - p.expected[k]!))));
    measured.set(name, max);
    expect(max).toBeLessThanOrEqual(TOLERANCE);
  });

  it('model.py is readable Python: a class whose attributes and forward variables are the node ids', () => {
    const p = prepared.get('deep residual net with BatchNorm')!;
    const check = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
model = classes[-1]
init = next(f for f in model.body if isinstance(f, ast.FunctionDef) and f.name == '__init__')
forward = next(f for f in model.body if isinstance(f, ast.FunctionDef) and f.name == 'forward')
attrs = sorted({t.attr for n in ast.walk(init) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Attribute)})
variables = sorted({t.id for n in ast.walk(forward) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)})
calls = sorted({ast.unparse(n.func) for n in ast.walk(forward) if isinstance(n, ast.Call)})
functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
print(json.dumps({'class': model.name, 'attrs': attrs, 'variables': variables, 'calls': calls, 'functions': functions, 'args': [a.arg for a in forward.args.args]}))
`;
    const file = path.join(workDir, 'ast_check.py');
    writeFileSync(file, check);
    const run = spawnSync(PYTHON, [file, path.join(p.dir, 'model.py')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const info = JSON.parse(run.stdout) as { class: string; attrs: string[]; variables: string[]; calls: string[]; functions: string[]; args: string[] };
    expect(info.class).toBe('DeepResNet');
    expect(info.functions).toEqual(expect.arrayContaining(['load_model', 'read_safetensors']));
    expect(info.args).toEqual(['self', 'input_']);
    // Layers with weights are attributes named after their node ids (sanitised), and every node has a variable.
    for (const id of ['stem', 'block1/conv1', 'block1/bn2', 'block2/proj', 'block2/proj-bn', 'fc', 'drop', 'out']) {
      expect(info.attrs).toContain(pythonIdentifier(id));
    }
    expect(info.attrs).toContain('block2_proj_bn');
    for (const id of ['block1/add', 'block2/add', 'flatten', 'pool', 'stem-relu']) expect(info.variables).toContain(pythonIdentifier(id));
    // The skip connections are visible as sums of named variables.
    expect(p.source).toContain('block1_add = block1_bn2 + stem_relu');
    expect(p.source).toContain('block2_add = block2_bn2 + block2_proj_bn');
    expect(p.source).toContain('flatten = torch.flatten(pool.permute(0, 2, 3, 1), 1)');
    expect(p.source).toMatch(/self\.block1_bn2 = nn\.BatchNorm2d\(8, eps=0\.00001|self\.block1_bn2 = nn\.BatchNorm2d\(8, eps=1e-05/);
    expect(p.source).toContain('momentum=0.01');
  });

  it('concatenations are torch.cat of named variables on the channel dim', () => {
    const p = prepared.get('examples/inception-branches.nbrick')!;
    expect(p.source).toMatch(/= torch\.cat\(\[[a-z_0-9]+(, [a-z_0-9]+)+\], dim=1\)/);
  });
});

describe('PyTorch export pieces', () => {
  it('every catalog layer type has a parity case (a new layer needs a PyTorch mapping and a case here)', () => {
    const covered = new Set(ALL_CASES.flatMap((c) => c.doc.nodes.map((n) => n.type)));
    expect(listLayerSpecs().map((s) => s.type).filter((t) => !covered.has(t))).toEqual([]);
  });

  it('TensorFlow same padding puts the odd pixel after', () => {
    expect(samePadding(9, 3, 1)).toEqual([1, 1]);
    expect(samePadding(9, 3, 2)).toEqual([1, 1]);
    expect(samePadding(10, 3, 2)).toEqual([0, 1]);
    expect(samePadding(8, 4, 2)).toEqual([1, 1]);
    expect(samePadding(9, 2, 1)).toEqual([0, 1]);
    expect(samePadding(9, 3, 1, 2)).toEqual([2, 2]);
  });

  it('transpose reorders like numpy', () => {
    const t = transpose(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], [1, 0]);
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('safetensors round-trips, header aligned to 8 bytes', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'a.weight', shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 4]) },
        { name: 'a.alpha', shape: [], data: Float32Array.from([0.25]) },
      ],
      { format: 'pt' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(back.tensors.map((t) => [t.name, t.shape, [...t.data]])).toEqual([
      ['a.weight', [2, 2], [1, -2, 3.5, 4]],
      ['a.alpha', [], [0.25]],
    ]);
  });

  it('node ids become unique Python identifiers, collisions resolved in graph order', async () => {
    await tf.setBackend('cpu');
    const doc = buildChain(
      [
        ['in put', 'Input', VECTOR],
        ['class', 'Dense', { units: 3 }],
        ['1st', 'Dense', { units: 3 }],
        ['a-b', 'Dense', { units: 3 }],
        ['a_b', 'Dense', { units: 3 }],
        ['forward', 'Dense', { units: 3 }],
        ['out', 'Output', { task: 'regression', units: 1 }],
      ],
      'names',
    );
    const source = initialisedExportSource(doc, 1);
    try {
      const { nodeWeightsOf } = await import('../exportSource');
      const g = generatePytorch(doc, source.analysis, nodeWeightsOf(source.model, source.layerNames), { weightsFrom: 'test' });
      expect(Object.fromEntries(g.names)).toEqual({ 'in put': 'in_put', class: 'class_', '1st': 'n1st', 'a-b': 'a_b', a_b: 'a_b_2', forward: 'forward_', out: 'out' });
      expect(g.source).toContain('self.a_b_2 = nn.Linear(3, 3)');
    } finally {
      source.dispose();
    }
  });

  it('a node without a PyTorch mapping fails naming the node and why', async () => {
    await tf.setBackend('cpu');
    const doc = buildChain([['input', 'Input', VECTOR], ['d', 'Dense', { units: 2 }], ['out', 'Output', { task: 'regression', units: 1 }]]);
    const source = initialisedExportSource(doc, 1);
    try {
      // Weights missing for 'd' stand in for an unmapped layer: the error names the node and the reason.
      let error: unknown;
      try {
        generatePytorch(doc, source.analysis, (id) => (id === 'd' ? undefined : new Map()), { weightsFrom: 'test' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PytorchExportError);
      expect((error as PytorchExportError).problems.map((p) => p.nodeId)).toEqual(['d', 'out']);
      expect((error as Error).message).toMatch(/'d' \(Dense\): its model layer has no weight 'kernel'/);
    } finally {
      source.dispose();
    }
  });
});
