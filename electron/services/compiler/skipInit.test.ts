/**
 * SkipInit's forward and gradients against their formulas (y = α·x, ∂L/∂α = Σ x·∂L/∂y, ∂L/∂x = α·∂L/∂y) on cpu and
 * wasm, and a compiled model with WSConv2D and SkipInit saved and loaded back through the checkpoint helpers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../../shared/inference/buildGraph';
import { selectBackend } from '../backends/selectBackend';
import { seededUniform } from '../testing/seededUniform';
import { loadModelFromDir, saveModelToDir } from '../training/modelFiles';
import { compileGraph } from './compileGraph';
import { skipInit } from './skipInit';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function release(layer: tfl.layers.Layer): void {
  for (const w of layer.weights) w.dispose();
}

describe('SkipInit', () => {
  it.each(['cpu', 'wasm'] as const)('%s: α = 0 outputs zeros; ∂L/∂α = Σ x·dy and ∂L/∂x = α·dy', async (backend) => {
    await selectBackend(backend);
    const layer = skipInit({ name: 'skip' });
    layer.build([null, 4, 5, 3]);
    const shape = [2, 4, 5, 3];
    const xs = seededUniform(120, 41);
    const dys = seededUniform(120, 42);
    const { y, dAlpha, dx } = tf.tidy(() => {
      const x = tf.tensor(xs, shape);
      const dy = tf.tensor(dys, shape);
      const alpha = layer.trainableWeights[0]!.read() as tf.Variable;
      const f = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, dy)) as tf.Scalar;
      const { grads } = tf.variableGrads(f, [alpha]);
      const gx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, dy)))(x);
      return { y: Array.from((layer.apply(x) as tf.Tensor).dataSync()), dAlpha: grads[alpha.name]!.dataSync()[0]!, dx: Array.from(gx.dataSync()) };
    });
    expect(y.every((v) => v === 0)).toBe(true);
    let expected = 0;
    for (let i = 0; i < xs.length; i++) expected += xs[i]! * dys[i]!;
    expect(Math.abs(dAlpha - expected)).toBeLessThan(1e-4);
    expect(dx.every((v) => v === 0)).toBe(true); // α = 0 passes no gradient to the branch yet

    layer.setWeights([tf.scalar(0.75)]);
    const moved = tf.tidy(() => {
      const x = tf.tensor(xs, shape);
      const dy = tf.tensor(dys, shape);
      return {
        y: Array.from((layer.apply(x) as tf.Tensor).dataSync()),
        dx: Array.from(tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, dy)))(x).dataSync()),
      };
    });
    for (let i = 0; i < xs.length; i++) {
      expect(Math.abs(moved.y[i]! - 0.75 * xs[i]!)).toBeLessThan(1e-6);
      expect(Math.abs(moved.dx[i]! - 0.75 * dys[i]!)).toBeLessThan(1e-6);
    }
    release(layer);
  });

  it('starts at its initial value, which its config keeps', async () => {
    await selectBackend('cpu');
    const layer = skipInit({ name: 'skip', initialValue: -0.5 });
    layer.build([null, 2]);
    expect(layer.getWeights()[0]!.shape).toEqual([]);
    expect(layer.getWeights()[0]!.dataSync()[0]).toBe(-0.5);
    expect(layer.getConfig().initialValue).toBe(-0.5);
    expect(layer.countParams()).toBe(1);
    release(layer);
  });
});

describe('normalizer-free layers in saved models', () => {
  it('a trained model with WSConv2D and SkipInit saves and loads back with identical outputs', async () => {
    await selectBackend('cpu');
    const doc = buildGraph(
      [
        ['input', 'Input', { kind: 'image', height: 8, width: 8, channels: 1 }],
        ['stem', 'WSConv2D', { filters: 4, activation: 'relu' }],
        ['conv', 'WSConv2D', { filters: 4, activation: 'linear', useBias: false, eps: 1e-3 }],
        ['skip', 'SkipInit', { initialValue: 0.2 }],
        ['add', 'Add'],
        ['gap', 'GlobalAvgPool2D'],
        ['out', 'Output', { task: 'classification', units: 3 }],
      ],
      [['input', 'stem'], ['stem', 'conv'], ['conv', 'skip'], ['skip', 'add'], ['stem', 'add'], ['add', 'gap'], ['gap', 'out']],
    );
    const compiled = compileGraph(doc, { seed: 3 });
    const model = compiled.model;
    model.compile({ optimizer: tf.train.adam(0.05), loss: compiled.head.loss });
    const x = tf.tensor(seededUniform(16 * 64, 51), [16, 8, 8, 1]);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32'), 3);
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    // Training moved the weights off their initial values (gains off 1, α off 0.2), so the round trip is meaningful.
    expect(model.getLayer('skip').getWeights()[0]!.dataSync()[0]).not.toBeCloseTo(0.2, 4);
    expect(Array.from(model.getLayer('conv').getWeights()[1]!.dataSync()).some((g) => Math.abs(g - 1) > 1e-3)).toBe(true);

    const dir = await mkdtemp(path.join(tmpdir(), 'bricks-nf-model-'));
    dirs.push(dir);
    await saveModelToDir(model, dir);
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    const classes = (json.modelTopology.config.layers as { class_name: string }[]).map((l) => l.class_name);
    expect(classes).toContain('NeuralBricks>WSConv2D');
    expect(classes).toContain('NeuralBricks>SkipInit');
    expect((await readFile(path.join(dir, 'weights.bin'))).byteLength).toBe(model.countParams() * 4);

    const loaded = await loadModelFromDir(dir);
    expect(loaded.getLayer('conv').getConfig().eps).toBe(1e-3);
    expect(loaded.getLayer('conv').getConfig().useBias).toBe(false);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const after = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    tf.dispose([x, y]);
    model.dispose();
    loaded.dispose();
  });
});
