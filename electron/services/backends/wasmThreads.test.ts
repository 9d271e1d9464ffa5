import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LAYER_PROBES, runProbe } from './layerProbes';
import { selectBackend } from './selectBackend';

// Runs in its own worker process (vitest pool "forks"): the wasm build is chosen once per process.
describe('multi-threaded wasm under Node', () => {
  it('starts the threaded build from local files with the requested XNNPACK threads', async () => {
    const info = await selectBackend('wasm', { wasmThreads: 2 });
    expect(info.name).toBe('wasm');
    expect(info.fallbackReason).toBeUndefined();
    expect(info.threads).toBe(2);
    // The threaded build keeps its heap in a shared memory; our kernels load in their shared-memory variant.
    expect(info.simdKernels).toBe(true);
  });

  it('computes a convolution and its gradients like the cpu backend', async () => {
    const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.randomNormal([8, 12, 12, 4], 0, 1, 'float32', 1);
        const w = tf.randomNormal([3, 3, 4, 8], 0, 1, 'float32', 2);
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, w]);
        return [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), gx as tf.Tensor, gw as tf.Tensor].map((t) => Float32Array.from(t.dataSync()));
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    cpu.forEach((values, i) => {
      const other = wasm[i] as Float32Array;
      let maxRel = 0;
      for (let j = 0; j < values.length; j++) {
        maxRel = Math.max(maxRel, Math.abs((values[j] as number) - (other[j] as number)) / Math.max(1, Math.abs(values[j] as number)));
      }
      expect(maxRel, `output ${i}`).toBeLessThanOrEqual(1e-4);
    });
  });

  it('trains a BatchNorm CNN probe', async () => {
    await tf.setBackend('wasm');
    const probe = LAYER_PROBES.find((p) => p.name === 'BatchNorm');
    expect(probe).toBeDefined();
    const result = await runProbe(probe as (typeof LAYER_PROBES)[number]);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.maxWeightChange).toBeGreaterThan(0);
  });
});
