import { link, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { loadModelFromDir, saveModelToDir } from './modelFiles';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('saveModelToDir / loadModelFromDir', () => {
  it('round-trips a conv model with batch norm: same predictions after loading', async () => {
    await selectBackend('cpu');
    const input = tfl.input({ shape: [8, 8, 1] });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization().apply(conv) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(bn) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    // Train one step so BN moving statistics and weights differ from their initial values.
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([16, 8, 8, 1], 0, 1, 'float32', 3);
    await model.fit(x, tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3), { epochs: 1, verbose: 0 });
    const before = (model.predict(x) as tf.Tensor).arraySync();

    const dir = await mkdtemp(path.join(tmpdir(), 'bricks-model-'));
    dirs.push(dir);
    await saveModelToDir(model, dir);
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const bytes = (await readFile(path.join(dir, 'weights.bin'))).byteLength;
    expect(bytes).toBe(model.countParams() * 4);

    const loaded = await loadModelFromDir(dir);
    const after = (loaded.predict(x) as tf.Tensor).arraySync();
    expect(after).toEqual(before);
    model.dispose();
    loaded.dispose();
  });

  it('replaces an earlier export atomically: the old files are never rewritten in place, and no temp file is left', async () => {
    await selectBackend('cpu');
    const make = (units: number) => {
      const input = tfl.input({ shape: [4] });
      const out = tfl.layers.dense({ units, activation: 'softmax' }).apply(input) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: out });
    };
    const dir = await mkdtemp(path.join(tmpdir(), 'bricks-model-'));
    dirs.push(dir);
    const first = make(2);
    await saveModelToDir(first, dir);
    const oldWeights = await readFile(path.join(dir, 'weights.bin'));
    // A reader still holding the old export (here: a second name for the same inode) must keep seeing it whole.
    await link(path.join(dir, 'weights.bin'), path.join(dir, 'reader-view.bin'));
    const second = make(7);
    await saveModelToDir(second, dir);
    expect(await readFile(path.join(dir, 'reader-view.bin'))).toEqual(oldWeights);
    expect((await readFile(path.join(dir, 'weights.bin'))).byteLength).toBe(second.countParams() * 4);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'reader-view.bin', 'weights.bin']);
    first.dispose();
    second.dispose();
  });
});
