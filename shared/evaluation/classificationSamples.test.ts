import { describe, expect, it } from 'vitest';
import { readClassOutputs } from './classOutputs';
import { classificationMetrics } from './classificationMetrics';
import { confusionCellSamples, misclassifiedSamples, sortMistakes, topPredictions } from './classificationSamples';

// Three classes, five samples: 0 → 0, 0 → 1 (sure), 1 → 1, 2 → 1 (unsure), 2 → 0 (fairly sure).
const labels = Int32Array.from([0, 0, 1, 2, 2]);
const probabilities = Float32Array.from([
  0.8, 0.15, 0.05,
  0.05, 0.9, 0.05,
  0.1, 0.7, 0.2,
  0.3, 0.4, 0.3,
  0.6, 0.1, 0.3,
]);
const outputs = readClassOutputs(probabilities, labels.length);

describe('topPredictions', () => {
  it('lists the most probable classes first with their probabilities', () => {
    expect(topPredictions(outputs, 2)).toEqual([
      { classIndex: 1, probability: Math.fround(0.7) },
      { classIndex: 2, probability: Math.fround(0.2) },
      { classIndex: 0, probability: Math.fround(0.1) },
    ]);
    expect(topPredictions(outputs, 0, 1)).toEqual([{ classIndex: 0, probability: Math.fround(0.8) }]);
  });

  it('keeps the lower class first on a tie', () => {
    expect(topPredictions(outputs, 3).map((p) => p.classIndex)).toEqual([1, 0, 2]);
  });

  it('gives a sigmoid output both classes', () => {
    const sigmoid = readClassOutputs([0.25], 1);
    expect(topPredictions(sigmoid, 0)).toEqual([
      { classIndex: 0, probability: 0.75 },
      { classIndex: 1, probability: 0.25 },
    ]);
  });

  it('refuses a sample outside the batch', () => {
    expect(() => topPredictions(outputs, 5)).toThrow(RangeError);
  });
});

describe('confusionCellSamples', () => {
  it('lists the samples behind each cell, matching the confusion matrix counts', () => {
    const cells = confusionCellSamples(labels, outputs);
    expect(cells).toEqual([
      [[0], [1], []],
      [[], [2], []],
      [[4], [3], []],
    ]);
    const counts = cells.map((row) => row.map((cell) => cell.length));
    expect(counts).toEqual(classificationMetrics(labels, probabilities).confusionMatrix);
  });
});

describe('misclassifiedSamples', () => {
  it('puts the most confident mistakes first by default', () => {
    const mistakes = misclassifiedSamples(labels, outputs);
    expect(mistakes.map((m) => m.index)).toEqual([1, 4, 3]);
    expect(mistakes[0]).toEqual({
      index: 1,
      trueClass: 0,
      predictedClass: 1,
      confidence: Math.fround(0.9),
      trueClassProbability: Math.fround(0.05),
      top: [
        { classIndex: 1, probability: Math.fround(0.9) },
        { classIndex: 0, probability: Math.fround(0.05) },
        { classIndex: 2, probability: Math.fround(0.05) },
      ],
    });
  });

  it('orders least confident first or by index, and limits after ordering', () => {
    expect(misclassifiedSamples(labels, outputs, { order: 'least-confident-first' }).map((m) => m.index)).toEqual([3, 4, 1]);
    expect(misclassifiedSamples(labels, outputs, { order: 'by-index' }).map((m) => m.index)).toEqual([1, 3, 4]);
    expect(misclassifiedSamples(labels, outputs, { limit: 2, topK: 1 }).map((m) => [m.index, m.top.length])).toEqual([
      [1, 1],
      [4, 1],
    ]);
  });

  it('re-sorts an existing list, breaking confidence ties by index', () => {
    const mistakes = misclassifiedSamples(labels, outputs);
    const tied = mistakes.map((m) => ({ ...m, confidence: 0.5 }));
    expect(sortMistakes(tied, 'most-confident-first').map((m) => m.index)).toEqual([1, 3, 4]);
    expect(sortMistakes(mistakes, 'least-confident-first').map((m) => m.index)).toEqual([3, 4, 1]);
    expect(mistakes.map((m) => m.index)).toEqual([1, 4, 3]);
  });

  it('is empty when every prediction is right', () => {
    expect(misclassifiedSamples([1, 0], readClassOutputs([0.9, 0.1], 2))).toEqual([]);
  });
});
