import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import {
  accuracyApplies,
  addProgressMark,
  alignSeries,
  batchX,
  ETA_WINDOW_MS,
  etaSeconds,
  formatAxisTicks,
  formatDuration,
  legendSeries,
  metricsCsv,
  progressFraction,
  smooth,
  thin,
} from './trainingMath';

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
  it('takes the ETA from the wall clock over the recent window once 3 marks span 0.5 s: validation and gaps included', () => {
    const p = { epoch: 2, epochs: 3, batch: 10, batchesPerEpoch: 20, samplesPerSec: 1000, batchSize: 10 }; // 30 batches left
    // 10 batches per second by the wall clock, though samples/s (batch time only) says 100 per second.
    const marks = [{ atMs: 0, done: 20 }, { atMs: 1000, done: 30 }, { atMs: 2000, done: 40 }];
    expect(etaSeconds(p, marks)).toBeCloseTo(3, 10);
    // Two marks, or three within 0.5 s: samples/s (30 batches × 10 samples / 1000).
    expect(etaSeconds(p, marks.slice(0, 2))).toBeCloseTo(0.3, 10);
    expect(etaSeconds(p, [{ atMs: 0, done: 20 }, { atMs: 200, done: 22 }, { atMs: 400, done: 24 }])).toBeCloseTo(0.3, 10);
    expect(etaSeconds(p, [])).toBeCloseTo(0.3, 10);
    // No progress over the window (e.g. a long validation): samples/s rather than infinity.
    expect(etaSeconds(p, [{ atMs: 0, done: 40 }, { atMs: 5000, done: 40 }])).toBeCloseTo(0.3, 10);
  });
  it('early in a run, the rate of the marks rather than samples/s, which still carries the first batch warm-up', () => {
    // 1 epoch of 130 batches of 64: the first batch took 2 s (warm-up), the next ones 80 ms each.
    const p = { epoch: 1, epochs: 1, batch: 8, batchesPerEpoch: 130, samplesPerSec: (8 * 64) / (2 + 7 * 0.08), batchSize: 64 };
    const marks = Array.from({ length: 8 }, (_, i) => ({ atMs: 2000 + i * 80, done: i + 1 }));
    expect((122 * 64) / p.samplesPerSec).toBeGreaterThan(30); // what samples/s says: 122 batches left at ~200 samples/s
    expect(etaSeconds(p, marks)).toBeCloseTo(122 * 0.08, 6); // ~9.8 s
  });
  it('keeps the marks of the last window, and one older so the window stays full', () => {
    let marks = addProgressMark(undefined, { atMs: 0, done: 1 });
    for (let t = 1000; t <= 30_000; t += 1000) marks = addProgressMark(marks, { atMs: t, done: t / 1000 + 1 });
    expect(marks[0]!.atMs).toBe(30_000 - ETA_WINDOW_MS);
    expect(marks[marks.length - 1]!.atMs).toBe(30_000);
  });
  it('places batches on the epoch axis', () => {
    expect(batchX(2, 5, 10)).toBeCloseTo(1.5, 10);
  });
});

describe('legendSeries', () => {
  it('leaves out series with nothing to draw, so no legend entry stands for an empty curve', () => {
    const series = [
      { label: 'run 1 · 14:05', points: [] },
      { label: 'training, per epoch', points: [[1, 0.5], [2, 0.4]] as const },
      { label: 'validation, per epoch', points: [[1, undefined], [2, undefined]] as const },
      { label: 'overflowed', points: [[1, Number.NaN], [2, Number.POSITIVE_INFINITY]] as const },
      { label: 'gappy', points: [[1, undefined], [2, 0.3]] as const },
    ];
    expect(legendSeries(series).map((s) => s.label)).toEqual(['training, per epoch', 'gappy']);
    expect(legendSeries(series)[0]).toBe(series[1]);
    expect(legendSeries([])).toEqual([]);
  });
  it('gives every drawn series a label: an unnamed one is named by its place, a padded one trimmed', () => {
    const shown = legendSeries([
      { label: '', points: [[1, 1]] as const, color: 'red' },
      { label: '  ', points: [] as const, color: 'blue' },
      { label: ' loss ', points: [[1, 2]] as const, color: 'green' },
    ]);
    expect(shown).toEqual([
      { label: 'series 1', points: [[1, 1]], color: 'red' },
      { label: 'loss', points: [[1, 2]], color: 'green' },
    ]);
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

describe('formatAxisTicks', () => {
  it('writes large losses compactly, distinct per tick and short enough for the axis', () => {
    // A regression on grams: MSE ticks like uPlot picks them.
    const labels = formatAxisTicks([0, 50_000, 100_000, 150_000, 200_000]);
    expect(labels).toEqual(['0', '50k', '100k', '150k', '200k']);
    expect(formatAxisTicks([1_000, 1_500, 2_000])).toEqual(['1k', '1.5k', '2k']);
    expect(formatAxisTicks([0, 1_200_000, 2_400_000])).toEqual(['0', '1.2M', '2.4M']);
    expect(formatAxisTicks([3e9, 4e9])).toEqual(['3G', '4G']);
    for (const label of formatAxisTicks([0, 250_000, 500_000, 750_000, 1_000_000])) expect(label.length).toBeLessThanOrEqual(5);
  });
  it('keeps small and fractional ticks readable', () => {
    expect(formatAxisTicks([0, 0.25, 0.5, 0.75, 1])).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    expect(formatAxisTicks([0.0005, 0.001])).toEqual(['5e-4', '0.001']);
    expect(formatAxisTicks([-2, 0, 2])).toEqual(['-2', '0', '2']);
    expect(formatAxisTicks([null, 1])).toEqual(['', '1']);
  });
  it('reads each tick alone on a log axis', () => {
    expect(formatAxisTicks([0.01, 1, 100, 10_000, 1_000_000], true)).toEqual(['0.01', '1', '100', '10k', '1M']);
  });
});

describe('accuracyApplies', () => {
  const graph = (...tasks: (string | undefined)[]) => ({
    nodes: [{ type: 'Input', params: {} }, ...tasks.map((task) => ({ type: 'Output', params: task === undefined ? {} : { task } }))],
  });
  it('is false only when every Output is a regression head', () => {
    expect(accuracyApplies(graph('regression'))).toBe(false);
    expect(accuracyApplies(graph('classification'))).toBe(true);
    expect(accuracyApplies(graph('binary'))).toBe(true);
    expect(accuracyApplies(graph(undefined))).toBe(true);
    expect(accuracyApplies(graph('regression', 'classification'))).toBe(true);
    expect(accuracyApplies(graph())).toBe(true);
  });
});
