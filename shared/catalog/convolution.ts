/** Convolution-family layers on images (H × W × C): Conv2D and its depthwise/separable/transposed variants, plus
 * the resizing layers UpSampling2D and ZeroPadding2D. */
import { activationFlops, activationParam, tfjsActivation, trailingActivationLayers } from './activations';
import { INLINE_LEAKY_ALPHA } from './core';
import { bool, boolParam, enumParam, floatParam, int2, intParam, ints, intsParam, num, str } from './paramHelpers';
import { expectRank } from './rankCheck';
import { convOutputLength, deconvOutputLength, fail, formatShape, ok, product } from './shapes';
import type { LayerSpec, ParamSpec, ResolvedParams, Shape, ShapeResult, TfjsLayerDesc } from './spec';

export const PADDINGS = ['same', 'valid'] as const;

export function kernelSizeParam(): ParamSpec {
  return intsParam({ label: 'Kernel size', help: 'Height and width of the sliding window.', default: [3, 3], length: 2, min: 1, max: 64 });
}
export function stridesParam(def: readonly [number, number] = [1, 1]): ParamSpec {
  return intsParam({
    label: 'Strides',
    help: 'Step of the window along height and width; 2 halves the image.',
    default: def,
    length: 2,
    min: 1,
    max: 64,
  });
}
export function paddingParam(def: 'same' | 'valid'): ParamSpec {
  return enumParam({
    label: 'Padding',
    help: '"same" pads the border so stride 1 keeps the size; "valid" uses only full windows and shrinks the image.',
    default: def,
    options: PADDINGS,
  });
}

/** Face text like `64 · 3×3 · s2` (stride and valid padding shown only when not the default). */
export function windowSummary(lead: string | undefined, kernel: readonly number[], strides: readonly number[], padding: string): string {
  const parts: string[] = [];
  if (lead !== undefined) parts.push(lead);
  parts.push(kernel.join('×'));
  if (strides.some((s) => s !== 1)) parts.push(strides[0] === strides[1] ? `s${strides[0]}` : `s${strides.join('×')}`);
  if (padding === 'valid') parts.push('valid');
  return parts.join(' · ');
}

/** Spatial output size of a sliding window over an image; errors name the layer and suggest the fix. */
export function windowOutput(
  layer: string,
  input: Shape,
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: string,
  dilation: readonly [number, number] = [1, 1],
): { ok: true; h: number; w: number } | { ok: false; result: ShapeResult } {
  const [h, w] = [input[0] ?? 0, input[1] ?? 0];
  const oh = convOutputLength(h, kernel[0], padding, strides[0], dilation[0]);
  const ow = convOutputLength(w, kernel[1], padding, strides[1], dilation[1]);
  if (oh <= 0 || ow <= 0) {
    const ek = [kernel[0] + (kernel[0] - 1) * (dilation[0] - 1), kernel[1] + (kernel[1] - 1) * (dilation[1] - 1)];
    return {
      ok: false,
      result: fail(
        `${layer}: the ${ek.join('×')} window does not fit in the ${h}×${w} input with valid padding — ` +
          `use padding 'same' or a smaller kernel`,
        0,
      ),
    };
  }
  return { ok: true, h: oh, w: ow };
}

function imageInput(layer: string, inputs: readonly Shape[]): Shape | ShapeResult {
  const input = inputs[0];
  if (!input) return fail(`${layer} needs an input`);
  return expectRank(layer, input, [3]) ?? input;
}
function isResult(x: Shape | ShapeResult): x is ShapeResult {
  return !Array.isArray(x);
}

function stridesAndDilation(layer: string, strides: readonly number[], dilation: readonly number[]): ShapeResult | undefined {
  if (strides.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    return fail(`${layer}: strides and dilation rate cannot both be above 1 (tfjs supports one or the other)`);
  }
  return undefined;
}

const conv2dParams = {
  filters: intParam({ label: 'Filters', help: 'Number of feature maps (output channels).', default: 32, min: 1, max: 65_536 }),
  kernelSize: kernelSizeParam(),
  strides: stridesParam(),
  padding: paddingParam('same'),
  dilationRate: intsParam({
    label: 'Dilation rate',
    help: 'Spacing between kernel taps (atrous convolution). Must be 1 when strides are above 1.',
    default: [1, 1],
    length: 2,
    min: 1,
    max: 64,
  }),
  activation: activationParam('relu'),
  useBias: boolParam({ label: 'Use bias', help: 'Add a learned offset to each filter.', default: true }),
};

function activationBytesWithLeaky(out: Shape, p: ResolvedParams): number {
  return product(out) * 4 * (str(p, 'activation') === 'leakyRelu' ? 2 : 1);
}

