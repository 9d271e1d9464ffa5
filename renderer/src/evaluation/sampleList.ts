/**
 * What the gallery lists: the mistakes, or the samples behind one confusion-matrix cell, each with its true and
 * predicted class and, where the evaluation carries them, the model's confidence and top classes.
 */
import { sortMistakes, type ClassProbability, type MisclassifiedSample, type MistakeOrder } from '../../../shared/evaluation';
import type { ClassificationResult } from './evaluationApi';

export interface CellSelection {
  readonly trueClass: number;
  readonly predictedClass: number;
}

export interface SampleEntry {
  readonly index: number;
  readonly trueClass: number;
  readonly predictedClass: number;
  readonly confidence?: number;
  readonly top?: readonly ClassProbability[];
}

/** The list for a selection (or all mistakes without one), ordered; samples without a confidence go last by index. */
export function sampleList(result: ClassificationResult, selection: CellSelection | undefined, order: MistakeOrder): SampleEntry[] {
  const byIndex = new Map<number, MisclassifiedSample>(result.mistakes.map((m) => [m.index, m]));
  if (!selection) return sortMistakes(result.mistakes, order);
  const { trueClass, predictedClass } = selection;
  const indices = result.cellSamples[trueClass]?.[predictedClass] ?? [];
  const known: MisclassifiedSample[] = [];
  const plain: SampleEntry[] = [];
  for (const index of indices) {
    const mistake = byIndex.get(index);
    if (mistake) known.push(mistake);
    else plain.push({ index, trueClass, predictedClass });
  }
  return [...sortMistakes(known, order), ...plain];
}

export function className(result: Pick<ClassificationResult, 'classNames'>, index: number): string {
  return result.classNames[index] ?? String(index);
}
