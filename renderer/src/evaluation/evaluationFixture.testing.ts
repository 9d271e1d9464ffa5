/** A ClassificationResult built from labels and outputs with the shared library, as a host would build it. */
import {
  calibration,
  classificationMetrics,
  confusionCellSamples,
  misclassifiedSamples,
  readClassOutputs,
} from '../../../shared/evaluation';
import type { ClassificationResult } from './evaluationApi';

export function evaluationFixture(labels: readonly number[], probabilities: readonly number[], overrides: Partial<ClassificationResult> = {}): ClassificationResult {
  const outputs = readClassOutputs(probabilities, labels.length);
  const mistakes = misclassifiedSamples(labels, outputs);
  return {
    task: 'classification',
    runId: 'run-1',
    datasetId: 'blobs',
    classNames: Array.from({ length: outputs.classCount }, (_, c) => `class ${c}`),
    inputKind: 'vector',
    inputShape: [2],
    metrics: classificationMetrics(labels, probabilities),
    calibration: calibration(labels, probabilities),
    mistakes,
    mistakeCount: mistakes.length,
    cellSamples: confusionCellSamples(labels, outputs),
    ...overrides,
  };
}
