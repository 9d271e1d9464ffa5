/**
 * The ONNX export, verified by running it: every example (as shipped and with a linear head), a deep residual net with
 * BatchNorm, a deep segmented chain and one small graph per layer variant are exported with non-trivial weights
 * (BatchNorm running statistics, biases and SkipInit gains moved away from their initial values); ONNX Runtime
 * (onnxruntime-node, CPU, default graph optimisations, as users run it) runs model.onnx on the same NHWC inputs and
 * the outputs must match tfjs's predict within 1e-4. Debian's python3-onnx (1.12) checks every model with
 * onnx.checker.check_model (skipped, saying why, without `import onnx`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../../../shared/inference/buildGraph';
import { listLayerSpecs } from '../../../../shared/catalog/registry';
import { seededUniform } from '../../testing/seededUniform';
import { initialisedExportSource, nodeWeightsOf } from '../exportSource';
import { ALL_CASES, caseGraph, perturbWeights, SEQUENCE, VECTOR } from '../exportTestCases';
import { exportOnnx } from './exportOnnx';
import { generateOnnx, OnnxExportError, ONNX_OPSET, type OnnxNode } from './generateOnnx';
import { ONNX_PROTO3 } from './onnxProto';

const PYTHON = '/usr/bin/python3';
const onnxCheck = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8', cwd: tmpdir() });
const HAS_ONNX = onnxCheck.status === 0;
if (!HAS_ONNX) {
  console.warn(
    `SKIPPED: onnx.checker on the exported models needs ${PYTHON} with onnx (Debian: apt-get install python3-onnx): ` +
      `${onnxCheck.error?.message ?? onnxCheck.stderr.trim().split('\n').pop()}`,
  );
}

const TOLERANCE = 1e-4;
const SAMPLES = 3;

interface Prepared {
  readonly dir: string;
  readonly input: { name: string; data: Float32Array | Int32Array; shape: number[] };
  readonly expected: Float32Array;
  readonly outputShape: number[];
  readonly outputName: string;
  readonly nodes: readonly OnnxNode[];
}

/** Recurrent activations beyond the shared cases: ONNX's LSTM/GRU take each by name (linear as Affine 1, 0). */
const ONNX_CASES = [
  ...ALL_CASES,
  ...(['LSTM', 'GRU'] as const).flatMap((type) =>
    ['linear', 'elu', 'sigmoid'].map((activation) => caseGraph(`${type} ${activation} (ONNX activation names)`, SEQUENCE, [['x', type, { units: 3, activation, returnSequences: true }]])),
  ),
];
const prepared = new Map<string, Prepared>();
const measured = new Map<string, number>();
let workDir = '';

