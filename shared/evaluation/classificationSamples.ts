/**
 * Per-sample views of a classifier's results: the most probable classes of a sample, the samples behind each
 * confusion-matrix cell, and the mistakes ordered by how sure the model was. These feed the evaluation view's
 * "click a cell → list those samples" and its gallery of misclassified samples.
 */
import { checkLabels, classProbability, predictClasses, type ClassOutputs } from './classOutputs';

export interface ClassProbability {
  readonly classIndex: number;
  readonly probability: number;
}

/** The `k` most probable classes of one sample, most probable first; ties keep the lower class index first. */
export function topPredictions(outputs: ClassOutputs, sample: number, k = 3): ClassProbability[] {
  if (sample < 0 || sample >= outputs.sampleCount) throw new RangeError(`sample ${sample} is not in 0..${outputs.sampleCount - 1}`);
  const ranked: ClassProbability[] = [];
  for (let c = 0; c < outputs.classCount; c++) ranked.push({ classIndex: c, probability: classProbability(outputs, sample, c) });
  // Array.prototype.sort is stable, so equal probabilities stay in class order.
  ranked.sort((a, b) => b.probability - a.probability);
  return ranked.slice(0, Math.max(0, k));
}

/**
 * The sample indices behind every confusion-matrix cell: `cells[t][p]` lists, in ascending order, the samples of
 * true class t predicted as p. Its shape and counts match `classificationMetrics(...).confusionMatrix`.
 */
export function confusionCellSamples(labels: ArrayLike<number>, outputs: ClassOutputs): number[][][] {
  checkLabels(labels, outputs);
  const { predicted } = predictClasses(outputs);
  const cells = Array.from({ length: outputs.classCount }, () => Array.from({ length: outputs.classCount }, (): number[] => []));
  for (let i = 0; i < labels.length; i++) cells[labels[i]!]![predicted[i]!]!.push(i);
  return cells;
}

export interface MisclassifiedSample {
  readonly index: number;
  readonly trueClass: number;
  readonly predictedClass: number;
  /** The probability of the predicted class: how sure the model was of its wrong answer. */
  readonly confidence: number;
  /** The probability the model left for the true class. */
  readonly trueClassProbability: number;
  /** The most probable classes, most probable first. */
  readonly top: ClassProbability[];
}

/** Orders of the mistake list; ties are always broken by sample index. */
export type MistakeOrder = 'most-confident-first' | 'least-confident-first' | 'by-index';

export interface MisclassifiedOptions {
  readonly order?: MistakeOrder;
  /** How many top classes each entry lists (default 3). */
  readonly topK?: number;
  /** Keep at most this many entries, after ordering (default: all). */
  readonly limit?: number;
}

/**
 * Every sample whose predicted class is not its true class. The default order puts the most confident mistakes
 * first, which are the most telling: a mislabelled sample or a class the network confuses with conviction.
 */
export function misclassifiedSamples(
  labels: ArrayLike<number>,
  outputs: ClassOutputs,
  options: MisclassifiedOptions = {},
): MisclassifiedSample[] {
  checkLabels(labels, outputs);
  const { predicted, confidence } = predictClasses(outputs);
  const mistakes: MisclassifiedSample[] = [];
  for (let index = 0; index < labels.length; index++) {
    const trueClass = labels[index]!;
    if (predicted[index] === trueClass) continue;
    mistakes.push({
      index,
      trueClass,
      predictedClass: predicted[index]!,
      confidence: confidence[index]!,
      trueClassProbability: classProbability(outputs, index, trueClass),
      top: topPredictions(outputs, index, options.topK ?? 3),
    });
  }
  const ordered = sortMistakes(mistakes, options.order ?? 'most-confident-first');
  return options.limit === undefined ? ordered : ordered.slice(0, Math.max(0, options.limit));
}

/** A copy of `samples` in the given order (the gallery's sort toggle re-orders without recomputing). */
export function sortMistakes(samples: readonly MisclassifiedSample[], order: MistakeOrder): MisclassifiedSample[] {
  const byIndex = (a: MisclassifiedSample, b: MisclassifiedSample): number => a.index - b.index;
  if (order === 'by-index') return [...samples].sort(byIndex);
  const sign = order === 'most-confident-first' ? -1 : 1;
  return [...samples].sort((a, b) => sign * (a.confidence - b.confidence) || byIndex(a, b));
}
