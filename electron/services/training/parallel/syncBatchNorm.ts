/**
 * Synchronised BatchNorm for the two data-parallel replicas (DataParallel.ts): each replica's training BatchNorm
 * kernels (backends/wasmKernels/batchNormTraining.ts) hand their per-channel reductions to a `ReplicaBatchNormSync`,
 * which swaps them with the other replica's through shared memory (replicaLayout.ts: one counter and two slots per
 * replica) and combines both — always replica 0's first, so both threads compute the same bits. A 2-worker step then
 * normalises with the whole batch's mean and variance, as a 1-worker step does, and its gradients are the 1-worker
 * step's (up to float rounding; DataParallel.test.ts checks ≤ 1e-5).
 *
 * Forward, per channel: replica r sends n_r, S_r = Σx, its float32 mean m_r and M2_r = Σ(x − m_r)² (Chan et al.'s
 * parallel variance, numerically safe: no Σx² − (Σx)²/n cancellation). The batch mean is m = fround((S_0 + S_1)/N) —
 * rounded to float32 like the 1-worker kernel's, which then centres on it — and
 *   Σ(x − m)² = Σ_r [M2_r + 2(m_r − m)(S_r − n_r·m_r) + n_r(m_r − m)²],  variance = that / N (biased, as tf.moments and
 * tfjs-layers' moving variance use it).
 * Backward: replica r's upstream gradient is that of the mean loss over its n_r rows, i.e. (N/n_r) times the
 * 1-worker one. With the batch's sums Σdy = Σ_r (n_r/N)·Σdy_r (same for Σdy·(x − m)) and divisor n_r, replica r's dx
 * is (N/n_r) times the 1-worker dx for its rows, so everything upstream keeps DataParallel's rows-weighted average
 * exact; dgamma/dbeta stay each replica's own and are averaged like every other gradient.
 *
 * Waiting: the trainer thread cannot await in the middle of tfjs' gradient computation, so both sides block, in
 * Atomics.wait slices of SLICE_MS, asking `peerGone` before each slice whether to give up. No spinning first: on the
 * shared 2-vCPU VM (load 4–7, bench/mlp.nbrick, 2 workers, 3 interleaved rounds each) spinning up to 1 ms before
 * sleeping gave 1.4–1.9k samples/s against 1.9–3.4k for sleeping at once (0.2 ms: in between; 0.05 ms: no different
 * from 0) — while the other replica waits for a core, a spinning one takes it. The trainer's `peerGone` reads the worker's event-loop utilisation, which Node reports as idle = −1
 * synchronously once the thread has stopped (crash, exit or terminate), so a dead worker fails the step within a
 * slice instead of hanging it; the worker's gives up when the trainer asks it to exit. Before blocking, a replica
 * computes the filter gradients its backward pass deferred (backends/wasmKernels/deferredWork.ts) while the other has
 * not arrived.
 */
import type { BatchNormSync } from '../../backends/wasmKernels/batchNormTraining';
import { deferredWork } from '../../backends/wasmKernels/deferredWork';
import { CTRL, syncSlotSize, type ReplicaViews } from './replicaLayout';

const FORWARD = 1;
const BACKWARD = 2;
/** Slot header: [kind, channels, rows], then the payload. */
const HEAD = 3;
export const SLICE_MS = 50;

/** Thrown by a wait when `peerGone` says the other replica will not come. */
export class ReplicaGoneError extends Error {}

/** Whole-batch mean and biased variance from two replicas' slots (replica 0's first); see the header. */
export function combineForward(a: Float64Array, b: Float64Array, channels: number, mean: Float32Array, variance: Float32Array): void {
  const na = a[2]!;
  const nb = b[2]!;
  const n = na + nb;
  const S = HEAD;
  const M2 = HEAD + channels;
  const ML = HEAD + 2 * channels;
  for (let c = 0; c < channels; c++) {
    const m = Math.fround((a[S + c]! + b[S + c]!) / n);
    const da = a[ML + c]! - m;
    const db = b[ML + c]! - m;
    const m2 =
      a[M2 + c]! + 2 * da * (a[S + c]! - na * a[ML + c]!) + na * da * da +
      (b[M2 + c]! + 2 * db * (b[S + c]! - nb * b[ML + c]!) + nb * db * db);
    mean[c] = m;
    variance[c] = Math.max(0, m2) / n;
  }
}

/** Whole-batch Σdy and Σdy·(x − mean), each replica's weighted by its share of rows (see the header), into `out`. */
export function combineBackward(a: Float64Array, b: Float64Array, channels: number, out: Float64Array): void {
  const na = a[2]!;
  const nb = b[2]!;
  const n = na + nb;
  for (let c = 0; c < 2 * channels; c++) out[c] = (na * a[HEAD + c]! + nb * b[HEAD + c]!) / n;
}

