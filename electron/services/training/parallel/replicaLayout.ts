/**
 * The shared memory between the trainer thread (replica 0) and its worker (replica 1): an Int32 control block used
 * with Atomics, then Float32 regions. Both sides derive the same views from the same `ReplicaLayout`.
 */

/** Indices into the Int32 control block. Sequence numbers count steps; each side waits for the other's. */
export const CTRL = {
  /** Trainer → worker: step number of the rows now in `x`/`y` (or of a command). */
  STEP: 0,
  /** Worker → trainer: step number whose gradients are in `gradients`/`statistics`/`metrics`. */
  GRADS: 1,
  /**
   * Trainer → worker, only in steps where the trainer averages for both (MODE_TRAINER_AVERAGES: gradient clipping):
   * step number whose averaged update is in `avgGradients`/`avgStatistics`.
   */
  APPLY: 2,
  /** Rows of the worker's part of the batch (0 for a batch of 1). */
  ROWS: 3,
  /** What STEP means: a training step, a weight snapshot, a memory report, or exit. */
  COMMAND: 4,
  /** 1 when the step's BatchNorm layers synchronise their statistics (syncBatchNorm.ts), 0 when each half uses its own. */
  SYNC_BN: 5,
  /**
   * Ints 6–7 (bytes 24–31, 8-aligned) hold a Float64: the learning rate of the step's update (a schedule changes it
   * between steps; trainModel sets it before the step, the trainer writes it before posting STEP and the worker reads
   * it right after waking for the step, before the trainer can write the next one).
   */
  LEARNING_RATE: 6,
  /**
   * Synchronised BatchNorm (syncBatchNorm.ts): how many reductions each replica has published into its `syncSlots`
   * so far in the run (trainer's, worker's); each waits until the other's count reaches its own.
   */
  SYNC_TRAINER: 8,
  SYNC_WORKER: 9,
  /** Trainer → worker: step number whose trainer gradients/statistics are in `trainerGradients(step)` (MODE_EACH_AVERAGES). */
  TGRADS: 10,
  /** How the step's update is averaged: MODE_EACH_AVERAGES or MODE_TRAINER_AVERAGES. */
  MODE: 11,
  /** Rows of the trainer's part of the batch (for the worker's own average). */
  TROWS: 12,
} as const;
const CTRL_INTS = 14;

/**
 * MODE_EACH_AVERAGES: both replicas publish their gradients, wait for the other's and compute the same rows-weighted
 * average themselves (one wake-up per step fewer for the worker: no waiting for the trainer's average). The trainer's
 * gradients alternate between two slots by step parity, because the trainer can start the next step's compute while
 * the worker still reads this step's. MODE_TRAINER_AVERAGES: the trainer averages, transforms (gradient clipping) and
 * publishes the update with APPLY, as before.
 */
export const MODE_EACH_AVERAGES = 0;
export const MODE_TRAINER_AVERAGES = 1;

export const COMMAND = { STEP: 0, SNAPSHOT: 1, EXIT: 2, MEMORY: 3 } as const;

export const MAX_METRICS = 8;

/**
 * Where each thread's time goes, summed over steps in milliseconds (diagnostics: `DataParallel.phases()`, printed by
 * the bench). Trainer: `between` = outside trainOnBatch (the training loop's gather, callbacks, event-loop turn);
 * `send` = the worker's rows into shared memory + wake-up; `waitWorker` = blocked on the worker's gradients;
 * `average` = the weighted mean of both gradients. Worker: `waitStep` = idle until the next batch; `waitApply` = idle
 * until the trainer's gradients (or, with clipping, its average) arrive. `compute` = forward/backward + gradient
 * copy-out; `apply` = optimizer update (the worker's includes its own average, MODE_EACH_AVERAGES).
 */
export const TRAINER_PHASES = ['between', 'send', 'compute', 'waitWorker', 'average', 'apply'] as const;
export const WORKER_PHASES = ['waitStep', 'compute', 'waitApply', 'apply'] as const;
export type TrainerPhase = (typeof TRAINER_PHASES)[number];
export type WorkerPhase = (typeof WORKER_PHASES)[number];
/**
 * Float64 slots after the float32 regions: the worker's phases, then its step count, then the part of its `compute`
 * spent waiting for the trainer's BatchNorm statistics (synchronised BatchNorm).
 */
const PHASE_SLOTS = WORKER_PHASES.length + 2;

