import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Makes dilated Conv2D layers trainable. tfjs-core 4.22's conv2d and fused.conv2d gradients reject dilation rates > 1
 * ("dilation rates greater than 1 are not yet supported in gradients") on every backend, so a Conv2D brick with
 * dilationRate 2 could be built but not trained. While gradients are being recorded we compute the dilated
 * convolution the way TensorFlow itself does (`with_space_to_batch`): spaceToBatchND → undilated VALID conv →
 * batchToSpaceND, three ops whose gradients tfjs has. The same applies to SeparableConv2D (its depthwise step).
 * Inference and undilated convolutions keep the original path.
 */

type FusedConv2DArgs = Parameters<typeof tf.fused.conv2d>[0];
type Pair = [number, number];

const pair = (v: number | Pair | undefined, fallback: number): Pair =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;

/** TensorFlow's required_space_to_batch_paddings for one spatial dimension. */
function spaceToBatchPadding(size: number, rate: number, padStart: number, padEnd: number): { pad: Pair; cropEnd: number } {
  const full = size + padStart + padEnd;
  const extra = (rate - (full % rate)) % rate;
  return { pad: [padStart, padEnd + extra], cropEnd: extra };
}

/** Runs `inner` (an undilated VALID op) on the space-to-batch form of x, giving the dilated stride-1 result. */
function viaSpaceToBatch(
  x: tf.Tensor4D,
  kernel: [number, number],
  dilations: Pair,
  pad: 'same' | 'valid',
  inner: (batched: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = x.shape;
    const base = (k: number, rate: number): Pair => {
      if (pad === 'valid') return [0, 0];
      const total = (k - 1) * rate; // effective filter size − 1 at stride 1
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    const [bh0, bh1] = base(kernel[0], dilations[0]);
    const [bw0, bw1] = base(kernel[1], dilations[1]);
    const h = spaceToBatchPadding(height, dilations[0], bh0, bh1);
    const w = spaceToBatchPadding(width, dilations[1], bw0, bw1);
    const batched = tf.spaceToBatchND(x, dilations, [h.pad, w.pad]) as tf.Tensor4D;
    return tf.batchToSpaceND(inner(batched), dilations, [
      [0, h.cropEnd],
      [0, w.cropEnd],
    ]) as tf.Tensor4D;
  });
}

/** Dilated stride-1 conv2d built from ops that all have gradients. x: NHWC rank 4, filter: HWIO. */
export function dilatedConv2dViaSpaceToBatch(x: tf.Tensor4D, filter: tf.Tensor4D, dilations: Pair, pad: 'same' | 'valid'): tf.Tensor4D {
  return viaSpaceToBatch(x, [filter.shape[0], filter.shape[1]], dilations, pad, (b) => tf.conv2d(b, filter, 1, 'valid'));
}

/** Dilated stride-1 separable conv (dilated depthwise, then 1×1 pointwise) from differentiable ops. */
export function dilatedSeparableConv2dViaSpaceToBatch(
  x: tf.Tensor4D,
  depthwiseFilter: tf.Tensor4D,
  pointwiseFilter: tf.Tensor4D,
  dilations: Pair,
  pad: 'same' | 'valid',
): tf.Tensor4D {
  return tf.tidy(() => {
    const depthwise = viaSpaceToBatch(x, [depthwiseFilter.shape[0], depthwiseFilter.shape[1]], dilations, pad, (b) =>
      tf.depthwiseConv2d(b, depthwiseFilter, 1, 'valid'),
    );
    return tf.conv2d(depthwise, pointwiseFilter, 1, 'valid');
  });
}

function applyActivation(y: tf.Tensor, args: FusedConv2DArgs): tf.Tensor | undefined {
  switch (args.activation ?? 'linear') {
    case 'linear':
      return y;
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'elu':
      return tf.elu(y);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'leakyrelu':
      return tf.leakyRelu(y, args.leakyreluAlpha ?? 0.2);
    case 'prelu':
      return args.preluActivationWeights === undefined ? undefined : tf.prelu(y, args.preluActivationWeights as tf.Tensor);
    default:
      return undefined;
  }
}

let installed = false;

const recordingGradients = (): boolean => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;

/**
 * Idempotent. Wraps tf.fused.conv2d (what tfjs-layers' Conv2D calls) and tf.separableConv2d (SeparableConv2D) for the
 * dilated-and-recording case. tfjs-layers reads both through the CommonJS exports of tfjs-core at call time.
 */
export function installDilatedConvTraining(): void {
  if (installed) return;
  installed = true;
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d };
  const original = fused.conv2d;
  fused.conv2d = ((args: FusedConv2DArgs) => {
    const dilations = pair(args.dilations as number | Pair | undefined, 1);
    const strides = pair(args.strides as number | Pair, 1);
    const eligible =
      recordingGradients() &&
      (dilations[0] > 1 || dilations[1] > 1) &&
      strides[0] === 1 &&
      strides[1] === 1 &&
      (args.pad === 'same' || args.pad === 'valid') &&
      (args.dataFormat ?? 'NHWC') === 'NHWC' &&
      args.dimRoundingMode === undefined;
    if (!eligible) return original(args);
    return tf.tidy(() => {
      const x = args.x as tf.Tensor;
      const x4 = (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
      let y: tf.Tensor = dilatedConv2dViaSpaceToBatch(x4, args.filter as tf.Tensor4D, dilations, args.pad as 'same' | 'valid');
      if (args.bias !== undefined) y = tf.add(y, args.bias as tf.Tensor);
      const activated = applyActivation(y, args);
      if (activated === undefined) return original(args);
      return (x.rank === 3 ? tf.squeeze(activated, [0]) : activated) as tf.Tensor4D;
    });
  }) as typeof tf.fused.conv2d;

  // ESM namespaces are read-only; patch the CommonJS exports object that tfjs-layers reads through.
  const core = createRequire(import.meta.url)('@tensorflow/tfjs-core') as { separableConv2d: typeof tf.separableConv2d };
  const originalSeparable = core.separableConv2d;
  core.separableConv2d = ((x, depthwiseFilter, pointwiseFilter, strides, pad, dilation = [1, 1], dataFormat = 'NHWC') => {
    const dilations = pair(dilation as number | Pair, 1);
    const s = pair(strides as number | Pair, 1);
    const eligible =
      recordingGradients() &&
      (dilations[0] > 1 || dilations[1] > 1) &&
      s[0] === 1 &&
      s[1] === 1 &&
      (pad === 'same' || pad === 'valid') &&
      dataFormat === 'NHWC';
    if (!eligible) return originalSeparable(x, depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat);
    return tf.tidy(() => {
      const input = x as tf.Tensor;
      const x4 = (input.rank === 3 ? tf.expandDims(input, 0) : input) as tf.Tensor4D;
      const y = dilatedSeparableConv2dViaSpaceToBatch(
        x4,
        depthwiseFilter as tf.Tensor4D,
        pointwiseFilter as tf.Tensor4D,
        dilations,
        pad as 'same' | 'valid',
      );
      return input.rank === 3 ? tf.squeeze(y, [0]) : y;
    });
  }) as typeof tf.separableConv2d;
}
