import { describe, expect, it } from 'vitest';
import { classificationMetrics, confusionMatrixOf, perClassScores } from './classificationMetrics';

/** Softmax-like rows that predict `predicted[i]` with probability 0.7 and spread 0.3 over the other classes. */
function confidentRows(predicted: readonly number[], classCount: number): number[] {
  const other = 0.3 / (classCount - 1);
  return predicted.flatMap((p) => Array.from({ length: classCount }, (_, c) => (c === p ? 0.7 : other)));
}

describe('classificationMetrics', () => {
  // Four classes; class 3 has no samples but is predicted once, so its precision and recall are both 0/0-ish.
  const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
  const predicted = [0, 0, 1, 1, 1, 2, 2, 3, 0];
  const metrics = classificationMetrics(labels, confidentRows(predicted, 4));

  it('counts true classes in rows and predicted classes in columns', () => {
    expect(metrics.confusionMatrix).toEqual([
      [2, 1, 0, 0],
      [0, 2, 1, 0],
      [1, 0, 1, 1],
      [0, 0, 0, 0],
    ]);
    expect(metrics.sampleCount).toBe(9);
    expect(metrics.classCount).toBe(4);
  });

  it('normalises each row by its class size, leaving an empty class at zero', () => {
    const third = 1 / 3;
    expect(metrics.normalizedConfusionMatrix).toEqual([
      [2 * third, third, 0, 0],
      [0, 2 * third, third, 0],
      [third, 0, third, third],
      [0, 0, 0, 0],
    ]);
  });

  it('computes per-class scores with zero_division = 0', () => {
    const expected = [
      { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
      { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
      { precision: 1 / 2, recall: 1 / 3, f1: 0.4, support: 3 },
      // Predicted once, never true: precision 0/1, recall 0/0 → 0, F1 0.
      { precision: 0, recall: 0, f1: 0, support: 0 },
    ];
    metrics.perClass.forEach((scores, c) => {
      expect(scores.precision).toBeCloseTo(expected[c]!.precision, 12);
      expect(scores.recall).toBeCloseTo(expected[c]!.recall, 12);
      expect(scores.f1).toBeCloseTo(expected[c]!.f1, 12);
      expect(scores.support).toBe(expected[c]!.support);
    });
  });

  it('averages over all classes (macro) and by support (weighted)', () => {
    expect(metrics.accuracy).toBeCloseTo(5 / 9, 12);
    expect(metrics.macroAverage.precision).toBeCloseTo(11 / 24, 12);
    expect(metrics.macroAverage.recall).toBeCloseTo(5 / 12, 12);
    expect(metrics.macroAverage.f1).toBeCloseTo(13 / 30, 12);
    expect(metrics.weightedAverage.precision).toBeCloseTo(11 / 18, 12);
    expect(metrics.weightedAverage.recall).toBeCloseTo(5 / 9, 12);
    expect(metrics.weightedAverage.f1).toBeCloseTo(26 / 45, 12);
  });

  it('reports the mean cross-entropy', () => {
    // Right answers had p = 0.7 for the true class, wrong ones p = 0.1.
    expect(metrics.loss).toBeCloseTo((5 * -Math.log(0.7) + 4 * -Math.log(0.1)) / 9, 6);
  });

  it('gives a class that is never predicted precision 0 and still scores its recall', () => {
    const scores = perClassScores([
      [1, 1],
      [0, 0],
    ]);
    expect(scores[0]).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(scores[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('is plain JSON that survives a round trip', () => {
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
  });

  it('breaks ties towards the first class, as tf.argMax does', () => {
    const tied = classificationMetrics([1], [0.4, 0.4, 0.2]);
    expect(tied.confusionMatrix[1]).toEqual([1, 0, 0]);
  });

  it('reads an N×1 sigmoid output as two classes with threshold 0.5', () => {
    // p = 0.5 is not above the threshold, so it predicts class 0, like tfjs' binaryAccuracy.
    const binary = classificationMetrics(Int32Array.from([1, 0, 1, 0]), Float32Array.from([0.9, 0.2, 0.5, 0.7]));
    expect(binary.classCount).toBe(2);
    expect(binary.confusionMatrix).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(binary.accuracy).toBe(0.5);
    expect(binary.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.5) + Math.log(0.3)) / 4, 6);
  });

  it('handles an empty set when the output width is given', () => {
    const empty = classificationMetrics([], [], { outputWidth: 3 });
    expect(empty.confusionMatrix).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(empty.accuracy).toBe(0);
    expect(empty.loss).toBe(0);
    expect(empty.macroAverage).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(() => classificationMetrics([], [])).toThrow(RangeError);
  });

  it('refuses labels that are not class indices and outputs that do not split into rows', () => {
    expect(() => classificationMetrics([0, 3], [0.5, 0.5, 0.5, 0.5])).toThrow(/label 3/);
    expect(() => classificationMetrics([0, 0.5], [0.5, 0.5, 0.5, 0.5])).toThrow(/label 0.5/);
    expect(() => classificationMetrics([0, 1], [0.5, 0.5, 0.5])).toThrow(/equal rows/);
  });

  it('builds a confusion matrix from predicted class indices too', () => {
    expect(confusionMatrixOf([0, 1, 1], [1, 1, 0], 2)).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});
