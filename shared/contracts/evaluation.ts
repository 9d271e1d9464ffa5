/**
 * The evaluation contract (issue 13): what the renderer, the hosts, the trainer and the CLI say to each other about a
 * trained run's *kept* model — its checkpoint. Plain data with zod schemas, like the rest of shared/contracts.
 *
 * Where a checkpoint lives (documented in docs/file-format.md):
 * - beside a saved graph file: `<file>.nbrick-runs/<runId>/` holding `model.json`, `weights.bin` (tfjs layers format)
 *   and `checkpoint.json` ({@link checkpointMetaSchema});
 * - before the graph is saved: in the host's private state folder (`<state>/checkpoints/<runId>/`, same three files),
 *   copied beside the file by the next Save / Save As.
 * A run record says it has a checkpoint (`checkpoint: true`) and which graph it trained (`graphHash`); the files
 * themselves are never inside the `.nbrick`, so the graph file stays small and diffable.
 */
import { z } from 'zod';
import { datasetOptionsSchema, datasetRefSchema } from '../format/datasetRef';

/** Folder beside `name.nbrick` that holds its runs' checkpoints. */
export const CHECKPOINT_FOLDER_SUFFIX = '-runs';
export const CHECKPOINT_META_FILE = 'checkpoint.json';
/** Checkpoints kept per file when the file does not say (newest runs first). */
export const DEFAULT_KEEP_CHECKPOINTS = 3;

const runIdSchema = z.string().min(1).max(128);

/** `sha256:<64 hex>` of the canonical JSON of the graph document a run trained (see shared/format/graphHash.ts). */
export const graphHashSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>');

