/** Pooling layers: shrink images by taking the max or mean over windows, or over the whole image (global). */
import { paddingParam, windowOutput, windowSummary } from './convolution';
import { int2, ints, intsParam, str } from './paramHelpers';
import { expectRank } from './rankCheck';
import { fail, ok, product } from './shapes';
import type { LayerSpec } from './spec';

function poolSpec(type: 'MaxPool2D' | 'AvgPool2D', className: string, what: string): LayerSpec {
  return {
    type,
    category: 'Pooling',
    label: type,
    description: `Takes the ${what} of each window, shrinking the image; 2×2 with stride 2 halves height and width.`,
    params: {
      poolSize: intsParam({ label: 'Pool size', help: 'Window height and width.', default: [2, 2], length: 2, min: 1, max: 64 }),
      strides: intsParam({
        label: 'Strides',
        help: 'Step of the window; usually equal to the pool size.',
        default: [2, 2],
        length: 2,
        min: 1,
        max: 64,
      }),
      padding: paddingParam('valid'),
    },
    inputs: { min: 1, max: 1, ordered: false },
    inputRanks: [3],
    inferShape: (inputs, p) => {
      const input = inputs[0];
      if (!input) return fail(`${type} needs an input`);
      const rankError = expectRank(type, input, [3]);
      if (rankError) return rankError;
      const out = windowOutput(type, input, int2(p, 'poolSize'), int2(p, 'strides'), str(p, 'padding'));
      return out.ok ? ok([out.h, out.w, input[2] ?? 0]) : out.result;
    },
    countParams: () => 0,
    flops: (_i, out, p) => {
      const [ph, pw] = int2(p, 'poolSize');
      return product(out) * ph * pw;
    },
    summary: (p) => windowSummary(undefined, ints(p, 'poolSize'), ints(p, 'strides'), str(p, 'padding')),
    toTfjs: (p) => [
      { className, config: { poolSize: ints(p, 'poolSize'), strides: ints(p, 'strides'), padding: str(p, 'padding') } },
    ],
  };
}

function globalPoolSpec(type: 'GlobalAvgPool2D' | 'GlobalMaxPool2D', className: string, what: string): LayerSpec {
  return {
    type,
    category: 'Pooling',
    label: type,
    description: `Takes the ${what} of each channel over the whole image: H×W×C becomes a vector of C. A light alternative to Flatten.`,
    params: {},
    inputs: { min: 1, max: 1, ordered: false },
    inputRanks: [3],
    inferShape: (inputs) => {
      const input = inputs[0];
      if (!input) return fail(`${type} needs an input`);
      return expectRank(type, input, [3]) ?? ok([input[2] ?? 0]);
    },
    countParams: () => 0,
    flops: (inputs) => product(inputs[0] ?? []),
    summary: () => '→ vector',
    toTfjs: () => [{ className, config: {} }],
  };
}

export const maxPool2dSpec = poolSpec('MaxPool2D', 'MaxPooling2D', 'maximum');
export const avgPool2dSpec = poolSpec('AvgPool2D', 'AveragePooling2D', 'average');
export const globalAvgPool2dSpec = globalPoolSpec('GlobalAvgPool2D', 'GlobalAveragePooling2D', 'average');
export const globalMaxPool2dSpec = globalPoolSpec('GlobalMaxPool2D', 'GlobalMaxPooling2D', 'maximum');

export const poolingLayers: readonly LayerSpec[] = [maxPool2dSpec, avgPool2dSpec, globalAvgPool2dSpec, globalMaxPool2dSpec];