describe('ONNX export runs in ONNX Runtime and matches tfjs', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    workDir = mkdtempSync(path.join(tmpdir(), 'nb-export-onnx-'));
    let i = 0;
    for (const c of ONNX_CASES) {
      const source = initialisedExportSource(c.doc, 100 + i);
      try {
        perturbWeights(source, 1000 * (i + 1));
        const inputLayer = source.model.inputs[0]!;
        const sampleShape = inputLayer.shape.slice(1) as number[];
        const count = SAMPLES * sampleShape.reduce((a, b) => a * b, 1);
        const tokens = inputLayer.dtype === 'int32';
        const x = tokens ? Int32Array.from(seededUniform(count, 7 + i, 0, 10), Math.floor) : seededUniform(count, 7 + i, 0, 1);
        const xt = tf.tensor(x, [SAMPLES, ...sampleShape], tokens ? 'int32' : 'float32');
        const y = source.model.predict(xt) as tf.Tensor;
        const expected = y.dataSync() as Float32Array;
        const outputShape = [...y.shape];
        xt.dispose();
        y.dispose();
        const dir = path.join(workDir, `case${i}`);
        const result = await exportOnnx(source, dir);
        prepared.set(c.name, {
          dir,
          input: { name: result.generated.input.name, data: x, shape: [SAMPLES, ...sampleShape] },
          expected,
          outputShape,
          outputName: result.generated.output.name,
          nodes: result.generated.nodes,
        });
      } finally {
        source.dispose();
      }
      i++;
    }
  }, 600_000);

  afterAll(() => {
    if (measured.size > 0) {
      console.info(`ONNX Runtime vs tfjs max |diff| per graph:\n${[...measured].map(([n, d]) => `  ${d.toExponential(2)}  ${n}`).join('\n')}`);
    }
    if (workDir && !process.env.NB_KEEP_EXPORTS) rmSync(workDir, { recursive: true, force: true });
    else if (workDir) console.info(`exports kept in ${workDir}`);
  });

  it.each(ONNX_CASES.map((c) => c.name))('%s: ONNX Runtime gives the same outputs within 1e-4', async (name) => {
    const p = prepared.get(name)!;
    const session = await ort.InferenceSession.create(path.join(p.dir, 'model.onnx'), { intraOpNumThreads: 1 });
    try {
      const feed = { [p.input.name]: new ort.Tensor(p.input.data instanceof Int32Array ? 'int32' : 'float32', p.input.data, p.input.shape) };
      const out = (await session.run(feed))[p.outputName]!;
      expect([...out.dims]).toEqual(p.outputShape);
      const values = out.data as Float32Array;
      let max = 0;
      values.forEach((v, k) => (max = Math.max(max, Math.abs(v - p.expected[k]!))));
      measured.set(name, max);
      expect(max).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      await session.release();
    }
  });

  it.skipIf(!HAS_ONNX)('every exported model passes onnx.checker.check_model (python3-onnx), opset 13', () => {
    const script = `
import json, sys, onnx
problems = {}
for name, file in json.load(open(sys.argv[1])).items():
    try:
        model = onnx.load(file)
        onnx.checker.check_model(model, full_check=True)
        if [o.version for o in model.opset_import] != [${ONNX_OPSET}]:
            problems[name] = 'opset %s' % [o.version for o in model.opset_import]
    except Exception as e:
        problems[name] = str(e)
print(json.dumps({'checked': onnx.__version__, 'problems': problems}))
`;
    const models = Object.fromEntries([...prepared].map(([name, p]) => [name, path.join(p.dir, 'model.onnx')]));
    writeFileSync(path.join(workDir, 'models.json'), JSON.stringify(models));
    writeFileSync(path.join(workDir, 'check.py'), script);
    const run = spawnSync(PYTHON, [path.join(workDir, 'check.py'), path.join(workDir, 'models.json')], { encoding: 'utf8', cwd: workDir, timeout: 300_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { checked: string; problems: Record<string, string> };
    console.info(`onnx ${result.checked}: checked ${Object.keys(models).length} models`);
    expect(result.problems).toEqual({});
  }, 300_000);

  it('keeps NHWC at the input and works in NCHW inside (one Transpose after the input)', () => {
    const p = prepared.get('deep residual net with BatchNorm')!;
    const opTypes = p.nodes.map((n) => n.op_type);
    expect(p.input.shape).toEqual([SAMPLES, 12, 12, 3]);
    expect(p.nodes[0]).toMatchObject({ name: 'input/nchw', op_type: 'Transpose', input: ['input'] });
    expect(opTypes.filter((t) => t === 'Transpose')).toEqual(['Transpose', 'Transpose']); // in, and before Flatten
    expect(opTypes.filter((t) => t === 'BatchNormalization')).toHaveLength(6);
    expect(p.nodes.find((n) => n.name === 'block1/add')).toMatchObject({ op_type: 'Add', input: ['block1/bn2', 'stem-relu'] });
  });

  it("writes TF's 'same' padding as explicit pads, the odd pixel at the bottom/right", () => {
    const pads = (name: string, op: string) =>
      prepared.get(name)!.nodes.find((n) => n.op_type === op)!.attribute.find((a) => a.name === 'pads')?.ints;
    expect(pads('Conv2D {"filters":2,"kernelSize":[3,3],"strides":[3,3]} on image 8', 'Conv')).toEqual([0, 1, 1, 1]); // 8 high: 0 + 1; 10 wide: 1 + 1
    expect(pads('MaxPool2D {"padding":"same"} on image 9', 'MaxPool')).toEqual([0, 0, 1, 1]);
    expect(pads('Conv2D {"filters":4} on image 9', 'Conv')).toEqual([1, 1, 1, 1]);
    expect(pads('Conv2D {"filters":2,"dilationRate":[2,2],"padding":"same"} on image 9', 'Conv')).toEqual([2, 2, 2, 2]);
    expect(prepared.get('AvgPool2D {"padding":"same"} on image 9')!.nodes.find((n) => n.op_type === 'AveragePool')!.attribute).toContainEqual({
      name: 'count_include_pad',
      type: 2,
      i: 0,
    });
  });
});

