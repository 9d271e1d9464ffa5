/**
 * Graph → Keras: the source of `model.py` (a tf.keras functional-API model a person could have written) and its
 * weights in Keras's own layouts (the same as TF.js's: Dense kernel [in, out], Conv2D kernel [kh, kw, in, out]), named
 * `<layer>/<weight>` and listed per layer in `get_weights()` order.
 *
 * Conventions of the generated code:
 * - Everything is channels-last (NHWC), as in the app: no permutes.
 * - One Python variable per node, named after the node id (the PyTorch export's sanitising); each Keras layer is named
 *   after its node id too (`/` becomes `_`: Keras 3 refuses `/` in layer names).
 * - Configs mirror the graph's: BatchNormalization momentum/epsilon are TF's convention, as in TF.js.
 * - WSConv2D and SkipInit have no Keras layer: model.py defines small custom layers for them.
 *
 * We cannot run TensorFlow here: this is checked by structure (AST, layer configs, a stub `tensorflow` that records the
 * wiring), not by numbers. Pure code generation: it reads the graph, its analysis and the weight values handed in.
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
import type { NamedTensor } from '../pytorch/safetensors';
import { pythonIdentifier, type LayerWeight, type NodeWeights } from '../pytorch/generatePytorch';

export type KerasExportProblem = ExportProblem;

/** The graph has nodes the Keras exporter cannot write (each named, with why). */
export class KerasExportError extends ExportError {
  constructor(problems: readonly ExportProblem[]) {
    super('Keras', problems);
  }
}

export interface GeneratedKeras {
  /** The text of model.py. */
  readonly source: string;
  /** Tensors for weights.safetensors, in Keras layouts, named `<layer>/<weight>`. */
  readonly tensors: readonly NamedTensor[];
  /** Per Keras layer name, its weights' short names in `get_weights()` order (written into the file's metadata). */
  readonly layerWeights: ReadonlyMap<string, readonly string[]>;
  /** Python variable name per exported node. */
  readonly names: ReadonlyMap<NodeId, string>;
  /** Keras layer name per exported node (Input included). */
  readonly layerNames: ReadonlyMap<NodeId, string>;
  readonly input: { readonly nodeId: NodeId; readonly shape: readonly number[]; readonly kind: string };
  readonly outputShape: readonly number[];
}

export interface GenerateKerasOptions {
  readonly weightsFrom: string;
  readonly sourceFile?: string;
}

/** Names model.py uses itself: a node variable must not shadow them. */
const RESERVED = new Set('tf np json os struct model build_model load_weights read_safetensors SkipInit WSConv2D'.split(' '));

