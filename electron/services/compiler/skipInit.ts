/**
 * SkipInit (De & Smith 2020): y = α · x with one learnable scalar α (initial value from the config, 0 by default), as
 * the NFNets reference keeps its `skip_gain` (a scalar parameter, zeros-initialised; deepmind-research nfnets/nfnet.py).
 * Registered for deserialisation under SKIP_INIT_CLASS when this module loads. Weight: alpha (shape []).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { SKIP_INIT_CLASS } from '../../../shared/catalog/normalization';

export interface SkipInitLayerArgs extends LayerArgs {
  initialValue?: number;
}

type Kwargs = Parameters<layers.Layer['call']>[1];

export class SkipInit extends layers.Layer {
  static className = SKIP_INIT_CLASS;
  private readonly initialValue: number;
  private alpha: LayerVariable | null = null;

  constructor(args: SkipInitLayerArgs = {}) {
    super(args);
    this.initialValue = args.initialValue ?? 0;
  }

  override build(_inputShape: Parameters<layers.Layer['build']>[0]): void {
    this.alpha = this.addWeight('alpha', [], 'float32', initializers.constant({ value: this.initialValue }), undefined, true);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!x || (Array.isArray(inputs) && inputs.length !== 1)) throw new Error('SkipInit expects exactly one input');
      if (!this.alpha) throw new Error('SkipInit is not built');
      return tf.mul(x, this.alpha.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialValue: this.initialValue };
  }
}
tf.serialization.registerClass(SkipInit, 'NeuralBricks', 'SkipInit');

export function skipInit(args: SkipInitLayerArgs = {}): SkipInit {
  return new SkipInit(args);
}
