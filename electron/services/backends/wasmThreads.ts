import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/**
 * Lets tfjs' multi-threaded wasm build (XNNPACK on a pthread pool) run under Node/Electron.
 *
 * tfjs 4.22 only tries it in browsers, and in Node it would fail anyway: emscripten starts its pthread workers from
 * `blob:` URLs (`new Worker(URL.createObjectURL(blob))`) and hands them the main script as a Blob, but Node's
 * worker_threads accept neither. We give both as real files instead: the worker source (shipped as a string in
 * wasm-out/…worker.js) is written once to a temp file, the main script is the package's own
 * wasm-out/tfjs-backend-wasm-threaded-simd.js. Nothing touches the network.
 */

const require = createRequire(import.meta.url);

function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

let patched = false;

/**
 * While a 1-thread threaded build initialises (prepareWasmThreads(1)), the 8 workers emscripten starts up front for its
 * pthread pool are stand-ins that answer its `load` message at once instead of loading the module (~90 ms and ~6 MB
 * each; 730 ms of initialisation under tsx): one XNNPACK thread runs no pthreads, and releaseIdleWasmWorkers() stops
 * them once initialisation is done. A pthread created later would get a real worker (the pool is empty by then).
 */
let stubPool = false;
const STUB_POOL_WORKER = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { if (m && m.cmd === 'load') parentPort.postMessage({ cmd: 'loaded' }); });`;

function patchWorkerThreads(): void {
  if (patched) return;
  const dir = wasmOutDir();
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const workerModule = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!existsSync(mainScript) || !existsSync(workerModule)) {
    throw new Error(`the threaded wasm build is missing from ${dir}`);
  }
  // tfjs escapes newlines the same way before making its Blob (the source contains "\n" inside string literals).
  const source = (require(workerModule) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  const version = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  const workerFile = path.join(os.tmpdir(), `neural-bricks-tfjs-wasm-${version}-pthread-worker.cjs`);
  if (!existsSync(workerFile) || readFileSync(workerFile, 'utf8') !== source) writeFileSync(workerFile, source);

  const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads') & { Worker: unknown };
  const NodeWorker = workerThreads.Worker;
  class TfjsWasmWorker extends NodeWorker {
    constructor(url: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const pthread = typeof url === 'string' && url.startsWith('blob:');
      if (pthread && stubPool) super(STUB_POOL_WORKER, { eval: true });
      else super(pthread ? workerFile : url, options);
    }
    override postMessage(message: unknown, transferList?: readonly import('node:worker_threads').TransferListItem[]): void {
      const m = message as { cmd?: unknown; urlOrBlob?: unknown } | null;
      if (m !== null && typeof m === 'object' && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') {
        super.postMessage({ ...m, urlOrBlob: mainScript }, transferList);
        return;
      }
      super.postMessage(message, transferList);
    }
  }
  // emscripten reads worker_threads.Worker once, when the threaded module is created.
  workerThreads.Worker = TfjsWasmWorker;
  patched = true;
}

/**
 * Prepares the next wasm initialisation to use the threaded build with `threads` XNNPACK threads. Returns a function to
 * call once initialisation finished (successfully or not). tfjs caps its pool at half the logical cores (it assumes
 * 2 hardware threads per core); for an explicit request we report enough cores for `threads` during initialisation.
 */
export function prepareWasmThreads(threads: number): () => void {
  patchWorkerThreads();
  stubPool = threads === 1;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const osModule = os as unknown as { cpus: typeof os.cpus };
  const realCpus = osModule.cpus;
  const cpus = realCpus();
  if (cpus.length < threads * 2 && cpus.length > 0) {
    osModule.cpus = () => Array.from({ length: threads * 2 }, (_, i) => cpus[i % cpus.length] as os.CpuInfo);
  }
  return () => {
    osModule.cpus = realCpus;
    stubPool = false;
  };
}

/** Switches the next wasm initialisation back to the single-threaded SIMD build. */
export function disableWasmThreads(): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
}

interface EmscriptenPThread {
  unusedWorkers: { terminate(): unknown }[];
}

/**
 * Stops the pthread workers emscripten starts up front (tfjs' threaded build starts 8) when nothing will run on them —
 * the threaded build loaded with one XNNPACK thread for its shared heap (kernelHelper.ts), whose pool holds the
 * stand-ins above (real ones, each with the module instantiated, cost ~140 MB RSS on Node 20). A pthread created later
 * still gets a worker: emscripten starts one when the pool is empty. Returns how many were stopped (0 when `module` has
 * no pthread pool).
 */
export function releaseIdleWasmWorkers(module: unknown): number {
  const pthread = (module as { PThread?: EmscriptenPThread } | null)?.PThread;
  if (!pthread || !Array.isArray(pthread.unusedWorkers)) return 0;
  const idle = pthread.unusedWorkers.splice(0);
  for (const worker of idle) void worker.terminate();
  return idle.length;
}