class UniqueNames {
  private readonly used = new Set<string>(RESERVED);
  take(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.used.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** A Keras layer name for a node id: Keras 3 refuses `/` in names. */
export function kerasLayerName(id: string): string {
  return id.replace(/\//g, '_');
}

const CUSTOM_LAYERS = {
  skipInit: `class SkipInit(tf.keras.layers.Layer):
    """One learned number alpha times the input (De & Smith 2020); Neural Bricks' SkipInit. Weights: [alpha]."""

    def __init__(self, initial_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_value = initial_value

    def build(self, input_shape):
        self.alpha = self.add_weight(name='alpha', shape=(), initializer=tf.keras.initializers.Constant(self.initial_value))

    def call(self, inputs):
        return self.alpha * inputs`,
  wsConv: `class WSConv2D(tf.keras.layers.Conv2D):
    """Conv2D with scaled weight standardisation (NFNets), as Neural Bricks' WSConv2D: before every use each filter is
    centred and scaled, W' = gain * (W - mean) / sqrt(max(var * fan_in, eps)). Weights: [kernel, (bias), gain]."""

    def __init__(self, *args, eps=1e-4, **kwargs):
        super().__init__(*args, **kwargs)
        self.eps = eps

    def build(self, input_shape):
        super().build(input_shape)
        self.gain = self.add_weight(name='gain', shape=(self.filters,), initializer='ones')

    def convolution_op(self, inputs, kernel):
        fan_in = kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
        mean = tf.reduce_mean(kernel, axis=(0, 1, 2), keepdims=True)
        var = tf.math.reduce_variance(kernel, axis=(0, 1, 2), keepdims=True)
        scale = tf.math.rsqrt(tf.maximum(var * fan_in, self.eps)) * self.gain
        return super().convolution_op(inputs, (kernel - mean) * scale)`,
} as const;
type CustomName = keyof typeof CUSTOM_LAYERS;

/** A number as Python source. */
function py(value: number): string {
  return String(value);
}
function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
function pyStr(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The Keras `activation=` value for a catalog activation. */
function kerasActivation(activation: string): string {
  switch (activation) {
    case 'linear':
    case 'relu':
    case 'elu':
    case 'gelu':
    case 'swish':
    case 'sigmoid':
    case 'tanh':
    case 'softmax':
      return pyStr(activation);
    case 'leakyRelu':
      // The app's inline leaky ReLU has slope 0.2, tf.nn.leaky_relu's default.
      if (INLINE_LEAKY_ALPHA !== 0.2) throw new Error(`inline leaky ReLU slope ${INLINE_LEAKY_ALPHA} is not tf.nn.leaky_relu's 0.2`);
      return 'tf.nn.leaky_relu';
    default:
      throw new Error(`no Keras activation for '${activation}'`);
  }
}

interface NodeContext {
  readonly id: NodeId;
  readonly type: string;
  readonly params: ResolvedParams;
  readonly inShapes: readonly Shape[];
  readonly outShape: Shape;
  readonly inputs: readonly string[];
  readonly name: string;
  readonly layerName: string;
  readonly weights: ReadonlyMap<string, LayerWeight> | undefined;
}

interface NodeCode {
  readonly lines: string[];
  /** Weight short names in Keras's get_weights() order. */
  readonly weights: string[];
  readonly custom: CustomName[];
}

class Unsupported extends Error {}

/** Writes the code of one node. */
function nodeCode(ctx: NodeContext): NodeCode {
  const { params: p, name, inShapes, outShape } = ctx;
  const src = ctx.inputs[0] ?? 'x';
  const inShape = inShapes[0] ?? [];
  const code: NodeCode = { lines: [`# ${ctx.id}: ${ctx.type}`], weights: [], custom: [] };
  const layer = (cls: string, args: readonly string[], input = src) => {
    code.lines.push(`${name} = ${cls}(${[...args, `name=${pyStr(ctx.layerName)}`].join(', ')})(${input})`);
  };
  const L = (cls: string) => `tf.keras.layers.${cls}`;
  const useBiasArgs = (useBias: boolean) => (useBias ? [] : ['use_bias=False']);

  switch (ctx.type) {
    case 'Dense':
      layer(L('Dense'), [`units=${num(p, 'units')}`, `activation=${kerasActivation(str(p, 'activation'))}`, ...useBiasArgs(bool(p, 'useBias'))]);
      code.weights.push('kernel', ...(bool(p, 'useBias') ? ['bias'] : []));
      break;
    case 'Output': {
      const task = str(p, 'task');
      const activation = task === 'classification' ? 'softmax' : task === 'binary' ? 'sigmoid' : 'linear';
      layer(L('Dense'), [`units=${outputUnits(p)}`, `activation=${pyStr(activation)}`]);
      code.weights.push('kernel', 'bias');
      break;
    }
    case 'Activation': {
      const activation = str(p, 'activation');
      if (activation === 'leakyRelu') layer(L('LeakyReLU'), [py(num(p, 'alpha'))]); // positional: alpha (Keras 2) / negative_slope (Keras 3)
      else layer(L('Activation'), [kerasActivation(activation)]);
      break;
    }
    case 'Dropout':
      layer(L('Dropout'), [`rate=${py(num(p, 'rate'))}`]);
      break;
    case 'Flatten':
      layer(L('Flatten'), []);
      break;
    case 'Reshape':
      layer(L('Reshape'), [`target_shape=${pyTuple(outShape)}`]);
      break;
    case 'Embedding':
      layer(L('Embedding'), [`input_dim=${num(p, 'inputDim')}`, `output_dim=${num(p, 'outputDim')}`]);
      code.weights.push('embeddings');
      break;
    case 'Conv2D':
    case 'WSConv2D': {
      const useBias = bool(p, 'useBias');
      const args = [
        `filters=${num(p, 'filters')}`,
        `kernel_size=${pyTuple(int2(p, 'kernelSize'))}`,
        `strides=${pyTuple(int2(p, 'strides'))}`,
        `padding=${pyStr(str(p, 'padding'))}`,
      ];
      if (ctx.type === 'Conv2D') args.push(`dilation_rate=${pyTuple(int2(p, 'dilationRate'))}`);
      args.push(`activation=${kerasActivation(str(p, 'activation'))}`, ...useBiasArgs(useBias));
      if (ctx.type === 'WSConv2D') {
        args.push(`eps=${py(num(p, 'eps'))}`);
        code.custom.push('wsConv');
      }
      layer(ctx.type === 'Conv2D' ? L('Conv2D') : 'WSConv2D', args);
      code.weights.push('kernel', ...(useBias ? ['bias'] : []), ...(ctx.type === 'WSConv2D' ? ['gain'] : []));
      break;
    }
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      const useBias = bool(p, 'useBias');
      const args = [
        `kernel_size=${pyTuple(int2(p, 'kernelSize'))}`,
        `strides=${pyTuple(int2(p, 'strides'))}`,
        `padding=${pyStr(str(p, 'padding'))}`,
        `depth_multiplier=${num(p, 'depthMultiplier')}`,
        `activation=${kerasActivation(str(p, 'activation'))}`,
        ...useBiasArgs(useBias),
      ];
      if (ctx.type === 'SeparableConv2D') args.unshift(`filters=${num(p, 'filters')}`);
      layer(L(ctx.type), args);
      code.weights.push('depthwise_kernel', ...(ctx.type === 'SeparableConv2D' ? ['pointwise_kernel'] : []), ...(useBias ? ['bias'] : []));
      break;
    }
    case 'Conv2DTranspose': {
      const useBias = bool(p, 'useBias');
      layer(L('Conv2DTranspose'), [
        `filters=${num(p, 'filters')}`,
        `kernel_size=${pyTuple(int2(p, 'kernelSize'))}`,
        `strides=${pyTuple(int2(p, 'strides'))}`,
        `padding=${pyStr(str(p, 'padding'))}`,
        `activation=${kerasActivation(str(p, 'activation'))}`,
        ...useBiasArgs(useBias),
      ]);
      code.weights.push('kernel', ...(useBias ? ['bias'] : []));
      break;
    }
    case 'UpSampling2D':
      if (str(p, 'interpolation') !== 'nearest') {
        code.lines.push("# bilinear: Keras resizes with half-pixel centres, TF.js's UpSampling2D does not — values can differ slightly");
      }
      layer(L('UpSampling2D'), [`size=${pyTuple(int2(p, 'size'))}`, `interpolation=${pyStr(str(p, 'interpolation'))}`]);
      break;
    case 'ZeroPadding2D': {
      const [t, b, l, r] = ints(p, 'padding');
      layer(L('ZeroPadding2D'), [`padding=((${t}, ${b}), (${l}, ${r}))`]);
      break;
    }
    case 'MaxPool2D':
    case 'AvgPool2D':
      layer(L(ctx.type === 'MaxPool2D' ? 'MaxPooling2D' : 'AveragePooling2D'), [
        `pool_size=${pyTuple(int2(p, 'poolSize'))}`,
        `strides=${pyTuple(int2(p, 'strides'))}`,
        `padding=${pyStr(str(p, 'padding'))}`,
      ]);
      break;
    case 'GlobalAvgPool2D':
      layer(L('GlobalAveragePooling2D'), []);
      break;
    case 'GlobalMaxPool2D':
      layer(L('GlobalMaxPooling2D'), []);
      break;
    case 'BatchNorm':
      layer(L('BatchNormalization'), [`momentum=${py(num(p, 'momentum'))}`, `epsilon=${py(num(p, 'epsilon'))}`]);
      code.weights.push('gamma', 'beta', 'moving_mean', 'moving_variance');
      break;
    case 'LayerNorm':
      layer(L('LayerNormalization'), ['axis=-1', `epsilon=${py(num(p, 'epsilon'))}`]);
      code.weights.push('gamma', 'beta');
      break;
    case 'SkipInit':
      code.custom.push('skipInit');
      layer('SkipInit', [`initial_value=${py(num(p, 'initialValue'))}`]);
      code.weights.push('alpha');
      break;
    case 'Add':
    case 'Multiply':
      layer(L(ctx.type), [], `[${ctx.inputs.join(', ')}]`);
      break;
    case 'Concatenate': {
      const axis = sampleAxis(num(p, 'axis'), inShape.length);
      if (axis === undefined) throw new Unsupported(`axis ${num(p, 'axis')} is out of range`);
      layer(L('Concatenate'), [`axis=${axis === inShape.length - 1 ? -1 : axis + 1}`], `[${ctx.inputs.join(', ')}]`);
      break;
    }
    case 'LSTM':
    case 'GRU': {
      const useBias = bool(p, 'useBias');
      const args = [
        `units=${num(p, 'units')}`,
        `activation=${kerasActivation(str(p, 'activation'))}`,
        "recurrent_activation='hard_sigmoid'",
        `return_sequences=${bool(p, 'returnSequences') ? 'True' : 'False'}`,
        ...useBiasArgs(useBias),
      ];
      if (ctx.type === 'GRU') args.push('reset_after=False');
      code.lines.push(
        "# TF.js's gates: hard_sigmoid = clip(0.2 * t + 0.5, 0, 1) in Keras 2; Keras 3's hard_sigmoid is relu6(t + 3) / 6, which differs",
      );
      layer(L(ctx.type), args);
      code.weights.push('kernel', 'recurrent_kernel', ...(useBias ? ['bias'] : []));
      break;
    }
    default:
      throw new Unsupported(`no Keras mapping for layer type '${ctx.type}' yet`);
  }
  // The weights must be there, with the short names Keras uses.
  for (const w of code.weights) {
    if (!ctx.weights?.get(w)) {
      throw new Unsupported(`its model layer has no weight '${w}' (weights found: ${[...(ctx.weights?.keys() ?? [])].join(', ') || 'none'})`);
    }
  }
  return code;
}

/**
 * model.py and the weights for a graph that compiles (one Input, one Output). Throws {@link KerasExportError} listing
 * every node that cannot be written.
 */
export function generateKeras(doc: GraphDocument, analysis: GraphAnalysis, weightsOf: NodeWeights, options: GenerateKerasOptions): GeneratedKeras {
  const plan = planExport(doc, analysis);
  const { input, output, incoming } = plan;

  const names = new UniqueNames();
  const layerNamesUsed = new Set<string>();
  const nameOf = new Map<NodeId, string>();
  const layerNameOf = new Map<NodeId, string>();
  const order = plan.order;
  for (const id of order) {
    nameOf.set(id, names.take(pythonIdentifier(id)));
    let layerName = kerasLayerName(id);
    for (let i = 2; layerNamesUsed.has(layerName); i++) layerName = `${kerasLayerName(id)}_${i}`;
    layerNamesUsed.add(layerName);
    layerNameOf.set(id, layerName);
  }

  const body: string[] = [];
  const tensors: NamedTensor[] = [];
  const layerWeights = new Map<string, string[]>();
  const custom = new Set<CustomName>();
  const problems: KerasExportProblem[] = [];
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
      const dtype = inputKind === 'tokens' ? ", dtype='int32'" : '';
      body.push(`${nameOf.get(id)} = tf.keras.Input(shape=${pyTuple(info.output)}${dtype}, name=${pyStr(layerNameOf.get(id)!)})`);
      continue;
    }
    const sources = [...(incoming.get(id) ?? [])]
      .sort((a, b) => a.port - b.port || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((e) => nameOf.get(e.source)!);
    try {
      const weights = weightsOf(id);
      const ctx: NodeContext = {
        id,
        type: node.type,
        params,
        inShapes: info.inputShapes.filter((s): s is Shape => s !== undefined),
        outShape: info.output,
        inputs: sources,
        name: nameOf.get(id)!,
        layerName: layerNameOf.get(id)!,
        weights,
      };
      const code = nodeCode(ctx);
      body.push(...code.lines);
      code.custom.forEach((c) => custom.add(c));
      if (code.weights.length > 0) {
        layerWeights.set(ctx.layerName, code.weights);
        for (const w of code.weights) {
          const value = weights!.get(w)!;
          tensors.push({ name: `${ctx.layerName}/${w}`, shape: [...value.shape], data: value.data });
        }
      }
    } catch (err) {
      problems.push({ nodeId: id, type: node.type, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  if (problems.length > 0) throw new KerasExportError(problems);

  const inputShape = analysis.nodes.get(input.id)?.output ?? [];
  const outputShape = analysis.nodes.get(output.id)?.output ?? [];
  const modelName = (doc.metadata.name || 'model').replace(/[^A-Za-z0-9_.-]/g, '_');
  const inputDoc =
    inputKind === 'image'
      ? `images N x ${inputShape.join(' x ')} (N x height x width x channels, float32)`
      : inputKind === 'tokens'
        ? `token ids N x ${inputShape.join(' x ')} (int32)`
        : inputKind === 'sequence'
          ? `sequences N x ${inputShape.join(' x ')} (N x time steps x features, float32)`
          : `vectors N x ${inputShape.join(' x ')} (float32)`;

  const source = [
    `"""${doc.metadata.name || 'Model'} — exported from Neural Bricks${options.sourceFile ? ` (${options.sourceFile})` : ''} to tf.keras (functional API).`,
    '',
    `Weights: ${options.weightsFrom}. Input: ${inputDoc}. Output: N x ${outputShape.join(' x ')}.`,
    "Variable and layer names are the graph's node ids. Needs TensorFlow 2 (written for tf.keras; checked by structure",
    'only: Neural Bricks cannot run TensorFlow).',
    '',
    "Usage:  model = load_weights(build_model(), directory_with_weights_safetensors);  y = model.predict(x)",
    '"""',
    'import json',
    'import os',
    'import struct',
    '',
    'import numpy as np',
    'import tensorflow as tf',
    '',
    ...[...custom].flatMap((c) => ['', CUSTOM_LAYERS[c], '']),
    '',
    'def build_model():',
    indent(body, '    '),
    `    return tf.keras.Model(inputs=${nameOf.get(input.id)}, outputs=${nameOf.get(output.id)}, name=${pyStr(modelName)})`,
    '',
    '',
    'def read_safetensors(path):',
    '    """The tensors and metadata of a .safetensors file (8-byte little-endian header length, JSON header, float32 data)."""',
    "    with open(path, 'rb') as f:",
    "        (header_length,) = struct.unpack('<Q', f.read(8))",
    "        header = json.loads(f.read(header_length).decode('utf-8'))",
    '        data = f.read()',
    "    metadata = header.pop('__metadata__', {})",
    '    tensors = {}',
    '    for name, info in header.items():',
    "        if info['dtype'] != 'F32':",
    "            raise ValueError(f\"{path}: tensor {name} is {info['dtype']}, expected F32\")",
    "        start, end = info['data_offsets']",
    "        tensors[name] = np.frombuffer(data[start:end], dtype='<f4').reshape(info['shape'])",
    '    return tensors, metadata',
    '',
    '',
    'def load_weights(model, directory):',
    '    """Sets every layer\'s weights from directory/weights.safetensors (tensors named <layer>/<weight>, in the',
    '    layer\'s get_weights() order as listed in the file\'s metadata); returns the model."""',
    "    tensors, metadata = read_safetensors(os.path.join(directory, 'weights.safetensors'))",
    "    for layer_name, weight_names in json.loads(metadata['keras_layers']).items():",
    '        model.get_layer(layer_name).set_weights([tensors[layer_name + \'/\' + w] for w in weight_names])',
    '    return model',
    '',
  ].join('\n');

  return {
    source: source.replace(/\n{4,}/g, '\n\n\n'),
    tensors,
    layerWeights,
    names: nameOf,
    layerNames: layerNameOf,
    input: { nodeId: input.id, shape: inputShape, kind: inputKind },
    outputShape,
  };
}
