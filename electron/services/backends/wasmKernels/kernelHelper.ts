import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { sharedSimdModule, simdModule, type SimdModuleName } from './simdModules';

/**
 * A second thread for our SIMD kernels inside one training step (issue 17).
 *
 * A model too small to gain from data parallelism (the bench MLP: two half-batch replicas cost nearly what one whole
 * batch does, and average 270k gradients per step) trains on one thread and leaves the second core idle. Here the
 * big kernels of that one thread — matrix products, optimizer updates — are cut in blocks that the helper and the
 * calling thread share out on the same memory, and the call returns when all are done. Each block is
 * computed exactly as the whole call computes it (simd/matmul.c matmul_block; the optimizer updates are elementwise),
 * so a step gives the same bits with or without the helper.
 *
 * It needs tfjs' heap in shared memory: the threaded wasm build, which selectBackend loads with one XNNPACK thread for
 * this where the machine has 2+ cores (the single-threaded build's memory cannot be handed to another thread). The
 * helper instantiates the same compiled modules (plain or relaxed SIMD build alike) on that memory — our modules keep
 * no stack or globals, so two instances never step on each other — or, where the kernels run natively
 * (native/nativeKernels.ts), loads the same native addon and runs its functions on a view of that memory.
 *
 * Handshake: one SharedArrayBuffer. The caller writes the function, its arguments and a number of chunks (~8), bumps
 * the job number and notifies, then claims chunks itself; the helper, spinning a little after each job (a step's
 * kernels come back to back) or woken from its sleep on the job number, claims chunks too. The caller returns once
 * every chunk is finished. So a helper that wakes late, or that the OS preempts for V8's own GC and compiler threads
 * (on 2 cores they take ~40 % of the second one while a small model trains), costs at most the chunk it holds:
 * without that, a fixed half-and-half cut made the real training loop slower than one thread. Until the helper
 * reports that it has loaded, and after any failure, callers get undefined and run their whole call themselves.
 *
 * NB_KERNEL_HELPER=0 turns it off (A/B: the single-threaded tfjs build, as before); setKernelHelperEnabled(false)
 * too. A data-parallel run suspends it: its replicas already use the cores.
 */

/** The exports a helper can run, each from its module, and how a job's chunk index becomes that export's call. */
const FUNCTIONS = [
  ['matmul', 'matmul_block'],
  ['optimizer', 'adam_update'],
  ['optimizer', 'momentum_update'],
  ['optimizer', 'rmsprop_update'],
] as const satisfies readonly (readonly [SimdModuleName, string])[];
export type HelperFunction = (typeof FUNCTIONS)[number][1];

const MAX_ARGS = 32;
/** Int32 slots of the control block. */
const JOB = 0;
/** (job << 16) | chunks not yet claimed; both threads claim from the top with compareExchange. */
const NEXT = 1;
/** (job << 16) | chunks finished. */
const DONE = 2;
const STATUS = 3;
const FN = 4;
const READY = 5;
/** Chunks the helper has run since it started (diagnostics, tests). */
const HELPER_CHUNKS = 6;
const ARGS_BYTE = 64;
const TEXT_BYTE = ARGS_BYTE + MAX_ARGS * 8;
const TEXT_BYTES = 512;
const MAX_CHUNKS = 0xffff;
/** How long the helper spins for the next job before it sleeps (µs), and how long a caller waits at most. */
const SPIN_US = Number(process.env['NB_KERNEL_HELPER_SPIN_US'] ?? 2000);
const DEADLINE_MS = 60_000;

/**
 * One chunk of a job, run alike by the caller (self 0) and the helper (self 1): a plain-JS function kept as source
 * so that both threads run the same code (the helper is started from a string).
 *   matmul_block: args [layout, A, B, C, M, K, N, mode (0 rows, 1 columns), step, bias, act, alpha, P0, P1, I]; chunk c
 *     is rows (or columns) [c*step, min(M or N, (c+1)*step)); P0/P1 are each thread's packing scratch.
 *   the optimizer updates: args [np, pointer_1 … pointer_np, n, step, the rest of the export's arguments]; chunk c
 *     runs values [c*step, min(n, (c+1)*step)) — the pointers advanced by 4*c*step bytes.
 */
const RUN_CHUNK_SOURCE = `function runChunk(f, fn, args, c, self, a) {
  if (fn === 0) {
    const M = args[4], N = args[6], step = args[8];
    let i0 = 0, i1 = M, j0 = 0, j1 = N;
    if (args[7] === 1) { j0 = c * step; j1 = Math.min(N, j0 + step); } else { i0 = c * step; i1 = Math.min(M, i0 + step); }
    f(args[0], args[1], args[2], args[3], M, args[5], N, i0, i1, j0, j1, args[9], args[10], args[11], args[12 + self], args[14]);
    return;
  }
  const np = args[0], n = args[np + 1], step = args[np + 2], start = c * step;
  for (let i = 0; i < np; i++) a[i] = args[1 + i] + 4 * start;
  a[np] = Math.min(n, start + step) - start;
  for (let i = np + 1, r = np + 3; r < ${MAX_ARGS}; i++, r++) a[i] = args[r];
  f.apply(null, a);
}`;

