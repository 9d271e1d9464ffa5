/**
 * Graph → PyTorch: the source of `model.py` (an `nn.Module` a person could have written) and its weights, already in
 * PyTorch's layouts, named `<attribute>.<parameter>` as `state_dict()` names them.
 *
 * Conventions of the generated code:
 * - Images are NCHW inside the module (PyTorch's own layout); the module takes NCHW input. Everything else (vectors
 *   N×F, sequences N×T×F, token ids N×T) is as in the graph.
 * - Flatten (and Reshape) of an image first permutes NCHW → NHWC, so the flat vector has TF.js's order and the
 *   following Dense weights are used as trained, unchanged.
 * - 'same' padding is TensorFlow's: when the total padding is odd, the extra row/column goes at the bottom/right, which
 *   PyTorch's symmetric `padding=` cannot say; then the code pads with F.pad first.
 * - BatchNorm: PyTorch's momentum is 1 − TF's; epsilon is the graph's.
 *
 * Pure code generation: it reads the graph, its analysis and the weight values handed in, nothing else.
 */
import { ExportError, type ExportProblem } from '../exportError';
import { indent, planExport, planNode } from '../exportPlan';
import type { GraphDocument, NodeId } from '../../../../shared/document/model';
import { bool, int2, ints, num, str } from '../../../../shared/catalog/paramHelpers';
import { INLINE_LEAKY_ALPHA } from '../../../../shared/catalog/core';
import { sampleAxis } from '../../../../shared/catalog/merge';
import { outputUnits } from '../../../../shared/catalog/io';
import type { ResolvedParams, Shape } from '../../../../shared/catalog/spec';
import type { GraphAnalysis } from '../../../../shared/inference/types';
import type { NamedTensor } from './safetensors';

/** One weight of a tfjs layer, by its short name (`kernel`, `bias`, `gamma`, `moving_mean`, …). */
export interface LayerWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
/** The weights of the tfjs layer(s) a node became, by short name; undefined when the node has none. */
export type NodeWeights = (nodeId: NodeId) => ReadonlyMap<string, LayerWeight> | undefined;

export type PytorchExportProblem = ExportProblem;

/** The graph has nodes the PyTorch exporter cannot write (each named, with why). */
export class PytorchExportError extends ExportError {
  constructor(problems: readonly ExportProblem[]) {
    super('PyTorch', problems);
  }
}

export interface GeneratedPytorch {
  /** The text of model.py. */
  readonly source: string;
  /** Tensors for weights.safetensors, in PyTorch layouts. */
  readonly tensors: readonly NamedTensor[];
  readonly className: string;
  /** Python attribute / variable name per exported node. */
  readonly names: ReadonlyMap<NodeId, string>;
  /** The module's input: its PyTorch shape per sample and dtype. */
  readonly input: { readonly nodeId: NodeId; readonly shape: readonly number[]; readonly kind: string };
  readonly outputShape: readonly number[];
}

export interface GenerateOptions {
  /** Where the weights come from, for the docstring (e.g. `run r3 (epoch 5)` or `freshly initialised`). */
  readonly weightsFrom: string;
  readonly sourceFile?: string;
}

const PY_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from global if ' +
    'import in is lambda nonlocal not or pass raise return try while with yield match case'
  ).split(' '),
);
/** Names the generated code uses itself, and nn.Module's own attributes (an attribute must not shadow them). */
const RESERVED = new Set([
  ...'self torch nn F math struct json os x input print len range list dict float int str type'.split(' '),
  ...(
    'training forward train eval to cuda cpu half double parameters buffers children modules state_dict load_state_dict ' +
    'apply zero_grad register_buffer register_parameter add_module extra_repr named_parameters named_buffers ' +
    'named_children named_modules requires_grad_ share_memory get_parameter get_submodule get_buffer dump_patches ' +
    'call_super_init bfloat16 ipu xpu load_model read_safetensors avg_pool_same upsample_bilinear_tf hard_sigmoid'
  ).split(' '),
]);

/** A Python identifier from a node id: non-identifier characters become `_`, a leading digit gets `n`. */
export function pythonIdentifier(id: string): string {
  let name = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (name === '' || /^[0-9]/.test(name)) name = `n${name}`;
  if (PY_KEYWORDS.has(name) || RESERVED.has(name)) name = `${name}_`;
  return name;
}

class UniqueNames {
  private readonly used = new Set<string>(RESERVED);
  take(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.used.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** TensorFlow's 'same' padding along one axis: [before, after]; the odd pixel goes after. */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Reorders a row-major array of `shape` by `perm` (numpy's transpose). */
export function transpose(data: Float32Array, shape: readonly number[], perm: readonly number[]): { shape: number[]; data: Float32Array } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const permStrides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += index[k]! * permStrides[k]!;
    out[o] = data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k]! < outShape[k]!) break;
      index[k] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** Which per-sample shapes are images: stored NCHW in the module. */
