/**
 * Work that may wait: a convolution's filter gradient in the backward pass of a data-parallel replica.
 *
 * With synchronised BatchNorm (training/parallel/syncBatchNorm.ts) the two replicas meet at every BatchNorm layer,
 * and whichever arrives first waits for the other: on the bench ResNet-20 ×2 that was ~14 ms of a ~140 ms step per
 * thread, half of it in the backward pass (the two threads' speeds jitter by ~0.5 ms per ~3.5 ms between meetings).
 * In the backward pass there is work nothing waits for: the gradient of a filter that is a trainable weight used by
 * one layer is only read once the whole backward pass is over. So its kernel (Conv2DBackpropFilter, wasm) may hand
 * back its output buffer unfilled and leave a job here that fills it; a replica about to block for the other runs
 * jobs instead, and whatever is left runs before the backward pass returns its gradients.
 *
 * Same values, same bits: the job runs the same kernel on the same inputs (kept alive until then) and copies its
 * output into the buffer handed back. Deferring is allowed only while `allow(fn)` runs — the backward loop
 * (eagerBackprop.ts) wraps a convolution node's gradient in it when that node is the only reader of its filter — and
 * only while a replica's BatchNorm sync is installed (elsewhere there is no waiting to fill). At most MAX_PENDING jobs
 * wait (each keeps its layer's input and output gradient alive: memory stays bounded). NB_DEFER_FILTER_GRADIENTS=0
 * turns it off (A/B).
 */

/** A deferred kernel call: `run` computes and fills the handed-back buffer, then frees what it kept. */
export interface DeferredJob {
  run(): void;
  /** Frees what the job kept without computing (the backward pass failed: nobody will read the buffer). */
  discard(): void;
}

/** Jobs waiting at most: each keeps one layer's input and output gradient alive. */
export const MAX_PENDING = 4;

export class DeferredWork {
  private readonly jobs: DeferredJob[] = [];
  private open = 0;
  /** Counters for the bench and the tests. */
  readonly stats = { deferred: 0, ranWhenFull: 0, ranWhileWaiting: 0, ranAtEnd: 0 };

  constructor(private readonly switchedOn: () => boolean) {}

  /** Kernels may defer while `fn` runs (nested calls allowed). */
  allow<T>(fn: () => T): T {
    this.open++;
    try {
      return fn();
    } finally {
      this.open--;
    }
  }

  /** Whether a kernel running now may defer (inside `allow`, `active` says a wait may come, and switched on). */
  accepting(active: boolean): boolean {
    return this.open > 0 && active && this.switchedOn();
  }

  /** Queues a job; the oldest runs now when more than MAX_PENDING wait. */
  push(job: DeferredJob): void {
    this.jobs.push(job);
    this.stats.deferred++;
    while (this.jobs.length > MAX_PENDING) {
      this.jobs.shift()!.run();
      this.stats.ranWhenFull++;
    }
  }

  /** Runs the oldest job, if any (a replica about to wait for the other). */
  runOne(): boolean {
    const job = this.jobs.shift();
    if (!job) return false;
    job.run();
    this.stats.ranWhileWaiting++;
    return true;
  }

  /** Runs every job left, oldest first (before the gradients are read). */
  flush(): void {
    for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
      job.run();
      this.stats.ranAtEnd++;
    }
  }

  /** Frees every job's inputs without computing (the pass failed). */
  discard(): void {
    for (let job = this.jobs.shift(); job; job = this.jobs.shift()) job.discard();
  }

  get pending(): number {
    return this.jobs.length;
  }
}

/** The process-wide queue (one per thread: each replica is a thread with its own module instance). */
export const deferredWork = new DeferredWork(() => process.env.NB_DEFER_FILTER_GRADIENTS !== '0');
