/**
 * Where one thread's memory is (diagnostics for the data-parallel replicas, each with its own tfjs engine, wasm
 * instance and V8 heap): asked of the trainer thread directly and of the worker with `DataParallel.replicaMemory()`.
 */
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';

export interface ThreadMemory {
  /** This thread's wasm backend heap (WebAssembly.Memory: grows to the largest step's need and never shrinks); 0 off wasm. */
  readonly wasmHeapBytes: number;
  /** This thread's V8 heap: allocated (total) and in use. */
  readonly v8HeapTotalBytes: number;
  readonly v8HeapUsedBytes: number;
  /** tfjs' live tensors in this thread's engine, and the bytes they hold. */
  readonly numTensors: number;
  readonly numBytes: number;
}

export function threadMemory(): ThreadMemory {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : undefined;
  const heap = v8.getHeapStatistics();
  const mem = tf.memory();
  return {
    wasmHeapBytes: backend?.wasm?.HEAPU8?.buffer.byteLength ?? 0,
    v8HeapTotalBytes: heap.total_heap_size,
    v8HeapUsedBytes: heap.used_heap_size,
    numTensors: mem.numTensors,
    numBytes: mem.numBytes,
  };
}
