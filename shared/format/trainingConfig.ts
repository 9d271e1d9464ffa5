/**
 * How a graph is trained: stored in a `.nbrick` file next to the graph and sent to the trainer process.
 * The schema is the single definition; the type is derived from it so the two cannot drift.
 */
import { z } from 'zod';
import { dataSpecSchema } from '../data/dataSpec';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** `auto` lets the trainer pick the fastest backend available on this machine. */
export const TRAINING_BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];

/**
 * Data-parallel trainer workers: 1 trains in one thread; 2 splits every batch over two threads with synchronous
 * gradient averaging and synchronised BatchNorm (the same math as 1 up to float rounding; Dropout masks differ);
 * `auto` — the default when unset — uses 2 when the backend is single-threaded (wasm, cpu), the machine has at least
 * 2 cores and the model has enough work per half batch. The native tensorflow backend always uses 1.
 */
export const TRAINING_WORKERS = [1, 2, 'auto'] as const;
export type TrainingWorkers = (typeof TRAINING_WORKERS)[number];

/** Upper bounds keep a typo (an extra zero or ten) from freezing a laptop; they are far above any workshop use. */
export const MAX_BATCH_SIZE = 65_536;
export const MAX_EPOCHS = 100_000;
/** Each checkpoint holds a full copy of the weights: a few hundred is already a lot of disk. */
export const MAX_KEEP_CHECKPOINTS = 1000;
/** Telemetry intervals beyond this would sample once in a long run at most. */
export const MAX_TELEMETRY_EVERY = 1_000_000;

/**
 * Learning-rate schedules (issue 12), per training step, each with an optional linear warm-up from 0 over
 * `warmupEpochs` (shared/training/learningRateSchedule.ts computes the rate; the charts draw it under the loss):
 * `step` multiplies the rate by `factor` every `everyEpochs`; `exponential` by `factor` per epoch (smoothly, per step);
 * `cosine` anneals from the rate to `minLearningRate` over the run (Loshchilov & Hutter 2017, without restarts).
 */
const warmup = z.number().min(0).max(MAX_EPOCHS).optional();
export const learningRateScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), warmupEpochs: warmup }),
  z.strictObject({ kind: z.literal('step'), everyEpochs: z.number().int().min(1).max(MAX_EPOCHS), factor: z.number().gt(0).max(1), warmupEpochs: warmup }),
  z.strictObject({ kind: z.literal('exponential'), factor: z.number().gt(0).max(1), warmupEpochs: warmup }),
  z.strictObject({ kind: z.literal('cosine'), minLearningRate: z.number().min(0).max(10).optional(), warmupEpochs: warmup }),
]);
export type LearningRateSchedule = z.infer<typeof learningRateScheduleSchema>;
export const LR_SCHEDULE_KINDS = ['constant', 'step', 'exponential', 'cosine'] as const;

/**
 * Gradient clipping (issue 12): `agc` — adaptive gradient clipping (Brock et al. 2021): each unit's gradient (a row of
 * outputs: per output channel / neuron) is scaled so ‖g‖/max(‖w‖, eps) ≤ `lambda`; the first and last weighted layers
 * are left out, as in the paper. `norm` — plain global-norm clipping: all gradients scaled so their joint L2 norm is
 * at most `maxNorm`.
 */
export const gradientClippingSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('agc'), lambda: z.number().gt(0).max(100) }),
  z.strictObject({ kind: z.literal('norm'), maxNorm: z.number().gt(0).max(1e6) }),
]);
export type GradientClipping = z.infer<typeof gradientClippingSchema>;
export const DEFAULT_AGC_LAMBDA = 0.01;

export const EARLY_STOP_METRICS = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const;
/** Stop when `metric` has not improved for `patience` epochs; `restoreBest` (default true) puts back the best epoch's weights. */
export const earlyStoppingSchema = z.strictObject({
  metric: z.enum(EARLY_STOP_METRICS),
  patience: z.number().int().min(1).max(MAX_EPOCHS),
  restoreBest: z.boolean().optional(),
});
export type EarlyStopping = z.infer<typeof earlyStoppingSchema>;

export const trainingConfigSchema = z.strictObject({
  /** A bundled dataset id (shared/contracts/trainer.ts DATASET_IDS); with `data` set, only a display name. */
  dataset: z.string().min(1, 'dataset id must not be empty'),
  optimizer: z.enum(OPTIMIZERS),
  learningRate: z.number().positive().max(10),
  batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE),
  epochs: z.number().int().min(1).max(MAX_EPOCHS),
  validationSplit: z.number().min(0).max(0.5),
  shuffle: z.boolean(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  backend: z.enum(TRAINING_BACKENDS).optional(),
  workers: z.union([z.literal(1), z.literal(2), z.literal('auto')]).optional(),
  /** Checkpoints kept beside the file, newest runs first (absent: DEFAULT_KEEP_CHECKPOINTS; 0 keeps none). Since format 2. */
  keepCheckpoints: z.number().int().min(0).max(MAX_KEEP_CHECKPOINTS).optional(),
  /**
   * Telemetry (per-node gradient norms, activations, dead units…) every this many training steps; 0 turns it off.
   * Absent: `auto`, which measures the first sample's cost and spaces the rest so telemetry takes about 3 % of
   * training time. Since format 3.
   */
  telemetryEvery: z.number().int().min(0).max(MAX_TELEMETRY_EVERY).optional(),
  /** Learning-rate schedule (absent: constant). Since format 3. */
  lrSchedule: learningRateScheduleSchema.optional(),
  /** Gradient clipping (absent: none). Since format 3. */
  clip: gradientClippingSchema.optional(),
  /** Early stopping (absent: train every epoch). Since format 3. */
  earlyStopping: earlyStoppingSchema.optional(),
  /**
   * The user's own data (a CSV table or an image folder, shared/data/dataSpec.ts): where it is, its content hash, the
   * target/features and the fitted preprocessing and split. When set, the run trains on it instead of `dataset`.
   * Since format 4.
   */
  data: dataSpecSchema.optional(),
});

export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = Object.freeze({
  dataset: 'xor',
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 32,
  epochs: 20,
  validationSplit: 0.2,
  shuffle: true,
  seed: 42,
  backend: 'auto',
});
