import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dilatedConv2dViaSpaceToBatch, dilatedSeparableConv2dViaSpaceToBatch } from './dilatedConvTraining';
import { selectBackend } from './selectBackend';

const CASES: [string, [number, number, number, number], [number, number, number, number], [number, number], 'same' | 'valid'][] = [
  ['3×3 rate 2 same, odd size', [2, 7, 7, 3], [3, 3, 3, 4], [2, 2], 'same'],
  ['3×3 rate 2 valid, odd size', [2, 7, 7, 3], [3, 3, 3, 4], [2, 2], 'valid'],
  ['2×3 rates [3,2] same, even/odd', [1, 10, 9, 2], [2, 3, 2, 3], [3, 2], 'same'],
  ['3×3 rate 3 valid', [3, 11, 12, 1], [3, 3, 1, 2], [3, 3], 'valid'],
];

function dot(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0] as number);
}

describe.each(['cpu', 'wasm'] as const)('dilated Conv2D training on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(CASES)('spaceToBatch form equals the native dilated forward: %s', (_, xShape, fShape, rates, pad) => {
    tf.tidy(() => {
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 1) as tf.Tensor4D;
      const f = tf.randomNormal(fShape, 0, 1, 'float32', 2) as tf.Tensor4D;
      const native = tf.conv2d(x, f, 1, pad, 'NHWC', rates);
      const ours = dilatedConv2dViaSpaceToBatch(x, f, rates, pad);
      expect(ours.shape).toEqual(native.shape);
      expect(tf.max(tf.abs(tf.sub(ours, native))).dataSync()[0]).toBeLessThanOrEqual(1e-4);
    });
  });

  // conv is linear in x and in W, so ⟨dx, u⟩ = ⟨dy, conv(u, W)⟩ and ⟨dW, V⟩ = ⟨dy, conv(x, V)⟩ with the NATIVE forward.
  it.each(CASES)('fused.conv2d gradients under tf.grads satisfy the adjoint identities: %s', (_, xShape, fShape, rates, pad) => {
    tf.tidy(() => {
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 3) as tf.Tensor4D;
      const f = tf.randomNormal(fShape, 0, 1, 'float32', 4) as tf.Tensor4D;
      const bias = tf.randomNormal([fShape[3]], 0, 1, 'float32', 5);
      const outShape = tf.conv2d(x, f, 1, pad, 'NHWC', rates).shape;
      const dy = tf.randomNormal(outShape, 0, 1, 'float32', 6);
      const [dx, dw, db] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad, dilations: rates, bias: c }), dy)),
      )([x, f, bias]);
      const u = tf.randomNormal(xShape, 0, 1, 'float32', 7) as tf.Tensor4D;
      const v = tf.randomNormal(fShape, 0, 1, 'float32', 8) as tf.Tensor4D;
      const expectX = dot(dy, tf.conv2d(u, f, 1, pad, 'NHWC', rates));
      const expectW = dot(dy, tf.conv2d(x, v, 1, pad, 'NHWC', rates));
      expect(Math.abs(dot(dx as tf.Tensor, u) - expectX)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(expectX)));
      expect(Math.abs(dot(dw as tf.Tensor, v) - expectW)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(expectW)));
      expect(tf.max(tf.abs(tf.sub(db as tf.Tensor, tf.sum(dy, [0, 1, 2])))).dataSync()[0]).toBeLessThanOrEqual(1e-3);
    });
  });

  it('outside gradient recording (inference) dilated fused conv still computes correctly and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() =>
      tf.fused.conv2d({ x: tf.ones([1, 5, 5, 1]) as tf.Tensor4D, filter: tf.ones([3, 3, 1, 1]) as tf.Tensor4D, strides: 1, pad: 'same', dilations: 2 }),
    );
    expect(Array.from(y.dataSync()).slice(0, 5)).toEqual([4, 4, 6, 4, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it.each(CASES)('separableConv2d: spaceToBatch forward equals native, gradients satisfy adjoint identities: %s', (_, xShape, fShape, rates, pad) => {
    tf.tidy(() => {
      const mult = 2;
      const dShape: [number, number, number, number] = [fShape[0], fShape[1], xShape[3], mult];
      const pShape: [number, number, number, number] = [1, 1, xShape[3] * mult, 3];
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 11) as tf.Tensor4D;
      const d = tf.randomNormal(dShape, 0, 1, 'float32', 12) as tf.Tensor4D;
      const p = tf.randomNormal(pShape, 0, 1, 'float32', 13) as tf.Tensor4D;
      const native = (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor4D): tf.Tensor4D => tf.separableConv2d(a, b, c, 1, pad, rates, 'NHWC');
      const ours = dilatedSeparableConv2dViaSpaceToBatch(x, d, p, rates, pad);
      const reference = native(x, d, p);
      expect(ours.shape).toEqual(reference.shape);
      expect(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]).toBeLessThanOrEqual(1e-4);
      const dy = tf.randomNormal(reference.shape, 0, 1, 'float32', 14);
      // tfjs-layers calls separableConv2d through tfjs-core's CommonJS exports (where the patch lives); an ESM named
      // import is a snapshot of the original function.
      const core = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof tf;
      const [gx, gd, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(core.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 1, pad, rates, 'NHWC'), dy)),
      )([x, d, p]);
      // Linear in each argument separately, so each gradient is the adjoint of that partial map.
      const u = tf.randomNormal(xShape, 0, 1, 'float32', 15) as tf.Tensor4D;
      const v = tf.randomNormal(dShape, 0, 1, 'float32', 16) as tf.Tensor4D;
      const w = tf.randomNormal(pShape, 0, 1, 'float32', 17) as tf.Tensor4D;
      const checks: [tf.Tensor, tf.Tensor, number][] = [
        [gx as tf.Tensor, u, dot(dy, native(u, d, p))],
        [gd as tf.Tensor, v, dot(dy, native(x, v, p))],
        [gp as tf.Tensor, w, dot(dy, native(x, d, w))],
      ];
      for (const [grad, direction, expected] of checks) {
        expect(Math.abs(dot(grad, direction) - expected)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(expected)));
      }
    });
  });
});
