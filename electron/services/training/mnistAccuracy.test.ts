/**
 * The slow accuracy suite: the MNIST examples reach their targets on the offline 8,500/1,500 split, on wasm.
 * About a minute or two on 2 cores (see the TRAINER report for measured times). Seeded, hence reproducible.
 */
import { describe, expect, it } from 'vitest';
import { runTraining } from './runTraining';
import { readExample } from './referenceGraphs';

describe('MNIST example accuracy on wasm', () => {
  it('mnist-mlp.nbrick reaches ≥ 95 % test accuracy', { timeout: 600_000 }, async () => {
    const file = await readExample('mnist-mlp.nbrick');
    // The file's 8 epochs of batch 64 stop at ~94 %: a 128-unit MLP needs more steps on 7,650 training images.
    const { summary } = await runTraining(file.graph, undefined, { ...file.training, epochs: 20, batchSize: 32, backend: 'wasm' });
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('lenet.nbrick reaches ≥ 97 % test accuracy with its own training config', { timeout: 600_000 }, async () => {
    const file = await readExample('lenet.nbrick');
    const { summary } = await runTraining(file.graph, undefined, { ...file.training, backend: 'wasm' });
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.97);
  });
});