/** Face text of a layer with filters: `64 · 3×3 · s2`. */
function filtersWindowSummary(p: ResolvedParams): string {
  return windowSummary(String(num(p, 'filters')), ints(p, 'kernelSize'), ints(p, 'strides'), str(p, 'padding'));
}

/**
 * The tfjs layer of a convolution: the window args every variant shares plus its own (`extra`), then the
 * activation tfjs cannot apply inline (leaky ReLU) as a trailing layer.
 */
function windowLayerToTfjs(className: string, p: ResolvedParams, extra: Readonly<Record<string, unknown>>): TfjsLayerDesc[] {
  return [
    {
      className,
      config: {
        ...extra,
        kernelSize: ints(p, 'kernelSize'),
        strides: ints(p, 'strides'),
        padding: str(p, 'padding'),
        activation: tfjsActivation(str(p, 'activation')),
        useBias: bool(p, 'useBias'),
      },
    },
    ...trailingActivationLayers(str(p, 'activation'), INLINE_LEAKY_ALPHA),
  ];
}

export const conv2dSpec: LayerSpec = {
  type: 'Conv2D',
  category: 'Convolution',
  label: 'Conv2D',
  description:
    'Slides learned filters over the image; each filter detects one pattern and produces one output channel.',
  params: conv2dParams,
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [3],
  inferShape: (inputs, p) => {
    const input = imageInput('Conv2D', inputs);
    if (isResult(input)) return input;
    const bad = stridesAndDilation('Conv2D', ints(p, 'strides'), ints(p, 'dilationRate'));
    if (bad) return bad;
    const out = windowOutput('Conv2D', input, int2(p, 'kernelSize'), int2(p, 'strides'), str(p, 'padding'), int2(p, 'dilationRate'));
    return out.ok ? ok([out.h, out.w, num(p, 'filters')]) : out.result;
  },
  countParams: (inputs, _o, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    const c = inputs[0]?.[2] ?? 0;
    const f = num(p, 'filters');
    return kh * kw * c * f + (bool(p, 'useBias') ? f : 0);
  },
  flops: (inputs, out, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    return 2 * product(out) * kh * kw * (inputs[0]?.[2] ?? 0) + activationFlops(str(p, 'activation'), product(out));
  },
  activationBytes: (_i, out, p) => activationBytesWithLeaky(out, p),
  summary: filtersWindowSummary,
  toTfjs: (p) => windowLayerToTfjs('Conv2D', p, { filters: num(p, 'filters'), dilationRate: ints(p, 'dilationRate') }),
};

/** The tfjs class of WSConv2D (a custom layer, registered for deserialisation under this name by the compiler). */
export const WS_CONV2D_CLASS = 'NeuralBricks>WSConv2D';

/**
 * Conv2D with scaled weight standardisation (Brock, De, Smith & Simonyan 2021, "High-Performance Large-Scale Image
 * Recognition Without Normalization", the NFNets' WSConv2D): before every use the kernel is standardised per output
 * channel, Ŵ = gain · (W − mean(W)) / √max(var(W) · fan_in, eps) with fan_in = kh·kw·in, so each channel's output
 * keeps the scale of its input without BatchNorm. Parameters: Conv2D's plus one learnable gain per filter.
 */
