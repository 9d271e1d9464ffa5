import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import { alignSeries, batchX, etaSeconds, formatDuration, metricsCsv, progressFraction, smooth, thin } from './trainingMath';

describe('smooth', () => {
  it('is the identity at weight 0 and debiased (first point kept) otherwise', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smooth([4, 4, 4], 0.9);
    for (const v of s) expect(v).toBeCloseTo(4, 10);
  });
  it('follows a step change gradually and skips nulls', () => {
    const s = smooth([0, null, 10, 10], 0.5);
    expect(s[0]).toBe(0);
    expect(s[1]).toBeNull();
    // after 0 then 10 at weight 0.5: (0.5*0*0.5 + 0.5*10)/(1-0.25) = 5/0.75
    expect(s[2]).toBeCloseTo(5 / 0.75, 10);
    expect(s[3]!).toBeGreaterThan(s[2]!);
    expect(s[3]!).toBeLessThan(10);
  });
});

describe('progress and ETA', () => {
  const p = { epoch: 2, epochs: 4, batch: 5, batchesPerEpoch: 10, samplesPerSec: 320, batchSize: 32 };
  it('counts finished batches over the total', () => {
    expect(progressFraction(p)).toBeCloseTo(15 / 40, 10);
    expect(progressFraction({ ...p, epoch: 4, batch: 10 })).toBe(1);
  });
  it('estimates time left from the speed (25 batches × 32 samples at 320/s = 2.5 s)', () => {
    expect(etaSeconds(p)).toBeCloseTo(2.5, 10);
    expect(etaSeconds({ ...p, samplesPerSec: 0 })).toBeUndefined();
    expect(formatDuration(2.5)).toBe('3s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(3725)).toBe('1h 02m');
  });
  it('places batches on the epoch axis', () => {
    expect(batchX(2, 5, 10)).toBeCloseTo(1.5, 10);
  });
});

describe('alignSeries and thin', () => {
  it('merges series on a shared sorted x axis with nulls for gaps', () => {
    expect(alignSeries([[[0.5, 1], [1, 2]], [[1, 3], [2, 4]]])).toEqual([[0.5, 1, 2], [1, 2, null], [null, 3, 4]]);
  });
  it('keeps the last point when thinning', () => {
    const kept = thin([1, 2, 3, 4, 5, 6, 7], 3);
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(kept.at(-1)).toBe(7);
    expect(kept[0]).toBe(1);
  });
});

describe('metricsCsv', () => {
  const run: RunSummary = {
    id: 'run-a',
    startedAt: '2026-11-27T12:00:00.000Z',
    status: 'completed',
    backend: 'cpu',
    config: DEFAULT_TRAINING_CONFIG,
    epochs: [{ epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75 }],
    final: { loss: 0.5 },
    samplesPerSec: 100,
    wallTimeMs: 10,
  };
  it('writes earlier runs, then the current run, with a header', () => {
    const csv = metricsCsv({ runId: 'run-b', batches: [{ x: 0.5, loss: 0.9 }], epochs: [{ epoch: 1, loss: 0.7 }] }, [run]);
    expect(csv.split('\n')).toEqual([
      'run,level,epoch,loss,accuracy,val_loss,val_accuracy',
      'run-a,epoch,1,0.5,0.8,0.6,0.75',
      'run-b,epoch,1,0.7,,,',
      'run-b,batch,0.5,0.9,,,',
      '',
    ]);
  });
});
