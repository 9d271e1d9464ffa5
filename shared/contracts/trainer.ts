/**
 * The trainer contract: datasets as plain data, and every message between the host (Electron main, the web host,
 * the CLI) and the trainer process. Each message has a zod schema so both ends validate what they receive;
 * a message that fails validation is a bug on the other side and is reported, never acted on.
 *
 * Epoch and batch numbers in messages are 1-based: they are shown to people ("epoch 3, batch 12").
 */
import { z } from 'zod';
import { graphDocumentSchema } from '../format/graphFileSchema';
import { trainingConfigSchema } from '../format/trainingConfig';
import { runSummarySchema } from '../format/runSummary';
import { datasetRefSchema } from '../format/datasetRef';
import { dataSpecSchema } from '../data/dataSpec';
import { boundaryGridSchema, runEvaluationSchema } from './evaluation';
import { telemetryEventSchema } from './telemetry';
import { landscapeOptionsSchema, lossLandscapeSchema, signalPropagationSchema } from './insight';

// ---------------------------------------------------------------------------------------------------------------
// Datasets

export const DATASET_IDS = ['xor', 'circles', 'moons', 'spirals', 'blobs', 'mnist', 'iris'] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

export function isDatasetId(id: string): id is DatasetId {
  return (DATASET_IDS as readonly string[]).includes(id);
}

// Defined with the file format (a run record names the data it trained on); re-exported here for the messages.
export { datasetOptionsSchema, datasetRefSchema, type DatasetOptions, type DatasetRef } from '../format/datasetRef';

export const datasetInfoSchema = z.strictObject({
  id: z.enum(DATASET_IDS),
  name: z.string(),
  description: z.string(),
  task: z.enum(['classification']),
  /** Per-sample input shape, no batch dimension. */
  inputShape: z.array(z.number().int().positive()),
  /** The Input brick kind that matches the data. */
  inputKind: z.enum(['image', 'vector']),
  classes: z.number().int().min(2),
  classNames: z.array(z.string()),
  trainSize: z.number().int().min(0),
  testSize: z.number().int().min(0),
  normalization: z.string(),
  source: z.string(),
});
export type DatasetInfo = z.infer<typeof datasetInfoSchema>;

/** A small plain-data look at a dataset for the UI: digits as 28×28 arrays, or a 2-D scatter with labels. */
export const datasetPreviewSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('images'),
    datasetId: z.enum(DATASET_IDS),
    images: z.array(z.strictObject({ label: z.number().int(), pixels: z.array(z.array(z.number())) })),
  }),
  z.strictObject({
    kind: z.literal('scatter'),
    datasetId: z.enum(DATASET_IDS),
    /** Which features the axes show (Iris has four; the preview plots two). */
    axes: z.tuple([z.string(), z.string()]),
    points: z.array(z.strictObject({ x: z.number(), y: z.number(), label: z.number().int() })),
  }),
]);
export type DatasetPreview = z.infer<typeof datasetPreviewSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Plain pieces of messages

/** The graph travels as plain data, validated with the file format's own document schema. */
export const graphPayloadSchema = graphDocumentSchema;

/** What backend really ran, as plain data (a subset of the backends service's BackendInfo). */
export const trainerBackendSchema = z.looseObject({
  /** `tensorflow`, `wasm` or `cpu`. */
  name: z.string().min(1),
  /** What the UI shows: tfjs-node is "native". */
  label: z.string().optional(),
  tfjsVersion: z.string().optional(),
  threads: z.number().int().optional(),
  /** Set when `auto` skipped better backends: why each was unavailable. */
  fallbackReason: z.string().optional(),
  /** wasm: whether our SIMD training kernels loaded (without them the same run is slower, never different). */
  simdKernels: z.boolean().optional(),
  /** wasm: whether the compute-bound SIMD kernels run their relaxed-SIMD (fused multiply-add) builds. */
  relaxedSimd: z.boolean().optional(),
  /**
   * wasm: the instruction-set level of the native build our SIMD kernels run as ('base', 'v3' = AVX2 + FMA,
   * 'v4' = AVX-512), absent when they run as WebAssembly.
   */
  nativeKernels: z.string().optional(),
});
export type TrainerBackend = z.infer<typeof trainerBackendSchema>;

const runId = z.string().min(1);