/** Claims the next chunk of `job` (from the top), or returns -1 when none is left or the job is over. */
const CLAIM_SOURCE = `function claim(ctl, job) {
  for (;;) {
    const v = Atomics.load(ctl, ${NEXT});
    if (v >>> 16 !== job || (v & 0xffff) === 0) return -1;
    if (Atomics.compareExchange(ctl, ${NEXT}, v, v - 1) === v) return (v & 0xffff) - 1;
  }
}`;

type RunChunk = (f: (...args: number[]) => void, fn: number, args: Float64Array, c: number, self: number, a: number[]) => void;
type Claim = (ctl: Int32Array, job: number) => number;
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the same source runs in the helper (see above)
const runChunk = new Function(`${RUN_CHUNK_SOURCE}; return runChunk;`)() as RunChunk;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const claim = new Function(`${CLAIM_SOURCE}; return claim;`)() as Claim;

/** The helper's loop (CommonJS, run with `eval: true`). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, modules, control, spinUs } = workerData;
const ctl = new Int32Array(control);
const args = new Float64Array(control, ${ARGS_BYTE}, ${MAX_ARGS});
const text = new Uint8Array(control, ${TEXT_BYTE}, ${TEXT_BYTES});
${RUN_CHUNK_SOURCE}
${CLAIM_SOURCE}
const instances = new Map();
// The native kernels (a path to their addon) take the heap as a Uint8Array view, remade when the memory grows.
let heapBuffer, heapView;
const heap = () => (memory.buffer !== heapBuffer ? (heapView = new Uint8Array((heapBuffer = memory.buffer))) : heapView);
const fns = modules.map(([key, module, name]) => {
  if (!module) return undefined;
  if (typeof module === 'string') {
    const native = require(module).modules[key][name];
    return (...a) => native(heap(), ...a);
  }
  let exports = instances.get(key);
  if (!exports) instances.set(key, (exports = new WebAssembly.Instance(module, { env: { memory } }).exports));
  return exports[name];
});
const a = new Array(${MAX_ARGS}).fill(0);
Atomics.store(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
let job = 0;
for (;;) {
  if (Atomics.load(ctl, ${JOB}) === job) {
    const until = performance.now() + spinUs / 1000;
    for (let n = 0; Atomics.load(ctl, ${JOB}) === job; n++) {
      if ((n & 255) === 0 && performance.now() > until) {
        Atomics.wait(ctl, ${JOB}, job);
        break;
      }
    }
  }
  const next = Atomics.load(ctl, ${JOB});
  if (next === job) continue;
  job = next;
  if (job < 0) break;
  for (let c = claim(ctl, job); c >= 0; c = claim(ctl, job)) {
    try {
      const fn = ctl[${FN}];
      const f = fns[fn];
      if (!f) throw new Error('function ' + fn + ' is not loaded');
      runChunk(f, fn, args, c, 1, a);
      Atomics.add(ctl, ${HELPER_CHUNKS}, 1);
    } catch (error) {
      const bytes = new TextEncoder().encode(String((error && error.message) || error)).subarray(0, ${TEXT_BYTES - 1});
      text.fill(0);
      text.set(bytes);
      Atomics.store(ctl, ${STATUS}, 1);
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;

let enabled = process.env['NB_KERNEL_HELPER'] !== '0';
/** Tests: false leaves every chunk to the helper (the caller only waits), so its blocks are checked alone. */
let callerWorks = true;
export function setCallerWorksForTesting(on: boolean): void {
  callerWorks = on;
}
/** Open suspendKernelHelper() calls. */
let suspended = 0;

/** Turns the helper on or off for later calls (tests compare both; NB_KERNEL_HELPER=0 keeps it off). */
export function setKernelHelperEnabled(on: boolean): void {
  enabled = on && process.env['NB_KERNEL_HELPER'] !== '0';
  helperBackoff.reset();
}

export function kernelHelperEnabled(): boolean {
  return enabled;
}

/**
 * Keeps kernels on their calling thread until the returned function is called: a data-parallel run's replicas
 * already have the cores (DataParallel holds this for its lifetime). Calls nest.
 */
export function suspendKernelHelper(): () => void {
  suspended++;
  let resumed = false;
  return () => {
    if (!resumed) suspended--;
    resumed = true;
  };
}

