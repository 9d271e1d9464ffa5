/**
 * The small examples learn what they promise, through the whole pipeline (file → compiler → trainer) on wasm.
 * Runs are seeded, so these are reproducible, not flaky: a failure means training or an example changed.
 */
import { describe, expect, it } from 'vitest';
import { readExample } from './referenceGraphs';
import { runTraining } from './runTraining';

describe('example accuracy on wasm', () => {
  it('xor.nbrick reaches 100 % training accuracy', async () => {
    const file = await readExample('xor.nbrick');
    const { summary } = await runTraining(file.graph, undefined, { ...file.training, backend: 'wasm' });
    expect(summary.status).toBe('completed');
    expect(summary.backend).toBe('wasm');
    expect(summary.final.accuracy).toBe(1);
  });

  it('spirals.nbrick reaches ≥ 95 % validation accuracy within 40 epochs', async () => {
    const file = await readExample('spirals.nbrick');
    const { summary } = await runTraining(file.graph, undefined, { ...file.training, epochs: 40, backend: 'wasm' });
    expect(summary.final.valAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it.each([1, 2] as const)(
    'nf-resnet-mini.nbrick (no BatchNorm: WSConv2D + SkipInit, AGC λ 0.01) learns MNIST from 1,000 samples in 2 epochs, %s worker(s)',
    async (workers) => {
      const file = await readExample('nf-resnet-mini.nbrick');
      expect(file.training.clip).toEqual({ kind: 'agc', lambda: 0.01 });
      const { summary } = await runTraining(file.graph, { id: 'mnist', options: { limit: 1000 } }, {
        ...file.training,
        epochs: 2,
        batchSize: 32,
        backend: 'wasm',
        workers,
      });
      expect(summary.status).toBe('completed');
      expect(summary.config.clip).toEqual({ kind: 'agc', lambda: 0.01 });
      // Chance is 10 %; this seeded run measures about 53 % on the held-out test split.
      expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.35);
      expect(summary.final.loss).toBeLessThan(2);
    },
  );
});
