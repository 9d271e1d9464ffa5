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
});
