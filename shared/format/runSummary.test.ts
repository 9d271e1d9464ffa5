import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG } from './trainingConfig';
import { runSummarySchema, type RunSummary } from './runSummary';

describe('runSummarySchema', () => {
  const run: RunSummary = {
    id: 'run-1',
    startedAt: '2026-11-27T12:00:00.000Z',
    finishedAt: '2026-11-27T12:00:05.000Z',
    status: 'completed',
    backend: 'cpu',
    config: DEFAULT_TRAINING_CONFIG,
    epochs: [{ epoch: 0, loss: 0.69, accuracy: 0.5, valLoss: 0.7, valAccuracy: 0.48 }],
    final: { loss: 0.1, accuracy: 0.98, testLoss: 0.12, testAccuracy: 0.97 },
    samplesPerSec: 12000,
    wallTimeMs: 5000,
  };

  it('accepts a complete run', () => {
    expect(runSummarySchema.parse(run)).toEqual(run);
  });

  it('rejects a non-ISO start time, an unknown status and NaN-like metrics', () => {
    expect(runSummarySchema.safeParse({ ...run, startedAt: 'yesterday' }).success).toBe(false);
    expect(runSummarySchema.safeParse({ ...run, status: 'running' }).success).toBe(false);
    expect(runSummarySchema.safeParse({ ...run, final: { loss: Number.NaN } }).success).toBe(false);
    expect(runSummarySchema.safeParse({ ...run, final: { loss: 'NaN' } }).success).toBe(false);
  });
});
