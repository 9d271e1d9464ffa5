import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { compileGraph } from '../compiler/compileGraph';
import { readGraphFile } from '../files/readGraphFile';
import { activationValuesPerSample, EVAL_ACTIVATION_BUDGET_BYTES, evaluationBatchSize, MAX_EVAL_BATCH } from './evaluationBatchSize';

async function benchModel(name: string) {
  const read = await readGraphFile(path.join(import.meta.dirname, '../../../bench', `${name}.nbrick`));
  if (!read.ok) throw new Error(read.error.message);
  return compileGraph(read.file.graph).model;
}

describe('evaluationBatchSize', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('sizes chunks of the bench CNN by its activations (every layer output of 28×28×16 and more)', async () => {
    const model = await benchModel('cnn');
    // input 784, two convs + BatchNorm + Add at 28×28×16, pool and flatten 14×14×16, 10 outputs
    expect(activationValuesPerSample(model)).toBe(784 + 4 * 28 * 28 * 16 + 2 * 14 * 14 * 16 + 10);
    const rows = evaluationBatchSize(model);
    expect(rows).toBeLessThan(MAX_EVAL_BATCH);
    expect(rows * activationValuesPerSample(model) * 4).toBeLessThanOrEqual(EVAL_ACTIVATION_BUDGET_BYTES);
    expect((rows + 1) * activationValuesPerSample(model) * 4).toBeGreaterThan(EVAL_ACTIVATION_BUDGET_BYTES);
    model.dispose();
  });

  it('keeps 512 rows for models with small activations (the bench MLP), and at least 1 row for huge ones', async () => {
    const model = await benchModel('mlp');
    expect(evaluationBatchSize(model)).toBe(MAX_EVAL_BATCH);
    expect(evaluationBatchSize(model, 1)).toBe(1);
    model.dispose();
  });
});
