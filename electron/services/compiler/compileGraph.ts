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
      const edges = [...(incoming.get(id) ?? [])].sort((a, b) => a.port - b.port || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const inputTensors = edges.map((e) => {
        const t = tensors.get(e.source);
        if (!t) throw new GraphCompileError('graph-has-errors', `Input of '${id}' from '${e.source}' is not built`, id);
        return t;
      });
      const descs = spec.toTfjs(params, info.inputShapes.filter((s): s is Shape => s !== undefined));
      const applied: string[] = [];
      let current: SymbolicTensor | SymbolicTensor[] = inputTensors.length === 1 ? inputTensors[0]! : inputTensors;
      descs.forEach((desc, i) => {
        const name = i === 0 ? base : names.take(`${base}__${desc.nameSuffix ?? String(i)}`);
        const layer = createLayer(desc.className, { ...withSeeds(desc, nextSeed), name });
        if (!layer) throw new GraphCompileError('unsupported-layer', `No tfjs layer '${desc.className}' for '${id}'`, id);
        current = layer.apply(current) as SymbolicTensor;
        applied.push(name);
      });
      if (Array.isArray(current)) {
        throw new GraphCompileError('tfjs-error', `'${id}' has several inputs but produced no merge layer`, id);
      }
      tensors.set(id, current);
      layerNames.set(id, applied);
    } catch (err) {
      if (err instanceof GraphCompileError) throw err;
      throw new GraphCompileError('tfjs-error', `tfjs could not build '${id}' (${node.type}): ${(err as Error).message}`, id);
    }
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