/** `checkpoint.json`: enough to tell, without loading weights, whether a checkpoint belongs to a run and is whole. */
export const checkpointMetaSchema = z.strictObject({
  format: z.literal('neural-bricks/checkpoint'),
  formatVersion: z.literal(1),
  runId: runIdSchema,
  graphHash: graphHashSchema,
  createdAt: z.iso.datetime({ offset: true }),
  /** Byte size and sha256 of each file beside it, so a truncated or altered weights.bin is found before loading. */
  files: z.array(z.strictObject({ name: z.string().min(1).max(64), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  /** The data the run trained on (as in its record): lets a run not yet saved in a file be evaluated after a restart. */
  dataset: datasetRefSchema.optional(),
});
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;

/** What opening a file found for each run that claims a checkpoint. */
export const checkpointStatusSchema = z.enum(['ok', 'missing', 'damaged']);
export type CheckpointStatus = z.infer<typeof checkpointStatusSchema>;
export interface CheckpointReport {
  readonly runId: string;
  readonly status: CheckpointStatus;
  /** Why, for `missing` / `damaged`: shown as a warning, never blocks opening the graph. */
  readonly reason?: string;
}

/** Which run to evaluate: `path` is the open file's host path (null for a graph never saved: the pending store). */
export const evaluateRunRequestSchema = z.strictObject({
  runId: runIdSchema,
  path: z.string().min(1).max(4096).nullable(),
  /** How many misclassified samples to return at most (most confident mistakes first). */
  maxMistakes: z.number().int().min(0).max(1000).optional(),
});
export type EvaluateRunRequest = z.infer<typeof evaluateRunRequestSchema>;

/**
 * Most numbers one `predict` request carries (127 MNIST digits). The longest list any request may hold: the web host's
 * payload budget (payloadBudget.ts) is derived from it, so a request the schema accepts is never refused before it.
 */
export const MAX_PREDICT_VALUES = 100_000;

/** Inputs for "Try it": `shape` is per sample (no batch dimension), `values` row-major, batch × prod(shape). */
export const predictRequestSchema = z.strictObject({
  runId: runIdSchema,
  path: z.string().min(1).max(4096).nullable(),
  shape: z.array(z.number().int().min(1)).min(1).max(4),
  values: z
    .array(z.number())
    .min(1)
    .max(MAX_PREDICT_VALUES, `at most ${MAX_PREDICT_VALUES} values per request; predict a larger batch in parts`),
});
export type PredictRequest = z.infer<typeof predictRequestSchema>;
export interface PredictResult {
  /** Row-major batch × outputWidth (softmax probabilities for a classifier). */
  readonly outputs: number[];
  readonly outputWidth: number;
}

// ---------------------------------------------------------------------------------------------------------------
// What an evaluation answers: plain data, checked at every boundary (trainer → host → renderer) with these schemas.
// The shapes are those of shared/evaluation's results, so the library's objects are sent as they are.

const finiteOrZero = z.number();
const classScoresSchema = z.strictObject({ precision: finiteOrZero, recall: finiteOrZero, f1: finiteOrZero });
const perClassScoresSchema = classScoresSchema.extend({ support: z.number().int().min(0) });

export const classificationMetricsSchema = z.strictObject({
  sampleCount: z.number().int().min(0),
  classCount: z.number().int().min(1),
  /** Rows = true class, columns = predicted class. */
  confusionMatrix: z.array(z.array(z.number().int().min(0))),
  normalizedConfusionMatrix: z.array(z.array(z.number())),
  perClass: z.array(perClassScoresSchema),
  accuracy: z.number(),
  macroAverage: classScoresSchema,
  weightedAverage: classScoresSchema,
  loss: z.number(),
});

export const calibrationSchema = z.strictObject({
  bins: z.array(
    z.strictObject({
      lower: z.number(),
      upper: z.number(),
      count: z.number().int().min(0),
      meanConfidence: z.number().nullable(),
      accuracy: z.number().nullable(),
    }),
  ),
  expectedCalibrationError: z.number(),
  maximumCalibrationError: z.number(),
});

const classProbabilitySchema = z.strictObject({ classIndex: z.number().int().min(0), probability: z.number() });
export const misclassifiedSampleSchema = z.strictObject({
  /** Index of the sample in the run's test split (what `datasetSamples` takes). */
  index: z.number().int().min(0),
  trueClass: z.number().int().min(0),
  predictedClass: z.number().int().min(0),
  confidence: z.number(),
  trueClassProbability: z.number(),
  top: z.array(classProbabilitySchema),
});

const planeExtentSchema = z.strictObject({ xMin: z.number(), xMax: z.number(), yMin: z.number(), yMax: z.number() });
/** A decision-boundary grid without its points: they follow from the extent and the counts (decisionBoundaryGrid). */
export const boundaryGridSchema = z.strictObject({
  extent: planeExtentSchema,
  columns: z.number().int().min(1).max(512),
  rows: z.number().int().min(1).max(512),
});
export type BoundaryGrid = z.infer<typeof boundaryGridSchema>;

/** The model's outputs over a grid of the plane (2-D datasets): row-major cells × outputWidth, row 0 at the top. */
export const decisionBoundarySchema = z.strictObject({
  grid: boundaryGridSchema,
  outputWidth: z.number().int().min(1),
  probabilities: z.array(z.number()),
});
export type DecisionBoundary = z.infer<typeof decisionBoundarySchema>;

const regressionScoresSchema = z.strictObject({
  meanAbsoluteError: z.number(),
  meanSquaredError: z.number(),
  rootMeanSquaredError: z.number(),
  r2: z.number(),
});
export const regressionMetricsSchema = z.strictObject({
  sampleCount: z.number().int().min(0),
  outputCount: z.number().int().min(0),
  perOutput: z.array(regressionScoresSchema),
  average: regressionScoresSchema,
  /** Every value of every output scored as one column (optional: absent from evaluations made before it). */
  pooled: regressionScoresSchema.optional(),
  residualHistogram: z.strictObject({ edges: z.array(z.number()), counts: z.array(z.number().int().min(0)), skipped: z.number().int().min(0) }),
});

/** Which data a run was evaluated on: the dataset (with the options the run used) and its test split. */
const evaluatedDataSchema = z.strictObject({
  datasetId: z.string().min(1),
  /** The options the split was built with (absent = defaults): what `datasetSamples` needs to fetch the same samples. */
  datasetOptions: datasetOptionsSchema.optional(),
  split: z.literal('test'),
  sampleCount: z.number().int().min(0),
  /** Per-sample input shape (no batch dimension). */
  inputShape: z.array(z.number().int().min(1)),
});

const evaluationCommon = {
  runId: runIdSchema,
  data: evaluatedDataSchema,
  /** The backend that computed the predictions (`tensorflow`, `wasm`, `cpu`). */
  backend: z.string().min(1),
  /** Wall time of the evaluation in the trainer: loading, predicting and scoring. */
  elapsedMs: z.number().min(0),
};

export const classificationEvaluationSchema = z.strictObject({
  task: z.literal('classification'),
  ...evaluationCommon,
  /** Class names, index = class. */
  labels: z.array(z.string()),
  metrics: classificationMetricsSchema,
  calibration: calibrationSchema,
  /** Mistakes, most confident first, at most `maxMistakes` of them; `mistakeCount` is how many there were. */
  mistakes: z.array(misclassifiedSampleSchema),
  mistakeCount: z.number().int().min(0),
  /** `cellSamples[t][p]`: test-split indices of true class t predicted as p, ascending (clicking a cell lists them). */
  cellSamples: z.array(z.array(z.array(z.number().int().min(0)))),
  /** Only for datasets with two input features. */
  boundary: decisionBoundarySchema.optional(),
});
export type ClassificationEvaluation = z.infer<typeof classificationEvaluationSchema>;

/** Most (true, predicted) pairs a regression evaluation carries for its scatter. */
export const MAX_SCATTER_POINTS = 2000;

/** A deterministic sample of (true, predicted) pairs (shared/evaluation's predictionSample), for the scatter. */
export const predictionSampleSchema = z.strictObject({
  /** The output column the pairs come from; null: every output pooled. */
  output: z.number().int().min(0).nullable(),
  /** Finite pairs there were to choose from. */
  available: z.number().int().min(0),
  trueValues: z.array(z.number()).max(MAX_SCATTER_POINTS),
  predictedValues: z.array(z.number()).max(MAX_SCATTER_POINTS),
});

/**
 * A regression head (the input reconstructed, or CSV targets later): metrics in the target's own units.
 * `scatter` holds up to MAX_SCATTER_POINTS pairs: of the only output when there is one, else of every output pooled —
 * as the residual histogram is, and right for a reconstruction, whose outputs all share the input's units.
 */
export const regressionEvaluationSchema = z.strictObject({
  task: z.literal('regression'),
  ...evaluationCommon,
  metrics: regressionMetricsSchema,
  /** Where the targets come from: `input` — the model rebuilds its input (an autoencoder). */
  targets: z.enum(['input']).optional(),
  scatter: predictionSampleSchema.optional(),
});
export type RegressionEvaluation = z.infer<typeof regressionEvaluationSchema>;

export const runEvaluationSchema = z.discriminatedUnion('task', [classificationEvaluationSchema, regressionEvaluationSchema]);
export type RunEvaluation = z.infer<typeof runEvaluationSchema>;

/** Most mistakes an evaluation lists when the request does not say. */
export const DEFAULT_MAX_MISTAKES = 100;
/** Cells per side of the decision boundary of an evaluation. */
export const BOUNDARY_RESOLUTION = 48;
/**
 * Cells per side of the live boundary sent while training: a predict over 32² points costs the trainer ~3–5 ms on
 * wasm for a 3×64 MLP, against 7–40 ms for 48² (the canvas scales the grid up either way).
 */
export const LIVE_BOUNDARY_RESOLUTION = 32;

export const predictResultSchema = z.strictObject({
  outputs: z.array(z.number()),
  outputWidth: z.number().int().min(1),
});

/** Samples of a dataset's test split by index, for the gallery and the scatter (`datasetSamples`). */
export const datasetSamplesRequestSchema = z.strictObject({
  /** The evaluation's `data.datasetId`: a bundled dataset id, or the name of the user's file or folder (with `run`). */
  dataset: z.string().min(1).max(255),
  /**
   * The run the evaluation was of (`path` as in evaluateRun): a run on the user's own data (issue 14) takes its samples
   * from that data's test split, loaded with the run's recorded preprocessing. Without it, `dataset` is a bundled id.
   */
  run: z.strictObject({ runId: runIdSchema, path: z.string().min(1).max(4096).nullable() }).optional(),
  /** The options of the run's data (`data.datasetOptions` of its evaluation); absent = defaults. */
  options: datasetOptionsSchema.optional(),
  split: z.literal('test'),
  /** Test-split indices; at most 1,000 at once. */
  indices: z.array(z.number().int().min(0)).max(1000),
});
export type DatasetSamplesRequest = z.infer<typeof datasetSamplesRequestSchema>;
export interface DatasetSamples {
  readonly datasetId: string;
  readonly inputShape: number[];
  readonly classNames: string[];
  /** In the order asked; `values` is one sample, row-major in `inputShape` (28×28 pixels in [0, 1] for MNIST). */
  readonly samples: { readonly index: number; readonly label: number; readonly values: number[] }[];
}
