/**
 * Synchronous data-parallel training over two replicas: the trainer thread itself (replica 0) and one worker thread
 * (replica 1, replicaWorker.ts) with its own tfjs engine and wasm instance. tfjs' wasm backend is single-threaded in
 * Node, so this is how one run uses two cores.
 *
 * Per step: the trainer copies the second half of the batch into shared memory and wakes the worker; both run
 * forward/backward on their half at the same time and publish their gradients and BatchNorm moving statistics in
 * shared memory; each waits for the other's, computes the same average itself (averageUpdate.ts: weighted by rows,
 * always in the same order, so the same bits on both threads) and applies the identical update with an identical
 * optimizer. Weights therefore stay bit-identical on both replicas (tested), and the trainer thread's model is the one
 * evaluated and saved. With gradient clipping the trainer averages and clips once and publishes the result (APPLY),
 * as every step did before: the worker then waits for that instead. Averaging on both threads spends a weight-sized
 * pass of CPU twice but takes a wake-up off the worker's path: before, the worker slept until the trainer had
 * averaged and woken it again, then applied while the trainer was already done (measured in the commit that made it;
 * NB_EACH_AVERAGES=0 restores the old way for A/B).
 *
 * Why the trainer thread is a replica rather than a coordinator of two workers: one engine, one wasm heap and one copy
 * of the weights less, no copy of the first half of each batch, and evaluation, callbacks, pause and stop stay where
 * trainModel already does them.
 *
 * BatchNorm is synchronised (syncBatchNorm.ts, like PyTorch's SyncBatchNorm): in training, every BatchNorm layer's
 * forward pass on both replicas normalises with the whole batch's mean and variance, and its backward pass uses the
 * whole batch's Σdy and Σdy·x̂, exchanged mid-step through shared memory. A 2-worker step therefore computes what a
 * 1-worker step computes — the same gradients and the same BatchNorm moving statistics, up to float rounding
 * (DataParallel.test.ts: ≤ 1e-5 after several steps) — for any batch split, odd ones included. The moving statistics
 * come out identical on both replicas; they are still averaged (identical values average to themselves), which also
 * covers any other non-trainable weight. LayerNorm is per sample and needs nothing.
 * Dropout is where the two differ: each replica draws its masks from its own seeded stream (seed + replica index), so
 * a 2-worker run is reproducible for its seed but does not draw a 1-worker run's masks. (tfjs' dropout seeds a fresh
 * generator from one Math.random() per call and fills the mask row by row; matching a 1-worker step would need the
 * trainer's draw for every Dropout call of the step on the worker mid-step, and the worker to skip the trainer's rows
 * of the mask.) The same holds for the other random training layers (GaussianNoise, GaussianDropout, SpatialDropout).
 *
 * A crashed or failing worker rejects the step in progress (and every later one) with an Error naming the cause.
 * Between BatchNorm exchanges the trainer thread never blocks on the worker (it waits with Atomics.waitAsync); inside
 * one it blocks, in slices that check whether the worker thread is still running, so a crash cannot hang the run.
 *
 * Per-step work besides the two halves' forward/backward is kept small: no await once the worker is ready, the
 * average in a tight function, no copies of shared memory the wasm backend copies anyway, gradients read straight
 * from the wasm heap. `phases()` tells where each thread's time goes (the bench prints it). Not done: polling instead
 * of sleeping between steps. On this 2-vCPU VM under heavy outside load, the Atomics.notify that wakes a sleeping
 * replica took 1.4–2.7 ms, and polling 5 ms first removed that; but idle or under moderate load it was neutral to a
 * few % slower (the polling thread takes a core from the other replica's neighbours), so waits still sleep.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GraphDocument } from '../../../../shared/document/model';
import type { TrainingConfig } from '../../../../shared/format/trainingConfig';
import type { BackendInfo } from '../../backends/selectBackend';
import type { TelemetryProbe } from '../telemetry/TelemetryProbe';
import { learningRateOf } from '../createOptimizer';
import { clipFlatGradients, type GradientClipPlan } from '../gradientTransforms';
import { setBatchNormSync } from '../../backends/wasmKernels/batchNormTraining';
import { suspendKernelHelper } from '../../backends/wasmKernels/kernelHelper';
import { leafLayers } from '../../compiler/leafLayers';
import { averageUpdate } from './averageUpdate';
import type { ThreadMemory } from './replicaMemory';
import { createGradientStep, type GradientStep } from './gradientStep';
import { ReplicaBatchNormSync, ReplicaGoneError } from './syncBatchNorm';
import type { ReplicaInit } from './ReplicaInit';
import {
  allocateReplicaMemory,
  COMMAND,
  CTRL,
  MODE_EACH_AVERAGES,
  MODE_TRAINER_AVERAGES,
  replicaViews,
  TRAINER_PHASES,
  WORKER_PHASES,
  type ReplicaLayout,
  type ReplicaViews,
  type TrainerPhase,
  type WorkerPhase,
} from './replicaLayout';

export interface DataParallelOptions {
  /** The trainer thread's model, built but not necessarily compiled yet; its current weights are sent to the worker. */
  readonly model: tfl.LayersModel;
  readonly graph: GraphDocument;
  readonly config: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'seed' | 'batchSize'>;
  readonly backend: BackendInfo;
  /** The loss and metrics trainModel compiles the model with. */
  readonly loss: string;
  readonly metrics: string[];
  readonly inputShape: readonly number[];
  readonly targetWidth: number;
  /** Upper bound on the rows of one batch (the batch size, or the training set when smaller). */
  readonly maxBatchRows: number;
  /** Receives the worker's stdout/stderr lines; default: written to this process's stderr (stdout may carry JSON). */
  readonly onLog?: (line: string) => void;
  /**
   * Synchronised BatchNorm (default true). false normalises each half batch with its own statistics, as before issue
   * 17 — only to show in tests and measurements what the synchronisation changes and costs.
   */
  readonly syncBatchNorm?: boolean;
  /**
   * Each replica averages the two gradients itself (default true; see replicaLayout's MODE_EACH_AVERAGES). false: the
   * trainer averages and publishes the result, as before — only for A/B measurements (env NB_EACH_AVERAGES=0).
   */
  readonly eachAverages?: boolean;
}