function isImage(shape: Shape): boolean {
  return shape.length === 3;
}

/** The shape PyTorch sees for a per-sample graph shape (images H×W×C → C×H×W). */
export function torchShape(shape: Shape): number[] {
  return isImage(shape) ? [shape[2]!, shape[0]!, shape[1]!] : [...shape];
}

/** The expression applying a catalog activation to `expr` (tensor of per-sample shape `shape`). */
function activate(activation: string, expr: string, shape: Shape, alpha = INLINE_LEAKY_ALPHA): string {
  switch (activation) {
    case 'linear':
      return expr;
    case 'relu':
      return `F.relu(${expr})`;
    case 'leakyRelu':
      return `F.leaky_relu(${expr}, negative_slope=${py(alpha)})`;
    case 'elu':
      return `F.elu(${expr})`;
    case 'gelu':
      return `F.gelu(${expr})  # exact (erf) GELU, as TF.js's 'gelu'`;
    case 'swish':
      return `F.silu(${expr})`;
    case 'sigmoid':
      return `torch.sigmoid(${expr})`;
    case 'tanh':
      return `torch.tanh(${expr})`;
    case 'softmax':
      // TF.js takes softmax over the last axis: channels, which is dim 1 of an NCHW image.
      return `torch.softmax(${expr}, dim=${isImage(shape) ? 1 : -1})`;
    default:
      throw new Error(`no PyTorch expression for activation '${activation}'`);
  }
}

/** A callable for a recurrent cell's activation. */
function activationCallable(activation: string): string {
  switch (activation) {
    case 'linear':
      return 'lambda t: t';
    case 'relu':
      return 'torch.relu';
    case 'elu':
      return 'F.elu';
    case 'gelu':
      return 'F.gelu';
    case 'swish':
      return 'F.silu';
    case 'sigmoid':
      return 'torch.sigmoid';
    case 'tanh':
      return 'torch.tanh';
    case 'softmax':
      return 'lambda t: torch.softmax(t, dim=-1)';
    default:
      throw new Error(`no PyTorch callable for activation '${activation}'`);
  }
}

/** A number as Python source. */
function py(value: number): string {
  return String(value); // JavaScript's shortest round-trip form is valid Python too (0.001, 1e-7)
}
function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
function pair(values: readonly number[]): string {
  return values[0] === values[1] ? String(values[0]) : pyTuple(values);
}

