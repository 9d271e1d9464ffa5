import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers all of them as a side effect.
import '@tensorflow/tfjs-layers';
import { getThreadsCount, setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { installDilatedConvTraining } from './dilatedConvTraining';
import { installEagerBackprop } from './eagerBackprop';
import { installFusedTraining } from './fusedTraining';
import { installNodeUtilShim } from './nodeUtilShim';
import { installGradientOverrides } from './gradientOverrides';
import { registerChainedOps } from './registerChainedOps';
import { registerWasmKernels } from './wasmKernels/registerWasmKernels';
import { relaxedSimdDecision } from './wasmKernels/relaxedSimd';
import { nativeKernelsLevel, relaxedSimdKernelsLoaded, simdKernelsLoaded } from './wasmKernels/simdModules';
import { kernelHelperEnabled } from './wasmKernels/kernelHelper';
import { disableWasmThreads, prepareWasmThreads, releaseIdleWasmWorkers } from './wasmThreads';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface BackendInfo {
  name: BackendName;
  /** What the UI shows: tfjs-node is "native". */
  label: 'native' | 'wasm' | 'cpu';
  tfjsVersion: string;
  threads?: number;
  /** Set when `auto` skipped better backends (why each was unavailable), or when wasm fell back to 1 thread. */
  fallbackReason?: string;
  /** wasm only: whether our hand-written SIMD kernels (wasmKernels/simd) loaded; without them training is slower. */
  simdKernels?: boolean;
  /**
   * wasm with SIMD kernels only: whether the compute-bound ones (matmul, Winograd, conv filter gradient) run their
   * relaxed-SIMD builds (fused multiply-add: last-bit differences from the plain builds). NB_RELAXED_SIMD=0 turns it off.
   */
  relaxedSimd?: boolean;
  /**
   * wasm with SIMD kernels only: the level of the native build they run as (wasmKernels/native: the same kernels
   * compiled for this CPU at `npm install`), or absent when they run as WebAssembly. NB_NATIVE_KERNELS=0 turns it off.
   */
  nativeKernels?: string;
}

export interface SelectBackendOptions {
  /**
   * XNNPACK threads for the wasm backend. 'auto' (default) uses tfjs' own choice — half the logical cores, max 8 —
   * when that is at least 2; else, with 2+ cores, the threaded build with 1 XNNPACK thread, whose shared heap lets a
   * second thread run chunks of our SIMD kernels (kernelHelper.ts; NB_KERNEL_HELPER=0: the single-threaded build).
   * A number forces that many threads (1 = single-threaded).
   * Fixed by the first wasm initialisation in a process; BackendInfo.threads reports what was actually used.
   */
  wasmThreads?: number | 'auto';
}

/** Thrown when a backend was asked for explicitly and cannot be used. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    message: string,
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

const LABELS: Record<BackendName, BackendInfo['label']> = { tensorflow: 'native', wasm: 'wasm', cpu: 'cpu' };

// The specifier lives in a variable so TypeScript and bundlers do not try to resolve the optional native package.
const TFJS_NODE = '@tensorflow/tfjs-node';

/** One attempt per process and backend: later calls reuse the outcome (selectBackend is idempotent). */
const attempts = new Map<BackendName, Promise<void>>();

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? text;
}

async function prepareTensorflow(): Promise<void> {
  // Must happen before tfjs-node runs its first op (it calls util.isNullOrUndefined internally).
  installNodeUtilShim();
  try {
    await import(/* @vite-ignore */ TFJS_NODE);
  } catch (error) {
    throw new BackendUnavailableError('tensorflow', `tfjs-node native bindings are not installed: ${firstLine(error)}`);
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    throw new BackendUnavailableError(
      'tensorflow',
      'tfjs-node loaded but registered its backend with a different copy of @tensorflow/tfjs-core (version mismatch)',
    );
  }
}

function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  // Trailing separator: tfjs appends the .wasm file names to this prefix.
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

let wasmPathsSet = false;
let wasmThreadsNote: string | undefined;

function wantedWasmThreads(option: SelectBackendOptions['wasmThreads']): number {
  if (typeof option === 'number') return Math.max(1, Math.min(8, Math.floor(option)));
  return Math.min(8, Math.floor(os.cpus().length / 2));
}