export const wsConv2dSpec: LayerSpec = {
  type: 'WSConv2D',
  category: 'Convolution',
  label: 'WSConv2D',
  description:
    'Conv2D whose filters are standardised (zero mean, variance 1/fan-in per filter) before every use, with a learned ' +
    'gain per filter: activations keep their scale without BatchNorm. The convolution of normalizer-free networks.',
  params: {
    filters: conv2dParams.filters,
    kernelSize: kernelSizeParam(),
    strides: stridesParam(),
    padding: paddingParam('same'),
    activation: activationParam('relu'),
    useBias: conv2dParams.useBias,
    eps: floatParam({
      label: 'Epsilon',
      help: 'Floor on variance × fan-in when standardising a filter, so a filter with (nearly) equal weights does not divide by zero.',
      default: 1e-4,
      min: 1e-12,
      max: 1,
    }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [3],
  inferShape: (inputs, p) => {
    const input = imageInput('WSConv2D', inputs);
    if (isResult(input)) return input;
    const out = windowOutput('WSConv2D', input, int2(p, 'kernelSize'), int2(p, 'strides'), str(p, 'padding'));
    return out.ok ? ok([out.h, out.w, num(p, 'filters')]) : out.result;
  },
  countParams: (inputs, _o, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    const c = inputs[0]?.[2] ?? 0;
    const f = num(p, 'filters');
    return kh * kw * c * f + (bool(p, 'useBias') ? f : 0) + f;
  },
  // Per sample the convolution's; standardising the kernel costs once per batch, not per sample.
  flops: (inputs, out, p) => conv2dSpec.flops(inputs, out, p),
  activationBytes: (_i, out, p) => activationBytesWithLeaky(out, p),
  summary: filtersWindowSummary,
  toTfjs: (p) => windowLayerToTfjs(WS_CONV2D_CLASS, p, { filters: num(p, 'filters'), eps: num(p, 'eps') }),
};

const depthMultiplierParam = intParam({
  label: 'Depth multiplier',
  help: 'Output channels per input channel of the depthwise step.',
  default: 1,
  min: 1,
  max: 64,
});

export const depthwiseConv2dSpec: LayerSpec = {
  type: 'DepthwiseConv2D',
  category: 'Convolution',
  label: 'DepthwiseConv2D',
  description: 'Convolves each input channel with its own filter(s), without mixing channels. Much cheaper than Conv2D.',
  params: {
    kernelSize: kernelSizeParam(),
    strides: stridesParam(),
    padding: paddingParam('same'),
    depthMultiplier: depthMultiplierParam,
    activation: activationParam('linear'),
    useBias: boolParam({ label: 'Use bias', help: 'Add a learned offset to each output channel.', default: true }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [3],
  inferShape: (inputs, p) => {
    const input = imageInput('DepthwiseConv2D', inputs);
    if (isResult(input)) return input;
    const out = windowOutput('DepthwiseConv2D', input, int2(p, 'kernelSize'), int2(p, 'strides'), str(p, 'padding'));
    return out.ok ? ok([out.h, out.w, (input[2] ?? 0) * num(p, 'depthMultiplier')]) : out.result;
  },
  countParams: (inputs, _o, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    const outC = (inputs[0]?.[2] ?? 0) * num(p, 'depthMultiplier');
    return kh * kw * outC + (bool(p, 'useBias') ? outC : 0);
  },
  flops: (_i, out, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    return 2 * product(out) * kh * kw + activationFlops(str(p, 'activation'), product(out));
  },
  activationBytes: (_i, out, p) => activationBytesWithLeaky(out, p),
  summary: (p) =>
    windowSummary(num(p, 'depthMultiplier') > 1 ? `×${num(p, 'depthMultiplier')}` : undefined, ints(p, 'kernelSize'), ints(p, 'strides'), str(p, 'padding')),
  toTfjs: (p) => windowLayerToTfjs('DepthwiseConv2D', p, { depthMultiplier: num(p, 'depthMultiplier') }),
};

export const separableConv2dSpec: LayerSpec = {
  type: 'SeparableConv2D',
  category: 'Convolution',
  label: 'SeparableConv2D',
  description:
    'A depthwise convolution followed by a 1×1 convolution that mixes channels: nearly what Conv2D does, for a ' +
    'fraction of the parameters.',
  params: {
    filters: conv2dParams.filters,
    kernelSize: kernelSizeParam(),
    strides: stridesParam(),
    padding: paddingParam('same'),
    depthMultiplier: depthMultiplierParam,
    activation: activationParam('relu'),
    useBias: boolParam({ label: 'Use bias', help: 'Add a learned offset to each filter.', default: true }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [3],
  inferShape: (inputs, p) => {
    const input = imageInput('SeparableConv2D', inputs);
    if (isResult(input)) return input;
    const out = windowOutput('SeparableConv2D', input, int2(p, 'kernelSize'), int2(p, 'strides'), str(p, 'padding'));
    return out.ok ? ok([out.h, out.w, num(p, 'filters')]) : out.result;
  },
  countParams: (inputs, _o, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    const mid = (inputs[0]?.[2] ?? 0) * num(p, 'depthMultiplier');
    const f = num(p, 'filters');
    return kh * kw * mid + mid * f + (bool(p, 'useBias') ? f : 0);
  },
  flops: (inputs, out, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    const mid = (inputs[0]?.[2] ?? 0) * num(p, 'depthMultiplier');
    const positions = (out[0] ?? 0) * (out[1] ?? 0);
    return 2 * positions * mid * (kh * kw + num(p, 'filters')) + activationFlops(str(p, 'activation'), product(out));
  },
  activationBytes: (_i, out, p) => activationBytesWithLeaky(out, p),
  summary: filtersWindowSummary,
  toTfjs: (p) => windowLayerToTfjs('SeparableConv2D', p, { filters: num(p, 'filters'), depthMultiplier: num(p, 'depthMultiplier') }),
};

export const conv2dTransposeSpec: LayerSpec = {
  type: 'Conv2DTranspose',
  category: 'Convolution',
  label: 'Conv2DTranspose',
  description: 'A learned upsampling: the reverse of a strided Conv2D (stride 2 doubles height and width). Used in decoders.',
  params: {
    filters: conv2dParams.filters,
    kernelSize: kernelSizeParam(),
    strides: stridesParam([2, 2]),
    padding: paddingParam('same'),
    activation: activationParam('relu'),
    useBias: boolParam({ label: 'Use bias', help: 'Add a learned offset to each filter.', default: true }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [3],
  inferShape: (inputs, p) => {
    const input = imageInput('Conv2DTranspose', inputs);
    if (isResult(input)) return input;
    const [kh, kw] = int2(p, 'kernelSize');
    const [sh, sw] = int2(p, 'strides');
    const pad = str(p, 'padding');
    return ok([
      deconvOutputLength(input[0] ?? 0, kh, pad, sh),
      deconvOutputLength(input[1] ?? 0, kw, pad, sw),
      num(p, 'filters'),
    ]);
  },
  countParams: (inputs, _o, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    const f = num(p, 'filters');
    return kh * kw * (inputs[0]?.[2] ?? 0) * f + (bool(p, 'useBias') ? f : 0);
  },
  flops: (inputs, out, p) => {
    const [kh, kw] = int2(p, 'kernelSize');
    const input = inputs[0] ?? [];
    return 2 * product(input) * kh * kw * num(p, 'filters') + activationFlops(str(p, 'activation'), product(out));
  },
  activationBytes: (_i, out, p) => activationBytesWithLeaky(out, p),
  summary: filtersWindowSummary,
  toTfjs: (p) => windowLayerToTfjs('Conv2DTranspose', p, { filters: num(p, 'filters') }),
};

export const upSampling2dSpec: LayerSpec = {
  type: 'UpSampling2D',
  category: 'Convolution',
  label: 'UpSampling2D',
  description: 'Enlarges the image by repeating pixels (nearest) or interpolating (bilinear). No weights.',
  params: {
    size: intsParam({ label: 'Size', help: 'Factors for height and width.', default: [2, 2], length: 2, min: 1, max: 64 }),
    interpolation: enumParam({
      label: 'Interpolation',
      help: 'How new pixels are filled.',
      default: 'nearest',
      options: ['nearest', 'bilinear'],
    }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [3],
  inferShape: (inputs, p) => {
    const input = imageInput('UpSampling2D', inputs);
    if (isResult(input)) return input;
    const [sh, sw] = int2(p, 'size');
    return ok([(input[0] ?? 0) * sh, (input[1] ?? 0) * sw, input[2] ?? 0]);
  },
  countParams: () => 0,
  flops: (_i, out, p) => (str(p, 'interpolation') === 'bilinear' ? 8 * product(out) : 0),
  summary: (p) => `×${ints(p, 'size').join('×')}`,
  toTfjs: (p) => [{ className: 'UpSampling2D', config: { size: ints(p, 'size'), interpolation: str(p, 'interpolation') } }],
};

export const zeroPadding2dSpec: LayerSpec = {
  type: 'ZeroPadding2D',
  category: 'Convolution',
  label: 'ZeroPadding2D',
  description: 'Adds rows and columns of zeros around the image.',
  params: {
    padding: intsParam({
      label: 'Padding',
      help: 'Zeros to add: [top, bottom, left, right].',
      default: [1, 1, 1, 1],
      length: 4,
      min: 0,
      max: 4096,
    }),
  },
  inputs: { min: 1, max: 1, ordered: false },
  inputRanks: [3],
  inferShape: (inputs, p) => {
    const input = imageInput('ZeroPadding2D', inputs);
    if (isResult(input)) return input;
    const [t = 0, b = 0, l = 0, r = 0] = ints(p, 'padding');
    return ok([(input[0] ?? 0) + t + b, (input[1] ?? 0) + l + r, input[2] ?? 0]);
  },
  countParams: () => 0,
  flops: () => 0,
  summary: (p) => {
    const pad = ints(p, 'padding');
    return pad.every((v) => v === pad[0]) ? `+${pad[0]}` : `+${pad.join(',')}`;
  },
  toTfjs: (p) => {
    const [t = 0, b = 0, l = 0, r = 0] = ints(p, 'padding');
    return [{ className: 'ZeroPadding2D', config: { padding: [[t, b], [l, r]] } }];
  },
};

export const convolutionLayers: readonly LayerSpec[] = [
  conv2dSpec,
  wsConv2dSpec,
  depthwiseConv2dSpec,
  separableConv2dSpec,
  conv2dTransposeSpec,
  upSampling2dSpec,
  zeroPadding2dSpec,
];

