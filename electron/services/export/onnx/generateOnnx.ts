/**
 * Graph → ONNX (opset 13): a ModelProto whose nodes follow the graph in topological order, every value named after the
 * graph node that produces it (helper steps get `<id>/<step>`), and the weights inside as initializers
 * (`<id>/<weight>`), already in ONNX's layouts.
 *
 * Conventions:
 * - The model input keeps the app's layout: images N×H×W×C (NHWC), vectors N×F, sequences N×T×F, token ids N×T
 *   (int32). An image input is transposed to NCHW once (`<input>/nchw`); convolutions, pooling and BatchNorm work in
 *   ONNX's NCHW. Flatten and Reshape of an image transpose back to NHWC first, so the flat vector has TF.js's order
 *   and the trained Dense weights after it are used unchanged (as the PyTorch export does). An image output is
 *   transposed back to NHWC.
 * - 'same' padding is TensorFlow's, written as explicit `pads` (the odd pixel at the bottom/right when the total is
 *   odd); average pooling divides by the number of real pixels (count_include_pad = 0), as TF does.
 * - Things ONNX 13 has no operator for are spelt out: exact GELU (erf), swish (x·sigmoid), LayerNormalization
 *   (ReduceMean…), BatchNorm of vectors and sequences (a per-feature Mul and Add). WSConv2D's standardised kernel is
 *   computed at export (it depends on the weights only), so it is a plain Conv.
 *
 * Pure: it reads the graph, its analysis and the weight values handed in; {@link encodeOnnxModel} makes the bytes.
 */
import { ExportError, type ExportProblem } from '../exportError';
import { planExport, planNode } from '../exportPlan';
import protobuf from 'protobufjs';
import type { GraphDocument, NodeId } from '../../../../shared/document/model';
import { bool, int2, ints, num, str } from '../../../../shared/catalog/paramHelpers';
import { INLINE_LEAKY_ALPHA } from '../../../../shared/catalog/core';
import { sampleAxis } from '../../../../shared/catalog/merge';
import type { ResolvedParams, Shape } from '../../../../shared/catalog/spec';
import type { GraphAnalysis } from '../../../../shared/inference/types';
import type { LayerWeight, NodeWeights } from '../pytorch/generatePytorch';
import { samePadding, transpose } from '../pytorch/generatePytorch';
import { ONNX_PROTO3 } from './onnxProto';

export const ONNX_OPSET = 13;
/** IR version 7 is the one that goes with opset 13 (ONNX 1.8). */
export const ONNX_IR_VERSION = 7;

export type OnnxExportProblem = ExportProblem;

/** The graph has nodes the ONNX exporter cannot write (each named, with why). */
export class OnnxExportError extends ExportError {
  constructor(problems: readonly ExportProblem[]) {
    super('ONNX', problems);
  }
}

/** TensorProto.DataType values used here. */
const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;

interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
const AT = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
const aInt = (name: string, i: number): Attribute => ({ name, type: AT.INT, i });
const aInts = (name: string, values: readonly number[]): Attribute => ({ name, type: AT.INTS, ints: [...values] });
const aFloat = (name: string, f: number): Attribute => ({ name, type: AT.FLOAT, f });
const aFloats = (name: string, values: readonly number[]): Attribute => ({ name, type: AT.FLOATS, floats: [...values] });
const aStr = (name: string, s: string): Attribute => ({ name, type: AT.STRING, s: new TextEncoder().encode(s) });
const aStrs = (name: string, values: readonly string[]): Attribute => ({ name, type: AT.STRINGS, strings: values.map((s) => new TextEncoder().encode(s)) });

export interface OnnxNode {
  readonly name: string;
  readonly op_type: string;
  readonly input: string[];
  readonly output: string[];
  readonly attribute: Attribute[];
}
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: number[];
  readonly dataType: number;
  readonly data: Float32Array | BigInt64Array;
}

export interface GeneratedOnnx {
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  /** The model input: its name, per-sample shape in the app's layout, and element type. */
  readonly input: { readonly name: string; readonly shape: readonly number[]; readonly kind: string; readonly dataType: number };
  readonly output: { readonly name: string; readonly shape: readonly number[] };
  readonly graphName: string;
  readonly docString: string;
}