/**
 * When to stop handing chunks to the helper for a while. On a loaded machine (another process busy on the second
 * core) the helper is descheduled inside its chunks and the caller waits out the time slice: the bench MLP's dense
 * step took 4.8–5.7 ms with the helper against 3.1–3.7 ms without it while a busy loop shared the 2 cores (2.0 against
 * 2.6 ms idle). So each call's gain is estimated — what its chunks would have cost on the caller (its own time per
 * chunk × all chunks) minus what the call took — and summed over windows of WINDOW calls; a window that lost more
 * than LOSS_MARGIN_MS pauses the helper for `pauseMs` (callers run whole, the helper sleeps), doubling up to MAX_PAUSE_MS while windows
 * keep losing and back to MIN_PAUSE_MS after one that gains.
 */
export class HelperBackoff {
  static readonly WINDOW = 64;
  static readonly MIN_PAUSE_MS = 250;
  static readonly MAX_PAUSE_MS = 4000;
  /** A window must lose more than this to pause (ms): an idle machine's noise (a late wake-up) does not. */
  static readonly LOSS_MARGIN_MS = 1;
  private gain = 0;
  private calls = 0;
  private pauseMs = HelperBackoff.MIN_PAUSE_MS;
  private pausedUntil = -Infinity;
  /** Pauses so far (diagnostics, tests). */
  pauses = 0;

  /** Forgets the history (setKernelHelperEnabled: tests and A/B runs start from a helper in use). */
  reset(): void {
    this.gain = 0;
    this.calls = 0;
    this.pauseMs = HelperBackoff.MIN_PAUSE_MS;
    this.pausedUntil = -Infinity;
  }

  /** Whether the helper may take chunks at `now` (ms). */
  allowed(now: number): boolean {
    return now >= this.pausedUntil;
  }

  /** One call that used the helper: `gainMs` = estimated single-thread time − actual time. */
  record(gainMs: number, now: number): void {
    this.gain += gainMs;
    if (++this.calls < HelperBackoff.WINDOW) return;
    if (this.gain < -HelperBackoff.LOSS_MARGIN_MS) {
      this.pausedUntil = now + this.pauseMs;
      this.pauseMs = Math.min(HelperBackoff.MAX_PAUSE_MS, 2 * this.pauseMs);
      this.pauses++;
    } else {
      this.pauseMs = HelperBackoff.MIN_PAUSE_MS;
    }
    this.gain = 0;
    this.calls = 0;
  }
}

/** NB_KERNEL_HELPER_BACKOFF=0: never pause the helper (A/B; also setHelperBackoffEnabled). */
let backoffEnabled = process.env['NB_KERNEL_HELPER_BACKOFF'] !== '0';
export function setHelperBackoffEnabled(on: boolean): void {
  backoffEnabled = on;
}
/** The process's back-off (one wasm backend, one helper). */
export const helperBackoff = new HelperBackoff();

/**
 * A started helper. run() cuts a job in chunks that both threads claim until none is left — the caller never waits
 * for a helper that has not started (a sleeping or descheduled helper simply gets no chunk), only for a chunk the
 * helper is computing.
 */
export class KernelHelper {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly text: Uint8Array;
  private readonly fns: ((...args: number[]) => void)[];
  private readonly scratchArgs = new Array<number>(MAX_ARGS).fill(0);
  private job = 0;
  private broken: string | undefined;
  private readonly worker: Worker;

