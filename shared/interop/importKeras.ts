/**
 * A Keras model config (any era, see kerasTopology.ts) as a graph document: each Keras layer becomes one node of the
 * catalog type that computes the same thing, with the layer's name (sanitised, unique) as node id. The model's last
 * layer — a Dense with softmax, sigmoid (one unit) or linear, or such a Dense followed by an Activation — becomes our
 * Output head. Anything the catalog cannot express (a Lambda, a custom layer, an option with no equivalent) is listed
 * with the layer's name and class; nothing is dropped silently.
 */
import { getLayerSpec } from '../catalog/registry';
import type { GraphDocument, GraphEdge, GraphNode, NodeId, ParamValue } from '../document/model';
import { analyzeGraph } from '../inference/analyzeGraph';
import type { GraphAnalysis } from '../inference/types';
import { layoutTopDown } from './layoutImported';
import { declaredShape, parseKerasModel, type JsonObject, type KerasLayer, type KerasModel } from './kerasTopology';

/** A layer that cannot be imported, and why. */
export interface ImportProblem {
  readonly layer: string;
  readonly className: string;
  readonly reason: string;
}

export interface ImportedGraph {
  readonly doc: GraphDocument;
  readonly analysis: GraphAnalysis;
  /** The Keras layer whose weights each node holds (only nodes that have weights). */
  readonly weightsFrom: ReadonlyMap<NodeId, string>;
  /** Node id of each imported Keras layer (a folded layer maps to the node it joined). */
  readonly nodeOf: ReadonlyMap<string, NodeId>;
  /** What changed on the way in (folded layers, options without effect here), one sentence each. */
  readonly notes: readonly string[];
}

export type ImportResult =
  | ({ readonly ok: true } & ImportedGraph)
  | { readonly ok: false; readonly problems: readonly ImportProblem[] };

class Unsupported extends Error {}

const ACTIVATIONS: Readonly<Record<string, string>> = {
  linear: 'linear',
  relu: 'relu',
  elu: 'elu',
  gelu: 'gelu',
  swish: 'swish',
  silu: 'swish',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
};

function activation(value: unknown, allowLeaky = true): string {
  if (value === undefined || value === null) return 'linear';
  // Keras 3 may serialise an activation as {"module": "keras.activations", "class_name": "function", "config": "relu"}.
  const name = typeof value === 'string' ? value : typeof value === 'object' && typeof (value as JsonObject)['config'] === 'string' ? String((value as JsonObject)['config']) : undefined;
  if (name === undefined) throw new Unsupported(`activation ${JSON.stringify(value).slice(0, 80)} is not a built-in activation`);
  const ours = ACTIVATIONS[name];
  if (ours) return ours;
  // Keras 3's leaky_relu activation has slope 0.2, the slope our inline leaky ReLU uses.
  if (allowLeaky && (name === 'leaky_relu' || name === 'leakyRelu')) return 'leakyRelu';
  throw new Unsupported(`activation '${name}' has no equivalent here (available: ${Object.keys(ACTIVATIONS).join(', ')})`);
}

function pair(value: unknown, what: string, fallback?: readonly [number, number]): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0] as number, value[1] as number];
  if ((value === undefined || value === null) && fallback) return [...fallback];
  throw new Unsupported(`${what} ${JSON.stringify(value)} is not one or two integers`);
}

function bool(config: JsonObject, key: string, fallback: boolean): boolean {
  const v = config[key];
  return typeof v === 'boolean' ? v : fallback;
}

function number(config: JsonObject, key: string, fallback?: number): number {
  const v = config[key];
  if (typeof v === 'number') return v;
  if (fallback !== undefined) return fallback;
  throw new Unsupported(`'${key}' is missing`);
}

function padding(config: JsonObject): string {
  const p = config['padding'] ?? 'valid';
  if (p === 'same' || p === 'valid') return p;
  throw new Unsupported(`padding '${String(p)}' (only 'same' and 'valid')`);
}

function channelsLast(config: JsonObject): void {
  const format = config['data_format'];
  if (format !== undefined && format !== null && format !== 'channels_last') throw new Unsupported(`data_format '${String(format)}' (only channels_last images)`);
}