export class ReplicaBatchNormSync implements BatchNormSync {
  /** Exchanges so far (both replicas make the same ones, in the same order). */
  private exchanges = 0;
  private readonly ctrl: Int32Array;
  private readonly slots: readonly [readonly [Float64Array, Float64Array], readonly [Float64Array, Float64Array]];
  private readonly mine: number;
  private readonly theirs: number;
  private readonly capacity: number;
  /** Milliseconds spent waiting for the other replica (diagnostics). */
  waitedMs = 0;
  /** Deferred filter gradients computed instead of waiting (diagnostics). */
  filledJobs = 0;

  constructor(
    views: ReplicaViews,
    private readonly replica: 0 | 1,
    /** Asked while waiting: why the other replica will not come (it is gone, or told to exit), else undefined. */
    private readonly peerGone: () => string | undefined,
  ) {
    this.ctrl = views.ctrl;
    const { syncSlots } = views;
    const size = syncSlotSize(views.syncChannels);
    const slot = (r: number, i: number) => syncSlots.subarray((2 * r + i) * size, (2 * r + i + 1) * size);
    this.slots = [
      [slot(0, 0), slot(0, 1)],
      [slot(1, 0), slot(1, 1)],
    ];
    this.mine = replica === 0 ? CTRL.SYNC_TRAINER : CTRL.SYNC_WORKER;
    this.theirs = replica === 0 ? CTRL.SYNC_WORKER : CTRL.SYNC_TRAINER;
    this.capacity = views.syncChannels;
  }

  forward(rows: number, sum: Float64Array, m2: Float64Array, localMean: Float32Array, mean: Float32Array, variance: Float32Array): void {
    const channels = sum.length;
    const slot = this.begin(FORWARD, rows, channels);
    slot.set(sum, HEAD);
    slot.set(m2, HEAD + channels);
    for (let c = 0; c < channels; c++) slot[HEAD + 2 * channels + c] = localMean[c]!;
    const [a, b] = this.finish(FORWARD, channels);
    combineForward(a, b, channels, mean, variance);
  }

  backward(rows: number, sums: Float64Array, channels: number): number {
    const slot = this.begin(BACKWARD, rows, channels);
    slot.set(sums.subarray(0, 2 * channels), HEAD);
    const [a, b] = this.finish(BACKWARD, channels);
    combineBackward(a, b, channels, sums.subarray(2 * channels, 4 * channels));
    return rows;
  }

  private begin(kind: number, rows: number, channels: number): Float64Array {
    if (channels > this.capacity) {
      throw new Error(`synchronised BatchNorm: a layer with ${channels} channels, but room was made for ${this.capacity}`);
    }
    const slot = this.slots[this.replica][this.exchanges & 1]!;
    slot[0] = kind;
    slot[1] = channels;
    slot[2] = rows;
    return slot;
  }

  /** Publishes this replica's slot, waits for the other's, and returns [replica 0's, replica 1's]. */
  private finish(kind: number, channels: number): [Float64Array, Float64Array] {
    const i = this.exchanges & 1;
    const target = ++this.exchanges;
    Atomics.store(this.ctrl, this.mine, target);
    Atomics.notify(this.ctrl, this.mine);
    this.waitFor(target);
    const other = this.slots[1 - this.replica]![i]!;
    if (other[0] !== kind || other[1] !== channels) {
      const what = (k: number, c: number) => `${k === FORWARD ? 'forward' : k === BACKWARD ? 'backward' : `kind ${k}`} pass of a ${c}-channel BatchNorm`;
      throw new Error(
        `synchronised BatchNorm out of step: replica ${this.replica} is in the ${what(kind, channels)}, ` +
          `replica ${1 - this.replica} in the ${what(other[0]!, other[1]!)}`,
      );
    }
    return this.replica === 0 ? [this.slots[0][i]!, other] : [other, this.slots[1][i]!];
  }

  private waitFor(target: number): void {
    const { ctrl, theirs } = this;
    if (Atomics.load(ctrl, theirs) >= target) return;
    // Rather than wait, fill in filter gradients the backward pass left for later (deferredWork.ts), one at a time,
    // while the other replica has not arrived: work to be done anyway, done while it would have waited.
    while (Atomics.load(ctrl, theirs) < target && deferredWork.runOne()) this.filledJobs++;
    if (Atomics.load(ctrl, theirs) >= target) return;
    const start = performance.now();
    try {
      for (;;) {
        const gone = this.peerGone();
        if (gone !== undefined) throw new ReplicaGoneError(gone);
        const seen = Atomics.load(ctrl, theirs);
        if (seen >= target) return;
        Atomics.wait(ctrl, theirs, seen, SLICE_MS);
        if (Atomics.load(ctrl, theirs) >= target) return;
      }
    } finally {
      this.waitedMs += performance.now() - start;
    }
  }
}