/**
 * tsx's ESM API as an importable URL, found through the `exports` map of tsx's package.json (its CommonJS twin cannot
 * load its ESM half inside a worker; `import.meta.resolve` would do, but the bundled app has no import.meta).
 */
function tsxEsmApi(from: string): string {
  const require = createRequire(from);
  const manifest = require.resolve('tsx/package.json');
  const pkg = require(manifest) as { exports?: Record<string, { import?: { default?: string } | string }> };
  const entry = pkg.exports?.['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  if (!file) throw new Error(`cannot find tsx's ESM API in ${manifest}`);
  return pathToFileURL(path.join(path.dirname(manifest), file)).href;
}

/**
 * The worker's V8 young generation (MB). V8's default lets it grow to tens of MB (the worker's heap was 77 MB
 * allocated for 28 MB used after ResNet-20 steps); the replica allocates little JavaScript per step — its tensors live
 * in its wasm heap — so a small one only means more frequent, short scavenges. 8 MB: the worker's V8 heap 77 → 46 MB,
 * bench ResNet-20 2-worker peakRssMB ~530 → ~515, samples per CPU-second unchanged (resnet20 and cnn, measured in the
 * commit that set it). NB_REPLICA_YOUNG_MB sets another size; 0 leaves V8's default (A/B).
 */
const REPLICA_YOUNG_GENERATION_MB = 8;

function replicaYoungGenerationMb(): number | undefined {
  const env = process.env.NB_REPLICA_YOUNG_MB;
  const mb = env === undefined || env === '' ? REPLICA_YOUNG_GENERATION_MB : Number(env);
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`NB_REPLICA_YOUNG_MB must be a number of MB ≥ 0, got "${env}"`);
  return mb > 0 ? mb : undefined;
}

/** Starts worker threads from TypeScript sources (via tsx) or, in the bundled app, from the bundled entry. */
function spawnReplica(init: ReplicaInit): Worker {
  const here = import.meta.url;
  const young = replicaYoungGenerationMb();
  const options = {
    workerData: init,
    stdout: true,
    stderr: true,
    ...(young !== undefined ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}),
  } as const;
  if (!/\.[cm]?js$/.test(new URL(here).pathname)) {
    const entry = new URL('./replicaWorker.ts', here).href;
    const tsx = tsxEsmApi(here);
    const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(boot, { ...options, eval: true });
  }
  // Bundled (scripts/bundle-electron.mjs): the replica entry is built beside the trainer as replicaWorker.cjs.
  return new Worker(new URL('./replicaWorker.cjs', here), options);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The most channels of any BatchNorm layer in `model` (0 when it has none): the room synchronised BatchNorm needs. */
export function batchNormChannels(model: tfl.LayersModel): number {
  let most = 0;
  for (const layer of leafLayers(model)) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const shape = layer.outputShape;
    const out = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    most = Math.max(most, out[out.length - 1] ?? 0);
  }
  return most;
}

/** Summed milliseconds per phase since the start of the run (see TRAINER_PHASES / WORKER_PHASES for what each is). */
export interface ParallelPhases {
  readonly steps: number;
  readonly trainer: Record<TrainerPhase, number>;
  readonly workerSteps: number;
  readonly worker: Record<WorkerPhase, number>;
  /** The part of each thread's `compute` spent waiting for the other's BatchNorm statistics (synchronised BatchNorm). */
  readonly syncWait: { readonly trainer: number; readonly worker: number };
}

const PHASE = Object.fromEntries(TRAINER_PHASES.map((name, i) => [name, i])) as Record<TrainerPhase, number>;

type AtomicsWithWaitAsync = typeof Atomics & {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
};

export class DataParallel {
  /** Replicas training each batch (the trainer thread + the worker). */
  readonly workers = 2;
  /** The replica thread (for diagnostics and tests). */
  readonly worker: Worker;
  private readonly layout: ReplicaLayout;
  private readonly views: ReplicaViews;
  private readonly inputShape: readonly number[];
  private readonly ready: Promise<void>;
  /** Set once `ready` resolved, so a step does not await it (every await costs a turn of the microtask queue). */
  private isReady = false;
  private readonly failed: Promise<never>;
  private failure: Error | undefined;
  private fail!: (error: Error) => void;
  private step: GradientStep | undefined;
  private localGradients = new Float32Array(0);
  private localStatistics = new Float32Array(0);
  /** The trainer replica's weights, flattened, for adaptive gradient clipping (allocated on first use). */
  private weightsFlat: Float32Array | undefined;
  private seq = 0;
  private readonly phaseMs = new Float64Array(TRAINER_PHASES.length);
  private steps = 0;
  /** When the last trainOnBatch returned (0: none yet), for the `between` phase. */
  private returnedAt = 0;
  private disposed = false;
  private exited = false;
  private snapshotWaiter: ((weights: Float32Array[]) => void) | undefined;
  private memoryWaiter: ((memory: ThreadMemory) => void) | undefined;
  private readonly sync: ReplicaBatchNormSync;
  private readonly eachAverages: boolean;
  /** The kernel helper stays off while the replicas run (they use both cores). */
  private resumeKernelHelper: () => void = () => {};

  constructor(private readonly options: DataParallelOptions) {
    const { model } = options;
    this.inputShape = options.inputShape;
    this.eachAverages = options.eachAverages ?? process.env.NB_EACH_AVERAGES !== '0';
    this.layout = {
      featureSize: sizeOf(options.inputShape),
      targetWidth: options.targetWidth,
      maxRows: Math.max(1, Math.floor(options.maxBatchRows / 2)),
      gradientSize: model.trainableWeights.reduce((a, w) => a + sizeOf(w.shape as number[]), 0),
      statisticsSize: model.nonTrainableWeights.reduce((a, w) => a + sizeOf(w.shape as number[]), 0),
      syncChannels: batchNormChannels(model),
    };
    const buffer = allocateReplicaMemory(this.layout);
    this.views = replicaViews(buffer, this.layout);
    this.sync = new ReplicaBatchNormSync(this.views, 0, () => this.workerGone());
    this.failed = new Promise<never>((_, reject) => {
      this.fail = (error) => {
        if (this.failure || this.disposed) return;
        this.failure = error;
        reject(error);
      };
    });
    this.failed.catch(() => {}); // observed through step(); never an unhandled rejection

    const init: ReplicaInit = {
      replica: 1,
      graph: options.graph,
      backend: options.backend.name,
      ...(options.backend.threads !== undefined ? { wasmThreads: options.backend.threads } : {}),
      optimizer: options.config.optimizer,
      learningRate: options.config.learningRate,
      seed: options.config.seed,
      loss: options.loss,
      metrics: options.metrics,
      inputShape: [...options.inputShape],
      weights: model.getWeights().map((w) => w.dataSync() as Float32Array),
      layout: this.layout,
      buffer,
    };
    this.worker = spawnReplica(init);
    const log = options.onLog ?? ((line: string) => process.stderr.write(`[replica 1] ${line}\n`));
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) log(line);
      });
    }
    this.ready = new Promise<void>((resolve) => {
      this.worker.on('message', (m: { type: string; weights?: Float32Array[]; memory?: ThreadMemory }) => {
        if (m.type === 'ready') {
          this.isReady = true;
          resolve();
        }
        else if (m.type === 'weights' && m.weights) {
          this.snapshotWaiter?.(m.weights);
          this.snapshotWaiter = undefined;
        }
        else if (m.type === 'memory' && m.memory) {
          this.memoryWaiter?.(m.memory);
          this.memoryWaiter = undefined;
        }
      });
    });
    this.worker.on('error', (error) => this.fail(new Error(`Data-parallel training worker failed: ${error.message}`)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`Data-parallel training worker exited unexpectedly (exit code ${code})`));
    });
    this.resumeKernelHelper = suspendKernelHelper();
  }

  /**
   * Asked while the trainer blocks inside a BatchNorm exchange (the event loop cannot deliver 'exit' then): Node
   * reports a stopped worker's event-loop idle time as −1, synchronously.
   */
  private workerGone(): string | undefined {
    if (this.failure) return this.failure.message;
    if (this.worker.performance.eventLoopUtilization().idle < 0) {
      return 'Data-parallel training worker exited unexpectedly (while the trainer waited for its BatchNorm statistics)';
    }
    return undefined;
  }

  private async until<T>(promise: Promise<T>): Promise<T> {
    if (this.failure) throw this.failure;
    return Promise.race([promise, this.failed]);
  }

  /** Resolves once ctrl[index] === value; rejects when the worker dies first. Never blocks the thread. */
  private async waitFor(index: number, value: number): Promise<void> {
    const { ctrl } = this.views;
    for (;;) {
      if (this.failure) throw this.failure;
      const current = Atomics.load(ctrl, index);
      if (current === value) return;
      const waited = (Atomics as AtomicsWithWaitAsync).waitAsync(ctrl, index, current);
      if (waited.async) await this.until(waited.value);
    }
  }

  private post(command: number): number {
    const { ctrl } = this.views;
    this.seq++;
    Atomics.store(ctrl, CTRL.COMMAND, command);
    Atomics.store(ctrl, CTRL.STEP, this.seq);
    Atomics.notify(ctrl, CTRL.STEP);
    return this.seq;
  }

  /**
   * One synchronous data-parallel step on `rows` samples (x/y as trainModel gathers them). `model` must be compiled
   * with `optimizer`. Returns [loss, ...metrics] over the whole batch, like trainOnBatch. Both replicas apply the
   * update with the optimizer's current learning rate; with `clip` the averaged gradients are clipped once, here,
   * before either replica applies them, so the replicas stay identical.
   */
  async trainOnBatch(
    model: tfl.LayersModel,
    optimizer: tf.Optimizer,
    x: Float32Array,
    y: Float32Array,
    rows: number,
    probe?: Pick<TelemetryProbe, 'recordFlatGradients'>,
    clip?: GradientClipPlan,
  ): Promise<number[]> {
    if (this.disposed) throw new Error('DataParallel has been disposed');
    if (this.failure) throw this.failure;
    const phases = this.phaseMs;
    let t = performance.now();
    if (this.returnedAt > 0) phases[PHASE.between]! += t - this.returnedAt;
    const lap = (phase: number) => {
      const now = performance.now();
      phases[phase]! += now - t;
      t = now;
    };
    if (!this.isReady) await this.until(this.ready);
    if (!this.step) {
      this.step = createGradientStep(model, optimizer);
      if (this.step.gradientSize !== this.layout.gradientSize || this.step.statisticsSize !== this.layout.statisticsSize) {
        throw new Error('the compiled model does not have the weights it was built with');
      }
      this.localGradients = new Float32Array(this.layout.gradientSize);
      this.localStatistics = new Float32Array(this.layout.statisticsSize);
    }
    const { featureSize: f, targetWidth: w } = this.layout;
    const n0 = Math.ceil(rows / 2);
    const n1 = rows - n0;
    if (n1 > this.layout.maxRows) throw new Error(`batch of ${rows} rows exceeds the ${2 * this.layout.maxRows} this trainer was set up for`);
    const v = this.views;
    v.x.set(x.subarray(n0 * f, rows * f));
    v.y.set(y.subarray(n0 * w, rows * w));
    Atomics.store(v.ctrl, CTRL.ROWS, n1);
    Atomics.store(v.ctrl, CTRL.TROWS, n0);
    const syncBatchNorm = n1 > 0 && this.options.syncBatchNorm !== false;
    Atomics.store(v.ctrl, CTRL.SYNC_BN, syncBatchNorm ? 1 : 0);
    // Gradient clipping needs the whole average before either replica applies it: then the trainer averages for both.
    const eachAverages = !clip && this.eachAverages;
    Atomics.store(v.ctrl, CTRL.MODE, eachAverages ? MODE_EACH_AVERAGES : MODE_TRAINER_AVERAGES);
    v.learningRate[0] = learningRateOf(optimizer);
    const seq = this.post(COMMAND.STEP);
    lap(PHASE.send);

    const xs = tf.tensor(x.subarray(0, n0 * f), [n0, ...this.inputShape], 'float32');
    const ys = tf.tensor(y.subarray(0, n0 * w), [n0, w], 'float32');
    let local: number[];
    // Each-averages: the trainer's gradients go straight into shared memory, for the worker to average them too.
    const g0 = eachAverages ? v.trainerGradients(seq) : this.localGradients;
    const s0 = eachAverages ? v.trainerStatistics(seq) : this.localStatistics;
    // BatchNorm layers exchange their statistics with the worker's (only when it has rows: a 1-row batch is ours alone).
    setBatchNormSync(syncBatchNorm ? this.sync : undefined);
    try {
      local = this.step.compute(xs, ys, g0, s0);
    } catch (error) {
      if (error instanceof ReplicaGoneError) {
        // The worker stopped mid-exchange: give its 'error'/'exit' event (with the cause) a moment to arrive.
        await this.until(new Promise((resolve) => setTimeout(resolve, 1_000)));
        this.fail(error);
      }
      throw error;
    } finally {
      setBatchNormSync(undefined);
      xs.dispose();
      ys.dispose();
    }
    if (eachAverages) {
      Atomics.store(v.ctrl, CTRL.TGRADS, seq);
      Atomics.notify(v.ctrl, CTRL.TGRADS);
    }
    lap(PHASE.compute);
    await this.waitFor(CTRL.GRADS, seq);
    lap(PHASE.waitWorker);

    // Weighted by rows so uneven halves (odd or last batches) give the full-batch mean gradient. One fixed formula
    // (averageUpdate), computed by both replicas from the same values or once here for both, so they stay identical.
    averageUpdate(v.avgGradients, v.avgStatistics, g0, s0, n0, v.gradients, v.statistics, n1);
    if (!eachAverages) {
      if (clip) {
        let weights: Float32Array | undefined;
        if (clip.clip.kind === 'agc') {
          weights = this.weightsFlat ??= new Float32Array(this.layout.gradientSize);
          this.step.readWeights(weights);
        }
        clipFlatGradients(clip, this.step.variables, v.avgGradients, weights);
      }
      Atomics.store(v.ctrl, CTRL.APPLY, seq);
      Atomics.notify(v.ctrl, CTRL.APPLY);
    }
    // Telemetry (when this step is measured): the norms of the full-batch gradient both replicas apply (clipped).
    probe?.recordFlatGradients(v.avgGradients, this.step.variables);
    lap(PHASE.average);
    this.step.apply(v.avgGradients, v.avgStatistics);
    lap(PHASE.apply);
    this.steps++;
    this.returnedAt = t;
    return local.map((value, i) => (n1 === 0 ? value : (value * n0 + v.metrics[i]! * n1) / rows));
  }

  /** Where both threads' time went so far (diagnostics; the worker's figures are as of its last finished step). */
  phases(): ParallelPhases {
    const w = this.views.workerPhases;
    return {
      steps: this.steps,
      trainer: Object.fromEntries(TRAINER_PHASES.map((name, i) => [name, this.phaseMs[i]!])) as Record<TrainerPhase, number>,
      workerSteps: w[WORKER_PHASES.length]!,
      worker: Object.fromEntries(WORKER_PHASES.map((name, i) => [name, w[i]!])) as Record<WorkerPhase, number>,
      syncWait: { trainer: this.sync.waitedMs, worker: w[WORKER_PHASES.length + 1]! },
    };
  }

  /** The worker replica's current weights in `model.weights` order (to check the replicas agree). */
  async replicaWeights(): Promise<Float32Array[]> {
    await this.until(this.ready);
    const weights = new Promise<Float32Array[]>((resolve) => (this.snapshotWaiter = resolve));
    this.post(COMMAND.SNAPSHOT);
    return this.until(weights);
  }

  /**
   * The worker thread's memory (wasm heap, V8 heap, live tensors) between steps (diagnostics and tests). Like
   * replicaWeights, only while no trainOnBatch is running or about to post (a command shares STEP with the batches).
   */
  async replicaMemory(): Promise<ThreadMemory> {
    await this.until(this.ready);
    const memory = new Promise<ThreadMemory>((resolve) => (this.memoryWaiter = resolve));
    this.post(COMMAND.MEMORY);
    return this.until(memory);
  }

  /** Stops the worker. Safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.resumeKernelHelper();
    const { ctrl } = this.views;
    Atomics.store(ctrl, CTRL.COMMAND, COMMAND.EXIT);
    Atomics.add(ctrl, CTRL.STEP, 1);
    Atomics.add(ctrl, CTRL.APPLY, 1);
    Atomics.add(ctrl, CTRL.TGRADS, 1);
    Atomics.notify(ctrl, CTRL.STEP);
    Atomics.notify(ctrl, CTRL.APPLY);
    Atomics.notify(ctrl, CTRL.TGRADS);
    Atomics.notify(ctrl, CTRL.SYNC_TRAINER); // a worker waiting in a BatchNorm exchange sees EXIT and stops
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