/** Raised inside a node's writer; collected into an {@link OnnxExportError}. */
class Unsupported extends Error {}

const isImage = (shape: Shape): boolean => shape.length === 3;
/** Kernel [kh, kw, in, out] → Conv weight [out, in, kh, kw] (Conv2DTranspose's [kh, kw, out, in] → [in, out, kh, kw]). */
const KERNEL_TO_OIHW = [3, 2, 0, 1];
const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

class Builder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly used = new Set<string>();
  /** Graph node ids: the names of the values those nodes produce, kept free for them. */
  private readonly reserved = new Set<string>();

  reserve(id: string): void {
    this.reserved.add(id);
  }
  /** A value / node name not taken yet (`wanted`, else `wanted_2`, …); a reserved node id is handed out once, as is. */
  unique(wanted: string): string {
    if (this.reserved.delete(wanted)) {
      this.used.add(wanted);
      return wanted;
    }
    let name = wanted;
    for (let i = 2; this.used.has(name) || this.reserved.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }
  /** Adds a node; its single output value gets the node's (unique) name. */
  op(name: string, opType: string, inputs: readonly string[], attributes: Attribute[] = []): string {
    const out = this.unique(name);
    this.nodes.push({ name: out, op_type: opType, input: [...inputs], output: [out], attribute: attributes });
    return out;
  }
  /** Adds a node with several outputs (named `<name>/<suffix>`). */
  opMulti(name: string, opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Attribute[] = []): string[] {
    const node = this.unique(name);
    const outs = outputs.map((o) => this.unique(`${name}/${o}`));
    this.nodes.push({ name: node, op_type: opType, input: [...inputs], output: outs, attribute: attributes });
    return outs;
  }
  floats(name: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims: [...dims], dataType: FLOAT, data: data instanceof Float32Array ? data : Float32Array.from(data) });
    return n;
  }
  int64s(name: string, values: readonly number[]): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims: [values.length], dataType: INT64, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return n;
  }
  transpose(name: string, input: string, perm: readonly number[]): string {
    return this.op(name, 'Transpose', [input], [aInts('perm', perm)]);
  }
}

interface NodeContext {
  readonly id: NodeId;
  readonly type: string;
  readonly params: ResolvedParams;
  readonly inShapes: readonly Shape[];
  readonly outShape: Shape;
  /** ONNX values holding the inputs (images NCHW), in port order. */
  readonly inputs: readonly string[];
  readonly weights: ReadonlyMap<string, LayerWeight> | undefined;
  readonly b: Builder;
}

function weight(ctx: NodeContext, key: string): LayerWeight {
  const w = ctx.weights?.get(key);
  if (!w) throw new Unsupported(`its model layer has no weight '${key}' (weights found: ${[...(ctx.weights?.keys() ?? [])].join(', ') || 'none'})`);
  return w;
}
function init(ctx: NodeContext, key: string, w: LayerWeight, perm?: readonly number[]): string {
  if (!perm) return ctx.b.floats(`${ctx.id}/${key}`, w.shape, w.data);
  const t = transpose(w.data, w.shape, perm);
  return ctx.b.floats(`${ctx.id}/${key}`, t.shape, t.data);
}

/**
 * `activation` applied to `x` (per-sample shape `shape`, images NCHW); the last step's output is named `name`.
 * Returns the resulting value.
 */
