import { describe, expect, it } from 'vitest';
import { predictionSample } from './predictionSample';

describe('predictionSample', () => {
  it('keeps every finite pair when there are few, in data order', () => {
    const sample = predictionSample([1, 2, 3, NaN], [1.5, 2, Infinity, 4], { outputCount: 1, output: 0, maxPoints: 10 });
    expect(sample).toEqual({ output: 0, available: 2, trueValues: [1, 2], predictedValues: [1.5, 2] });
  });

  it('takes one column of N×D, or every output pooled', () => {
    const targets = [1, 10, 2, 20, 3, 30];
    const predictions = [1.1, 11, 2.1, 21, 3.1, 31];
    expect(predictionSample(targets, predictions, { outputCount: 2, output: 1, maxPoints: 10 })).toMatchObject({ trueValues: [10, 20, 30], predictedValues: [11, 21, 31] });
    expect(predictionSample(targets, predictions, { outputCount: 2, output: null, maxPoints: 10 }).trueValues).toEqual(targets);
    expect(() => predictionSample(targets, predictions, { outputCount: 2, output: 2, maxPoints: 10 })).toThrow(RangeError);
  });

  it('picks at most maxPoints distinct pairs, the same every time, spread over samples and outputs', () => {
    // 1,000 "images" of 784 pixels: the true value names its sample and its pixel.
    const rows = 1000;
    const width = 784;
    const targets = Float32Array.from({ length: rows * width }, (_, i) => i);
    const sample = predictionSample(targets, targets, { outputCount: width, output: null, maxPoints: 2000 });
    expect(sample.available).toBe(rows * width);
    expect(sample.trueValues).toHaveLength(2000);
    expect(new Set(sample.trueValues).size).toBe(2000);
    expect(predictionSample(targets, targets, { outputCount: width, output: null, maxPoints: 2000 })).toEqual(sample);
    const pixels = new Set(sample.trueValues.map((v) => v % width));
    const images = new Set(sample.trueValues.map((v) => Math.floor(v / width)));
    expect(pixels.size).toBeGreaterThan(width * 0.8);
    expect(images.size).toBeGreaterThan(rows * 0.8);
    // Both halves of the data are represented about equally.
    const firstHalf = sample.trueValues.filter((v) => v < (rows * width) / 2).length;
    expect(firstHalf).toBeGreaterThan(900);
    expect(firstHalf).toBeLessThan(1100);
  });
});