/**
 * The user's own data a run trained on (issue 14): the run's recorded (fitted) spec and the .nbrick file its relative
 * path resolves against. Evaluations and landscapes rebuild the same split with the same preprocessing; the trainer
 * refuses data whose content hash no longer matches the spec's.
 */
export const userDataRefSchema = z.strictObject({
  spec: dataSpecSchema,
  graphFilePath: z.string().min(1).max(4096).optional(),
});
export type UserDataRef = z.output<typeof userDataRefSchema>;
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count1 = z.number().int().min(1);

// ---------------------------------------------------------------------------------------------------------------
// Host → trainer

export const startMessageSchema = z.strictObject({
  type: z.literal('start'),
  runId,
  graph: graphPayloadSchema,
  dataset: datasetRefSchema,
  config: trainingConfigSchema,
  /** The document's .nbrick path, so a relative `config.data.path` (the user's own data, issue 14) resolves beside it. */
  graphFilePath: z.string().min(1).max(4096).optional(),
});
export const pauseMessageSchema = z.strictObject({ type: z.literal('pause'), runId });
export const resumeMessageSchema = z.strictObject({ type: z.literal('resume'), runId });
export const stopMessageSchema = z.strictObject({ type: z.literal('stop'), runId });
/**
 * Serialise the last trained model (the trainer keeps the model of its last completed or stopped run until the next
 * start) as a tfjs layers model. The trainer answers with the files' bytes and never learns where they go: the host
 * writes them. `requestId` pairs the answer with the request.
 */
export const exportModelMessageSchema = z.strictObject({ type: z.literal('exportModel'), runId, requestId: z.number().int().min(0) });

/**
 * Evaluate a kept model on the test split of `dataset` (the run's own, rebuilt from the same ref): `files` is a
 * checkpoint (model.json + weights.bin); without them the trainer evaluates the model it keeps for `runId`.
 * `backend` asks for the backend the run trained on, when no run is training (a run in progress keeps its own).
 */
export const evaluateMessageSchema = z.strictObject({
  type: z.literal('evaluate'),
  runId,
  requestId: z.number().int().min(0),
  files: z.array(z.lazy(() => modelFileSchema)).min(1).optional(),
  dataset: datasetRefSchema,
  /** A run on the user's own data: evaluated on that data's test split (`dataset` then only names it). */
  data: userDataRefSchema.optional(),
  maxMistakes: z.number().int().min(0).max(10_000),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).optional(),
});
/**
 * Run the model of `runId` on inputs (`shape` per sample, `values` row-major batch × prod(shape)). The trainer keeps
 * the last model it loaded for a run, so a stream of predictions ("Try it" while drawing) sends the files once: a
 * request without `files` for a model it does not hold is answered `predictFailed` with `needsModel: true`.
 */
export const predictMessageSchema = z.strictObject({
  type: z.literal('predict'),
  runId,
  requestId: z.number().int().min(0),
  files: z.array(z.lazy(() => modelFileSchema)).min(1).optional(),
  shape: z.array(z.number().int().min(1)).min(1).max(4),
  values: z.array(z.number()).min(1).max(1_000_000),
});

/**
 * Signal propagation at initialisation of `graph` (shared/contracts/insight.ts). Insight requests have their own
 * request ids and replies (`signalPropagated`, `landscapeComputed`, or `insightFailed`).
 */
export const signalPropagationMessageSchema = z.strictObject({
  type: z.literal('signalPropagation'),
  requestId: z.number().int().min(0),
  graph: graphPayloadSchema,
  config: trainingConfigSchema,
  dataset: datasetRefSchema.optional(),
  /** `config.data` with the file its relative path resolves against (the user's own data, issue 14). */
  data: userDataRefSchema.optional(),
  samples: z.number().int().min(1).optional(),
});
/** A loss landscape slice around the model of `runId` (its checkpoint `files`, or the one the trainer holds). */
export const lossLandscapeMessageSchema = z.strictObject({
  type: z.literal('lossLandscape'),
  runId,
  requestId: z.number().int().min(0),
  files: z.array(z.lazy(() => modelFileSchema)).min(1).optional(),
  dataset: datasetRefSchema,
  /** As in `evaluate`: the run's own data when it trained on the user's. */
  data: userDataRefSchema.optional(),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).optional(),
  options: landscapeOptionsSchema.optional(),
});
/** Stops an insight request between two of its steps; it then fails with `cancelled: true`. Unknown ids are ignored. */
export const cancelInsightMessageSchema = z.strictObject({ type: z.literal('cancelInsight'), requestId: z.number().int().min(0) });

