import { describe, expect, it } from 'vitest';
import { evaluationFixture } from './evaluationFixture.testing';
import { sampleList } from './sampleList';

// Three classes; samples 1, 3 and 4 are mistakes with confidences 0.5, 0.9 and 0.7.
const labels = [0, 0, 1, 1, 2, 2];
const probabilities = [
  [0.8, 0.1, 0.1],
  [0.3, 0.5, 0.2],
  [0.1, 0.8, 0.1],
  [0.9, 0.05, 0.05],
  [0.2, 0.7, 0.1],
  [0.1, 0.1, 0.8],
].flat();
const result = evaluationFixture(labels, probabilities);

describe('sampleList', () => {
  it('lists every mistake, most confident first by default order', () => {
    expect(sampleList(result, undefined, 'most-confident-first').map((s) => s.index)).toEqual([3, 4, 1]);
    expect(sampleList(result, undefined, 'least-confident-first').map((s) => s.index)).toEqual([1, 4, 3]);
  });

  it('lists the samples of one cell with their top classes', () => {
    const cell = sampleList(result, { trueClass: 1, predictedClass: 0 }, 'most-confident-first');
    expect(cell).toHaveLength(1);
    expect(cell[0]).toMatchObject({ index: 3, trueClass: 1, predictedClass: 0, confidence: 0.9 });
    expect(cell[0]!.top!.map((t) => t.classIndex)).toEqual([0, 1, 2]);
  });

  it('lists right answers of a diagonal cell by index, without a confidence the evaluation did not send', () => {
    const cell = sampleList(result, { trueClass: 0, predictedClass: 0 }, 'most-confident-first');
    expect(cell).toEqual([{ index: 0, trueClass: 0, predictedClass: 0 }]);
    expect(sampleList(result, { trueClass: 2, predictedClass: 0 }, 'by-index')).toEqual([]);
  });
});