/** Helpers written into model.py only when a layer needs them. */
const HELPERS = {
  avgPoolSame: `def avg_pool_same(x, pads, kernel_size, stride):
    """Average pooling with TensorFlow's asymmetric 'same' padding: padded zeros do not count in the mean."""
    ones = torch.ones_like(x[:, :1])
    total = F.avg_pool2d(F.pad(x, pads), kernel_size, stride)
    count = F.avg_pool2d(F.pad(ones, pads), kernel_size, stride)
    return total / count`,
  bilinear: `def upsample_bilinear_tf(x, scale):
    """Bilinear upsampling as TF.js's UpSampling2D does it (align_corners=False, half_pixel_centers=False): output
    pixel i reads input position i / scale, which differs from PyTorch's F.interpolate (half-pixel centres)."""
    def axis(n_in, s, device):
        pos = torch.arange(n_in * s, device=device, dtype=torch.float32) / s
        lo = pos.floor().long().clamp(max=n_in - 1)
        hi = (lo + 1).clamp(max=n_in - 1)
        return lo, hi, pos - lo.float()
    h, w = x.shape[2], x.shape[3]
    y0, y1, fy = axis(h, scale[0], x.device)
    x0, x1, fx = axis(w, scale[1], x.device)
    top = x[:, :, y0] * (1 - fy)[:, None] + x[:, :, y1] * fy[:, None]
    return top[:, :, :, x0] * (1 - fx) + top[:, :, :, x1] * fx`,
  wsConv: `class WSConv2d(nn.Conv2d):
    """Conv2d with scaled weight standardisation (NFNets): before every use each filter is centred and scaled to
    variance 1 / fan_in, then multiplied by a learned gain:  W' = gain * (W - mean) / sqrt(max(var * fan_in, eps))."""

    def __init__(self, *args, eps=1e-4, **kwargs):
        super().__init__(*args, **kwargs)
        self.gain = nn.Parameter(torch.ones(self.out_channels))
        self.eps = eps

    def standardized_weight(self):
        w = self.weight
        fan_in = w[0].numel()
        mean = w.mean(dim=(1, 2, 3), keepdim=True)
        var = w.var(dim=(1, 2, 3), unbiased=False, keepdim=True)
        scale = torch.rsqrt(torch.clamp(var * fan_in, min=self.eps)) * self.gain.view(-1, 1, 1, 1)
        return (w - mean) * scale

    def forward(self, x):
        return F.conv2d(x, self.standardized_weight(), self.bias, self.stride, self.padding, self.dilation, self.groups)`,
  skipInit: `class SkipInit(nn.Module):
    """One learned number alpha times the input (De & Smith 2020): at the end of a residual branch it lets the
    block start as the identity."""

    def __init__(self, initial_value=0.0):
        super().__init__()
        self.alpha = nn.Parameter(torch.tensor(float(initial_value)))

    def forward(self, x):
        return self.alpha * x`,
  recurrent: `def hard_sigmoid(t):
    """Keras's hard sigmoid, the default gate activation of TF.js's LSTM and GRU: clip(0.2 * t + 0.5, 0, 1)."""
    return torch.clamp(0.2 * t + 0.5, 0.0, 1.0)


class KerasLSTM(nn.Module):
    """An LSTM computed as TF.js computes it: gates i, f, c, o from x @ weight_ih.T + h @ weight_hh.T + bias, hard
    sigmoid on the gates, \`activation\` on the candidate and the output (torch.nn.LSTM has sigmoid gates instead)."""

    def __init__(self, input_size, units, activation=torch.tanh, return_sequences=False, bias=True):
        super().__init__()
        self.units, self.activation, self.return_sequences = units, activation, return_sequences
        self.weight_ih = nn.Parameter(torch.zeros(4 * units, input_size))
        self.weight_hh = nn.Parameter(torch.zeros(4 * units, units))
        self.bias = nn.Parameter(torch.zeros(4 * units)) if bias else None

    def forward(self, x):  # x: N x T x features
        h = x.new_zeros(x.shape[0], self.units)
        c = x.new_zeros(x.shape[0], self.units)
        outputs = []
        for t in range(x.shape[1]):
            z = F.linear(x[:, t], self.weight_ih, self.bias) + F.linear(h, self.weight_hh)
            i, f, g, o = z.chunk(4, dim=1)
            c = hard_sigmoid(f) * c + hard_sigmoid(i) * self.activation(g)
            h = hard_sigmoid(o) * self.activation(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1) if self.return_sequences else h


class KerasGRU(nn.Module):
    """A GRU computed as TF.js computes it: gates z, r with hard sigmoid, the reset gate applied to h BEFORE its
    matrix product (reset_after=False), h = z * h + (1 - z) * candidate."""

    def __init__(self, input_size, units, activation=torch.tanh, return_sequences=False, bias=True):
        super().__init__()
        self.units, self.activation, self.return_sequences = units, activation, return_sequences
        self.weight_ih = nn.Parameter(torch.zeros(3 * units, input_size))
        self.weight_hh = nn.Parameter(torch.zeros(3 * units, units))
        self.bias = nn.Parameter(torch.zeros(3 * units)) if bias else None

    def forward(self, x):  # x: N x T x features
        h = x.new_zeros(x.shape[0], self.units)
        w_zr, w_h = self.weight_hh[: 2 * self.units], self.weight_hh[2 * self.units :]
        outputs = []
        for t in range(x.shape[1]):
            x_z, x_r, x_h = F.linear(x[:, t], self.weight_ih, self.bias).chunk(3, dim=1)
            h_z, h_r = F.linear(h, w_zr).chunk(2, dim=1)
            z = hard_sigmoid(x_z + h_z)
            r = hard_sigmoid(x_r + h_r)
            candidate = self.activation(x_h + F.linear(r * h, w_h))
            h = z * h + (1 - z) * candidate
            outputs.append(h)
        return torch.stack(outputs, dim=1) if self.return_sequences else h`,
} as const;
type HelperName = keyof typeof HELPERS;

interface NodeContext {
  readonly id: NodeId;
  readonly type: string;
  readonly params: ResolvedParams;
  readonly inShapes: readonly Shape[];
  readonly outShape: Shape;
  /** Python variables holding the inputs, in port order. */
  readonly inputs: readonly string[];
  /** This node's attribute and output variable name. */
  readonly name: string;
  readonly names: UniqueNames;
  readonly weights: ReadonlyMap<string, LayerWeight> | undefined;
}

interface NodeCode {
  readonly init: string[];
  readonly forward: string[];
  readonly tensors: NamedTensor[];
  readonly helpers: HelperName[];
}

/** Raised inside a node's writer; collected into a {@link PytorchExportError}. */
class Unsupported extends Error {}

function weight(ctx: NodeContext, key: string): LayerWeight {
  const w = ctx.weights?.get(key);
  if (!w) throw new Unsupported(`its model layer has no weight '${key}' (weights found: ${[...(ctx.weights?.keys() ?? [])].join(', ') || 'none'})`);
  return w;
}
function tensor(name: string, w: LayerWeight, perm?: readonly number[]): NamedTensor {
  if (!perm) return { name, shape: [...w.shape], data: w.data };
  const t = transpose(w.data, w.shape, perm);
  return { name, shape: t.shape, data: t.data };
}

