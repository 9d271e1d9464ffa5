import * as tf from '@tensorflow/tfjs-core';

/** Test support for the 3×3 stride-1 filter-gradient kernels (winogradFilterGrad.test.ts, winogradFilterGradF4.test.ts). */
export type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
export interface FilterGradCase { x: [number, number, number, number]; co: number; pad: Pad }

export const caseLabel = (c: FilterGradCase): string => `x=${c.x} co=${c.co} pad=${typeof c.pad === 'string' ? c.pad : 'explicit'}`;

/** The output (dy) shape of a 3×3 stride-1 convolution of c.x to c.co channels. */
export function dyShapeOf(c: FilterGradCase): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([3, 3, c.x[3], c.co]) as tf.Tensor4D, 1, c.pad).shape);
}

/** Conv2DBackpropFilter's attributes for the case. */
export const filterGradAttrs = (c: FilterGradCase) => ({
  strides: [1, 1],
  pad: c.pad,
  dataFormat: 'NHWC',
  dimRoundingMode: undefined,
  filterShape: [3, 3, c.x[3], c.co],
});
