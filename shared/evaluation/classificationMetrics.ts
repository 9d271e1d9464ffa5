/**
 * Summary metrics of a classifier on a labelled set: the confusion matrix, per-class precision / recall / F1,
 * accuracy, their averages and the loss. Typed arrays in, plain JSON-ready numbers out, so the same report is drawn
 * by the evaluation view, sent over IPC, stored as JSON and printed by the CLI.
 */
import { checkLabels, predictClasses, readClassOutputs, type ClassOutputs } from './classOutputs';
import { classificationLoss } from './crossEntropy';

export interface ClassScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface PerClassScores extends ClassScores {
  /** Samples whose true class this is. */
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly sampleCount: number;
  readonly classCount: number;
  /** `confusionMatrix[t][p]` counts samples of true class t predicted as class p (rows = true, columns = predicted). */
  readonly confusionMatrix: number[][];
  /** Each row divided by its sum, i.e. where the samples of one true class went; a class with no samples is a row of zeros. */
  readonly normalizedConfusionMatrix: number[][];
  readonly perClass: PerClassScores[];
  /** Fraction of samples whose predicted class is the true one. */
  readonly accuracy: number;
  /** Unweighted mean of the per-class scores over all classes, those without samples included. */
  readonly macroAverage: ClassScores;
  /** Mean of the per-class scores weighted by support. */
  readonly weightedAverage: ClassScores;
  /** Mean cross-entropy, the same number tfjs' `model.evaluate` reports for this head. */
  readonly loss: number;
}

/** Options for {@link classificationMetrics}. */
export interface ClassificationMetricsOptions {
  /** Columns per output row; needed only when there may be no samples (otherwise inferred from the lengths). */
  readonly outputWidth?: number;
}

/**
 * Scores `probabilities` (row-major N×C softmax outputs, or N×1 sigmoid outputs for two classes) against the true
 * class indices `labels`. Predictions are as {@link predictClasses} defines them.
 *
 * Division by zero follows scikit-learn's `zero_division=0`: precision is 0 for a class never predicted, recall is
 * 0 for a class with no samples, F1 is 0 when both are 0, and an empty set has accuracy and loss 0 (`sampleCount`
 * tells that case apart).
 */
export function classificationMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: ClassificationMetricsOptions = {},
): ClassificationMetrics {
  const outputs = readClassOutputs(probabilities, labels.length, options.outputWidth);
  return classificationMetricsOf(labels, outputs);
}

/** {@link classificationMetrics} for outputs already read with `readClassOutputs`. */
export function classificationMetricsOf(labels: ArrayLike<number>, outputs: ClassOutputs): ClassificationMetrics {
  checkLabels(labels, outputs);
  const { sampleCount, classCount } = outputs;
  const { predicted } = predictClasses(outputs);
  const confusionMatrix = confusionMatrixOf(labels, predicted, classCount);
  const perClass = perClassScores(confusionMatrix);
  let correct = 0;
  for (let c = 0; c < classCount; c++) correct += confusionMatrix[c]![c]!;
  return {
    sampleCount,
    classCount,
    confusionMatrix,
    normalizedConfusionMatrix: confusionMatrix.map(normalizeRow),
    perClass,
    accuracy: ratio(correct, sampleCount),
    macroAverage: averageScores(perClass, () => 1),
    weightedAverage: averageScores(perClass, (scores) => scores.support),
    loss: classificationLoss(labels, outputs),
  };
}

/** Counts of (true class, predicted class) pairs; rows are true classes. */
export function confusionMatrixOf(labels: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number): number[][] {
  if (labels.length !== predicted.length) throw new RangeError(`${labels.length} labels for ${predicted.length} predictions`);
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]!]![predicted[i]!]!++;
  return matrix;
}

/** Precision, recall, F1 and support of every class, read off a confusion matrix (rows = true class). */
export function perClassScores(confusionMatrix: readonly (readonly number[])[]): PerClassScores[] {
  const classCount = confusionMatrix.length;
  const predictedCounts = new Array<number>(classCount).fill(0);
  for (const row of confusionMatrix) row.forEach((count, p) => (predictedCounts[p]! += count));
  return confusionMatrix.map((row, c) => {
    const truePositives = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const falsePositives = predictedCounts[c]! - truePositives;
    const falseNegatives = support - truePositives;
    return {
      precision: ratio(truePositives, truePositives + falsePositives),
      recall: ratio(truePositives, support),
      // 2PR / (P + R) written in counts, which stays defined when one of P and R is 0/0.
      f1: ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives),
      support,
    };
  });
}

function averageScores(perClass: readonly PerClassScores[], weightOf: (scores: PerClassScores) => number): ClassScores {
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let totalWeight = 0;
  for (const scores of perClass) {
    const weight = weightOf(scores);
    precision += weight * scores.precision;
    recall += weight * scores.recall;
    f1 += weight * scores.f1;
    totalWeight += weight;
  }
  return { precision: ratio(precision, totalWeight), recall: ratio(recall, totalWeight), f1: ratio(f1, totalWeight) };
}

function normalizeRow(row: readonly number[]): number[] {
  const total = row.reduce((a, b) => a + b, 0);
  return row.map((count) => ratio(count, total));
}

/** a / b, with 0 for 0/0 (scikit-learn's `zero_division=0`). */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