/** Kernel [kh, kw, in, out] → Conv2d weight [out, in, kh, kw] (and Conv2DTranspose's [kh, kw, out, in] → [in, out, kh, kw]). */
const KERNEL_TO_TORCH = [3, 2, 0, 1];

/** 'same'/'valid' padding of a window over an image: PyTorch's `padding=` when symmetric, else an F.pad tuple. */
function windowPadding(
  input: Shape,
  kernel: readonly number[],
  strides: readonly number[],
  padding: string,
  dilation: readonly number[] = [1, 1],
): { symmetric: [number, number] } | { pad: [number, number, number, number] } {
  if (padding !== 'same') return { symmetric: [0, 0] };
  const [top, bottom] = samePadding(input[0]!, kernel[0]!, strides[0]!, dilation[0]);
  const [left, right] = samePadding(input[1]!, kernel[1]!, strides[1]!, dilation[1]);
  return top === bottom && left === right ? { symmetric: [top, left] } : { pad: [left, right, top, bottom] };
}

const PAD_COMMENT = "# TensorFlow 'same' padding: the odd extra row/column goes at the bottom/right";

function convArgs(kernel: readonly number[], strides: readonly number[], padding: [number, number], dilation: readonly number[], useBias: boolean): string {
  const args = [`kernel_size=${pair(kernel)}`];
  if (strides.some((s) => s !== 1)) args.push(`stride=${pair(strides)}`);
  if (padding.some((p) => p !== 0)) args.push(`padding=${pair(padding)}`);
  if (dilation.some((d) => d !== 1)) args.push(`dilation=${pair(dilation)}`);
  if (!useBias) args.push('bias=False');
  return args.join(', ');
}

