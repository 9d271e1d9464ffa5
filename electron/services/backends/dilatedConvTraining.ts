import * as tf from '@tensorflow/tfjs-core';

/**
 * Makes dilated Conv2D layers trainable. tfjs-core 4.22's conv2d and fused.conv2d gradients reject dilation rates > 1
 * ("dilation rates greater than 1 are not yet supported in gradients") on every backend, so a Conv2D brick with
 * dilationRate 2 could be built but not trained. While gradients are being recorded we compute the dilated
 * convolution the way TensorFlow itself does (`with_space_to_batch`): spaceToBatchND → undilated VALID conv →
 * batchToSpaceND, three ops whose gradients tfjs has. Inference and undilated convolutions keep the original path.
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

/** Dilated stride-1 conv2d built from ops that all have gradients. x: NHWC rank 4, filter: HWIO. */
export function dilatedConv2dViaSpaceToBatch(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  dilations: Pair,
  pad: 'same' | 'valid',
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = x.shape;
    const [kh, kw] = filter.shape;
    const base = (k: number, rate: number): Pair => {
      if (pad === 'valid') return [0, 0];
      const total = (k - 1) * rate; // effective filter size − 1 at stride 1
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    const [bh0, bh1] = base(kh, dilations[0]);
    const [bw0, bw1] = base(kw, dilations[1]);
    const h = spaceToBatchPadding(height, dilations[0], bh0, bh1);
    const w = spaceToBatchPadding(width, dilations[1], bw0, bw1);
    const batched = tf.spaceToBatchND(x, dilations, [h.pad, w.pad]);
    const conv = tf.conv2d(batched as tf.Tensor4D, filter, 1, 'valid');
    return tf.batchToSpaceND(conv, dilations, [
      [0, h.cropEnd],
      [0, w.cropEnd],
    ]) as tf.Tensor4D;
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

/** Idempotent. Wraps tf.fused.conv2d (what tfjs-layers' Conv2D calls) for the dilated-and-recording case. */
export function installDilatedConvTraining(): void {
  if (installed) return;
  installed = true;
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d };
  const original = fused.conv2d;
  fused.conv2d = ((args: FusedConv2DArgs) => {
    const dilations = pair(args.dilations as number | Pair | undefined, 1);
    const strides = pair(args.strides as number | Pair, 1);
    const recording = (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
    const eligible =
      recording &&
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
}