function noDilation(config: JsonObject): void {
  const d = pair(config['dilation_rate'], 'dilation_rate', [1, 1]);
  if (d[0] !== 1 || d[1] !== 1) throw new Unsupported(`dilation_rate ${d.join('×')} (only 1 for this layer)`);
}

function affine(config: JsonObject): void {
  if (!bool(config, 'center', true) || !bool(config, 'scale', true)) throw new Unsupported('center or scale is off (our normalisation layers always learn both)');
}

interface Mapped {
  readonly type: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The layer holds weights (copied when present). */
  readonly weights?: boolean;
  /** A BatchNormalization/LayerNormalization axis to check against the input rank once shapes are known. */
  readonly axis?: unknown;
}

/** Our node type and params for one Keras layer; throws {@link Unsupported} with the reason. */
function mapLayer(layer: KerasLayer, notes: string[]): Mapped {
  const c = layer.config;
  switch (layer.className) {
    case 'Dense':
      return { type: 'Dense', params: { units: number(c, 'units'), activation: activation(c['activation']), useBias: bool(c, 'use_bias', true) }, weights: true };
    case 'Activation': {
      const act = activation(c['activation']);
      // Keras 3's leaky_relu activation has slope 0.2; the Activation node keeps its slope as `alpha`.
      return { type: 'Activation', params: act === 'leakyRelu' ? { activation: act, alpha: 0.2 } : { activation: act } };
    }
    case 'ReLU': {
      if ((c['max_value'] ?? null) !== null || number(c, 'threshold', 0) !== 0 || number(c, 'negative_slope', 0) !== 0) {
        throw new Unsupported('ReLU with max_value, threshold or negative_slope');
      }
      return { type: 'Activation', params: { activation: 'relu' } };
    }
    case 'LeakyReLU': {
      const alpha = number(c, 'negative_slope', number(c, 'alpha', 0.3));
      if (alpha < 0 || alpha > 1) throw new Unsupported(`slope ${alpha} outside 0…1`);
      return { type: 'Activation', params: { activation: 'leakyRelu', alpha } };
    }
    case 'ELU':
      if (number(c, 'alpha', 1) !== 1) throw new Unsupported(`ELU alpha ${String(c['alpha'])} (only 1)`);
      return { type: 'Activation', params: { activation: 'elu' } };
    case 'Softmax': {
      const axis = c['axis'] ?? -1;
      if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) throw new Unsupported(`softmax over axis ${JSON.stringify(axis)} (only the last)`);
      return { type: 'Activation', params: { activation: 'softmax' } };
    }
    case 'Dropout': {
      const rate = number(c, 'rate');
      if (rate > 0.95) throw new Unsupported(`rate ${rate} above 0.95`);
      if (c['noise_shape'] !== undefined && c['noise_shape'] !== null) throw new Unsupported('noise_shape');
      return { type: 'Dropout', params: { rate } };
    }
    case 'Flatten':
      channelsLast(c);
      return { type: 'Flatten', params: {} };
    case 'Reshape': {
      const target = c['target_shape'];
      if (!Array.isArray(target) || !target.every((d) => typeof d === 'number')) throw new Unsupported('target_shape is not a list of integers');
      return { type: 'Reshape', params: { targetShape: target as number[] } };
    }
    case 'Embedding':
      if (c['input_length'] !== undefined && c['input_length'] !== null) notes.push(`'${layer.name}': input_length ${String(c['input_length'])} comes from the Input's length here`);
      return { type: 'Embedding', params: { inputDim: number(c, 'input_dim'), outputDim: number(c, 'output_dim') }, weights: true };
    case 'Conv2D':
    case 'Convolution2D': {
      channelsLast(c);
      if (number(c, 'groups', 1) !== 1) throw new Unsupported(`groups ${String(c['groups'])} (grouped convolution)`);
      return {
        type: 'Conv2D',
        params: {
          filters: number(c, 'filters'),
          kernelSize: pair(c['kernel_size'], 'kernel_size'),
          strides: pair(c['strides'], 'strides', [1, 1]),
          padding: padding(c),
          dilationRate: pair(c['dilation_rate'], 'dilation_rate', [1, 1]),
          activation: activation(c['activation']),
          useBias: bool(c, 'use_bias', true),
        },
        weights: true,
      };
    }
    case 'DepthwiseConv2D':
      channelsLast(c);
      noDilation(c);
      return {
        type: 'DepthwiseConv2D',
        params: {
          kernelSize: pair(c['kernel_size'], 'kernel_size'),
          strides: pair(c['strides'], 'strides', [1, 1]),
          padding: padding(c),
          depthMultiplier: number(c, 'depth_multiplier', 1),
          activation: activation(c['activation']),
          useBias: bool(c, 'use_bias', true),
        },
        weights: true,
      };
    case 'SeparableConv2D':
    case 'SeparableConvolution2D':
      channelsLast(c);
      noDilation(c);
      return {
        type: 'SeparableConv2D',
        params: {
          filters: number(c, 'filters'),
          kernelSize: pair(c['kernel_size'], 'kernel_size'),
          strides: pair(c['strides'], 'strides', [1, 1]),
          padding: padding(c),
          depthMultiplier: number(c, 'depth_multiplier', 1),
          activation: activation(c['activation']),
          useBias: bool(c, 'use_bias', true),
        },
        weights: true,
      };
    case 'Conv2DTranspose':
    case 'Deconvolution2D':
      channelsLast(c);
      noDilation(c);
      if (c['output_padding'] !== undefined && c['output_padding'] !== null) throw new Unsupported('output_padding');
      return {
        type: 'Conv2DTranspose',
        params: {
          filters: number(c, 'filters'),
          kernelSize: pair(c['kernel_size'], 'kernel_size'),
          strides: pair(c['strides'], 'strides', [1, 1]),
          padding: padding(c),
          activation: activation(c['activation']),
          useBias: bool(c, 'use_bias', true),
        },
        weights: true,
      };
    case 'NeuralBricks>WSConv2D':
      return {
        type: 'WSConv2D',
        params: {
          filters: number(c, 'filters'),
          kernelSize: pair(c['kernel_size'], 'kernel_size'),
          strides: pair(c['strides'], 'strides', [1, 1]),
          padding: padding(c),
          activation: activation(c['activation']),
          useBias: bool(c, 'use_bias', true),
          eps: number(c, 'eps', 1e-4),
        },
        weights: true,
      };
    case 'NeuralBricks>SkipInit':
      return { type: 'SkipInit', params: { initialValue: number(c, 'initial_value', 0) }, weights: true };
    case 'MaxPooling2D':
    case 'MaxPool2D':
    case 'AveragePooling2D':
    case 'AvgPool2D': {
      channelsLast(c);
      const poolSize = pair(c['pool_size'], 'pool_size', [2, 2]);
      return {
        type: layer.className.startsWith('Max') ? 'MaxPool2D' : 'AvgPool2D',
        params: { poolSize, strides: pair(c['strides'], 'strides', poolSize), padding: padding(c) },
      };
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalAvgPool2D':
    case 'GlobalMaxPooling2D':
    case 'GlobalMaxPool2D':
      channelsLast(c);
      if (bool(c, 'keepdims', false)) throw new Unsupported('keepdims');
      return { type: layer.className.includes('Max') ? 'GlobalMaxPool2D' : 'GlobalAvgPool2D', params: {} };
    case 'BatchNormalization':
      affine(c);
      if (bool(c, 'renorm', false)) throw new Unsupported('batch renormalisation');
      return { type: 'BatchNorm', params: { momentum: number(c, 'momentum', 0.99), epsilon: number(c, 'epsilon', 0.001) }, weights: true, axis: c['axis'] ?? -1 };
    case 'LayerNormalization':
      affine(c);
      if (bool(c, 'rms_scaling', false)) throw new Unsupported('rms_scaling');
      return { type: 'LayerNorm', params: { epsilon: number(c, 'epsilon', 0.001) }, weights: true, axis: c['axis'] ?? -1 };
    case 'Add':
      return { type: 'Add', params: {} };
    case 'Multiply':
      return { type: 'Multiply', params: {} };
    case 'Concatenate':
      return { type: 'Concatenate', params: { axis: number(c, 'axis', -1) } };
    case 'ZeroPadding2D': {
      channelsLast(c);
      const p = c['padding'] ?? 1;
      let pads: number[];
      if (typeof p === 'number') pads = [p, p, p, p];
      else if (Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number')) pads = [p[0], p[0], p[1], p[1]] as number[];
      else if (Array.isArray(p) && p.length === 2 && p.every((v) => Array.isArray(v) && v.length === 2)) pads = (p as number[][]).flat();
      else throw new Unsupported(`padding ${JSON.stringify(p)}`);
      return { type: 'ZeroPadding2D', params: { padding: pads } };
    }
    case 'UpSampling2D': {
      channelsLast(c);
      const interpolation = c['interpolation'] ?? 'nearest';
      if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw new Unsupported(`interpolation '${String(interpolation)}'`);
      return { type: 'UpSampling2D', params: { size: pair(c['size'], 'size', [2, 2]), interpolation } };
    }
    case 'LSTM':
    case 'GRU': {
      for (const flag of ['return_state', 'go_backwards', 'stateful', 'unroll'] as const) {
        if (bool(c, flag, false) && flag !== 'unroll') throw new Unsupported(flag);
      }
      if (layer.className === 'GRU' && bool(c, 'reset_after', false)) {
        throw new Unsupported('reset_after=true (the Keras ≥ 2.3 default: separate recurrent biases); our GRU is the reset_after=false variant');
      }
      const recurrent = c['recurrent_activation'];
      // Our recurrent layers compile to tfjs's defaults, whose gates use hard sigmoid.
      if (recurrent !== undefined && recurrent !== 'hard_sigmoid' && recurrent !== 'hardSigmoid') {
        throw new Unsupported(`recurrent_activation '${String(recurrent)}' (our ${layer.className} gates use hard_sigmoid, tfjs's default)`);
      }
      return {
        type: layer.className,
        params: {
          units: number(c, 'units'),
          activation: activation(c['activation'] ?? 'tanh', false),
          returnSequences: bool(c, 'return_sequences', false),
          useBias: bool(c, 'use_bias', true),
        },
        weights: true,
      };
    }
    default:
      throw new Unsupported(
        layer.className === 'Lambda'
          ? 'a Lambda layer runs arbitrary code, which cannot be imported'
          : layer.className === 'Sequential' || layer.className === 'Functional' || layer.className === 'Model'
            ? 'nested models are not supported (flatten the model first)'
            : `no layer of class ${layer.className} in the catalog`,
      );
  }
}

/** Node ids from Keras names: letters, digits, `_` and `-`, at most 100 characters, unique. */
function idMaker(): (name: string) => NodeId {
  const taken = new Set<string>();
  return (name) => {
    let base = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
    if (!/^[A-Za-z]/.test(base)) base = `n_${base}`;
    let id = base;
    for (let i = 2; taken.has(id); i++) id = `${base}_${i}`;
    taken.add(id);
    return id;
  };
}

/** The Output head for the model's last layer, or why it cannot be one. */
function headFor(dense: KerasLayer, act: string): Readonly<Record<string, ParamValue>> {
  const units = number(dense.config, 'units');
  if (!bool(dense.config, 'use_bias', true)) throw new Unsupported('the last Dense has no bias; our Output always has one');
  if (act === 'softmax') {
    if (units < 2) throw new Unsupported('softmax over one unit');
    return { task: 'classification', units };
  }
  if (act === 'sigmoid') {
    if (units !== 1) throw new Unsupported(`sigmoid over ${units} units (our binary Output has one unit; multi-label heads are not supported)`);
    return { task: 'binary' };
  }
  if (act === 'linear') return { task: 'regression', units };
  throw new Unsupported(`the model ends in a Dense with activation '${act}'; our Output is a Dense with softmax, sigmoid or linear`);
}

interface Plan {
  readonly layer: KerasLayer;
  readonly id: NodeId;
  readonly mapped: Mapped;
  readonly inputs: readonly string[];
}

export function importKerasModel(json: unknown): ImportResult {
  const model: KerasModel = parseKerasModel(json);
  const problems: ImportProblem[] = [];
  const notes: string[] = [];
  const problem = (layer: KerasLayer | undefined, reason: string) =>
    problems.push({ layer: layer?.name ?? model.name, className: layer?.className ?? model.kind, reason });

  for (const w of model.wiringProblems) problems.push({ layer: w.name, className: w.className, reason: w.reason });
  if (model.inputNames.length !== 1) problem(undefined, `the model has ${model.inputNames.length} inputs; only models with one input can be imported`);
  if (model.outputNames.length !== 1) problem(undefined, `the model has ${model.outputNames.length} outputs; only models with one output can be imported`);

  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const consumers = new Map<string, string[]>();
  for (const l of model.layers) for (const src of l.inputs) consumers.set(src, [...(consumers.get(src) ?? []), l.name]);

  // The head: the last layer, or a linear Dense followed by a final Activation that is folded into it.
  const lastName = model.outputNames[0] ?? model.layers[model.layers.length - 1]?.name;
  const last = lastName !== undefined ? byName.get(lastName) : undefined;
  let headDense: KerasLayer | undefined;
  let folded: KerasLayer | undefined;
  let headParams: Readonly<Record<string, ParamValue>> | undefined;
  try {
    if (!last) throw new Unsupported('the model has no output layer');
    if (last.className === 'Dense') {
      headDense = last;
      headParams = headFor(last, activation(last.config['activation']));
    } else if (['Activation', 'Softmax'].includes(last.className) && last.inputs.length === 1) {
      const before = byName.get(last.inputs[0]!);
      const act = last.className === 'Softmax' ? 'softmax' : activation(last.config['activation']);
      if (before?.className === 'Dense' && activation(before.config['activation']) === 'linear' && (consumers.get(before.name) ?? []).length === 1) {
        headDense = before;
        folded = last;
        headParams = headFor(before, act);
        notes.push(`'${last.name}' (${last.className} ${act}) became part of the Output '${before.name}', which applies it`);
      } else {
        throw new Unsupported(`the model ends in ${last.className} '${last.name}' not directly after a linear Dense`);
      }
    } else {
      throw new Unsupported(`the model ends in ${last.className}; our Output is a Dense (softmax, sigmoid or linear) that ends the model`);
    }
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    problem(last, `cannot become the Output: ${error.message}`);
  }

  const makeId = idMaker();
  const plans: Plan[] = [];
  const nodeOf = new Map<string, NodeId>();

  // A Sequential without an InputLayer declares its input on the first layer.
  if (model.declaredInput) {
    const first = model.layers[0]!;
    const id = makeId('input');
    const inputLayer: KerasLayer = {
      name: `${first.name}'s input`,
      className: 'InputLayer',
      config: { batch_input_shape: [null, ...model.declaredInput.shape], dtype: model.declaredInput.dtype ?? 'float32' },
      inputs: [],
    };
    plans.push({ layer: inputLayer, id, mapped: { type: 'Input', params: {} }, inputs: [] });
    nodeOf.set(inputLayer.name, id);
    (first as { inputs: readonly string[] }).inputs = [inputLayer.name];
  }

  for (const layer of model.layers) {
    if (layer === folded) continue;
    try {
      if (layer.className === 'InputLayer') {
        plans.push({ layer, id: makeId(layer.name), mapped: { type: 'Input', params: {} }, inputs: [] });
      } else if (layer === headDense && headParams) {
        plans.push({ layer, id: makeId(layer.name), mapped: { type: 'Output', params: headParams, weights: true }, inputs: layer.inputs });
      } else {
        plans.push({ layer, id: makeId(layer.name), mapped: mapLayer(layer, notes), inputs: layer.inputs });
      }
      nodeOf.set(layer.name, plans[plans.length - 1]!.id);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      problem(layer, error.message);
    }
  }
  if (folded && headDense) nodeOf.set(folded.name, nodeOf.get(headDense.name)!);

  // Input params from the declared shape; rank-1 integer inputs (or ones feeding an Embedding) are token ids.
  for (const plan of plans) {
    if (plan.mapped.type !== 'Input') continue;
    const shape = declaredShape(plan.layer.config);
    const dtype = plan.layer.config['dtype'];
    const where = plan.layer;
    if (!shape) {
      problem(where, 'the input declares no shape');
      continue;
    }
    if (shape.some((d) => d === null)) {
      problem(where, `input shape [${shape.map((d) => d ?? 'None').join(', ')}] has unknown dimensions; every dimension must be fixed`);
      continue;
    }
    const dims = shape as number[];
    const feedsEmbedding = (consumers.get(plan.layer.name) ?? (plan.layer.name.endsWith("'s input") ? [model.layers[0]!.name] : [])).some(
      (n) => byName.get(n)?.className === 'Embedding',
    );
    let params: Record<string, ParamValue>;
    if (dims.length === 3) params = { kind: 'image', height: dims[0]!, width: dims[1]!, channels: dims[2]! };
    else if (dims.length === 2) params = { kind: 'sequence', length: dims[0]!, features: dims[1]! };
    else if (dims.length === 1 && (feedsEmbedding || (typeof dtype === 'string' && dtype.startsWith('int')))) params = { kind: 'tokens', length: dims[0]! };
    else if (dims.length === 1) params = { kind: 'vector', size: dims[0]! };
    else {
      problem(where, `input of rank ${dims.length} (${dims.join('×')}); inputs are images (H×W×C), vectors, sequences or tokens`);
      continue;
    }
    (plan as { mapped: Mapped }).mapped = { type: 'Input', params };
  }

  if (problems.length > 0) return { ok: false, problems };

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const edgeIds = new Set<string>();
  const weightsFrom = new Map<NodeId, string>();
  for (const plan of plans) {
    const spec = getLayerSpec(plan.mapped.type);
    nodes.push({ id: plan.id, type: plan.mapped.type, params: plan.mapped.params, position: { x: 0, y: 0 } });
    if (plan.mapped.weights) weightsFrom.set(plan.id, plan.layer.name);
    plan.inputs.forEach((src, i) => {
      const source = nodeOf.get(src);
      if (!source) {
        problem(plan.layer, `its input '${src}' is not a layer of the model`);
        return;
      }
      let id = `${source}->${plan.id}`;
      for (let k = 2; edgeIds.has(id); k++) id = `${source}->${plan.id}#${k}`;
      edgeIds.add(id);
      edges.push({ id, source, target: plan.id, targetPort: spec?.inputs.ordered ? i : 0 });
    });
  }
  if (problems.length > 0) return { ok: false, problems };

  const unlaid: GraphDocument = { nodes, edges, groups: [], metadata: { name: model.name, description: `Imported from a Keras ${model.kind} model (${model.layers.length} layers).` } };
  const doc: GraphDocument = { ...unlaid, nodes: layoutTopDown(unlaid) };
  const analysis = analyzeGraph(doc);

  // Normalisation axes must be the last one (ours normalise over the last axis only).
  for (const plan of plans) {
    if (plan.mapped.axis === undefined) continue;
    const rank = analysis.nodes.get(plan.id)?.inputShapes[0]?.length;
    const axes = Array.isArray(plan.mapped.axis) ? plan.mapped.axis : [plan.mapped.axis];
    const last = axes.length === 1 && (axes[0] === -1 || (rank !== undefined && axes[0] === rank));
    if (!last) problem(plan.layer, `normalises over axis ${JSON.stringify(plan.mapped.axis)}; ours normalise over the last axis only`);
  }
  for (const issue of analysis.issues) {
    if (issue.severity !== 'error') continue;
    const plan = plans.find((p) => p.id === issue.nodeId);
    problem(plan?.layer, `does not fit here: ${issue.message}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, doc, analysis, weightsFrom, nodeOf, notes };
}
