import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../backends/selectBackend';
import { compileGraph } from '../../compiler/compileGraph';
import { readGraphFile } from '../../files/readGraphFile';
import { AUTO_MIN_MACS_PER_HALF_BATCH, estimateMacsPerSample, resolveWorkers } from './resolveWorkers';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

describe('resolveWorkers', () => {
  it('uses what was asked for, 1 by default', () => {
    expect(resolveWorkers(undefined, { name: 'wasm', threads: 1 }, 8)).toBe(1);
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
  it('auto keeps tiny models on one worker', () => {
    expect(resolveWorkers('auto', { name: 'wasm', threads: 1 }, 2, 100_000)).toBe(1);
    expect(resolveWorkers('auto', { name: 'wasm', threads: 1 }, 2, 10_000_000)).toBe(2);
    expect(resolveWorkers(2, { name: 'wasm', threads: 1 }, 2, 100)).toBe(2); // an explicit 2 is obeyed
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

  it('puts the shipped examples on the expected side of the bar (batch 64 → halves of 32)', async () => {
    await selectBackend('cpu');
    const half = (name: string) => readGraphFile(path.join(ROOT, name)).then((read) => {
      if (!read.ok) throw new Error(read.error.message);
      const { model } = compileGraph(read.file.graph);
      const macs = estimateMacsPerSample(model) * 32;
      model.dispose();
      return macs;
    });
    expect(await half('examples/spirals.nbrick')).toBeLessThan(AUTO_MIN_MACS_PER_HALF_BATCH);
    expect(await half('examples/xor.nbrick')).toBeLessThan(AUTO_MIN_MACS_PER_HALF_BATCH);
    expect(await half('bench/mlp.nbrick')).toBeGreaterThan(AUTO_MIN_MACS_PER_HALF_BATCH);
    expect(await half('bench/cnn.nbrick')).toBeGreaterThan(AUTO_MIN_MACS_PER_HALF_BATCH);
  });
});