function activate(b: Builder, name: string, activation: string, x: string, shape: Shape, alpha = INLINE_LEAKY_ALPHA): string {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return b.op(name, 'Relu', [x]);
    case 'leakyRelu':
      return b.op(name, 'LeakyRelu', [x], [aFloat('alpha', alpha)]);
    case 'elu':
      return b.op(name, 'Elu', [x], [aFloat('alpha', 1)]);
    case 'gelu': {
      // Exact GELU, as TF.js's 'gelu': 0.5 · x · (1 + erf(x / √2)). (ONNX has Gelu only from opset 20.)
      const erf = b.op(`${name}/erf`, 'Erf', [b.op(`${name}/scaled`, 'Div', [x, b.floats(`${name}/sqrt2`, [], [Math.SQRT2])])]);
      const onePlus = b.op(`${name}/one_plus`, 'Add', [erf, b.floats(`${name}/one`, [], [1])]);
      return b.op(name, 'Mul', [b.op(`${name}/half_x`, 'Mul', [x, b.floats(`${name}/half`, [], [0.5])]), onePlus]);
    }
    case 'swish':
      return b.op(name, 'Mul', [x, b.op(`${name}/sigmoid`, 'Sigmoid', [x])]);
    case 'sigmoid':
      return b.op(name, 'Sigmoid', [x]);
    case 'tanh':
      return b.op(name, 'Tanh', [x]);
    case 'softmax':
      // TF.js takes softmax over the last axis: channels, which is axis 1 of an NCHW image.
      return b.op(name, 'Softmax', [x], [aInt('axis', isImage(shape) ? 1 : -1)]);
    default:
      throw new Unsupported(`no ONNX form for activation '${activation}'`);
  }
}

/** Conv/pool `pads` ([top, left, bottom, right]) for TF's 'same' or 'valid'. */
function windowPads(input: Shape, kernel: readonly number[], strides: readonly number[], padding: string, dilation: readonly number[] = [1, 1]): number[] {
  if (padding !== 'same') return [0, 0, 0, 0];
  const [top, bottom] = samePadding(input[0]!, kernel[0]!, strides[0]!, dilation[0]);
  const [left, right] = samePadding(input[1]!, kernel[1]!, strides[1]!, dilation[1]);
  return [top, left, bottom, right];
}

/** WSConv2D's standardised kernel [kh, kw, in, out]: per output channel gain · (W − mean) · rsqrt(max(var · fan_in, eps)). */
function standardizedKernel(kernel: LayerWeight, gain: LayerWeight, eps: number): LayerWeight {
  const out = kernel.shape[3]!;
  const fanIn = kernel.data.length / out;
  const data = new Float32Array(kernel.data.length);
  for (let o = 0; o < out; o++) {
    let mean = 0;
    for (let i = 0; i < fanIn; i++) mean += kernel.data[i * out + o]!;
    mean /= fanIn;
    let variance = 0;
    for (let i = 0; i < fanIn; i++) variance += (kernel.data[i * out + o]! - mean) ** 2;
    variance /= fanIn;
    const scale = (1 / Math.sqrt(Math.max(variance * fanIn, eps))) * gain.data[o]!;
    for (let i = 0; i < fanIn; i++) data[i * out + o] = (kernel.data[i * out + o]! - mean) * scale;
  }
  return { shape: kernel.shape, data };
}

/** ONNX recurrent activation names for the cell's activation (gates are TF.js's hard sigmoid). */
function recurrentActivation(activation: string): string {
  // Affine with α = 1, β = 0 is the identity (activation_alpha/beta below give every non-gate activation 1 and 0).
  const names: Record<string, string> = { tanh: 'Tanh', relu: 'Relu', sigmoid: 'Sigmoid', elu: 'Elu', linear: 'Affine' };
  const name = names[activation];
  if (!name) throw new Unsupported(`ONNX's LSTM/GRU cannot use activation '${activation}' (possible: ${Object.keys(names).join(', ')})`);
  return name;
}

/** Rows of a [in, gates·units] kernel, regrouped in `order` of gate blocks and transposed: [gates·units, in]. */
function gateRows(w: LayerWeight, units: number, order: readonly number[]): Float32Array {
  const rows = w.shape[0]!;
  const cols = w.shape[1]!;
  const out = new Float32Array(w.data.length);
  let k = 0;
  for (const g of order) {
    for (let u = 0; u < units; u++) {
      const col = g * units + u;
      for (let r = 0; r < rows; r++) out[k++] = w.data[r * cols + col]!;
    }
  }
  return out;
}

