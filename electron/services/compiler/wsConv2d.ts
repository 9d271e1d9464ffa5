/**
 * WSConv2D: tfjs-layers' Conv2D with scaled weight standardisation and a learnable gain per filter, after the NFNets
 * reference (deepmind-research, nfnets/base.py, `WSConv2D.standardize_weight`):
 *
 *   Ŵ = gain · (W − mean(W)) · rsqrt(max(var(W) · fan_in, eps)),  fan_in = kh · kw · in,
 *
 * mean and (population) variance per output channel, eps inside the max as the reference has it (not added to the
 * standard deviation). The stored kernel W stays raw; Ŵ is recomputed from it with tf ops in every call, so tfjs'
 * autodiff carries gradients through the standardisation into W and gain, and the convolution itself is the stock
 * Conv2D op (our wasm kernels, with their gradients, run it).
 *
 * Registered for deserialisation under WS_CONV2D_CLASS when this module loads, so a saved model reloads wherever
 * the compiler (or this module) was imported. Weights: kernel, bias (when useBias), gain.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { Conv2D, ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { WS_CONV2D_CLASS } from '../../../shared/catalog/convolution';

type Kwargs = Parameters<Conv2D['call']>[1];

/** The reference's default floor on var · fan_in. */
export const WS_DEFAULT_EPS = 1e-4;

export interface WSConv2DLayerArgs extends ConvLayerArgs {
  eps?: number;
}

/** The stock class as registered by tfjs-layers (its module path is not part of the package's public API). */
const StockConv2D = (() => {
  void layers.conv2d; // importing tfjs-layers registered the class
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['Conv2D'];
  if (!entry) throw new Error('tfjs-layers did not register Conv2D');
  return entry[0] as unknown as typeof Conv2D;
})();

/**
 * The standardised kernel of a [kh, kw, in, out] `kernel`: per output channel (the last axis) zero mean, scaled by
 * rsqrt(max(var · fan_in, eps)) and by that channel's `gain`.
 */
export function standardizeKernel(kernel: tf.Tensor, gain: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axes = kernel.shape.slice(0, -1).map((_, i) => i);
    const fanIn = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const mean = tf.mean(kernel, axes, true);
    const centred = tf.sub(kernel, mean);
    const variance = tf.mean(tf.square(centred), axes, true);
    const scale = tf.mul(tf.rsqrt(tf.maximum(tf.mul(variance, fanIn), eps)), gain);
    return tf.mul(centred, scale);
  });
}

export class WSConv2D extends StockConv2D {
  static override className = WS_CONV2D_CLASS;
  private readonly eps: number;
  private gain: LayerVariable | null = null;

  constructor(args: WSConv2DLayerArgs) {
    super(args);
    this.eps = args.eps ?? WS_DEFAULT_EPS;
    if (this.dataFormat !== 'channelsLast') throw new Error('WSConv2D supports channelsLast only');
  }

  override build(inputShape: Parameters<Conv2D['build']>[0]): void {
    super.build(inputShape);
    this.gain = this.addWeight('gain', [this.filters], 'float32', initializers.ones(), undefined, true);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!x || (Array.isArray(inputs) && inputs.length !== 1)) throw new Error('WSConv2D expects exactly one input');
      if (!this.gain) throw new Error('WSConv2D is not built');
      const filter = standardizeKernel(this.kernel.read(), this.gain.read(), this.eps) as tf.Tensor4D;
      const activationName = this.activation.getClassName();
      const strides: [number, number] = [this.strides[0]!, this.strides[1]!];
      const dilations: [number, number] = [this.dilationRate[0]!, this.dilationRate[1]!];
      const bias = this.bias ? this.bias.read() : undefined;
      const pad = this.padding as 'same' | 'valid';
      // ReLU and linear go through the fused op as stock Conv2D does (one kernel at inference; tfjs falls back to
      // separate ops when it needs a ReLU's gradient); other activations are applied by the layer's own afterwards.
      if (activationName === 'relu' || activationName === 'linear') {
        return tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides, pad, dilations, bias, activation: activationName });
      }
      let y: tf.Tensor = tf.conv2d(x as tf.Tensor4D, filter, strides, pad, 'NHWC', dilations);
      if (bias) y = tf.add(y, bias);
      return this.activation.apply(y);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eps: this.eps };
  }
}
tf.serialization.registerClass(WSConv2D, 'NeuralBricks', 'WSConv2D');

/** Factory in the style of tf.layers.conv2d. */
export function wsConv2d(args: WSConv2DLayerArgs): WSConv2D {
  return new WSConv2D(args);
}