/** Writes the code of one node. */
function nodeCode(ctx: NodeContext): NodeCode {
  const { params: p, name, inShapes, outShape } = ctx;
  const src = ctx.inputs[0] ?? 'x';
  const inShape = inShapes[0] ?? [];
  const code: NodeCode = { init: [], forward: [], tensors: [], helpers: [] };
  const comment = `# ${ctx.id}: ${ctx.type}`;

  const linear = (units: number, activation: string, useBias: boolean, alpha?: number) => {
    const kernel = weight(ctx, 'kernel');
    code.init.push(`self.${name} = nn.Linear(${inShape[inShape.length - 1]}, ${units}${useBias ? '' : ', bias=False'})`);
    code.forward.push(`${name} = ${activate(activation, `self.${name}(${src})`, outShape, alpha)}`);
    code.tensors.push(tensor(`${name}.weight`, kernel, [1, 0]));
    if (useBias) code.tensors.push(tensor(`${name}.bias`, weight(ctx, 'bias')));
  };

  /** Conv-like layers: optional F.pad, then the module call with its activation. */
  const windowed = (init: string, pads: { symmetric: [number, number] } | { pad: [number, number, number, number] }, activation: string) => {
    code.init.push(init);
    let input = src;
    if ('pad' in pads) {
      code.forward.push(`${name} = F.pad(${src}, ${pyTuple(pads.pad)})  ${PAD_COMMENT}`);
      input = name;
    }
    code.forward.push(`${name} = ${activate(activation, `self.${name}(${input})`, outShape)}`);
  };

  switch (ctx.type) {
    case 'Dense':
      linear(num(p, 'units'), str(p, 'activation'), bool(p, 'useBias'));
      break;
    case 'Output': {
      const task = str(p, 'task');
      linear(outputUnits(p), task === 'classification' ? 'softmax' : task === 'binary' ? 'sigmoid' : 'linear', true);
      break;
    }
    case 'Activation':
      code.forward.push(`${name} = ${activate(str(p, 'activation'), src, outShape, num(p, 'alpha'))}`);
      break;
    case 'Dropout':
      code.init.push(`self.${name} = nn.Dropout(p=${py(num(p, 'rate'))})  # identity in eval mode`);
      code.forward.push(`${name} = self.${name}(${src})`);
      break;
    case 'Flatten':
      if (isImage(inShape)) {
        code.forward.push(
          `# NCHW → NHWC before flattening: TF.js flattens channels-last, and the trained weights after this expect that order`,
          `${name} = torch.flatten(${src}.permute(0, 2, 3, 1), 1)`,
        );
      } else if (inShape.length > 1) {
        code.forward.push(`${name} = torch.flatten(${src}, 1)`);
      } else {
        code.forward.push(`${name} = ${src}  # already a flat vector`);
      }
      break;
    case 'Reshape': {
      const from = isImage(inShape) ? `${src}.permute(0, 2, 3, 1)` : src;
      const to = isImage(outShape) ? '.permute(0, 3, 1, 2)' : '';
      if (isImage(inShape) || isImage(outShape)) code.forward.push('# reshaped in TF.js\'s channels-last order, as trained');
      code.forward.push(`${name} = ${from}.reshape(-1, ${outShape.join(', ')})${to}`);
      break;
    }
    case 'Embedding':
      code.init.push(`self.${name} = nn.Embedding(${num(p, 'inputDim')}, ${num(p, 'outputDim')})`);
      code.forward.push(`${name} = self.${name}(${src}.long())`);
      code.tensors.push(tensor(`${name}.weight`, weight(ctx, 'embeddings')));
      break;
    case 'Conv2D':
    case 'WSConv2D': {
      const kernel = int2(p, 'kernelSize');
      const strides = int2(p, 'strides');
      const dilation = ctx.type === 'Conv2D' ? int2(p, 'dilationRate') : [1, 1];
      const useBias = bool(p, 'useBias');
      const pads = windowPadding(inShape, kernel, strides, str(p, 'padding'), dilation);
      const sym = 'symmetric' in pads ? pads.symmetric : ([0, 0] as [number, number]);
      const args = convArgs(kernel, strides, sym, dilation, useBias);
      const cls = ctx.type === 'Conv2D' ? 'nn.Conv2d' : 'WSConv2d';
      const extra = ctx.type === 'WSConv2D' ? `, eps=${py(num(p, 'eps'))}` : '';
      windowed(`self.${name} = ${cls}(${inShape[2]}, ${num(p, 'filters')}, ${args}${extra})`, pads, str(p, 'activation'));
      code.tensors.push(tensor(`${name}.weight`, weight(ctx, 'kernel'), KERNEL_TO_TORCH));
      if (useBias) code.tensors.push(tensor(`${name}.bias`, weight(ctx, 'bias')));
      if (ctx.type === 'WSConv2D') {
        code.tensors.push(tensor(`${name}.gain`, weight(ctx, 'gain')));
        code.helpers.push('wsConv');
      }
      break;
    }
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      const kernel = int2(p, 'kernelSize');
      const strides = int2(p, 'strides');
      const channels = inShape[2]!;
      const mult = num(p, 'depthMultiplier');
      const useBias = bool(p, 'useBias');
      const pads = windowPadding(inShape, kernel, strides, str(p, 'padding'));
      const sym = 'symmetric' in pads ? pads.symmetric : ([0, 0] as [number, number]);
      // depthwise_kernel [kh, kw, in, mult] → [in·mult, 1, kh, kw]; output channel c·mult + m, as groups=in orders them.
      const dw = weight(ctx, 'depthwise_kernel');
      const dwT = transpose(dw.data, dw.shape, [2, 3, 0, 1]);
      const dwTensor = (tensorName: string): NamedTensor => ({ name: tensorName, shape: [channels * mult, 1, kernel[0], kernel[1]], data: dwT.data });
      if (ctx.type === 'DepthwiseConv2D') {
        const args = convArgs(kernel, strides, sym, [1, 1], useBias);
        windowed(`self.${name} = nn.Conv2d(${channels}, ${channels * mult}, ${args}, groups=${channels})  # depthwise`, pads, str(p, 'activation'));
        code.tensors.push(dwTensor(`${name}.weight`));
        if (useBias) code.tensors.push(tensor(`${name}.bias`, weight(ctx, 'bias')));
      } else {
        const depthwise = ctx.names.take(`${name}_depthwise`);
        const pointwise = ctx.names.take(`${name}_pointwise`);
        const filters = num(p, 'filters');
        code.init.push(
          `self.${depthwise} = nn.Conv2d(${channels}, ${channels * mult}, ${convArgs(kernel, strides, sym, [1, 1], false)}, groups=${channels})`,
          `self.${pointwise} = nn.Conv2d(${channels * mult}, ${filters}, kernel_size=1${useBias ? '' : ', bias=False'})`,
        );
        let input = src;
        if ('pad' in pads) {
          code.forward.push(`${name} = F.pad(${src}, ${pyTuple(pads.pad)})  ${PAD_COMMENT}`);
          input = name;
        }
        code.forward.push(`${name} = ${activate(str(p, 'activation'), `self.${pointwise}(self.${depthwise}(${input}))`, outShape)}`);
        code.tensors.push(dwTensor(`${depthwise}.weight`));
        code.tensors.push(tensor(`${pointwise}.weight`, weight(ctx, 'pointwise_kernel'), KERNEL_TO_TORCH));
        if (useBias) code.tensors.push(tensor(`${pointwise}.bias`, weight(ctx, 'bias')));
      }
      break;
    }
    case 'Conv2DTranspose': {
      const kernel = int2(p, 'kernelSize');
      const strides = int2(p, 'strides');
      const useBias = bool(p, 'useBias');
      // PyTorch's full output is (in − 1)·s + k; TF crops it ('same': the odd pixel at the end) or extends it (k < s).
      const full = [0, 1].map((a) => (inShape[a]! - 1) * strides[a]! + kernel[a]!);
      const outputPadding = [0, 1].map((a) => Math.max(outShape[a]! - full[a]!, 0));
      const crop = [0, 1].map((a) => {
        const total = Math.max(full[a]! - outShape[a]!, 0);
        return [Math.floor(total / 2), Math.floor(total / 2) + outShape[a]!] as const;
      });
      const args = [`kernel_size=${pair(kernel)}`, `stride=${pair(strides)}`];
      if (outputPadding.some((o) => o > 0)) args.push(`output_padding=${pair(outputPadding)}`);
      if (!useBias) args.push('bias=False');
      code.init.push(`self.${name} = nn.ConvTranspose2d(${inShape[2]}, ${num(p, 'filters')}, ${args.join(', ')})`);
      const cropped = crop.some(([b, e], a) => b !== 0 || e !== full[a]! + outputPadding[a]!);
      if (cropped) {
        code.forward.push(
          `${name} = self.${name}(${src})[:, :, ${crop[0]![0]}:${crop[0]![1]}, ${crop[1]![0]}:${crop[1]![1]}]  # cropped as TensorFlow's 'same'`,
          `${name} = ${activate(str(p, 'activation'), name, outShape)}`,
        );
      } else {
        code.forward.push(`${name} = ${activate(str(p, 'activation'), `self.${name}(${src})`, outShape)}`);
      }
      code.tensors.push(tensor(`${name}.weight`, weight(ctx, 'kernel'), KERNEL_TO_TORCH));
      if (useBias) code.tensors.push(tensor(`${name}.bias`, weight(ctx, 'bias')));
      break;
    }
    case 'UpSampling2D': {
      const size = int2(p, 'size');
      if (str(p, 'interpolation') === 'nearest') {
        code.init.push(`self.${name} = nn.Upsample(scale_factor=${pair(size)}, mode='nearest')`);
        code.forward.push(`${name} = self.${name}(${src})`);
      } else {
        code.helpers.push('bilinear');
        code.forward.push(`${name} = upsample_bilinear_tf(${src}, ${pyTuple(size)})`);
      }
      break;
    }
    case 'ZeroPadding2D': {
      const [t, b, l, r] = ints(p, 'padding');
      code.forward.push(`${name} = F.pad(${src}, (${l}, ${r}, ${t}, ${b}))  # (left, right, top, bottom)`);
      break;
    }
    case 'MaxPool2D':
    case 'AvgPool2D': {
      const pool = int2(p, 'poolSize');
      const strides = int2(p, 'strides');
      const pads = windowPadding(inShape, pool, strides, str(p, 'padding'));
      const max = ctx.type === 'MaxPool2D';
      const args = [`kernel_size=${pair(pool)}`, `stride=${pair(strides)}`];
      if ('symmetric' in pads) {
        if (pads.symmetric.some((v) => v > 0)) {
          args.push(`padding=${pair(pads.symmetric)}`);
          if (!max) args.push('count_include_pad=False');
        }
        code.init.push(`self.${name} = nn.${max ? 'MaxPool2d' : 'AvgPool2d'}(${args.join(', ')})`);
        code.forward.push(`${name} = self.${name}(${src})`);
      } else if (max) {
        code.init.push(`self.${name} = nn.MaxPool2d(${args.join(', ')})`);
        code.forward.push(
          `${name} = F.pad(${src}, ${pyTuple(pads.pad)}, value=float('-inf'))  ${PAD_COMMENT}`,
          `${name} = self.${name}(${name})`,
        );
      } else {
        code.helpers.push('avgPoolSame');
        code.forward.push(`${name} = avg_pool_same(${src}, ${pyTuple(pads.pad)}, ${pair(pool)}, ${pair(strides)})  ${PAD_COMMENT}`);
      }
      break;
    }
    case 'GlobalAvgPool2D':
      code.forward.push(`${name} = ${src}.mean(dim=(2, 3))`);
      break;
    case 'GlobalMaxPool2D':
      code.forward.push(`${name} = ${src}.amax(dim=(2, 3))`);
      break;
    case 'BatchNorm': {
      const features = inShape[inShape.length - 1]!;
      const args = `${features}, eps=${py(num(p, 'epsilon'))}, momentum=${py(Number((1 - num(p, 'momentum')).toPrecision(12)))}`;
      const momentumNote = `  # PyTorch momentum = 1 - TF's ${py(num(p, 'momentum'))}`;
      if (isImage(inShape)) {
        code.init.push(`self.${name} = nn.BatchNorm2d(${args})${momentumNote}`);
        code.forward.push(`${name} = self.${name}(${src})`);
      } else if (inShape.length === 1) {
        code.init.push(`self.${name} = nn.BatchNorm1d(${args})${momentumNote}`);
        code.forward.push(`${name} = self.${name}(${src})`);
      } else if (inShape.length === 2) {
        code.init.push(`self.${name} = nn.BatchNorm1d(${args})${momentumNote}`);
        code.forward.push(`${name} = self.${name}(${src}.transpose(1, 2)).transpose(1, 2)  # normalises the last axis (features)`);
      } else {
        throw new Unsupported(`BatchNorm of a rank-${inShape.length} tensor has no PyTorch counterpart here`);
      }
      code.tensors.push(
        tensor(`${name}.weight`, weight(ctx, 'gamma')),
        tensor(`${name}.bias`, weight(ctx, 'beta')),
        tensor(`${name}.running_mean`, weight(ctx, 'moving_mean')),
        tensor(`${name}.running_var`, weight(ctx, 'moving_variance')),
      );
      break;
    }
    case 'LayerNorm': {
      const features = inShape[inShape.length - 1]!;
      code.init.push(`self.${name} = nn.LayerNorm(${features}, eps=${py(num(p, 'epsilon'))})`);
      if (isImage(inShape)) {
        code.forward.push(`${name} = self.${name}(${src}.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # over channels, as TF.js (last axis)`);
      } else {
        code.forward.push(`${name} = self.${name}(${src})`);
      }
      code.tensors.push(tensor(`${name}.weight`, weight(ctx, 'gamma')), tensor(`${name}.bias`, weight(ctx, 'beta')));
      break;
    }
    case 'SkipInit':
      code.helpers.push('skipInit');
      code.init.push(`self.${name} = SkipInit(${py(num(p, 'initialValue'))})`);
      code.forward.push(`${name} = self.${name}(${src})`);
      code.tensors.push(tensor(`${name}.alpha`, weight(ctx, 'alpha')));
      break;
    case 'Add':
      code.forward.push(`${name} = ${ctx.inputs.join(' + ')}  # skip connection: elementwise sum`);
      break;
    case 'Multiply':
      code.forward.push(`${name} = ${ctx.inputs.join(' * ')}`);
      break;
    case 'Concatenate': {
      const axis = sampleAxis(num(p, 'axis'), inShape.length);
      if (axis === undefined) throw new Unsupported(`axis ${num(p, 'axis')} is out of range`);
      const dim = isImage(inShape) ? [2, 3, 1][axis]! : axis + 1;
      const what = isImage(inShape) ? ['height', 'width', 'channels'][axis]! : `axis ${axis + 1}`;
      code.forward.push(`${name} = torch.cat([${ctx.inputs.join(', ')}], dim=${dim})  # along ${what}`);
      break;
    }
    case 'LSTM':
    case 'GRU': {
      code.helpers.push('recurrent');
      const useBias = bool(p, 'useBias');
      const args = [
        String(inShape[1]),
        String(num(p, 'units')),
        `activation=${activationCallable(str(p, 'activation'))}`,
        `return_sequences=${bool(p, 'returnSequences') ? 'True' : 'False'}`,
      ];
      if (!useBias) args.push('bias=False');
      code.init.push(`self.${name} = Keras${ctx.type}(${args.join(', ')})`);
      code.forward.push(`${name} = self.${name}(${src})`);
      code.tensors.push(
        tensor(`${name}.weight_ih`, weight(ctx, 'kernel'), [1, 0]),
        tensor(`${name}.weight_hh`, weight(ctx, 'recurrent_kernel'), [1, 0]),
      );
      if (useBias) code.tensors.push(tensor(`${name}.bias`, weight(ctx, 'bias')));
      break;
    }
    default:
      throw new Unsupported(`no PyTorch mapping for layer type '${ctx.type}' yet`);
  }
  code.forward.unshift(comment);
  return code;
}