describe('ONNX export pieces', () => {
  it('every catalog layer type has a parity case', () => {
    const covered = new Set(ALL_CASES.flatMap((c) => c.doc.nodes.map((n) => n.type)));
    expect(listLayerSpecs().map((s) => s.type).filter((t) => !covered.has(t))).toEqual([]);
  });

  it('onnxProto.ts holds exactly the committed onnx.proto3', () => {
    expect(ONNX_PROTO3).toBe(readFileSync(path.join(import.meta.dirname, 'onnx.proto3'), 'utf8'));
  });

  it('model.onnx decodes as an onnx.ModelProto: names are node ids, weights are initializers', async () => {
    await tf.setBackend('cpu');
    const doc = buildChain([['in', 'Input', VECTOR], ['hidden', 'Dense', { units: 3, activation: 'relu' }], ['out', 'Output', { task: 'classification', units: 2 }]], 'tiny');
    const source = initialisedExportSource(doc, 1);
    const dir = mkdtempSync(path.join(tmpdir(), 'nb-onnx-decode-'));
    try {
      await exportOnnx(source, dir);
      const Model = protobuf.parse(ONNX_PROTO3, { keepCase: true }).root.lookupType('onnx.ModelProto');
      const model = Model.toObject(Model.decode(readFileSync(path.join(dir, 'model.onnx'))), { longs: Number }) as {
        ir_version: number;
        opset_import: { version: number }[];
        graph: { node: { name: string; op_type: string }[]; initializer: { name: string; dims: number[] }[]; input: { name: string }[]; output: { name: string }[] };
      };
      expect(model.opset_import.map((o) => o.version)).toEqual([13]);
      expect(model.graph.input.map((v) => v.name)).toEqual(['in']);
      expect(model.graph.output.map((v) => v.name)).toEqual(['out']);
      expect(model.graph.node.map((n) => `${n.name}:${n.op_type}`)).toEqual([
        'hidden/matmul:MatMul',
        'hidden/linear:Add',
        'hidden:Relu',
        'out/matmul:MatMul',
        'out/linear:Add',
        'out:Softmax',
      ]);
      expect(model.graph.initializer.map((t) => `${t.name} ${t.dims.join('x')}`)).toEqual(['hidden/kernel 6x3', 'hidden/bias 3', 'out/kernel 3x2', 'out/bias 2']);
      expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain("session.run(None, {'in': x})");
    } finally {
      source.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a node that cannot be exported fails naming the node and why', async () => {
    await tf.setBackend('cpu');
    const c = caseGraph('gelu LSTM', SEQUENCE, [['rnn', 'LSTM', { units: 2, activation: 'gelu' }]]);
    const source = initialisedExportSource(c.doc, 1);
    try {
      let error: unknown;
      try {
        generateOnnx(c.doc, source.analysis, nodeWeightsOf(source.model, source.layerNames), { weightsFrom: 'test' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OnnxExportError);
      expect((error as OnnxExportError).problems.map((p) => p.nodeId)).toEqual(['rnn', 'tail', 'out']);
      expect((error as Error).message).toContain("'rnn' (LSTM): ONNX's LSTM/GRU cannot use activation 'gelu'");
    } finally {
      source.dispose();
    }
  });
});