export const hostToTrainerSchema = z.discriminatedUnion('type', [
  startMessageSchema,
  pauseMessageSchema,
  resumeMessageSchema,
  stopMessageSchema,
  exportModelMessageSchema,
  evaluateMessageSchema,
  predictMessageSchema,
  signalPropagationMessageSchema,
  lossLandscapeMessageSchema,
  cancelInsightMessageSchema,
]);
export type HostToTrainer = z.input<typeof hostToTrainerSchema>;
export type StartMessage = z.output<typeof startMessageSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Trainer → host

export const startedEventSchema = z.strictObject({
  type: z.literal('started'),
  runId,
  backend: trainerBackendSchema,
  /** Total parameters of the compiled model. */
  params: z.number().int().min(0),
  trainSize: z.number().int().min(0),
  valSize: z.number().int().min(0),
  testSize: z.number().int().min(0),
  /** Data-parallel workers training the run (1 when absent). */
  workers: z.number().int().min(1).optional(),
});
/** Throttled by the trainer to at most 20 per second; the last batch of an epoch is always sent. */
export const batchEventSchema = z.strictObject({
  type: z.literal('batch'),
  runId,
  epoch: count1,
  batch: count1,
  batchesPerEpoch: count1,
  loss: finite,
  accuracy: finite.optional(),
  samplesPerSec: z.number().min(0),
  /** The learning rate this batch was trained with (sent when the run has a learning-rate schedule). */
  learningRate: z.number().min(0).refine(Number.isFinite, 'must be a finite number').optional(),
});
export const epochEventSchema = z.strictObject({
  type: z.literal('epoch'),
  runId,
  epoch: count1,
  loss: finite,
  accuracy: finite.optional(),
  valLoss: finite.optional(),
  valAccuracy: finite.optional(),
  /** Time since the run started. */
  elapsedMs: z.number().min(0),
});
export const pausedEventSchema = z.strictObject({ type: z.literal('paused'), runId, epoch: count1, batch: z.number().int().min(0) });
export const resumedEventSchema = z.strictObject({ type: z.literal('resumed'), runId });
export const finishedEventSchema = z.strictObject({ type: z.literal('finished'), runId, summary: runSummarySchema });
export const failedEventSchema = z.strictObject({
  type: z.literal('failed'),
  runId,
  reason: z.string().min(1),
  epoch: count1.optional(),
  batch: count1.optional(),
  /** Present when the run got far enough to have one (e.g. the loss diverged mid-run). */
  summary: runSummarySchema.optional(),
});

/** One file of an exported model: a plain file name (no folders, not hidden) and its bytes. */
export const modelFileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a plain file name (letters, digits, . _ -)'),
  bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be bytes (a Uint8Array)'),
});
export type ModelFile = z.output<typeof modelFileSchema>;
/** The answer to `exportModel`: tfjs layers format, `model.json` + `weights.bin`. */
export const exportedEventSchema = z.strictObject({
  type: z.literal('exported'),
  runId,
  requestId: z.number().int().min(0),
  files: z.array(modelFileSchema).min(1),
});
/** `exportModel` could not be answered (no kept model for that run, still training, serialisation error). */
export const exportFailedEventSchema = z.strictObject({
  type: z.literal('exportFailed'),
  runId,
  requestId: z.number().int().min(0),
  reason: z.string().min(1),
});

/**
 * The live decision boundary of a run on a 2-D dataset: the model's outputs over a grid of the plane, sent at most
 * every {@link BOUNDARY_EVENT_GAP_MS} between batches (longer when an update is slow: the trainer keeps them under
 * ~2 % of its time) and at every epoch's end. `probabilities` is row-major
 * cells × outputWidth, row 0 at the top (see shared/evaluation/decisionBoundaryGrid).
 */
export const boundaryEventSchema = z.strictObject({
  type: z.literal('boundary'),
  runId,
  epoch: count1,
  batch: count1,
  grid: boundaryGridSchema,
  outputWidth: count1,
  probabilities: z.array(z.number()),
});
export const BOUNDARY_EVENT_GAP_MS = 500;