  constructor(
    memory: object,
    modules: readonly (readonly [string, object | string | undefined, string])[],
    fns: ((...args: number[]) => void)[],
  ) {
    this.fns = fns;
    const control = new SharedArrayBuffer(TEXT_BYTE + TEXT_BYTES);
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control, ARGS_BYTE, MAX_ARGS);
    this.text = new Uint8Array(control, TEXT_BYTE, TEXT_BYTES);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, modules, control, spinUs: SPIN_US } });
    this.worker.unref();
    this.worker.on('error', (error) => {
      this.broken = `kernel helper stopped: ${error.message}`;
    });
    this.worker.on('exit', () => {
      this.broken ??= 'kernel helper exited';
    });
  }

  /** Chunks the helper thread has run so far. */
  get helperChunks(): number {
    return Atomics.load(this.ctl, HELPER_CHUNKS);
  }

  /** Whether the helper has loaded and takes jobs. */
  get ready(): boolean {
    return this.broken === undefined && Atomics.load(this.ctl, READY) === 1;
  }

  /**
   * Runs `chunks` chunks of `fn` over `args` (see RUN_CHUNK_SOURCE for their layout) on this thread and the helper,
   * and returns when all are done. Throws if a chunk failed on either thread (the helper is then not used again).
   */
  run(fn: HelperFunction, args: readonly number[], chunks: number): void {
    if (!this.ready) throw new Error('kernel helper is not ready');
    if (args.length > MAX_ARGS) throw new Error(`kernel helper: ${fn} takes at most ${MAX_ARGS} arguments`);
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > MAX_CHUNKS) throw new Error(`kernel helper: ${chunks} chunks`);
    const index = FUNCTIONS.findIndex(([, name]) => name === fn);
    const f = this.fns[index]!;
    this.job = (this.job % 0x7ffe) + 1;
    const job = this.job;
    this.args.fill(0);
    this.args.set(args);
    this.ctl[FN] = index;
    Atomics.store(this.ctl, STATUS, 0);
    Atomics.store(this.ctl, DONE, job << 16);
    Atomics.store(this.ctl, NEXT, (job << 16) | chunks);
    Atomics.store(this.ctl, JOB, job);
    Atomics.notify(this.ctl, JOB);
    let failure: unknown;
    const start = performance.now();
    let own = 0;
    for (let c = callerWorks ? claim(this.ctl, job) : -1; c >= 0; c = claim(this.ctl, job)) {
      try {
        if (failure === undefined) runChunk(f, index, this.args, c, 0, this.scratchArgs);
      } catch (error) {
        failure = error;
      }
      own++;
      Atomics.add(this.ctl, DONE, 1);
    }
    const ownEnd = performance.now();
    this.waitAll(job, chunks);
    if (own > 0 && own < chunks && backoffEnabled) {
      const end = performance.now();
      helperBackoff.record(((ownEnd - start) / own) * chunks - (end - start), end);
    }
    if (failure !== undefined) throw failure;
    if (Atomics.load(this.ctl, STATUS) !== 0) {
      const end = this.text.indexOf(0);
      this.broken = `kernel helper failed: ${new TextDecoder().decode(this.text.slice(0, end < 0 ? undefined : end))}`;
      throw new Error(this.broken);
    }
  }

  /** Waits for the chunks the helper claimed (it may still be computing one). */
  private waitAll(job: number, chunks: number): void {
    const all = (job << 16) | chunks;
    for (let n = 0; n < 1_000_000 && Atomics.load(this.ctl, DONE) !== all; n++);
    const deadline = Date.now() + DEADLINE_MS;
    for (let seen = Atomics.load(this.ctl, DONE); seen !== all; seen = Atomics.load(this.ctl, DONE)) {
      if (Date.now() > deadline) {
        this.broken = `kernel helper did not finish a chunk within ${DEADLINE_MS / 1000} s`;
        throw new Error(this.broken);
      }
      Atomics.wait(this.ctl, DONE, seen, 100);
    }
  }

  /** Stops the thread (tests; the trainer's helper lives as long as its process). */
  async dispose(): Promise<void> {
    this.broken ??= 'kernel helper disposed';
    Atomics.store(this.ctl, JOB, -1);
    Atomics.notify(this.ctl, JOB);
    await this.worker.terminate();
  }
}

const helpers = new WeakMap<object, KernelHelper | null>();

/**
 * The helper for `backend`'s memory, started on first call — or undefined when it is off, the machine has one core,
 * the heap is not shared (single-threaded tfjs build), the modules do not load, or it is not ready yet.
 */
export function kernelHelper(backend: BackendWasm): KernelHelper | undefined {
  if (!enabled || suspended > 0) return undefined;
  const key = backend.wasm as unknown as object;
  let helper = helpers.get(key);
  if (helper === undefined) {
    helper = startHelper(backend);
    helpers.set(key, helper);
  }
  return helper?.ready && (!backoffEnabled || helperBackoff.allowed(performance.now())) ? helper : undefined;
}

function startHelper(backend: BackendWasm): KernelHelper | null {
  if (os.availableParallelism() < 2) return null;
  const loaded = FUNCTIONS.map(([name, fn]) => [name, sharedSimdModule(backend, name), fn] as const);
  const memory = loaded.find(([, source]) => source)?.[1]?.memory;
  // Every export must load on this thread too (a chunk may run on either).
  const fns = FUNCTIONS.map(([name, fn]) => simdModule<Record<string, (...args: number[]) => void>>(backend, name)?.[fn]);
  if (!memory || loaded.some(([, source]) => !source) || fns.some((f) => !f)) return null;
  try {
    return new KernelHelper(
      memory,
      loaded.map(([name, source, fn]) => [name, source?.module ?? source?.native, fn] as const),
      fns as ((...args: number[]) => void)[],
    );
  } catch {
    return null;
  }
}

/** Stops `backend`'s helper if one runs (tests). The next kernelHelper() call starts a new one. */
export async function stopKernelHelper(backend: BackendWasm): Promise<void> {
  const key = backend.wasm as unknown as object;
  const helper = helpers.get(key);
  helpers.delete(key);
  if (helper) await helper.dispose();
}