/** Writes one node; returns the value holding its output (images NCHW). */
function nodeOps(ctx: NodeContext): string {
  const { params: p, id, b, outShape } = ctx;
  const src = ctx.inputs[0]!;
  const inShape = ctx.inShapes[0] ?? [];

  const dense = (activation: string, useBias: boolean, alpha?: number): string => {
    if (isImage(inShape)) throw new Unsupported('a Dense layer applied to an image is not exported (flatten or pool it first)');
    const kernel = init(ctx, 'kernel', weight(ctx, 'kernel'));
    const linear = activation === 'linear';
    let y = b.op(useBias || !linear ? `${id}/matmul` : id, 'MatMul', [src, kernel]);
    if (useBias) y = b.op(linear ? id : `${id}/linear`, 'Add', [y, init(ctx, 'bias', weight(ctx, 'bias'))]);
    return activate(b, id, activation, y, outShape, alpha);
  };

  const conv = (w: string, bias: string | undefined, kernel: readonly number[], strides: readonly number[], pads: number[], dilation: readonly number[], group: number, name: string, input = src): string => {
    const attrs = [aInts('kernel_shape', kernel), aInts('strides', strides), aInts('pads', pads), aInts('dilations', dilation)];
    if (group !== 1) attrs.push(aInt('group', group));
    return b.op(name, 'Conv', bias ? [input, w, bias] : [input, w], attrs);
  };

  switch (ctx.type) {
    case 'Dense':
      return dense(str(p, 'activation'), bool(p, 'useBias'));
    case 'Output': {
      const task = str(p, 'task');
      return dense(task === 'classification' ? 'softmax' : task === 'binary' ? 'sigmoid' : 'linear', true);
    }
    case 'Activation':
      if (str(p, 'activation') === 'linear') return b.op(id, 'Identity', [src]);
      return activate(b, id, str(p, 'activation'), src, outShape, num(p, 'alpha'));
    case 'Dropout':
      return b.op(id, 'Identity', [src]); // dropout is off when predicting
    case 'Flatten':
      if (isImage(inShape)) {
        // NCHW → NHWC before flattening: TF.js flattens channels-last, and the trained weights after this expect that order.
        return b.op(id, 'Flatten', [b.transpose(`${id}/nhwc`, src, TO_NHWC)], [aInt('axis', 1)]);
      }
      return inShape.length > 1 ? b.op(id, 'Flatten', [src], [aInt('axis', 1)]) : b.op(id, 'Identity', [src]);
    case 'Reshape': {
      const from = isImage(inShape) ? b.transpose(`${id}/nhwc`, src, TO_NHWC) : src;
      const shape = b.int64s(`${id}/shape`, [-1, ...outShape]);
      if (!isImage(outShape)) return b.op(id, 'Reshape', [from, shape]);
      return b.transpose(id, b.op(`${id}/nhwc_out`, 'Reshape', [from, shape]), TO_NCHW);
    }
    case 'Embedding':
      return b.op(id, 'Gather', [init(ctx, 'embeddings', weight(ctx, 'embeddings')), src], [aInt('axis', 0)]);
    case 'Conv2D':
    case 'WSConv2D': {
      const kernel = int2(p, 'kernelSize');
      const strides = int2(p, 'strides');
      const dilation = ctx.type === 'Conv2D' ? int2(p, 'dilationRate') : ([1, 1] as const);
      const useBias = bool(p, 'useBias');
      const k = ctx.type === 'Conv2D' ? weight(ctx, 'kernel') : standardizedKernel(weight(ctx, 'kernel'), weight(ctx, 'gain'), num(p, 'eps'));
      const w = init(ctx, ctx.type === 'Conv2D' ? 'kernel' : 'standardized_kernel', k, KERNEL_TO_OIHW);
      const bias = useBias ? init(ctx, 'bias', weight(ctx, 'bias')) : undefined;
      const pads = windowPads(inShape, kernel, strides, str(p, 'padding'), dilation);
      const activation = str(p, 'activation');
      const y = conv(w, bias, kernel, strides, pads, dilation, 1, activation === 'linear' ? id : `${id}/conv`);
      return activate(b, id, activation, y, outShape);
    }
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      const kernel = int2(p, 'kernelSize');
      const strides = int2(p, 'strides');
      const channels = inShape[2]!;
      const mult = num(p, 'depthMultiplier');
      const useBias = bool(p, 'useBias');
      const pads = windowPads(inShape, kernel, strides, str(p, 'padding'));
      // depthwise_kernel [kh, kw, in, mult] → [in·mult, 1, kh, kw]: output channel c·mult + m, as group = in orders them.
      const dw = weight(ctx, 'depthwise_kernel');
      const dwT = transpose(dw.data, dw.shape, [2, 3, 0, 1]);
      const dwW = b.floats(`${id}/depthwise_kernel`, [channels * mult, 1, kernel[0], kernel[1]], dwT.data);
      const activation = str(p, 'activation');
      const last = activation === 'linear' ? id : `${id}/conv`;
      if (ctx.type === 'DepthwiseConv2D') {
        const bias = useBias ? init(ctx, 'bias', weight(ctx, 'bias')) : undefined;
        return activate(b, id, activation, conv(dwW, bias, kernel, strides, pads, [1, 1], channels, last), outShape);
      }
      const depthwise = conv(dwW, undefined, kernel, strides, pads, [1, 1], channels, `${id}/depthwise`);
      const pw = init(ctx, 'pointwise_kernel', weight(ctx, 'pointwise_kernel'), KERNEL_TO_OIHW);
      const bias = useBias ? init(ctx, 'bias', weight(ctx, 'bias')) : undefined;
      return activate(b, id, activation, conv(pw, bias, [1, 1], [1, 1], [0, 0, 0, 0], [1, 1], 1, last, depthwise), outShape);
    }
    case 'Conv2DTranspose': {
      const kernel = int2(p, 'kernelSize');
      const strides = int2(p, 'strides');
      const useBias = bool(p, 'useBias');
      // The full output is (in − 1)·s + k; TF crops it ('same': the odd pixel at the end) or extends it (k < s).
      const full = [0, 1].map((a) => (inShape[a]! - 1) * strides[a]! + kernel[a]!);
      const outputPadding = [0, 1].map((a) => Math.max(outShape[a]! - full[a]!, 0));
      const begin = [0, 1].map((a) => Math.floor(Math.max(full[a]! - outShape[a]!, 0) / 2));
      const end = [0, 1].map((a) => Math.max(full[a]! - outShape[a]!, 0) - begin[a]!);
      const w = init(ctx, 'kernel', weight(ctx, 'kernel'), KERNEL_TO_OIHW);
      const inputs = useBias ? [src, w, init(ctx, 'bias', weight(ctx, 'bias'))] : [src, w];
      const attrs = [aInts('kernel_shape', kernel), aInts('strides', strides), aInts('pads', [begin[0]!, begin[1]!, end[0]!, end[1]!])];
      if (outputPadding.some((o) => o > 0)) attrs.push(aInts('output_padding', outputPadding));
      const activation = str(p, 'activation');
      return activate(b, id, activation, b.op(activation === 'linear' ? id : `${id}/conv`, 'ConvTranspose', inputs, attrs), outShape);
    }
    case 'UpSampling2D': {
      const size = int2(p, 'size');
      const scales = b.floats(`${id}/scales`, [4], [1, 1, size[0], size[1]]);
      // TF.js samples input position out / scale (no half-pixel centres): 'asymmetric' in ONNX's terms.
      const attrs =
        str(p, 'interpolation') === 'nearest'
          ? [aStr('mode', 'nearest'), aStr('coordinate_transformation_mode', 'asymmetric'), aStr('nearest_mode', 'floor')]
          : [aStr('mode', 'linear'), aStr('coordinate_transformation_mode', 'asymmetric')];
      return b.op(id, 'Resize', [src, '', scales], attrs);
    }
    case 'ZeroPadding2D': {
      const [t, bottom, l, r] = ints(p, 'padding');
      return b.op(id, 'Pad', [src, b.int64s(`${id}/pads`, [0, 0, t!, l!, 0, 0, bottom!, r!])]);
    }
    case 'MaxPool2D':
    case 'AvgPool2D': {
      const pool = int2(p, 'poolSize');
      const strides = int2(p, 'strides');
      const attrs = [aInts('kernel_shape', pool), aInts('strides', strides), aInts('pads', windowPads(inShape, pool, strides, str(p, 'padding')))];
      // ONNX's MaxPool ignores padded cells; AveragePool with count_include_pad = 0 divides by the real ones, as TF.
      if (ctx.type === 'AvgPool2D') attrs.push(aInt('count_include_pad', 0));
      return b.op(id, ctx.type === 'MaxPool2D' ? 'MaxPool' : 'AveragePool', [src], attrs);
    }
    case 'GlobalAvgPool2D':
      return b.op(id, 'ReduceMean', [src], [aInts('axes', [2, 3]), aInt('keepdims', 0)]);
    case 'GlobalMaxPool2D':
      return b.op(id, 'ReduceMax', [src], [aInts('axes', [2, 3]), aInt('keepdims', 0)]);
    case 'BatchNorm': {
      const eps = num(p, 'epsilon');
      const gamma = weight(ctx, 'gamma');
      const beta = weight(ctx, 'beta');
      const mean = weight(ctx, 'moving_mean');
      const variance = weight(ctx, 'moving_variance');
      if (isImage(inShape)) {
        const inputs = [src, init(ctx, 'gamma', gamma), init(ctx, 'beta', beta), init(ctx, 'moving_mean', mean), init(ctx, 'moving_variance', variance)];
        return b.op(id, 'BatchNormalization', inputs, [aFloat('epsilon', eps)]);
      }
      // Over the last axis (features) of vectors and sequences: y = x · scale + shift with the running statistics folded in.
      const scale = gamma.data.map((g, i) => g / Math.sqrt(variance.data[i]! + eps));
      const shift = beta.data.map((bb, i) => bb - mean.data[i]! * scale[i]!);
      const scaled = b.op(`${id}/scaled`, 'Mul', [src, b.floats(`${id}/scale`, gamma.shape, scale)]);
      return b.op(id, 'Add', [scaled, b.floats(`${id}/shift`, beta.shape, shift)]);
    }
    case 'LayerNorm': {
      const axis = isImage(inShape) ? 1 : -1; // channels, TF.js's last axis
      const features = inShape[inShape.length - 1]!;
      const paramShape = isImage(inShape) ? [features, 1, 1] : [features];
      const mean = b.op(`${id}/mean`, 'ReduceMean', [src], [aInts('axes', [axis]), aInt('keepdims', 1)]);
      const centred = b.op(`${id}/centred`, 'Sub', [src, mean]);
      const variance = b.op(`${id}/variance`, 'ReduceMean', [b.op(`${id}/squared`, 'Mul', [centred, centred])], [aInts('axes', [axis]), aInt('keepdims', 1)]);
      const std = b.op(`${id}/std`, 'Sqrt', [b.op(`${id}/variance_eps`, 'Add', [variance, b.floats(`${id}/epsilon`, [], [num(p, 'epsilon')])])]);
      const normalised = b.op(`${id}/normalised`, 'Div', [centred, std]);
      const gamma = weight(ctx, 'gamma');
      const beta = weight(ctx, 'beta');
      const scaled = b.op(`${id}/scaled`, 'Mul', [normalised, b.floats(`${id}/gamma`, paramShape, gamma.data)]);
      return b.op(id, 'Add', [scaled, b.floats(`${id}/beta`, paramShape, beta.data)]);
    }
    case 'SkipInit':
      return b.op(id, 'Mul', [src, b.floats(`${id}/alpha`, [], weight(ctx, 'alpha').data)]);
    case 'Add':
    case 'Multiply': {
      const op = ctx.type === 'Add' ? 'Add' : 'Mul';
      let acc = ctx.inputs[0]!;
      ctx.inputs.slice(1).forEach((next, i) => {
        acc = b.op(i === ctx.inputs.length - 2 ? id : `${id}/${i + 1}`, op, [acc, next]);
      });
      return acc;
    }
    case 'Concatenate': {
      const axis = sampleAxis(num(p, 'axis'), inShape.length);
      if (axis === undefined) throw new Unsupported(`axis ${num(p, 'axis')} is out of range`);
      return b.op(id, 'Concat', [...ctx.inputs], [aInt('axis', isImage(inShape) ? [2, 3, 1][axis]! : axis + 1)]);
    }
    case 'LSTM':
    case 'GRU': {
      const units = num(p, 'units');
      const lstm = ctx.type === 'LSTM';
      const act = recurrentActivation(str(p, 'activation'));
      // TF.js gate blocks: LSTM i, f, c, o → ONNX i, o, f, c; GRU z, r, h → ONNX z, r, h.
      const order = lstm ? [0, 3, 1, 2] : [0, 1, 2];
      const gates = order.length;
      const kernel = weight(ctx, 'kernel');
      const W = b.floats(`${id}/W`, [1, gates * units, kernel.shape[0]!], gateRows(kernel, units, order));
      const R = b.floats(`${id}/R`, [1, gates * units, units], gateRows(weight(ctx, 'recurrent_kernel'), units, order));
      const inputs = [b.transpose(`${id}/time_major`, src, [1, 0, 2]), W, R];
      if (bool(p, 'useBias')) {
        const bias = weight(ctx, 'bias').data;
        const B = new Float32Array(2 * gates * units); // [Wb, Rb]: TF.js has one bias, so Rb = 0
        let k = 0;
        for (const g of order) for (let u = 0; u < units; u++) B[k++] = bias[g * units + u]!;
        inputs.push(b.floats(`${id}/B`, [1, 2 * gates * units], B));
      }
      // Gates: TF.js's hard sigmoid clip(0.2·x + 0.5, 0, 1); GRU: reset gate applied before the recurrent product.
      const activations = lstm ? ['HardSigmoid', act, act] : ['HardSigmoid', act];
      const attrs = [
        aInt('hidden_size', units),
        aStrs('activations', activations),
        aFloats('activation_alpha', activations.map((a) => (a === 'HardSigmoid' ? 0.2 : 1))),
        aFloats('activation_beta', activations.map((a) => (a === 'HardSigmoid' ? 0.5 : 0))),
      ];
      if (!lstm) attrs.push(aInt('linear_before_reset', 0));
      const [Y, Yh] = b.opMulti(`${id}/${ctx.type.toLowerCase()}`, ctx.type, inputs, ['Y', 'Y_h'], attrs);
      if (bool(p, 'returnSequences')) {
        // Y: T × 1 (direction) × N × units → N × T × units
        const squeezed = b.op(`${id}/steps`, 'Squeeze', [Y!, b.int64s(`${id}/direction_axis`, [1])]);
        return b.transpose(id, squeezed, [1, 0, 2]);
      }
      return b.op(id, 'Squeeze', [Yh!, b.int64s(`${id}/direction_axis`, [0])]);
    }
    default:
      throw new Unsupported(`no ONNX mapping for layer type '${ctx.type}' yet`);
  }
}

