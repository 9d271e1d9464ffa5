import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { simdModule } from '../backends/wasmKernels/simdModules';
import { ADAMW_WEIGHT_DECAY, applyDecoupledWeightDecay } from './createOptimizer';
import { FusedAdamOptimizer } from './fusedOptimizers';
import { seededUniform } from '../testing/seededUniform';

const values = (n: number, seed: number, scale = 1): Float32Array => seededUniform(n, seed, -scale, scale);

// Its own worker process (the wasm build is chosen once per process): the threaded build keeps its heap in shared
// memory, so the optimizer kernel runs from simd/optimizer.shared.wasm.
describe('fused Adam under multi-threaded wasm', () => {
  it.each([0, ADAMW_WEIGHT_DECAY])('weight decay %s: 20 steps equal tf.train.adam bit for bit (SIMD shared-memory module)', async (decay) => {
    const info = await selectBackend('wasm', { wasmThreads: 2 });
    expect(info.threads).toBe(2);
    expect(simdModule(tf.backend() as never, 'optimizer')).toBeDefined();
    const shapes = [[3136, 10], [13, 11], [7]];
    const train = (optimizer: tf.Optimizer, prefix: string, decayOutside: boolean): Float32Array[] => {
      const vars = shapes.map((shape, i) => tf.variable(tf.tensor(values(shape[0]! * (shape[1] ?? 1), i + 1, 0.5), shape), true, `${prefix}${decay}/w${i}`));
      for (let step = 0; step < 20; step++) {
        const grads: tf.NamedTensorMap = {};
        vars.forEach((v, i) => (grads[v.name] = tf.tensor(values(v.size, 100 * step + i + 7, 0.1), v.shape)));
        optimizer.applyGradients(grads);
        tf.dispose(grads);
        if (decayOutside && decay !== 0) applyDecoupledWeightDecay(vars, 0.01, decay);
      }
      const out = vars.map((v) => Float32Array.from(v.dataSync()));
      tf.dispose(vars);
      optimizer.dispose();
      return out;
    };
    const stock = train(tf.train.adam(0.01), 'stock', true);
    const fused = train(new FusedAdamOptimizer(0.01, 0.9, 0.999, undefined, decay), 'fused', false);
    fused.forEach((w, i) => expect(w).toEqual(stock[i]));
  });
});
