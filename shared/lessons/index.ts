/** The lessons shipped with the app, in the order they are offered. */
import { batchNormLearningRate } from './batchNormLearningRate';
import { deadRelus } from './deadRelus';
import { depthWithoutSkips } from './depthWithoutSkips';
import { normalizerFree } from './normalizerFree';
import type { Lesson } from './types';

export type { Lesson, LessonEvaluation, LessonStep, LessonVariantResult } from './types';

export const LESSONS: readonly Lesson[] = [depthWithoutSkips, batchNormLearningRate, deadRelus, normalizerFree];

export function getLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
