/**
 * `bricks export`: a trained spirals run exported to PyTorch gives in python3-torch what `bricks predict` gives (within
 * 1e-4), and so does its ONNX export in ONNX Runtime; the TF.js export is the run's model; the Keras export writes model.py that parses;
 * errors name what is wrong.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/format/runSummary';
import { serializeGraphFile } from '../../../shared/format';
import { readGraphFile } from '../../services/files/readGraphFile';
import { loadModelFromDir } from '../../services/training/modelFiles';
import { seededUniform } from '../../services/testing/seededUniform';
import { runCli as bricks } from '../testing/runCli';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';

const repo = path.resolve(import.meta.dirname, '../../..');
const PYTHON = '/usr/bin/python3';
const HAS_TORCH = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
if (!HAS_TORCH) console.warn(`SKIPPED: bricks export → PyTorch parity needs ${PYTHON} with torch (apt-get install python3-torch)`);

let dir: string;
let spirals: string;
let run: RunSummary;
const points = Array.from({ length: 6 }, (_, i) => [...seededUniform(2, 31 + i, -1, 1)]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bricks-export-'));
  spirals = path.join(dir, 'spirals.nbrick');
  await copyFile(path.join(repo, 'examples/spirals.nbrick'), spirals);
  const trained = await bricks('train', spirals, '--epochs', '1', '--backend', 'cpu', '--record', '--no-progress');
  expect(trained.code, trained.err).toBe(0);
  const read = await readGraphFile(spirals);
  if (!read.ok) throw new Error(read.error.message);
  run = read.file.runs!.at(-1)!;
  await writeFile(path.join(dir, 'points.json'), JSON.stringify(points));
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function predicted(): Promise<number[][]> {
  const p = await bricks('predict', spirals, '--input', path.join(dir, 'points.json'), '--output', path.join(dir, 'predicted.json'));
  expect(p.code, p.err).toBe(0);
  return JSON.parse(await readFile(path.join(dir, 'predicted.json'), 'utf8')) as number[][];
}

describe('bricks export', () => {
  it.skipIf(!HAS_TORCH)("--to pytorch: the run's weights, and model.py gives what bricks predict gives", async () => {
    const out = path.join(dir, 'pt');
    const result = await bricks('export', spirals, '--to', 'pytorch', '--out', out);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toContain(`weights: trained, from run ${run.id}`);
    expect(result.out).toContain(`Exported spirals.nbrick → ${out}: model.py, weights.safetensors, README.md`);
    expect(result.out).toMatch(/class Spirals: \d+ nodes, [\d,]+ parameters in \d+ tensors; weights: trained/);
    expect((await readdir(out)).sort()).toEqual(['README.md', 'model.py', 'weights.safetensors']);
    expect(await readFile(path.join(out, 'README.md'), 'utf8')).toContain("spirals points");

    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
import torch
from model import load_model
model = load_model(sys.argv[1])
with torch.no_grad():
    y = model(torch.tensor(json.load(open(sys.argv[2])), dtype=torch.float32))
print(json.dumps(y.tolist()))
`;
    await writeFile(path.join(dir, 'run_pt.py'), script);
    const py = spawnSync(PYTHON, [path.join(dir, 'run_pt.py'), out, path.join(dir, 'points.json')], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const torchOut = JSON.parse(py.stdout) as number[][];
    const expected = await predicted();
    expect(torchOut.length).toBe(expected.length);
    let max = 0;
    torchOut.forEach((row, i) => row.forEach((v, j) => (max = Math.max(max, Math.abs(v - expected[i]![j]!)))));
    console.info(`bricks export spirals run ${run.id}: PyTorch vs bricks predict max |diff| ${max.toExponential(2)}`);
    expect(max).toBeLessThanOrEqual(1e-4);
  }, 60_000);

  it("--to tfjs: writes the run's own TF.js layers model, which predicts what bricks predict does", async () => {
    const out = path.join(dir, 'tfjs');
    const result = await bricks('export', spirals, '--to', 'tfjs', '--out', out, '--run', run.id);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('TF.js layers model');
    expect((await readdir(out)).sort()).toEqual(['model.json', 'weights.bin']);
    const model = await loadModelFromDir(out);
    const y = model.predict(tf.tensor(points)) as tf.Tensor;
    const values = (await y.array()) as number[][];
    const expected = await predicted();
    values.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThanOrEqual(1e-6)));
    model.dispose();
    y.dispose();
  });

  it('without a kept run exports freshly initialised weights, and says so', async () => {
    const fresh = path.join(dir, 'xor.nbrick');
    await copyFile(path.join(repo, 'examples/xor.nbrick'), fresh);
    const result = await bricks('export', fresh, '--to', 'tfjs', '--out', path.join(dir, 'xor-tfjs'), '--seed', '3');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('freshly initialised (no kept run)');
  });

  it('--to keras writes model.py (parses in python3), weights.safetensors and a README saying it was checked by structure only', async () => {
    const out = path.join(dir, 'k');
    const keras = await bricks('export', spirals, '--to', 'keras', '--out', out);
    expect(keras.code, keras.err).toBe(0);
    expect(keras.err).toContain(`Exporting spirals.nbrick to Keras; weights: trained, from run ${run.id}`);
    expect(keras.out).toContain('needs TensorFlow 2 (checked by structure only)');
    expect((await readdir(out)).sort()).toEqual(['README.md', 'model.py', 'weights.safetensors']);
    expect(await readFile(path.join(out, 'README.md'), 'utf8')).toContain('checked by structure only');
    const source = await readFile(path.join(out, 'model.py'), 'utf8');
    expect(source).toContain('def build_model():');
    if (spawnSync(PYTHON, ['-c', '1']).status === 0) {
      const parsed = spawnSync(PYTHON, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', path.join(out, 'model.py')], { encoding: 'utf8' });
      expect(parsed.status, parsed.stderr).toBe(0);
    }
  });

  it('unknown targets and missing runs are errors', async () => {
    const unknown = await bricks('export', spirals, '--to', 'caffe', '--out', path.join(dir, 'c'));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown target 'caffe'");
    const missing = await bricks('export', spirals, '--to', 'pytorch', '--out', path.join(dir, 'm'), '--run', 'no-such-run');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`no run no-such-run in ${spirals} (its runs: ${run.id})`);
    expect((await bricks('export', path.join(dir, 'absent.nbrick'), '--to', 'pytorch', '--out', path.join(dir, 'a'))).code).toBe(2);
  });

  it("--to onnx: model.onnx with the run's weights gives in ONNX Runtime what bricks predict gives", async () => {
    const out = path.join(dir, 'onnx');
    const result = await bricks('export', spirals, '--to', 'onnx', '--out', out);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toContain(`Exporting spirals.nbrick to ONNX; weights: trained, from run ${run.id}`);
    expect(result.out).toContain(`Exported spirals.nbrick → ${out}: model.onnx, README.md`);
    expect(result.out).toMatch(/ONNX opset 13: \d+ operators, [\d,]+ parameters in \d+ initializers/);
    expect((await readdir(out)).sort()).toEqual(['README.md', 'model.onnx']);
    const readme = await readFile(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('spirals points');
    expect(readme).toContain("ort.InferenceSession('model.onnx')");

    const session = await ort.InferenceSession.create(path.join(out, 'model.onnx'));
    const input = session.inputNames[0]!;
    const y = (await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(points.flat()), [points.length, 2]) }))[session.outputNames[0]!]!;
    await session.release();
    const expected = await predicted();
    expect([...y.dims]).toEqual([expected.length, expected[0]!.length]);
    const values = y.data as Float32Array;
    let max = 0;
    expected.forEach((row, i) => row.forEach((v, j) => (max = Math.max(max, Math.abs(values[i * row.length + j]! - v)))));
    console.info(`bricks export spirals run ${run.id}: ONNX Runtime vs bricks predict max |diff| ${max.toExponential(2)}`);
    expect(max).toBeLessThanOrEqual(1e-4);
  }, 60_000);

  it('refuses a run trained on a different graph, naming the nodes that changed', async () => {
    const read = await readGraphFile(spirals);
    if (!read.ok) throw new Error(read.error.message);
    const dense = read.file.graph.nodes.find((n) => n.type === 'Dense')!;
    const changed = {
      ...read.file,
      graph: { ...read.file.graph, nodes: read.file.graph.nodes.map((n) => (n === dense ? { ...n, params: { ...n.params, units: 7 } } : n)) },
    };
    await writeFile(spirals, serializeGraphFile(changed));
    const result = await bricks('export', spirals, '--to', 'pytorch', '--out', path.join(dir, 'changed'));
    expect(result.code).toBe(1);
    expect(result.err).toContain(`run ${run.id} was trained on a different graph: its model does not match node`);
    expect(result.err).toContain(`'${dense.id}'`);
  });
});
