/**
 * End to end: every shipped example graph, compiled by the catalog compiler, takes one SGD step on wasm (our extra
 * kernels included) and lands on the same loss and the same updated weights as the reference cpu backend.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadGraphFile } from '../../../shared/format';
import { compileGraph } from '../compiler/compileGraph';
import { selectBackend } from './selectBackend';
import { seededUniform } from '../testing/seededUniform';

const EXAMPLES_DIR = join(import.meta.dirname, '../../../examples');
const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.nbrick')).sort();
const BATCH = 4;

const seeded = (n: number, seed: number): Float32Array => seededUniform(n, seed, 0, 1);

async function oneStep(file: string, backend: 'cpu' | 'wasm'): Promise<{ loss: number; weights: Float32Array[]; changed: number }> {
  await selectBackend(backend);
  const loaded = loadGraphFile(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
  if (!loaded.ok) throw new Error(`${file}: ${loaded.error.message}`);
  const compiled = compileGraph(loaded.file.graph, { seed: 7 });
  const { model, head } = compiled;
  model.compile({ optimizer: tf.train.sgd(0.05), loss: head.loss });
  const inShape = [BATCH, ...(model.inputs[0]?.shape.slice(1) as number[])];
  const outShape = [BATCH, ...(model.outputs[0]?.shape.slice(1) as number[])];
  const inSize = inShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(seeded(inSize, 1), inShape);
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const y =
    head.task === 'classification'
      ? tf.oneHot(tf.tensor1d([0, 1, 2, 3].map((i) => i % head.units), 'int32'), head.units)
      : head.task === 'binary'
        ? tf.tensor(Array.from({ length: outSize }, (_, i) => i % 2), outShape)
        : tf.tensor(seeded(outSize, 2), outShape);
  const before = model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync()));
  const result = await model.trainOnBatch(x, y);
  const loss = Array.isArray(result) ? (result[0] as number) : result;
  const weights = model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync()));
  const changed = weights.filter((w, i) => w.some((v, j) => v !== (before[i] as Float32Array)[j])).length;
  tf.dispose([x, y]);
  model.dispose();
  return { loss, weights, changed };
}

describe('example graphs train one step on wasm exactly like on cpu', () => {
  it.each(files)('%s', async (file) => {
    const cpu = await oneStep(file, 'cpu');
    const wasm = await oneStep(file, 'wasm');
    expect(Number.isFinite(wasm.loss)).toBe(true);
    expect(wasm.changed).toBeGreaterThan(0);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(cpu.loss)));
    expect(wasm.weights.length).toBe(cpu.weights.length);
    cpu.weights.forEach((w, i) => {
      const other = wasm.weights[i] as Float32Array;
      let maxDiff = 0;
      for (let j = 0; j < w.length; j++) maxDiff = Math.max(maxDiff, Math.abs((w[j] as number) - (other[j] as number)));
      expect(maxDiff, `weight ${i}`).toBeLessThanOrEqual(1e-4);
    });
  });
});