async function prepareWasm(options: SelectBackendOptions): Promise<void> {
  if (!wasmPathsSet) {
    // Local files only: offline laptops must never fetch the binaries from a CDN.
    setWasmPaths(wasmDistDir());
    wasmPathsSet = true;
  }
  registerWasmKernels();
  // Decide (and on Node 20 turn on V8's relaxed-SIMD flag) on this thread before wasm starts and before a trainer
  // starts its data-parallel worker threads: V8 flags are per process.
  relaxedSimdDecision();
  const threads = wantedWasmThreads(options.wasmThreads);
  // With one XNNPACK thread by default, the threaded build all the same where a second core can run chunks of our
  // kernels (kernelHelper.ts): that needs tfjs' heap in shared memory, which only the threaded build has. An explicit
  // thread count (data-parallel replicas pass theirs) keeps the build it names.
  const forHelper = threads < 2 && (options.wasmThreads ?? 'auto') === 'auto' && os.availableParallelism() >= 2 && kernelHelperEnabled();
  if ((threads < 2 && !forHelper) || tf.findBackend('wasm') !== null) {
    disableWasmThreads();
    return;
  }
  const restore = prepareWasmThreads(Math.max(1, threads));
  try {
    const ok = await Promise.race([
      tf.setBackend('wasm'),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000).unref()),
    ]);
    if (!ok) throw new Error('initialisation failed or timed out');
    // One XNNPACK thread runs no pthreads: the pool emscripten started up front would only hold memory.
    if (threads < 2) releaseIdleWasmWorkers((tf.backend() as unknown as { wasm: unknown }).wasm);
  } catch (error) {
    // Fall back to the single-threaded build: activate() initialises it.
    wasmThreadsNote = forHelper
      ? `wasm shared heap unavailable (${firstLine(error)}); our kernels run on 1 thread`
      : `wasm threads unavailable (${firstLine(error)}); using 1 thread`;
    disableWasmThreads();
  } finally {
    restore();
  }
}

async function prepare(name: BackendName, options: SelectBackendOptions): Promise<void> {
  let attempt = attempts.get(name);
  if (attempt === undefined) {
    attempt = name === 'tensorflow' ? prepareTensorflow() : name === 'wasm' ? prepareWasm(options) : Promise.resolve();
    attempts.set(name, attempt);
  }
  await attempt;
}

async function activate(name: BackendName, options: SelectBackendOptions): Promise<BackendInfo> {
  await prepare(name, options);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new BackendUnavailableError(name, `the ${name} backend failed to initialise: ${firstLine(error)}`);
  }
  if (!ok || tf.getBackend() !== name) {
    throw new BackendUnavailableError(name, `the ${name} backend failed to initialise (tf.setBackend returned false)`);
  }
  if (name === 'cpu') {
    // The cpu backend prints a banner recommending tfjs-node on its first write; we already report that choice.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  }
  try {
    // Catches a backend that initialises but cannot run ops (e.g. tfjs-node without the util shim).
    const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
    if (probe !== 3) throw new Error(`1 + 2 gave ${probe}`);
  } catch (error) {
    throw new BackendUnavailableError(name, `the ${name} backend cannot run a simple op: ${firstLine(error)}`);
  }
  const info: BackendInfo = { name, label: LABELS[name], tfjsVersion: tf.version_core };
  if (name === 'wasm') {
    info.threads = getThreadsCount();
    if (wasmThreadsNote !== undefined) info.fallbackReason = wasmThreadsNote;
    info.simdKernels = simdKernelsLoaded(tf.backend() as BackendWasm);
    if (info.simdKernels) info.relaxedSimd = relaxedSimdKernelsLoaded(tf.backend() as BackendWasm);
    const native = info.simdKernels ? nativeKernelsLevel(tf.backend() as BackendWasm) : undefined;
    if (native) info.nativeKernels = native;
  }
  if (name === 'cpu') info.threads = 1;
  return info;
}

/**
 * Picks and activates the TensorFlow.js backend used for training.
 * `auto` tries tfjs-node (native), then wasm, then the pure-JS cpu backend and reports why it fell back.
 * An explicit preference fails with a BackendUnavailableError naming the cause instead of falling back.
 * Safe to call repeatedly: loading is attempted once per process, and the chosen backend is re-activated.
 */
export async function selectBackend(
  preferred: BackendPreference = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendInfo> {
  // tfjs-layers needs chained tensor methods (x.flatten()…) that plain tfjs-core does not install.
  registerChainedOps();
  // tfjs-core cannot differentiate dilated convolutions; route them through spaceToBatch while training.
  installDilatedConvTraining();
  // Dense/Conv2D + bias + linear/ReLU as one kernel while training, each input's gradient only when needed.
  installFusedTraining();
  // Sum/Mean gradients that do not build a ones tensor in JavaScript on every step.
  installGradientOverrides();
  // Backward passes free each activation and gradient once used, not all at the end (the wasm heap peaks lower).
  installEagerBackprop();
  if (preferred !== 'auto') {
    if (!(preferred in LABELS)) {
      throw new Error(`unknown backend "${String(preferred)}": expected auto, tensorflow, wasm or cpu`);
    }
    return activate(preferred, options);
  }
  const reasons: string[] = [];
  for (const name of ['tensorflow', 'wasm'] as const) {
    try {
      const info = await activate(name, options);
      if (reasons.length > 0) info.fallbackReason = [...reasons, info.fallbackReason].filter(Boolean).join('; ');
      return info;
    } catch (error) {
      reasons.push(firstLine(error));
    }
  }
  const info = await activate('cpu', options);
  info.fallbackReason = reasons.join('; ');
  return info;
}
