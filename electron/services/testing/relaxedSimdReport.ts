/**
 * Test helper, run in a fresh process (V8 flags and tfjs' wasm build are chosen once per process):
 *   node --import tsx electron/services/testing/relaxedSimdReport.ts [wasmThreads]
 * Prints one JSON line: selectBackend('wasm')'s BackendInfo, which build (relaxed / plain) each SIMD module loads,
 * whether this process now validates relaxed SIMD, and the same as seen from worker threads of this process: one
 * that only validates the probe (no code of ours) and one that, like a data-parallel replica, selects the backend
 * itself. relaxedSimd.test.ts runs it with and without NB_RELAXED_SIMD=0.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backends/selectBackend';
import { RELAXED_SIMD_PROBE } from '../backends/wasmKernels/relaxedSimd';
import { simdModuleBuild, type SimdModuleName } from '../backends/wasmKernels/simdModules';

const NAMES: SimdModuleName[] = ['conv2d', 'pool', 'elementwise', 'batchnorm', 'optimizer', 'matmul', 'winograd'];
const validate = (bytes: Uint8Array): boolean =>
  (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);

async function report(threads: number) {
  const info = await selectBackend('wasm', { wasmThreads: threads });
  const builds = Object.fromEntries(NAMES.map((name) => [name, simdModuleBuild(tf.backend() as BackendWasm, name) ?? 'none']));
  return { info, builds, probe: validate(RELAXED_SIMD_PROBE) };
}

function fromWorker<T>(code: string, data?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: data });
    worker.once('message', (message: T) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? 1);
  const here = await report(threads);
  const bareWorkerProbe = await fromWorker<boolean>(
    `require('node:worker_threads').parentPort.postMessage(WebAssembly.validate(new Uint8Array(${JSON.stringify([...RELAXED_SIMD_PROBE])})))`,
  );
  // Started the way training/parallel/DataParallel.ts starts a replica from the sources (tsx registered in the thread).
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const api = (require(manifest) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!;
  const tsx = pathToFileURL(path.join(path.dirname(manifest), api.import.default)).href;
  const self = import.meta.url;
  const replica = await fromWorker<Awaited<ReturnType<typeof report>>>(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); });`,
    { replica: true },
  );
  console.log(JSON.stringify({ ...here, bareWorkerProbe, replica: { builds: replica.builds, relaxedSimd: replica.info.relaxedSimd } }));
  process.exit(0);
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else if ((workerData as { replica?: boolean } | undefined)?.replica) {
  void report(1).then((r) => parentPort?.postMessage(r));
}
