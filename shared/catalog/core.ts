/** Core layers: Dense, Activation, Dropout, Flatten, Reshape, Embedding. */
import {
  ACTIVATION_LABELS,
  activationFlops,
  activationParam,
  leakyAlphaParam,
  tfjsActivation,
  trailingActivationLayers,
  type ActivationName,
} from './activations';
import { boolParam, floatParam, intParam, intsParam, bool, ints, num, str } from './paramHelpers';
import { expectRank } from './rankCheck';
import { fail, formatShape, lastDim, ok, product } from './shapes';
import type { LayerSpec } from './spec';

/** Alpha used when leaky ReLU is chosen as a layer's inline activation (the Activation layer makes it adjustable). */
export const INLINE_LEAKY_ALPHA = 0.2;

function actLabel(activation: string): string {
  return ACTIVATION_LABELS[activation as ActivationName] ?? activation;
}

export const denseSpec: LayerSpec = {
  type: 'Dense',
  category: 'Core',
  label: 'Dense',
  description:
    'Fully connected layer: every output unit sees every input feature. On a sequence it is applied to each time step.',
  params: {
    units: intParam({ label: 'Units', help: 'Number of output features (neurons).', default: 64, min: 1, max: 1_000_000 }),
    activation: activationParam('relu'),
    useBias: boolParam({ label: 'Use bias', help: 'Add a learned offset to each unit.', default: true }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [1, 2],
  inferShape: (inputs, p) => {
    const input = inputs[0];
    if (!input) return fail('Dense needs an input');
    if (input.length === 3) {
      return fail(`Dense expects a flat vector but gets ${formatShape(input)} — add Flatten or GlobalAvgPool2D first`, 0);
    }
    const rankError = expectRank('Dense', input, [1, 2]);
    if (rankError) return rankError;
    return ok([...input.slice(0, -1), num(p, 'units')]);
  },
  countParams: (inputs, _o, p) => {
    const inDim = lastDim(inputs[0] ?? []);
    const units = num(p, 'units');
    return inDim * units + (bool(p, 'useBias') ? units : 0);
  },
  flops: (inputs, out, p) => {
    const input = inputs[0] ?? [];
    const rows = product(input) / Math.max(1, lastDim(input));
    return rows * 2 * lastDim(input) * num(p, 'units') + activationFlops(str(p, 'activation'), product(out));
  },
  activationBytes: (_i, out, p) => product(out) * 4 * (str(p, 'activation') === 'leakyRelu' ? 2 : 1),
  summary: (p) => `${num(p, 'units')} · ${actLabel(str(p, 'activation'))}`,
  toTfjs: (p) => [
    {
      className: 'Dense',
      config: { units: num(p, 'units'), activation: tfjsActivation(str(p, 'activation')), useBias: bool(p, 'useBias') },
    },
    ...trailingActivationLayers(str(p, 'activation'), INLINE_LEAKY_ALPHA),
  ],
};

export const activationSpec: LayerSpec = {
  type: 'Activation',
  category: 'Activation',
  label: 'Activation',
  description: 'Applies a non-linearity to every value. Softmax normalises over the last axis.',
  params: { activation: activationParam('relu', 'Function applied to every value.'), alpha: leakyAlphaParam() },
  inputs: { min: 1, max: 1, ordered: false },
  inferShape: (inputs) => (inputs[0] ? ok(inputs[0]) : fail('Activation needs an input')),
  countParams: () => 0,
  flops: (_i, out, p) => activationFlops(str(p, 'activation'), product(out)),
  summary: (p) =>
    str(p, 'activation') === 'leakyRelu' ? `leaky ReLU · α ${num(p, 'alpha')}` : actLabel(str(p, 'activation')),
  toTfjs: (p) =>
    str(p, 'activation') === 'leakyRelu'
      ? [{ className: 'LeakyReLU', config: { alpha: num(p, 'alpha') } }]
      : [{ className: 'Activation', config: { activation: str(p, 'activation') } }],
};

export const dropoutSpec: LayerSpec = {
  type: 'Dropout',
  category: 'Regularization',
  label: 'Dropout',
  description: 'During training, zeroes a random fraction of values to fight overfitting. Does nothing at inference.',
  params: {
    rate: floatParam({ label: 'Rate', help: 'Fraction of values dropped while training (0–0.95).', default: 0.2, min: 0, max: 0.95 }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inferShape: (inputs) => (inputs[0] ? ok(inputs[0]) : fail('Dropout needs an input')),
  countParams: () => 0,
  flops: (_i, out) => product(out),
  summary: (p) => `${Math.round(num(p, 'rate') * 100)}%`,
  toTfjs: (p) => [{ className: 'Dropout', config: { rate: num(p, 'rate') } }],
};

export const flattenSpec: LayerSpec = {
  type: 'Flatten',
  category: 'Core',
  label: 'Flatten',
  description: 'Unrolls an image or sequence into one flat vector, e.g. 7×7×16 → 784, so Dense layers can follow.',
  params: {},
  inputs: { min: 1, max: 1, ordered: false },
  inferShape: (inputs) => (inputs[0] ? ok([product(inputs[0])]) : fail('Flatten needs an input')),
  countParams: () => 0,
  flops: () => 0,
  // A flat vector passes through unchanged: no tfjs layer (tfjs Flatten rejects rank-1 inputs).
  activationBytes: (inputs) => ((inputs[0]?.length ?? 0) > 1 ? product(inputs[0] ?? []) * 4 : 0),
  summary: () => '→ vector',
  toTfjs: (_p, inputs) => ((inputs[0]?.length ?? 0) > 1 ? [{ className: 'Flatten', config: {} }] : []),
};

export const reshapeSpec: LayerSpec = {
  type: 'Reshape',
  category: 'Core',
  label: 'Reshape',
  description:
    'Rearranges values into a new shape with the same number of elements, e.g. 784 → 28×28×1. One dimension may be -1 ' +
    'to be computed from the others.',
  params: {
    targetShape: intsParam({
      label: 'Target shape',
      help: 'New per-sample shape, e.g. [28, 28, 1]. Use -1 for one dimension to infer it.',
      default: [-1],
      min: -1,
      max: 1_000_000,
    }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inferShape: (inputs, p) => {
    const input = inputs[0];
    if (!input) return fail('Reshape needs an input');
    const target = ints(p, 'targetShape');
    if (target.length > 4) return fail('Reshape: target shape may have at most 4 dimensions');
    if (target.includes(0)) return fail('Reshape: target dimensions must be positive (or -1)');
    const unknown = target.filter((d) => d === -1).length;
    if (unknown > 1) return fail('Reshape: only one target dimension may be -1');
    const total = product(input);
    const known = product(target.filter((d) => d !== -1));
    if (unknown === 1) {
      if (total % known !== 0) {
        return fail(`Reshape: ${formatShape(input)} (${total} values) cannot be split into [${target.join(', ')}]`, 0);
      }
      return ok(target.map((d) => (d === -1 ? total / known : d)));
    }
    if (known !== total) {
      return fail(
        `Reshape: ${formatShape(input)} has ${total} values but [${target.join(', ')}] needs ${known}`,
        0,
      );
    }
    return ok(target);
  },
  countParams: () => 0,
  flops: () => 0,
  summary: (p) => `→ ${ints(p, 'targetShape').join('×')}`,
  toTfjs: (p, inputs) => {
    const input = inputs[0] ?? [];
    const target = ints(p, 'targetShape');
    const known = product(target.filter((d) => d !== -1));
    // Resolve -1 here so the tfjs layer gets a fully known shape.
    return [{ className: 'Reshape', config: { targetShape: target.map((d) => (d === -1 ? product(input) / known : d)) } }];
  },
};

export const embeddingSpec: LayerSpec = {
  type: 'Embedding',
  category: 'Core',
  label: 'Embedding',
  description:
    'Turns token ids (whole numbers 0…vocabulary−1) into learned vectors: a sequence of N tokens becomes N × dimension. ' +
    'Feed it from an Input of kind "tokens".',
  params: {
    inputDim: intParam({ label: 'Vocabulary size', help: 'Number of distinct token ids.', default: 1000, min: 1, max: 10_000_000 }),
    outputDim: intParam({ label: 'Dimension', help: 'Length of each token vector.', default: 32, min: 1, max: 100_000 }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [1],
  inferShape: (inputs, p) => {
    const input = inputs[0];
    if (!input) return fail('Embedding needs an input');
    if (input.length !== 1) {
      return fail(`Embedding expects a sequence of token ids (an Input of kind "tokens") but gets ${formatShape(input)}`, 0);
    }
    return ok([input[0] ?? 0, num(p, 'outputDim')]);
  },
  countParams: (_i, _o, p) => num(p, 'inputDim') * num(p, 'outputDim'),
  flops: () => 0,
  summary: (p) => `${num(p, 'inputDim')} → ${num(p, 'outputDim')}`,
  toTfjs: (p) => [{ className: 'Embedding', config: { inputDim: num(p, 'inputDim'), outputDim: num(p, 'outputDim') } }],
};

export const coreLayers: readonly LayerSpec[] = [denseSpec, activationSpec, dropoutSpec, flattenSpec, reshapeSpec, embeddingSpec];

