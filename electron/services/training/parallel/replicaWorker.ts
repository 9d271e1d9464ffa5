/**
 * Entry of a data-parallel replica thread (worker_threads). It builds the same model as the trainer thread from the
 * same graph, takes the trainer's initial weights, then serves steps over shared memory:
 *   wait STEP → forward/backward on its rows → publish gradients (GRADS) → wait for the trainer's gradients (TGRADS)
 *   → average both as the trainer does → apply;
 * or, in steps with gradient clipping (MODE_TRAINER_AVERAGES), wait APPLY and apply the trainer's average.
 * It blocks in Atomics.wait between steps (a worker may; it has nothing else to do) and never touches the dataset.
 * An exception ends the thread; the trainer sees the worker's `error`/`exit` event and fails the run with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { selectBackend } from '../../backends/selectBackend';
import { compileGraph } from '../../compiler/compileGraph';
import { createOptimizer, setLearningRate } from '../createOptimizer';
import { compiledLoss } from '../fusedLosses';
import { setBatchNormSync } from '../../backends/wasmKernels/batchNormTraining';
import { createGradientStep, tensorFromVolatile } from './gradientStep';
import { ReplicaBatchNormSync, ReplicaGoneError } from './syncBatchNorm';
import { COMMAND, CTRL, MODE_EACH_AVERAGES, replicaViews, WORKER_PHASES } from './replicaLayout';
import { averageUpdate } from './averageUpdate';
import { threadMemory } from './replicaMemory';
import type { ReplicaInit } from './ReplicaInit';

// No top-level await: the bundled app builds this entry as CommonJS (scripts/bundle-electron.mjs).
async function main(): Promise<void> {
  const init = workerData as ReplicaInit;
  const port = parentPort;
  if (!port) throw new Error('replicaWorker must run in a worker thread');

  await selectBackend(init.backend, init.wasmThreads !== undefined ? { wasmThreads: init.wasmThreads } : {});
  // Own seeded stream per replica: reproducible for a seed, and Dropout masks differ between the two halves of a batch.
  const rng = seedrandom.alea(`neural-bricks/tfjs:${init.seed}:replica${init.replica}`);
  Math.random = () => rng();

  const { model } = compileGraph(init.graph);
  if (model.weights.length !== init.weights.length) {
    throw new Error(`replica ${init.replica} built ${model.weights.length} weights, the trainer has ${init.weights.length}`);
  }
  // setWeights assigns (the variables share these tensors' buffers): the tensors themselves are ours to dispose.
  const initial = init.weights.map((w, i) => tf.tensor(w, model.weights[i]!.shape as number[], 'float32'));
  model.setWeights(initial);
  tf.dispose(initial);
  const optimizer = createOptimizer(init.optimizer, init.learningRate);
  model.compile({ optimizer, ...compiledLoss(init.loss, init.metrics) }); // as trainModel compiles the trainer's copy
  const step = createGradientStep(model, optimizer);
  if (step.gradientSize !== init.layout.gradientSize || step.statisticsSize !== init.layout.statisticsSize) {
    throw new Error(
      `replica ${init.replica} has ${step.gradientSize}+${step.statisticsSize} weights, ` +
        `the trainer ${init.layout.gradientSize}+${init.layout.statisticsSize}`,
    );
  }

  const views = replicaViews(init.buffer, init.layout);
  const { ctrl } = views;
  // Synchronised BatchNorm: while waiting for the trainer's statistics, give up only when told to exit.
  const sync = new ReplicaBatchNormSync(views, 1, () =>
    Atomics.load(ctrl, CTRL.COMMAND) === COMMAND.EXIT ? 'the trainer stopped the worker' : undefined,
  );
  const { featureSize, targetWidth } = init.layout;
  // This replica's own average (MODE_EACH_AVERAGES): the shared avg* regions are the trainer's then.
  const avgGradients = new Float32Array(init.layout.gradientSize);
  const avgStatistics = new Float32Array(init.layout.statisticsSize);
  port.postMessage({ type: 'ready' });

  /**
   * Blocks until ctrl[index] reaches `value` (≥: TGRADS may already be the next step's, since the trainer goes on as
   * soon as it has this step's gradients from here) or an exit is requested; true when exiting.
   */
  function waitFor(index: number, value: number): boolean {
    for (;;) {
      if (Atomics.load(ctrl, CTRL.COMMAND) === COMMAND.EXIT) return true;
      const current = Atomics.load(ctrl, index);
      if (current >= value) return false;
      Atomics.wait(ctrl, index, current);
    }
  }

  // Phase times for DataParallel.phases(): only this thread writes them; indices follow WORKER_PHASES.
  const phases = views.workerPhases;
  const [WAIT_STEP, COMPUTE, WAIT_APPLY, APPLY] = (['waitStep', 'compute', 'waitApply', 'apply'] as const).map((p) =>
    WORKER_PHASES.indexOf(p),
  ) as [number, number, number, number];
  const STEPS = WORKER_PHASES.length;
  const SYNC_WAIT = STEPS + 1;
  let t = performance.now();
  const lap = (phase: number) => {
    const now = performance.now();
    phases[phase]! += now - t;
    t = now;
  };

  let seen = 0;
  for (;;) {
    if (waitFor(CTRL.STEP, seen + 1)) break;
    lap(WAIT_STEP);
    seen++;
    if (Atomics.load(ctrl, CTRL.COMMAND) === COMMAND.SNAPSHOT) {
      port.postMessage({ type: 'weights', step: seen, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) });
      continue;
    }
    if (Atomics.load(ctrl, CTRL.COMMAND) === COMMAND.MEMORY) {
      port.postMessage({ type: 'memory', memory: threadMemory() });
      continue;
    }
    const rows = Atomics.load(ctrl, CTRL.ROWS);
    const trainerRows = Atomics.load(ctrl, CTRL.TROWS);
    const eachAverages = Atomics.load(ctrl, CTRL.MODE) === MODE_EACH_AVERAGES;
    // The trainer's rate for this step (learning-rate schedule), so the same update is applied here.
    const learningRate = views.learningRate[0]!;
    if (rows > 0) {
      const xs = tensorFromVolatile(views.x.subarray(0, rows * featureSize), [rows, ...init.inputShape]);
      const ys = tensorFromVolatile(views.y.subarray(0, rows * targetWidth), [rows, targetWidth]);
      setBatchNormSync(Atomics.load(ctrl, CTRL.SYNC_BN) === 1 ? sync : undefined);
      try {
        const out = step.compute(xs, ys, views.gradients, views.statistics);
        views.metrics.set(out.slice(0, views.metrics.length));
      } catch (error) {
        if (error instanceof ReplicaGoneError) break; // told to exit mid-step
        throw error;
      } finally {
        setBatchNormSync(undefined);
        phases[SYNC_WAIT] = sync.waitedMs;
        xs.dispose();
        ys.dispose();
      }
    }
    Atomics.store(ctrl, CTRL.GRADS, seen);
    Atomics.notify(ctrl, CTRL.GRADS);
    lap(COMPUTE);
    setLearningRate(optimizer, learningRate);
    if (eachAverages) {
      // The trainer's gradients for this step, then the same average the trainer computes (DataParallel.averageUpdate).
      if (waitFor(CTRL.TGRADS, seen)) break;
      lap(WAIT_APPLY);
      averageUpdate(
        avgGradients, avgStatistics,
        views.trainerGradients(seen), views.trainerStatistics(seen), trainerRows,
        views.gradients, views.statistics, rows,
      );
      step.apply(avgGradients, avgStatistics);
    } else {
      if (waitFor(CTRL.APPLY, seen)) break;
      lap(WAIT_APPLY);
      step.apply(views.avgGradients, views.avgStatistics);
    }
    lap(APPLY);
    phases[STEPS]!++;
  }
  optimizer.dispose();
  model.dispose();
}

main().catch((error: unknown) => {
  // Rethrown outside the promise so the thread ends with an 'error' event carrying the message.
  setImmediate(() => {
    throw error;
  });
});
