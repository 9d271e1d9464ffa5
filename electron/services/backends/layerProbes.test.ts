import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_PROBES, runProbe } from './layerProbes';
import { selectBackend } from './selectBackend';

describe('every catalog layer type trains one optimizer step on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(LAYER_PROBES.map((p) => [p.name, p] as const))('%s', async (_, probe) => {
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const result = await runProbe(probe);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.maxWeightChange).toBeGreaterThan(0);
    // Dropout/relu can zero a bias gradient in one tiny step, but no whole kernel may stay frozen.
    expect(result.unchangedWeights.filter((name) => name.endsWith('kernel') || name.endsWith('embeddings'))).toEqual([]);
    // Optimizer slots stay alive with the model's optimizer, so allow growth but catch per-step leaks of big tensors.
    expect(tf.memory().numTensors - before).toBeLessThan(64);
  });
});
