/**
 * Turns a validated graph document into a `tf.LayersModel` (functional API). Node ids become layer names so trained
 * weights map back to nodes; a node that expands to several layers (Dense + LeakyReLU) gets `id__suffix` names.
 * The tfjs backend is chosen elsewhere; this module only builds the model.
 */
import { initializers, input, model, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { GraphDocument, NodeId } from '../../../shared/document/model';
import { getLayerSpec } from '../../../shared/catalog/registry';
import { resolveParams } from '../../../shared/catalog/resolveParams';
import type { HeadDesc, Shape, TfjsLayerDesc } from '../../../shared/catalog/spec';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import type { GraphAnalysis } from '../../../shared/inference/types';
import { registerChainedOps } from '../backends/registerChainedOps';
import { WS_CONV2D_CLASS } from '../../../shared/catalog/convolution';
import { createLayer } from './layerFactories';

export type CompileErrorCode = 'graph-has-errors' | 'input-count' | 'output-count' | 'unsupported-layer' | 'tfjs-error';

/** Why a graph cannot become a model, naming the node when there is one. */
export class GraphCompileError extends Error {
  override readonly name = 'GraphCompileError';
  constructor(
    readonly code: CompileErrorCode,
    message: string,
    readonly nodeId?: NodeId,
  ) {
    super(message);
  }
}

export interface CompiledGraph {
  readonly model: LayersModel;
  readonly head: HeadDesc;
  readonly inputNodeId: NodeId;
  readonly outputNodeId: NodeId;
  /** tfjs layer names per node, in application order (empty for pass-through nodes; Input has its InputLayer). */
  readonly layerNames: ReadonlyMap<NodeId, readonly string[]>;
  readonly analysis: GraphAnalysis;
}

export interface CompileOptions {
  /** Seeds weight initialisers (and dropout) so the same graph + seed starts from the same weights. */
  readonly seed?: number;
  /** Reuse an analysis the caller already has. */
  readonly analysis?: GraphAnalysis;
}

export function compileGraph(doc: GraphDocument, options: CompileOptions = {}): CompiledGraph {
  // tfjs-layers calls chained tensor methods (e.g. `rMat.flatten()` in the Orthogonal initializer of LSTM/GRU) that
  // only the umbrella tfjs package installs; make sure they exist whichever backend setup ran (idempotent).
  registerChainedOps();
  const analysis = options.analysis ?? analyzeGraph(doc);
  const firstError = analysis.issues.find((i) => i.severity === 'error');
  if (firstError) {
    const errors = analysis.totals.errors;
    throw new GraphCompileError(
      'graph-has-errors',
      `The graph has ${errors} error${errors === 1 ? '' : 's'}; first: ${firstError.message}`,
      firstError.nodeId,
    );
  }
  const inputs = doc.nodes.filter((n) => n.type === 'Input');
  const outputs = doc.nodes.filter((n) => n.type === 'Output');
  if (inputs.length !== 1) {
    throw new GraphCompileError('input-count', `Training needs exactly one Input; the graph has ${inputs.length} (${inputs.map((n) => n.id).join(', ')})`, inputs[1]?.id);
  }
  if (outputs.length !== 1) {
    throw new GraphCompileError('output-count', `Training needs exactly one Output; the graph has ${outputs.length} (${outputs.map((n) => n.id).join(', ')})`, outputs[1]?.id);
  }
  const inputNode = inputs[0]!;
  const outputNode = outputs[0]!;

  // Only nodes the Output depends on become layers; side branches that lead nowhere are left out.
  const needed = ancestors(doc, outputNode.id);
  const nodeById = new Map(doc.nodes.map((n) => [n.id, n]));
  const incoming = new Map<NodeId, { source: NodeId; port: number; id: string }[]>();
  for (const e of doc.edges) {
    const list = incoming.get(e.target) ?? [];
    list.push({ source: e.source, port: e.targetPort, id: e.id });
    incoming.set(e.target, list);
  }

  const names = new UniqueNames();
  const layerNames = new Map<NodeId, string[]>();
  const tensors = new Map<NodeId, SymbolicTensor>();
  let seedCounter = options.seed;
  const nextSeed = (): number | undefined => (seedCounter === undefined ? undefined : seedCounter++);

  // Plan every needed node in analysis order; names are taken in this order, so they do not depend on segmenting.
  const steps: BuildStep[] = [];
  for (const id of analysis.order) {
    if (!needed.has(id)) continue;
    const node = nodeById.get(id);
    const info = analysis.nodes.get(id);
    const spec = node ? getLayerSpec(node.type) : undefined;
    if (!node || !info || !spec || !info.output) {
      throw new GraphCompileError('graph-has-errors', `Node '${id}' could not be analysed`, id);
    }
    const params = resolveParams(spec, node.params).params;
    const base = names.take(sanitizeName(id));
    try {
      if (node.type === 'Input') {
        const desc = spec.toTfjs(params, [])[0];
        const dtype = desc?.config.dtype === 'int32' ? 'int32' : 'float32';
        tensors.set(id, input({ shape: [...info.output], name: base, dtype }));
        layerNames.set(id, [base]);
        continue;
      }
      // Inputs in the same order the analysis used (port, then edge id).
      const sources = [...(incoming.get(id) ?? [])]
        .sort((a, b) => a.port - b.port || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((e) => e.source);
      const descs = spec.toTfjs(params, info.inputShapes.filter((s): s is Shape => s !== undefined));
      const layers = descs.map((desc, i) => ({ desc, name: i === 0 ? base : names.take(`${base}__${desc.nameSuffix ?? String(i)}`) }));
      steps.push({ id, type: node.type, sources, layers });
    } catch (err) {
      throw new GraphCompileError('tfjs-error', `tfjs could not build '${id}' (${node.type}): ${(err as Error).message}`, id);
    }
  }

  /** Creates the step's layers and applies them to its inputs, looked up in `scope`. */
  const build = (step: BuildStep, scope: ReadonlyMap<NodeId, SymbolicTensor>): SymbolicTensor => {
    const { id } = step;
    try {
      const inputTensors = step.sources.map((source) => {
        const t = scope.get(source);
        if (!t) throw new GraphCompileError('graph-has-errors', `Input of '${id}' from '${source}' is not built`, id);
        return t;
      });
      let current: SymbolicTensor | SymbolicTensor[] = inputTensors.length === 1 ? inputTensors[0]! : inputTensors;
      for (const { desc, name } of step.layers) {
        const layer = createLayer(desc.className, { ...withSeeds(desc, nextSeed), name });
        if (!layer) throw new GraphCompileError('unsupported-layer', `No tfjs layer '${desc.className}' for '${id}'`, id);
        current = layer.apply(current) as SymbolicTensor;
      }
      if (Array.isArray(current)) {
        throw new GraphCompileError('tfjs-error', `'${id}' has several inputs but produced no merge layer`, id);
      }
      layerNames.set(id, step.layers.map((l) => l.name));
      return current;
    } catch (err) {
      if (err instanceof GraphCompileError) throw err;
      throw new GraphCompileError('tfjs-error', `tfjs could not build '${id}' (${step.type}): ${(err as Error).message}`, id);
    }
  };

  const layerCount = steps.reduce((n, step) => n + step.layers.length, 0);
  if (layerCount <= MAX_FLAT_LAYERS) {
    for (const step of steps) tensors.set(step.id, build(step, tensors));
  } else {
    buildInSegments(steps, outputNode.id, tensors, build, names);
  }

  const inputTensor = tensors.get(inputNode.id);
  const outputTensor = tensors.get(outputNode.id);
  if (!inputTensor || !outputTensor) {
    throw new GraphCompileError('graph-has-errors', `The Output '${outputNode.id}' is not connected to the Input '${inputNode.id}'`, outputNode.id);
  }
  const outputSpec = getLayerSpec('Output');
  const head = outputSpec?.head?.(resolveParams(outputSpec, outputNode.params).params);
  if (!head) throw new GraphCompileError('unsupported-layer', 'Output has no head description', outputNode.id);
  let built: LayersModel;
  try {
    built = model({ inputs: inputTensor, outputs: outputTensor, name: sanitizeName(doc.metadata.name || 'model') });
  } catch (err) {
    throw new GraphCompileError('tfjs-error', `tfjs could not assemble the model: ${(err as Error).message}`);
  }
  return { model: built, head, inputNodeId: inputNode.id, outputNodeId: outputNode.id, layerNames, analysis };
}

/**
 * tfjs-layers walks a model's graph recursively when it assembles it (`Container`'s buildMapOfGraph): about 4,000
 * layers in a row overflow Node's default stack. Graphs with more layers than this are therefore assembled from
 * nested sub-models of at most SEGMENT_LAYERS layers each, so no walk is deeper than a segment (or the number of
 * segments). Smaller graphs stay flat, so their saved models are plain functional models.
 */
export const MAX_FLAT_LAYERS = 1000;
export const SEGMENT_LAYERS = 500;

/** One node to build: its inputs (in port order) and the tfjs layers it expands to, with their final names. */
interface BuildStep {
  readonly id: NodeId;
  readonly type: string;
  readonly sources: readonly NodeId[];
  readonly layers: readonly { readonly desc: TfjsLayerDesc; readonly name: string }[];
}

/**
 * Builds `steps` (in topological order) as consecutive segments of at most SEGMENT_LAYERS layers. Each segment is a
 * sub-model whose inputs are the tensors it reads from earlier segments (or the model input) and whose outputs are
 * the tensors later segments (or the Output) read; any DAG splits this way, skip connections included. Layer and
 * weight names are the flat build's, so trained weights still map to nodes.
 */
function buildInSegments(
  steps: readonly BuildStep[],
  outputId: NodeId,
  tensors: Map<NodeId, SymbolicTensor>,
  build: (step: BuildStep, scope: ReadonlyMap<NodeId, SymbolicTensor>) => SymbolicTensor,
  names: UniqueNames,
): void {
  const segments: BuildStep[][] = [[]];
  let layersInSegment = 0;
  for (const step of steps) {
    if (layersInSegment > 0 && layersInSegment + step.layers.length > SEGMENT_LAYERS) {
      segments.push([]);
      layersInSegment = 0;
    }
    segments[segments.length - 1]!.push(step);
    layersInSegment += step.layers.length;
  }
  const segmentOf = new Map<NodeId, number>();
  segments.forEach((segment, i) => segment.forEach((step) => segmentOf.set(step.id, i)));
  /** Nodes read by a later segment, or the Output: what each segment must return. */
  const readLater = new Set<NodeId>([outputId]);
  for (const step of steps) {
    for (const source of step.sources) if (segmentOf.get(source) !== segmentOf.get(step.id)) readLater.add(source);
  }

  segments.forEach((segment, i) => {
    const name = names.take(`nb_segment_${i + 1}`);
    const inside = new Set(segment.map((step) => step.id));
    const reads = [...new Set(segment.flatMap((step) => step.sources.filter((source) => !inside.has(source))))];
    const scope = new Map<NodeId, SymbolicTensor>();
    const segmentInputs = reads.map((source, k) => {
      const outer = tensors.get(source);
      if (!outer) throw new GraphCompileError('graph-has-errors', `Segment ${i + 1} reads '${source}', which is not built`, source);
      const inner = input({ shape: outer.shape.slice(1) as number[], dtype: outer.dtype, name: names.take(`${name}_in${k + 1}`) });
      scope.set(source, inner);
      return inner;
    });
    for (const step of segment) scope.set(step.id, build(step, scope));
    const returns = segment.map((step) => step.id).filter((id) => readLater.has(id));
    if (returns.length === 0) return; // nothing downstream reads it (cannot happen for nodes the Output needs)
    let sub: LayersModel;
    try {
      sub = model({ inputs: segmentInputs, outputs: returns.map((id) => scope.get(id)!), name });
    } catch (err) {
      throw new GraphCompileError('tfjs-error', `tfjs could not assemble segment ${i + 1} of the model: ${(err as Error).message}`);
    }
    const outerInputs = reads.map((source) => tensors.get(source)!);
    const applied = sub.apply(outerInputs.length === 1 ? outerInputs[0]! : outerInputs) as SymbolicTensor | SymbolicTensor[];
    const outputs = Array.isArray(applied) ? applied : [applied];
    returns.forEach((id, k) => tensors.set(id, outputs[k]!));
  });
}

/** tfjs weight names must match /^[A-Za-z0-9][-A-Za-z0-9._/]*$/; `/` is reserved for scoping, so we drop it too. */
export function sanitizeName(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `n${cleaned}`;
}

class UniqueNames {
  private readonly used = new Set<string>();
  take(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.used.has(name); i++) name = `${wanted}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** The node and everything upstream of it. */
function ancestors(doc: GraphDocument, id: NodeId): Set<NodeId> {
  const into = new Map<NodeId, NodeId[]>();
  for (const e of doc.edges) {
    const list = into.get(e.target);
    if (list) list.push(e.source);
    else into.set(e.target, [e.source]);
  }
  const seen = new Set<NodeId>([id]);
  const stack = [id];
  while (stack.length > 0) {
    for (const s of into.get(stack.pop()!) ?? []) {
      if (!seen.has(s)) {
        seen.add(s);
        stack.push(s);
      }
    }
  }
  return seen;
}

/** Adds seeded initialisers equal to tfjs's defaults, so a seed makes weights reproducible without changing them. */
function withSeeds(desc: TfjsLayerDesc, nextSeed: () => number | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = { ...desc.config };
  if (nextSeed() === undefined) return config;
  const glorot = () => initializers.glorotUniform({ seed: nextSeed() });
  switch (desc.className) {
    case 'Dense':
    case 'Conv2D':
    case WS_CONV2D_CLASS:
    case 'Conv2DTranspose':
      config.kernelInitializer = glorot();
      break;
    case 'DepthwiseConv2D':
      config.depthwiseInitializer = glorot();
      break;
    case 'SeparableConv2D':
      config.depthwiseInitializer = glorot();
      config.pointwiseInitializer = glorot();
      break;
    case 'Embedding':
      config.embeddingsInitializer = initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: nextSeed() });
      break;
    case 'LSTM':
    case 'GRU':
      config.kernelInitializer = glorot();
      config.recurrentInitializer = initializers.orthogonal({ gain: 1, seed: nextSeed() });
      break;
    case 'Dropout':
      config.seed = nextSeed();
      break;
  }
  return config;
}