/**
 * The ONNX graph for a graph that compiles (exactly one Input and one Output; analysis without errors). Throws
 * {@link OnnxExportError} listing every node that cannot be written.
 */
export function generateOnnx(doc: GraphDocument, analysis: GraphAnalysis, weightsOf: NodeWeights, options: { weightsFrom: string; sourceFile?: string }): GeneratedOnnx {
  const plan = planExport(doc, analysis);
  const { input, output, incoming } = plan;
  const order = plan.order;

  const b = new Builder();
  // Node ids are the value names; reserve them first so helper steps never take one.
  for (const id of order) b.reserve(id);
  const valueOf = new Map<NodeId, string>();
  const problems: OnnxExportProblem[] = [];
  let inputKind = 'vector';
  const inputShape = analysis.nodes.get(input.id)?.output ?? [];
  for (const id of order) {
    const planned = planNode(plan, analysis, id);
    if ('problem' in planned) {
      problems.push(planned.problem);
      continue;
    }
    const { node, info, params } = planned;
    if (node.type === 'Input') {
      inputKind = str(params, 'kind');
      // The model input keeps the app's NHWC; everything inside works on NCHW.
      b.unique(id);
      valueOf.set(id, isImage(info.output) ? b.transpose(`${id}/nchw`, id, TO_NCHW) : id);
      continue;
    }
    const sources = [...(incoming.get(id) ?? [])]
      .sort((a, c) => a.port - c.port || (a.id < c.id ? -1 : a.id > c.id ? 1 : 0))
      .map((e) => valueOf.get(e.source));
    if (sources.some((s) => s === undefined)) {
      problems.push({ nodeId: id, type: node.type, reason: 'an input node could not be exported' });
      continue;
    }
    const marker = b.nodes.length;
    const markerInit = b.initializers.length;
    try {
      const value = nodeOps({
        id,
        type: node.type,
        params,
        inShapes: info.inputShapes.filter((s): s is Shape => s !== undefined),
        outShape: info.output,
        inputs: sources as string[],
        weights: weightsOf(id),
        b,
      });
      valueOf.set(id, value);
    } catch (err) {
      // Drop the half-written node; keep going so every problem is reported at once.
      b.nodes.length = marker;
      b.initializers.length = markerInit;
      problems.push({ nodeId: id, type: node.type, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  if (problems.length > 0) throw new OnnxExportError(problems);

  const outputShape = analysis.nodes.get(output.id)?.output ?? [];
  let out = valueOf.get(output.id)!;
  if (isImage(outputShape)) out = b.transpose(`${output.id}/nhwc`, out, TO_NHWC);
  // The graph output is named after the Output node: make sure the last value carries that name.
  if (out !== output.id) out = b.op(`${output.id}/output`, 'Identity', [out]);
  const dataType = inputKind === 'tokens' ? INT32 : FLOAT;
  const layout = isImage(inputShape) ? 'images N×H×W×C (NHWC, as the app), float32' : inputKind === 'tokens' ? 'token ids N×T, int32' : 'float32';
  return {
    nodes: b.nodes,
    initializers: b.initializers,
    input: { name: input.id, shape: [...inputShape], kind: inputKind, dataType },
    output: { name: out, shape: [...outputShape] },
    graphName: doc.metadata.name || 'Model',
    docString:
      `${doc.metadata.name || 'Model'} — exported from Neural Bricks${options.sourceFile ? ` (${options.sourceFile})` : ''}. ` +
      `Weights: ${options.weightsFrom}. Input '${input.id}': ${layout}. Output '${out}': N×${outputShape.join('×')}.`,
  };
}

let modelType: protobuf.Type | undefined;
/** onnx.ModelProto, parsed once from the official schema. */
function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO3, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

function valueInfo(name: string, elemType: number, shape: readonly number[]) {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: [{ dim_param: 'N' }, ...shape.map((d) => ({ dim_value: d }))] } } },
  };
}

function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.length * (data instanceof Float32Array ? 4 : 8));
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i]!, true);
    else view.setBigInt64(i * 8, data[i]!, true);
  }
  return out;
}

/** The bytes of model.onnx (ModelProto, IR 7, opset 13), written with protobufjs from the official onnx.proto3. */
export function encodeOnnxModel(g: GeneratedOnnx, producerVersion: string): Uint8Array {
  const Model = onnxModelType();
  const model = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'Neural Bricks',
    producer_version: producerVersion,
    doc_string: g.docString,
    graph: {
      name: g.graphName,
      doc_string: g.docString,
      node: g.nodes,
      initializer: g.initializers.map((t) => ({ name: t.name, dims: t.dims, data_type: t.dataType, raw_data: rawBytes(t.data) })),
      input: [valueInfo(g.input.name, g.input.dataType, g.input.shape)],
      output: [valueInfo(g.output.name, FLOAT, g.output.shape)],
    },
  };
  const problem = Model.verify(model);
  if (problem) throw new Error(`ONNX model does not fit onnx.proto3: ${problem}`);
  return Model.encode(Model.fromObject(model)).finish();
}
