/**
 * Activation functions offered in the catalog. All but `leakyRelu` are tfjs-layers activation identifiers
 * (tfjs-layers 4.22 has `gelu` and `swish` built in); leaky ReLU exists in tfjs only as the `LeakyReLU` layer,
 * so a layer with `activation: 'leakyRelu'` compiles to the linear layer followed by a LeakyReLU layer.
 */
import { enumParam, floatParam } from './paramHelpers';
import type { EnumParamSpec, FloatParamSpec, TfjsLayerDesc } from './spec';

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'gelu', 'swish', 'sigmoid', 'tanh', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const ACTIVATION_LABELS: Readonly<Record<ActivationName, string>> = {
  linear: 'linear',
  relu: 'ReLU',
  leakyRelu: 'leaky ReLU',
  elu: 'ELU',
  gelu: 'GELU',
  swish: 'swish',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
};

export function activationParam(
  defaultValue: ActivationName,
  help?: string,
  options: readonly ActivationName[] = ACTIVATIONS,
): EnumParamSpec {
  return enumParam({
    label: 'Activation',
    help: help ?? 'Non-linearity applied to the output. "linear" means none.',
    default: defaultValue,
    options,
  });
}

/** Activations a recurrent cell can use inline (leaky ReLU needs its own layer, which a cell cannot have). */
export const CELL_ACTIVATIONS: readonly ActivationName[] = ACTIVATIONS.filter((a) => a !== 'leakyRelu');

/** Slope for negative inputs of leaky ReLU (tfjs LeakyReLU `alpha`). */
export function leakyAlphaParam(): FloatParamSpec {
  return floatParam({
    label: 'Leak (alpha)',
    help: 'Slope of leaky ReLU for negative inputs.',
    default: 0.2,
    min: 0,
    max: 1,
    visibleWhen: { param: 'activation', values: ['leakyRelu'] },
  });
}

/** The tfjs activation identifier for a layer's own `activation` arg (leaky ReLU becomes a separate layer). */
export function tfjsActivation(activation: string): string {
  return activation === 'leakyRelu' ? 'linear' : activation;
}

/** Extra layer(s) appended after a layer whose activation tfjs cannot express inline. */
export function trailingActivationLayers(activation: string, alpha: number): TfjsLayerDesc[] {
  return activation === 'leakyRelu' ? [{ className: 'LeakyReLU', config: { alpha }, nameSuffix: 'act' }] : [];
}

/** FLOPs of applying an activation elementwise (rough: a few ops per element for the transcendental ones). */
export function activationFlops(activation: string, elements: number): number {
  switch (activation) {
    case 'linear':
      return 0;
    case 'relu':
    case 'leakyRelu':
      return elements;
    case 'softmax':
      return 5 * elements;
    default:
      return 4 * elements;
  }
}
