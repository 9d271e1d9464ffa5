import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../backends/selectBackend';
import { compileGraph } from '../../compiler/compileGraph';
import { readGraphFile } from '../../files/readGraphFile';
import { estimateMacsPerSample, resolveWorkers } from './resolveWorkers';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

describe('resolveWorkers', () => {
  it('uses what was asked for, auto by default', () => {
    expect(resolveWorkers(undefined, { name: 'wasm', threads: 1 }, 8)).toBe(2);
    expect(resolveWorkers(undefined, { name: 'wasm', threads: 1 }, 8, { macs: 100_000, params: 1_000 })).toBe(1);
    expect(resolveWorkers(undefined, { name: 'wasm', threads: 1 }, 1)).toBe(1);
    expect(resolveWorkers(undefined, { name: 'tensorflow' }, 8)).toBe(1);
    expect(resolveWorkers(1, { name: 'wasm', threads: 1 }, 8)).toBe(1);
    expect(resolveWorkers(2, { name: 'wasm', threads: 2 }, 1)).toBe(2);
    expect(resolveWorkers(2, { name: 'cpu', threads: 1 }, 2)).toBe(2);
  });

  it('tfjs-node always trains with one worker (already multi-threaded; a native addon in one thread only)', () => {
    expect(resolveWorkers(2, { name: 'tensorflow' }, 8)).toBe(1);
  });

  it('auto: 2 only for a single-threaded backend on a machine with at least 2 cores', () => {
    expect(resolveWorkers('auto', { name: 'wasm', threads: 1 }, 2)).toBe(2);
    expect(resolveWorkers('auto', { name: 'cpu', threads: 1 }, 4)).toBe(2);
    expect(resolveWorkers('auto', { name: 'wasm', threads: 1 }, 1)).toBe(1);
    expect(resolveWorkers('auto', { name: 'wasm', threads: 2 }, 4)).toBe(1);
    expect(resolveWorkers('auto', { name: 'tensorflow' }, 8)).toBe(1);
  });
});

describe('auto and the work per step', () => {
  it('auto keeps tiny models and dense nets with small halves on one worker', () => {
    const wasm = { name: 'wasm', threads: 1 } as const;
    expect(resolveWorkers('auto', wasm, 2, { macs: 100_000, params: 1_000 })).toBe(1); // tiny
    expect(resolveWorkers('auto', wasm, 2, { macs: 32 * 270_000, params: 270_000 })).toBe(1); // MLP, halves of 32
    expect(resolveWorkers('auto', wasm, 2, { macs: 128 * 270_000, params: 270_000 })).toBe(2); // MLP, halves of 128
    expect(resolveWorkers('auto', wasm, 2, { macs: 60_000_000, params: 34_000 })).toBe(2); // CNN, halves of 32
    expect(resolveWorkers(2, wasm, 2, { macs: 100, params: 100 })).toBe(2); // an explicit 2 is obeyed
  });

  it('estimates multiply-adds: dense layers once, convolutions per output position', async () => {
    await selectBackend('cpu');
    const dense = tfl.sequential({ layers: [tfl.layers.dense({ units: 10, inputShape: [784] })] });
    expect(estimateMacsPerSample(dense)).toBe(785 * 10);
    const conv = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', inputShape: [28, 28, 1] }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 10 }),
      ],
    });
    expect(estimateMacsPerSample(conv)).toBe(160 * 28 * 28 + (14 * 14 * 16 + 1) * 10);
    dense.dispose();
    conv.dispose();
  });

  it('puts the shipped examples on the expected side of the bars (batch 64 → halves of 32)', async () => {
    await selectBackend('wasm'); // the LSTM's orthogonal initializer takes ~30 s on cpu
    const auto = async (name: string) => {
      const read = await readGraphFile(path.join(ROOT, name));
      if (!read.ok) throw new Error(read.error.message);
      const { model } = compileGraph(read.file.graph);
      const work = { macs: estimateMacsPerSample(model) * 32, params: model.countParams() };
      model.dispose();
      return resolveWorkers('auto', { name: 'wasm', threads: 1 }, 2, work);
    };
    expect(await auto('examples/xor.nbrick')).toBe(1);
    expect(await auto('examples/spirals.nbrick')).toBe(1);
    expect(await auto('bench/mlp.nbrick')).toBe(1);
    expect(await auto('bench/cnn.nbrick')).toBe(2);
    expect(await auto('examples/lenet.nbrick')).toBe(2);
    // An LSTM reuses its weights at every time step (28 here): measured +27–29 % on 2 workers idle (resolveWorkers' header).
    expect(await auto('bench/lstm.nbrick')).toBe(2);
    expect(await auto('examples/autoencoder.nbrick')).toBe(1);
  });
});