/** A Python class name from the graph's name: `resnet mini` → `ResnetMini`. */
export function pythonClassName(graphName: string): string {
  const words = graphName.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  let name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (name === '' || /^[0-9]/.test(name)) name = `Model${name}`;
  if (PY_KEYWORDS.has(name) || RESERVED.has(name) || name === 'SkipInit' || name === 'WSConv2d' || name.startsWith('Keras')) name = `${name}Net`;
  return name;
}

/**
 * model.py and the weights for a graph that compiles (exactly one Input and one Output; analysis without errors).
 * Throws {@link PytorchExportError} listing every node that cannot be written.
 */
export function generatePytorch(doc: GraphDocument, analysis: GraphAnalysis, weightsOf: NodeWeights, options: GenerateOptions): GeneratedPytorch {
  const plan = planExport(doc, analysis);
  const { input, output, incoming } = plan;

  const names = new UniqueNames();
  const nameOf = new Map<NodeId, string>();
  const order = plan.order;
  // Names are taken in topological order, so collisions resolve the same way every time.
  for (const id of order) nameOf.set(id, names.take(pythonIdentifier(id)));

  const init: string[] = [];
  const forward: string[] = [];
  const tensors: NamedTensor[] = [];
  const helpers = new Set<HelperName>();
  const problems: PytorchExportProblem[] = [];
  let inputKind = 'vector';
  for (const id of order) {
    const planned = planNode(plan, analysis, id);
    if ('problem' in planned) {
      problems.push(planned.problem);
      continue;
    }
    const { node, info, params } = planned;
    if (node.type === 'Input') {
      inputKind = str(params, 'kind');
      continue;
    }
    const sources = [...(incoming.get(id) ?? [])]
      .sort((a, b) => a.port - b.port || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((e) => nameOf.get(e.source)!);
    try {
      const code = nodeCode({
        id,
        type: node.type,
        params,
        inShapes: info.inputShapes.filter((s): s is Shape => s !== undefined),
        outShape: info.output,
        inputs: sources,
        name: nameOf.get(id)!,
        names,
        weights: weightsOf(id),
      });
      init.push(...code.init);
      forward.push(...code.forward);
      tensors.push(...code.tensors);
      code.helpers.forEach((h) => helpers.add(h));
    } catch (err) {
      problems.push({ nodeId: id, type: node.type, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  if (problems.length > 0) throw new PytorchExportError(problems);

  const inputShape = analysis.nodes.get(input.id)?.output ?? [];
  const outputShape = analysis.nodes.get(output.id)?.output ?? [];
  const className = pythonClassName(doc.metadata.name || 'Model');
  const inputName = nameOf.get(input.id)!;
  const outputName = nameOf.get(output.id)!;
  const torchIn = torchShape(inputShape);
  const inputDoc =
    inputKind === 'image'
      ? `images N x ${torchIn.join(' x ')} (N x channels x height x width, float32)`
      : inputKind === 'tokens'
        ? `token ids N x ${torchIn.join(' x ')} (integers)`
        : inputKind === 'sequence'
          ? `sequences N x ${torchIn.join(' x ')} (N x time steps x features, float32)`
          : `vectors N x ${torchIn.join(' x ')} (float32)`;

  const hasImages = order.some((id) => isImage(analysis.nodes.get(id)?.output ?? []));
  const source = [
    `"""${doc.metadata.name || 'Model'} — exported from Neural Bricks${options.sourceFile ? ` (${options.sourceFile})` : ''} to PyTorch.`,
    '',
    `Weights: ${options.weightsFrom}. Input: ${inputDoc}. Output: N x ${outputShape.join(' x ')}.`,
    "Attribute names are the graph's node ids.",
    ...(hasImages
      ? [
          "Images are NCHW here (PyTorch's layout); the app itself works in NHWC, so Flatten permutes to NHWC first and",
          "'same' padding follows TensorFlow (the odd extra pixel at the bottom/right).",
        ]
      : []),
    '',
    'Usage:  model = load_model(directory_with_weights_safetensors);  y = model(x)',
    '"""',
    'import json',
    'import os',
    'import struct',
    '',
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    '',
    ...[...helpers].flatMap((h) => ['', HELPERS[h], '']),
    '',
    `class ${className}(nn.Module):`,
    '    def __init__(self):',
    '        super().__init__()',
    init.length > 0 ? indent(init, '        ') : '        pass',
    '',
    `    def forward(self, ${inputName}):`,
    indent(forward, '        '),
    `        return ${outputName}`,
    '',
    '',
    'def read_safetensors(path):',
    '    """The tensors of a .safetensors file (8-byte little-endian header length, JSON header, raw float32 data)."""',
    "    with open(path, 'rb') as f:",
    "        (header_length,) = struct.unpack('<Q', f.read(8))",
    "        header = json.loads(f.read(header_length).decode('utf-8'))",
    '        data = f.read()',
    '    tensors = {}',
    '    for name, info in header.items():',
    "        if name == '__metadata__':",
    '            continue',
    "        if info['dtype'] != 'F32':",
    "            raise ValueError(f\"{path}: tensor {name} is {info['dtype']}, expected F32\")",
    "        start, end = info['data_offsets']",
    "        values = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32) if end > start else torch.zeros(0)",
    "        tensors[name] = values.reshape(info['shape'])",
    '    return tensors',
    '',
    '',
    'def load_model(directory):',
    `    """A ${className} with the weights from directory/weights.safetensors, in eval mode."""`,
    `    model = ${className}()`,
    "    state = read_safetensors(os.path.join(directory, 'weights.safetensors'))",
    '    missing, unexpected = model.load_state_dict(state, strict=False)',
    "    missing = [k for k in missing if not k.endswith('num_batches_tracked')]",
    '    if missing or unexpected:',
    "        raise ValueError(f'weights do not fit the model: missing {missing}, unexpected {unexpected}')",
    '    return model.eval()',
    '',
  ].join('\n');

  return {
    source: source.replace(/\n{4,}/g, '\n\n\n'),
    tensors,
    className,
    names: nameOf,
    input: { nodeId: input.id, shape: torchIn, kind: inputKind },
    outputShape,
  };
}
