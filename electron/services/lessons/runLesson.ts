/**
 * Runs a lesson's experiment: its variants one after another through runExperiment (same data, fixed seeds), then
 * the lesson's own evaluation of the measured numbers. Used by `bricks lesson run`.
 */
import type { Lesson, LessonEvaluation, LessonVariantResult } from '../../../shared/lessons';
import { runExperiment, type ExperimentCallbacks, type VariantResult } from '../experiments/runExperiment';
import type { TrainingControl } from '../training/trainingControl';

export interface LessonRun {
  readonly lessonId: string;
  readonly variants: readonly VariantResult[];
  readonly results: readonly LessonVariantResult[];
  readonly evaluation: LessonEvaluation;
  readonly stopped: boolean;
}

export function toLessonResult(v: VariantResult): LessonVariantResult {
  return { name: v.name, ...(v.summary ? { summary: v.summary } : {}), ...(v.error ? { error: v.error } : v.skipped ? { error: 'stopped before it ran' } : {}) };
}

export async function runLesson(
  lesson: Lesson,
  options: { readonly callbacks?: ExperimentCallbacks; readonly control?: TrainingControl } = {},
): Promise<LessonRun> {
  const experiment = await runExperiment(lesson.variants(), lesson.dataset, {
    experimentId: `lesson-${lesson.id}`,
    // Telemetry is what the dead-unit lesson measures; its cost is a few per cent of training time.
    training: { telemetry: true },
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
    ...(options.control ? { control: options.control } : {}),
  });
  const results = experiment.variants.map(toLessonResult);
  return { lessonId: lesson.id, variants: experiment.variants, results, evaluation: lesson.evaluate(results), stopped: experiment.stopped };
}
