/**
 * The PyTorch export, verified by running it: every example, a deep residual net with BatchNorm and one small graph per
 * layer variant are exported with non-trivial weights (BatchNorm running statistics, biases and SkipInit gains moved
 * away from their initial values), then Debian's python3-torch runs model.py's load_model on the same inputs
 * (NHWC → NCHW) and the outputs must match tfjs's predict within 1e-4. Skipped, saying why, without `import torch`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../../../shared/inference/buildGraph';
import { listLayerSpecs } from '../../../../shared/catalog/registry';
import { seededUniform } from '../../testing/seededUniform';
import { initialisedExportSource } from '../exportSource';
import { ALL_CASES, perturbWeights, VECTOR } from '../exportTestCases';
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

const TOLERANCE = 1e-4;
const SAMPLES = 3;

interface Prepared {
  readonly name: string;
  readonly dir: string;
  readonly expected: Float32Array;
  readonly outputShape: number[];
  readonly source: string;
  readonly names: ReadonlyMap<string, string>;
}

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
