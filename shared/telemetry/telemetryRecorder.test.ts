import { describe, expect, it } from 'vitest';
import { MAX_RECORDED_HISTOGRAMS, MAX_RECORDED_TELEMETRY_POINTS, runTelemetrySchema, TELEMETRY_HISTOGRAM_BINS } from '../contracts/telemetry';
import { histogramOf, StridedSeries, stepToEpochBatch, TelemetryRecorder } from './telemetryRecorder';

describe('StridedSeries', () => {
  it('keeps everything until the limit, then thins evenly and always ends with the newest item', () => {
    const s = new StridedSeries<number>(8);
    for (let i = 0; i < 7; i++) s.push(i);
    expect(s.items()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (let i = 7; i < 100; i++) s.push(i);
    const items = s.items();
    expect(items.length).toBeLessThanOrEqual(8);
    expect(items[0]).toBe(0);
    expect(items[items.length - 1]).toBe(99);
    // Even spacing: every kept item but the newest sits on one stride.
    const gaps = new Set(items.slice(1, -1).map((x, i) => x - items[i]!));
    expect(gaps.size).toBe(1);
  });
});

describe('TelemetryRecorder', () => {
  it('turns samples into aligned columns, nulls where a node had no value, within the record limits', () => {
    const r = new TelemetryRecorder(10);
    const total = 5000;
    for (let step = 1; step <= total; step++) {
      r.add({
        epoch: Math.ceil(step / 10),
        batch: ((step - 1) % 10) + 1,
        step,
        nodes: { a: { gradNorm: step }, ...(step % 2 === 0 ? { b: { deadFraction: 0.5 } } : {}) },
        histograms: { a: { weights: { min: 0, max: 1, counts: new Array(TELEMETRY_HISTOGRAM_BINS).fill(1) } } },
      });
    }
    const record = r.toRecord();
    expect(runTelemetrySchema.safeParse(record).success).toBe(true);
    expect(record.steps.length).toBeLessThanOrEqual(MAX_RECORDED_TELEMETRY_POINTS);
    expect(record.steps.length).toBeGreaterThan(MAX_RECORDED_TELEMETRY_POINTS / 2);
    expect(record.steps[0]).toBe(1);
    expect(record.steps.at(-1)).toBe(total);
    expect(record.nodes['a']!.gradNorm).toEqual(record.steps.map((s) => Number(s.toPrecision(4))));
    expect(record.nodes['b']!.deadFraction).toEqual(record.steps.map((s) => (s % 2 === 0 ? 0.5 : null)));
    expect(record.histogramSteps!.length).toBeLessThanOrEqual(MAX_RECORDED_HISTOGRAMS);
    expect(record.histograms!['a']!.weights).toHaveLength(record.histogramSteps!.length);
    // Small enough for a file: a few hundred points per node.
    expect(JSON.stringify(record).length).toBeLessThan(20_000);
  });

  it('the schema refuses columns that do not match the steps', () => {
    const bad = { batchesPerEpoch: 1, steps: [1, 2], nodes: { a: { gradNorm: [1] } } };
    const parsed = runTelemetrySchema.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['nodes', 'a', 'gradNorm']);
  });
});

describe('helpers', () => {
  it('histogramOf counts every finite value once, in equal bins', () => {
    const h = histogramOf([0, 1, 2, 3, 4, NaN, Infinity], 4)!;
    expect(h).toEqual({ min: 0, max: 4, counts: [1, 1, 1, 2] });
    expect(histogramOf([2, 2, 2], 4)).toEqual({ min: 2, max: 2, counts: [3, 0, 0, 0] });
    expect(histogramOf([NaN], 4)).toBeUndefined();
  });
  it('stepToEpochBatch', () => {
    expect(stepToEpochBatch(1, 10)).toEqual({ epoch: 1, batch: 1 });
    expect(stepToEpochBatch(10, 10)).toEqual({ epoch: 1, batch: 10 });
    expect(stepToEpochBatch(11, 10)).toEqual({ epoch: 2, batch: 1 });
  });
});