export interface ReplicaLayout {
  /** Values per sample (product of the input shape) and per target row. */
  readonly featureSize: number;
  readonly targetWidth: number;
  /** Most rows the worker gets in one step (half a batch, rounded down). */
  readonly maxRows: number;
  readonly gradientSize: number;
  readonly statisticsSize: number;
  /** Most channels of a BatchNorm layer in the model (0: none, no room for synchronised BatchNorm). */
  readonly syncChannels: number;
}

/** Doubles in one synchronised-BatchNorm slot: a 3-value header, then up to 3 values per channel. */
export function syncSlotSize(channels: number): number {
  return 3 + 3 * channels;
}

export interface ReplicaViews {
  readonly ctrl: Int32Array;
  /** One Float64 over CTRL.LEARNING_RATE: the rate both replicas apply the averaged update with. */
  readonly learningRate: Float64Array;
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** The worker's gradients, moving statistics and [loss, ...metrics] for the step. */
  readonly gradients: Float32Array;
  readonly statistics: Float32Array;
  readonly metrics: Float32Array;
  /** The averaged update both replicas apply (MODE_TRAINER_AVERAGES; in MODE_EACH_AVERAGES the trainer's own). */
  readonly avgGradients: Float32Array;
  readonly avgStatistics: Float32Array;
  /** The trainer's gradients and moving statistics of step `step` (MODE_EACH_AVERAGES): slot step & 1 of two. */
  trainerGradients(step: number): Float32Array;
  trainerStatistics(step: number): Float32Array;
  /** The worker's phase times (ms, summed; WORKER_PHASES order), how many steps they cover, its BatchNorm wait. */
  readonly workerPhases: Float64Array;
  /** Synchronised BatchNorm: 2 slots of syncSlotSize(syncChannels) doubles for the trainer, then 2 for the worker. */
  readonly syncSlots: Float64Array;
  readonly syncChannels: number;
}

function floatsOf(layout: ReplicaLayout): number[] {
  return [
    layout.maxRows * layout.featureSize,
    layout.maxRows * layout.targetWidth,
    layout.gradientSize,
    layout.statisticsSize,
    MAX_METRICS,
    layout.gradientSize,
    layout.statisticsSize,
    2 * layout.gradientSize,
    2 * layout.statisticsSize,
  ];
}

function phasesOffset(layout: ReplicaLayout): number {
  const floats = floatsOf(layout).reduce((a, b) => a + b, 0);
  return Math.ceil((CTRL_INTS * 4 + floats * 4) / 8) * 8;
}

function syncDoubles(layout: ReplicaLayout): number {
  return layout.syncChannels > 0 ? 4 * syncSlotSize(layout.syncChannels) : 0;
}

export function allocateReplicaMemory(layout: ReplicaLayout): SharedArrayBuffer {
  return new SharedArrayBuffer(phasesOffset(layout) + (PHASE_SLOTS + syncDoubles(layout)) * 8);
}

export function replicaViews(buffer: SharedArrayBuffer, layout: ReplicaLayout): ReplicaViews {
  const ctrl = new Int32Array(buffer, 0, CTRL_INTS);
  const learningRate = new Float64Array(buffer, CTRL.LEARNING_RATE * 4, 1);
  let offset = CTRL_INTS * 4;
  const [x, y, gradients, statistics, metrics, avgGradients, avgStatistics, trainerGrads, trainerStats] = floatsOf(layout).map((n) => {
    const view = new Float32Array(buffer, offset, n);
    offset += n * 4;
    return view;
  }) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const g = layout.gradientSize;
  const st = layout.statisticsSize;
  const gradSlots = [trainerGrads.subarray(0, g), trainerGrads.subarray(g, 2 * g)] as const;
  const statSlots = [trainerStats.subarray(0, st), trainerStats.subarray(st, 2 * st)] as const;
  const workerPhases = new Float64Array(buffer, phasesOffset(layout), PHASE_SLOTS);
  const syncSlots = new Float64Array(buffer, phasesOffset(layout) + PHASE_SLOTS * 8, syncDoubles(layout));
  return {
    ctrl, learningRate, x, y, gradients, statistics, metrics, avgGradients, avgStatistics, workerPhases, syncSlots,
    syncChannels: layout.syncChannels,
    trainerGradients: (step) => gradSlots[step & 1]!,
    trainerStatistics: (step) => statSlots[step & 1]!,
  };
}