/** The answer to `evaluate`. */
export const evaluatedEventSchema = z.strictObject({
  type: z.literal('evaluated'),
  runId,
  requestId: z.number().int().min(0),
  evaluation: runEvaluationSchema,
});
/** The answer to `predict`: row-major batch × outputWidth. */
export const predictedEventSchema = z.strictObject({
  type: z.literal('predicted'),
  runId,
  requestId: z.number().int().min(0),
  outputs: z.array(z.number()),
  outputWidth: count1,
});
/** `evaluate` or `predict` could not be answered; `needsModel`: send the request again with the model's files. */
export const requestFailedEventSchema = z.strictObject({
  type: z.literal('requestFailed'),
  runId,
  requestId: z.number().int().min(0),
  reason: z.string().min(1),
  needsModel: z.boolean().optional(),
});

/** The answer to `signalPropagation`. */
export const signalPropagatedEventSchema = z.strictObject({
  type: z.literal('signalPropagated'),
  requestId: z.number().int().min(0),
  result: signalPropagationSchema,
});
/** Progress of a `lossLandscape` request, at most every 200 ms. */
export const landscapeProgressEventSchema = z.strictObject({
  type: z.literal('landscapeProgress'),
  requestId: z.number().int().min(0),
  done: z.number().int().min(0),
  total: z.number().int().min(1),
  elapsedMs: z.number().min(0),
  etaMs: z.number().min(0).optional(),
});
/** The answer to `lossLandscape`. */
export const landscapeComputedEventSchema = z.strictObject({
  type: z.literal('landscapeComputed'),
  requestId: z.number().int().min(0),
  landscape: lossLandscapeSchema,
});
/** An insight request could not be answered; `needsModel`: send it again with the model's files. */
export const insightFailedEventSchema = z.strictObject({
  type: z.literal('insightFailed'),
  requestId: z.number().int().min(0),
  reason: z.string().min(1),
  needsModel: z.boolean().optional(),
  cancelled: z.boolean().optional(),
});

/** Events about a run: what hosts forward to the UI. */
export const trainerRunEventSchema = z.discriminatedUnion('type', [
  startedEventSchema,
  batchEventSchema,
  epochEventSchema,
  pausedEventSchema,
  resumedEventSchema,
  finishedEventSchema,
  failedEventSchema,
  boundaryEventSchema,
  telemetryEventSchema,
]);
/** Everything the trainer sends: run events plus the answers to export requests (which hosts keep to themselves). */
export const trainerToHostSchema = z.discriminatedUnion('type', [
  startedEventSchema,
  batchEventSchema,
  epochEventSchema,
  pausedEventSchema,
  resumedEventSchema,
  finishedEventSchema,
  failedEventSchema,
  boundaryEventSchema,
  telemetryEventSchema,
  exportedEventSchema,
  exportFailedEventSchema,
  evaluatedEventSchema,
  predictedEventSchema,
  requestFailedEventSchema,
  signalPropagatedEventSchema,
  landscapeProgressEventSchema,
  landscapeComputedEventSchema,
  insightFailedEventSchema,
]);
export type TrainerEvent = z.output<typeof trainerRunEventSchema>;
export type TrainerMessage = z.output<typeof trainerToHostSchema>;
export type ExportReply = Extract<TrainerMessage, { type: 'exported' | 'exportFailed' }>;
/** Answers to `evaluate` and `predict`, paired with their requests by `requestId`. */
export type EvaluationReply = Extract<TrainerMessage, { type: 'evaluated' | 'predicted' | 'requestFailed' }>;
/** Answers to insight requests, paired with their requests by `requestId` (progress is not an answer). */
export type InsightReply = Extract<TrainerMessage, { type: 'signalPropagated' | 'landscapeComputed' | 'insightFailed' }>;
export type LandscapeProgressEvent = z.output<typeof landscapeProgressEventSchema>;
export type BoundaryEvent = z.output<typeof boundaryEventSchema>;
export type TrainerEventType = TrainerEvent['type'];
export type StartedEvent = z.output<typeof startedEventSchema>;
export type BatchEvent = z.output<typeof batchEventSchema>;
export type EpochEvent = z.output<typeof epochEventSchema>;
export type FinishedEvent = z.output<typeof finishedEventSchema>;
export type FailedEvent = z.output<typeof failedEventSchema>;

/** Most batch events per second the trainer sends; charts cannot use more and IPC should not carry more. */
export const MAX_BATCH_EVENTS_PER_SECOND = 20;

/** A readable one-line account of why a message failed validation, naming the JSON path. */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(message)'}: ${issue.message}`)
    .join('; ');
}
