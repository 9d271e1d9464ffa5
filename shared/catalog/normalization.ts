/** Normalization layers: keep activations well scaled so deeper networks train. */
import { floatParam, num } from './paramHelpers';
import { fail, lastDim, ok, product } from './shapes';
import type { LayerSpec } from './spec';

const epsilonParam = floatParam({
  label: 'Epsilon',
  help: 'Small number added to the variance to avoid dividing by zero.',
  default: 0.001,
  min: 1e-12,
  max: 1,
});

export const batchNormSpec: LayerSpec = {
  type: 'BatchNorm',
  category: 'Normalization',
  label: 'BatchNorm',
  description:
    'Normalises each channel using the batch mean and variance while training (running averages at inference), then ' +
    'applies a learned scale and shift. Usually placed between a convolution and its activation.',
  params: {
    momentum: floatParam({
      label: 'Momentum',
      help:
        'How slowly the running mean and variance (used at inference) follow the batches; closer to 1 = slower. ' +
        '0.9 settles within a few dozen steps, which suits short runs; 0.99 (Keras default) needs hundreds.',
      // Not Keras's 0.99: workshop runs are a few hundred steps, and with 0.99 the running statistics lag so far
      // behind that validation accuracy collapses even while training accuracy climbs.
      default: 0.9,
      min: 0,
      max: 1,
    }),
    epsilon: epsilonParam,
  },
  inputs: { min: 1, max: 1, ordered: false },
  inferShape: (inputs) => (inputs[0] ? ok(inputs[0]) : fail('BatchNorm needs an input')),
  // gamma, beta (trainable) + moving mean, moving variance (not trainable); tfjs countParams counts all four.
  countParams: (inputs) => 4 * lastDim(inputs[0] ?? []),
  flops: (_i, out) => 4 * product(out),
  summary: (p) => `m ${num(p, 'momentum')}`,
  toTfjs: (p) => [{ className: 'BatchNormalization', config: { axis: -1, momentum: num(p, 'momentum'), epsilon: num(p, 'epsilon') } }],
};

export const layerNormSpec: LayerSpec = {
  type: 'LayerNorm',
  category: 'Normalization',
  label: 'LayerNorm',
  description:
    'Normalises the features of each sample (over the last axis), then applies a learned scale and shift. ' +
    'Independent of batch size; common in sequence models.',
  params: { epsilon: epsilonParam },
  inputs: { min: 1, max: 1, ordered: false },
  inferShape: (inputs) => (inputs[0] ? ok(inputs[0]) : fail('LayerNorm needs an input')),
  countParams: (inputs) => 2 * lastDim(inputs[0] ?? []),
  flops: (_i, out) => 5 * product(out),
  summary: () => 'last axis',
  toTfjs: (p) => [{ className: 'LayerNormalization', config: { axis: -1, epsilon: num(p, 'epsilon') } }],
};

/** The tfjs class of SkipInit (a custom layer, registered for deserialisation under this name by the compiler). */
export const SKIP_INIT_CLASS = 'NeuralBricks>SkipInit';

/**
 * SkipInit (De & Smith 2020, "Batch Normalization Biases Residual Blocks Towards the Identity Function in Deep
 * Networks"): one learnable scalar α times the input. At the end of a residual branch, before the Add, α = 0 makes
 * every block start as the identity — what BatchNorm does implicitly — so deep nets without it still train.
 */
export const skipInitSpec: LayerSpec = {
  type: 'SkipInit',
  category: 'Normalization',
  label: 'SkipInit',
  description:
    'Multiplies its input by one learned number α (starting at 0 by default). Put it at the end of a residual branch, ' +
    'before the Add: each block then starts as the identity, which lets deep networks without BatchNorm train.',
  params: {
    initialValue: floatParam({
      label: 'Initial α',
      help: 'Starting value of the multiplier; 0 makes the branch silent (its block the identity) at the start.',
      default: 0,
      min: -10,
      max: 10,
    }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inferShape: (inputs) => (inputs[0] ? ok(inputs[0]) : fail('SkipInit needs an input')),
  countParams: () => 1,
  flops: (_i, out) => product(out),
  summary: (p) => `α₀ = ${num(p, 'initialValue')}`,
  toTfjs: (p) => [{ className: SKIP_INIT_CLASS, config: { initialValue: num(p, 'initialValue') } }],
};

export const normalizationLayers: readonly LayerSpec[] = [batchNormSpec, layerNormSpec, skipInitSpec];
