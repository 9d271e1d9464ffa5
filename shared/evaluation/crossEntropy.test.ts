import { describe, expect, it } from 'vitest';
import { readClassOutputs } from './classOutputs';
import { binaryCrossEntropy, categoricalCrossEntropy, classificationLoss, TFJS_EPSILON } from './crossEntropy';

const outputs = (probabilities: number[], n: number) => readClassOutputs(probabilities, n);

describe('cross-entropy', () => {
  it('is −log of the true class probability, averaged', () => {
    expect(categoricalCrossEntropy([0, 2], outputs([0.5, 0.25, 0.25, 0.1, 0.1, 0.8], 2))).toBeCloseTo(
      (Math.log(2) - Math.log(0.8)) / 2,
      12,
    );
  });

  it('divides each row by its sum first, as tfjs-layers does', () => {
    expect(categoricalCrossEntropy([0], outputs([2, 2], 1))).toBeCloseTo(Math.log(2), 12);
  });

  it('clips probabilities to [ε, 1 − ε] with tfjs-layers’ ε', () => {
    const floor = -Math.log(Math.fround(TFJS_EPSILON));
    expect(categoricalCrossEntropy([1], outputs([1, 0], 1))).toBeCloseTo(floor, 9);
    expect(binaryCrossEntropy([1], outputs([0], 1))).toBeCloseTo(floor, 9);
    // 1 − ε rounds to float32 as 1 − 2⁻²³, so a sure wrong sigmoid costs −log(2⁻²³), not −log ε.
    expect(binaryCrossEntropy([0], outputs([1], 1))).toBeCloseTo(-Math.log(1 - Math.fround(1 - TFJS_EPSILON)), 9);
    // A perfect prediction still costs −log(1 − ε) ≈ 1.2e-7 after clipping.
    expect(categoricalCrossEntropy([0], outputs([1, 0], 1))).toBeCloseTo(-Math.log(Math.fround(1 - TFJS_EPSILON)), 15);
    expect(categoricalCrossEntropy([0], outputs([1, 0], 1))).toBeGreaterThan(0);
  });

  it('uses binary cross-entropy for a sigmoid head', () => {
    const sigmoid = outputs([0.8, 0.4], 2);
    expect(classificationLoss([1, 0], sigmoid)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
    expect(() => binaryCrossEntropy([0], outputs([0.5, 0.5], 1))).toThrow(RangeError);
  });
});
