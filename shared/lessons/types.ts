/**
 * A lesson: a guided experiment shipped with the app. Pure data and pure predicates — the panel (renderer) and
 * `bricks lesson run` (CLI) both read these, train `variants()` one after another, and hand the results to `evaluate`.
 */
import type { DatasetRef } from '../contracts/trainer';
import type { GraphDocument } from '../document/model';
import type { VariantSpec } from '../experiments/variants';
import type { RunSummary } from '../format/runSummary';
import type { TrainingConfig } from '../format/trainingConfig';

export interface LessonStep {
  readonly id: string;
  /** What to do, in plain words; node ids are the ones on the starting graph. */
  readonly text: string;
  /** True once the open document (graph, training settings, run history) shows the step done. */
  readonly check: (doc: GraphDocument, config: TrainingConfig, runs: readonly RunSummary[]) => boolean;
}

/** One trained variant as `evaluate` sees it: its summary, or why there is none (setup error, stopped before it ran). */
export interface LessonVariantResult {
  readonly name: string;
  readonly summary?: RunSummary;
  readonly error?: string;
}

export interface LessonEvaluation {
  /** The effect the lesson is about was measured. */
  readonly passed: boolean;
  /** One or two sentences built from the measured numbers. */
  readonly conclusion: string;
}

export interface Lesson {
  readonly id: string;
  readonly title: string;
  /** Rough time for the whole lesson, reading included. */
  readonly minutes: number;
  /** A short introduction in plain words, ending with the paper it reproduces. */
  readonly intro: string;
  readonly citation: string;
  /** The graph and training settings the lesson starts from (loaded by "Load the starting graph"). */
  readonly start: { readonly graph: GraphDocument; readonly config: TrainingConfig };
  /** The data every variant trains on (id and options such as an MNIST `limit`). */
  readonly dataset: DatasetRef;
  readonly steps: readonly LessonStep[];
  /** The variants "Run the experiment" trains, in order; fixed seeds. */
  readonly variants: () => VariantSpec[];
  /** Reads the measured numbers of every variant (by name) and says whether the expected effect showed. */
  readonly evaluate: (results: readonly LessonVariantResult[]) => LessonEvaluation;
}
