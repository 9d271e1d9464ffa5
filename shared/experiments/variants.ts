/**
 * Variants of a graph for a controlled experiment: toggles (remove skip edges, remove norms, repeat a block, swap an
 * activation, lists of learning rates and seeds) turn one document into a list of graphs + training configs to train
 * side by side. Pure: the input document is never modified, and every derived graph passes shape analysis.
 *
 * Which variants: the baseline (the graph as is) plus one variant per graph toggle, each toggle on its own (toggles are
 * not combined, so each variant differs from the baseline in exactly one way); then every one of those × every
 * learning rate × every seed of the list toggles (a missing list means the config's own value).
 */
import { ACTIVATIONS, ACTIVATION_LABELS, type ActivationName } from '../catalog/activations';
import { getLayerSpec } from '../catalog/registry';
import { resolveParams } from '../catalog/resolveParams';
import { connect, removeNodes } from '../document';
import type { GraphDocument, GraphEdge, GraphNode, GroupId, NodeId } from '../document';
import type { TrainingConfig } from '../format/trainingConfig';
import { analyzeGraph } from '../inference/analyzeGraph';
import { repeatGroup } from './repeatGroup';

export type GraphToggle =
  | { readonly kind: 'no-skips' }
  | { readonly kind: 'no-norms' }
  /** The block (group) appears `repeats` times in sequence (≥ 2: copies are appended after it). */
  | { readonly kind: 'depth'; readonly groupId: GroupId; readonly repeats: number }
  | { readonly kind: 'activation'; readonly from: ActivationName; readonly to: ActivationName };
export type ListToggle =
  | { readonly kind: 'learningRate'; readonly values: readonly number[] }
  | { readonly kind: 'seed'; readonly values: readonly number[] };
export type VariantToggle = GraphToggle | ListToggle;

export interface VariantSpec {
  readonly name: string;
  /** What differs from the document's graph and config, one short line each (empty for the baseline). */
  readonly changes: string[];
  readonly graph: GraphDocument;
  readonly config: TrainingConfig;
}

/** A toggle that could not make a valid variant: the reason, and the node it concerns when there is one. */
export interface VariantProblem {
  readonly toggle: VariantToggle;
  readonly message: string;
  readonly nodeId?: NodeId;
}

export interface VariantPlan {
  readonly variants: VariantSpec[];
  readonly problems: VariantProblem[];
}

export class VariantError extends Error {
  constructor(
    message: string,
    readonly nodeId?: NodeId,
  ) {
    super(message);
    this.name = 'VariantError';
  }
}

/** Run records allow at most this many change lines of at most 200 characters. */
const MAX_CHANGES = 50;
const MAX_CHANGE_CHARS = 200;
const MAX_REPEATS = 20;
export const MAX_VARIANTS = 64;

const MERGE_WITH_SKIPS = new Set(['Add', 'Concatenate']);
const NORM_TYPES = new Set(['BatchNorm', 'LayerNorm']);

/** Like planVariants, but throws a VariantError naming the first problem (and its node) when there is one. */
export function deriveVariants(doc: GraphDocument, config: TrainingConfig, toggles: readonly VariantToggle[]): VariantSpec[] {
  const plan = planVariants(doc, config, toggles);
  const problem = plan.problems[0];
  if (problem) throw new VariantError(problem.message, problem.nodeId);
  return plan.variants;
}

/** The variants the toggles describe, and a problem for each toggle that cannot make a valid graph (that one is left out). */
export function planVariants(doc: GraphDocument, config: TrainingConfig, toggles: readonly VariantToggle[]): VariantPlan {
  const problems: VariantProblem[] = [];
  const graphs: { label: string; changes: string[]; graph: GraphDocument }[] = [{ label: 'baseline', changes: [], graph: doc }];
  let learningRates: readonly number[] | undefined;
  let seeds: readonly number[] | undefined;
  for (const toggle of toggles) {
    if (toggle.kind === 'learningRate') {
      const bad = toggle.values.find((v) => !(Number.isFinite(v) && v > 0 && v <= 10));
      if (bad !== undefined) problems.push({ toggle, message: `learning rate ${bad} is not in (0, 10]` });
      else if (toggle.values.length > 0) learningRates = unique(toggle.values);
      continue;
    }
    if (toggle.kind === 'seed') {
      const bad = toggle.values.find((v) => !(Number.isSafeInteger(v) && v >= 0));
      if (bad !== undefined) problems.push({ toggle, message: `seed ${bad} is not a whole number ≥ 0` });
      else if (toggle.values.length > 0) seeds = unique(toggle.values);
      continue;
    }
    try {
      const applied = applyGraphToggle(doc, toggle);
      const label = graphToggleLabel(doc, toggle);
      const graph = { ...applied.graph, metadata: { ...applied.graph.metadata, name: `${doc.metadata.name} — ${label}` } };
      checkAnalysis(doc, graph, label);
      graphs.push({ label, changes: capChanges(applied.changes), graph });
    } catch (err) {
      if (!(err instanceof VariantError)) throw err;
      problems.push({ toggle, message: err.message, ...(err.nodeId !== undefined ? { nodeId: err.nodeId } : {}) });
    }
  }

  const variants: VariantSpec[] = [];
  for (const g of graphs) {
    for (const lr of learningRates ?? [undefined]) {
      for (const seed of seeds ?? [undefined]) {
        const parts = [g.label];
        const changes = [...g.changes];
        let variantConfig = config;
        if (lr !== undefined) {
          parts.push(`lr ${lr}`);
          if (lr !== config.learningRate) changes.push(`learning rate ${config.learningRate} → ${lr}`);
          variantConfig = { ...variantConfig, learningRate: lr };
        }
        if (seed !== undefined) {
          parts.push(`seed ${seed}`);
          if (seed !== config.seed) changes.push(`seed ${config.seed} → ${seed}`);
          variantConfig = { ...variantConfig, seed };
        }
        variants.push({ name: truncate(parts.join(' · ')), changes: capChanges(changes), graph: g.graph, config: variantConfig });
      }
    }
  }
  if (variants.length > MAX_VARIANTS) {
    problems.push({ toggle: toggles[toggles.length - 1]!, message: `${variants.length} variants is too many (at most ${MAX_VARIANTS})` });
    variants.length = MAX_VARIANTS;
  }
  return { variants, problems };
}

/** A short human label of one graph toggle, used in variant names ("no skip edges", "ReLU → leaky ReLU"). */
export function graphToggleLabel(doc: GraphDocument, toggle: GraphToggle): string {
  switch (toggle.kind) {
    case 'no-skips':
      return 'no skip edges';
    case 'no-norms':
      return 'no norms';
    case 'depth': {
      const name = doc.groups.find((g) => g.id === toggle.groupId)?.name ?? toggle.groupId;
      return `${name} ×${toggle.repeats}`;
    }
    case 'activation':
      return `${ACTIVATION_LABELS[toggle.from] ?? toggle.from} → ${ACTIVATION_LABELS[toggle.to] ?? toggle.to}`;
  }
}

export interface ToggleResult {
  readonly graph: GraphDocument;
  readonly changes: string[];
}

/** Applies one graph toggle; throws VariantError when it does not apply (nothing to change, unknown block…). */
export function applyGraphToggle(doc: GraphDocument, toggle: GraphToggle): ToggleResult {
  switch (toggle.kind) {
    case 'no-skips':
      return removeSkipEdges(doc);
    case 'no-norms':
      return removeNorms(doc);
    case 'depth':
      return repeatBlock(doc, toggle.groupId, toggle.repeats);
    case 'activation':
      return swapActivation(doc, toggle.from, toggle.to);
  }
}

/**
 * Removes every skip edge. An Add keeps its main input — the one on the longest path from the graph input (the branch
 * with layers, not the identity or projection shortcut); ties keep the lowest port. A Concatenate drops only the inputs
 * that are shortcuts of another input (their source is upstream of it, as in DenseNet-style `concat(x, f(x))`);
 * parallel branches (inception) are not skips. A merge left with one input becomes a pass-through, and nodes that fed
 * only the removed shortcuts (a projection branch) are removed with them.
 */
export function removeSkipEdges(doc: GraphDocument): ToggleResult {
  const depth = longestPathDepths(doc);
  const sourcesOf = inputsIndex(doc);
  const changes: string[] = [];
  const removedEdges = new Set<string>();
  for (const node of doc.nodes) {
    if (!MERGE_WITH_SKIPS.has(node.type)) continue;
    const inputs = doc.edges.filter((e) => e.target === node.id);
    if (inputs.length < 2) continue;
    let skips: GraphEdge[];
    if (node.type === 'Add') {
      const main = inputs.reduce((best, e) => {
        const d = depth.get(e.source) ?? 0;
        const bestD = depth.get(best.source) ?? 0;
        return d > bestD || (d === bestD && e.targetPort < best.targetPort) ? e : best;
      });
      skips = inputs.filter((e) => e !== main);
    } else {
      skips = inputs.filter((e) => inputs.some((other) => other !== e && isUpstream(sourcesOf, e.source, other.source)));
    }
    for (const e of skips) {
      removedEdges.add(e.id);
      changes.push(`${node.id}: removed skip edge from ${e.source}`);
    }
  }
  if (removedEdges.size === 0) throw new VariantError('no skip edges: the graph has no Add or Concatenate input that bypasses layers');

  let next: GraphDocument = { ...doc, edges: doc.edges.filter((e) => !removedEdges.has(e.id)) };
  next = renumberConcatenatePorts(next);
  // A merge with one input left is a pass-through: its consumers read that input directly.
  for (const node of doc.nodes) {
    if (!MERGE_WITH_SKIPS.has(node.type)) continue;
    const inputs = next.edges.filter((e) => e.target === node.id);
    if (inputs.length === 1 && doc.edges.some((e) => removedEdges.has(e.id) && e.target === node.id)) {
      next = bypassNode(next, node.id);
      changes.push(`${node.id}: ${node.type} with one input left, removed`);
    }
  }
  const orphans = newlyDeadNodes(doc, next);
  if (orphans.length > 0) {
    next = removeNodes(next, orphans);
    changes.push(`removed the shortcut's layers: ${orphans.join(', ')}`);
  }
  return { graph: next, changes };
}

/** Removes every BatchNorm and LayerNorm; what each fed now reads the norm's input. */
export function removeNorms(doc: GraphDocument): ToggleResult {
  const norms = doc.nodes.filter((n) => NORM_TYPES.has(n.type));
  if (norms.length === 0) throw new VariantError('no norms: the graph has no BatchNorm or LayerNorm');
  let next = doc;
  for (const n of norms) {
    if (!next.edges.some((e) => e.target === n.id)) throw new VariantError(`no norms: ${n.type} "${n.id}" has no input to rewire through`, n.id);
    next = bypassNode(next, n.id);
  }
  return { graph: next, changes: norms.map((n) => `removed ${n.type} ${n.id}`) };
}

/** The block appears `repeats` times in sequence: copies of it are appended after it. */
export function repeatBlock(doc: GraphDocument, groupId: GroupId, repeats: number): ToggleResult {
  const group = doc.groups.find((g) => g.id === groupId);
  if (!group) throw new VariantError(`depth: the graph has no block "${groupId}"`);
  if (!Number.isInteger(repeats) || repeats < 2 || repeats > MAX_REPEATS) {
    throw new VariantError(`depth: "${group.name}" ×${repeats} — repeats must be a whole number from 2 to ${MAX_REPEATS}`);
  }
  const graph = repeatGroup(doc, groupId, repeats - 1, () => ({ width: 190 }));
  if (graph === doc) throw new VariantError(`depth: block "${group.name}" has no output to chain copies after`, group.nodeIds[0]);
  return { graph, changes: [`block ${group.name} repeated ×${repeats}`] };
}

/** Swaps activation `from` for `to` everywhere: layers' own activation param and Activation nodes. */
export function swapActivation(doc: GraphDocument, from: ActivationName, to: ActivationName): ToggleResult {
  for (const a of [from, to]) {
    if (!(ACTIVATIONS as readonly string[]).includes(a)) throw new VariantError(`activation: unknown activation "${a}"`);
  }
  if (from === to) throw new VariantError(`activation: ${from} → ${to} changes nothing`);
  const swapped: NodeId[] = [];
  const nodes = doc.nodes.map((n): GraphNode => {
    const spec = getLayerSpec(n.type);
    if (!spec || !('activation' in spec.params)) return n;
    if (resolveParams(spec, n.params).params['activation'] !== from) return n;
    swapped.push(n.id);
    return { ...n, params: { ...n.params, activation: to } };
  });
  if (swapped.length === 0) throw new VariantError(`activation: no layer uses ${from}`);
  return { graph: { ...doc, nodes }, changes: [truncate(`activation ${from} → ${to}: ${swapped.join(', ')}`)] };
}

function checkAnalysis(original: GraphDocument, graph: GraphDocument, label: string): void {
  const before = new Set(errorKeys(original));
  const analysis = analyzeGraph(graph);
  const introduced = analysis.issues.find((i) => i.severity === 'error' && !before.has(`${i.code}:${i.nodeId ?? ''}`));
  if (introduced) {
    const where = introduced.nodeId !== undefined ? ` at node "${introduced.nodeId}"` : '';
    throw new VariantError(`${label} would break the graph${where}: ${introduced.message}`, introduced.nodeId);
  }
}

function errorKeys(doc: GraphDocument): string[] {
  return analyzeGraph(doc)
    .issues.filter((i) => i.severity === 'error')
    .map((i) => `${i.code}:${i.nodeId ?? ''}`);
}

/** Rewires every consumer of a single-input node to that node's input, then removes the node. */
function bypassNode(doc: GraphDocument, id: NodeId): GraphDocument {
  const input = doc.edges.find((e) => e.target === id);
  const consumers = doc.edges.filter((e) => e.source === id);
  let next = removeNodes(doc, [id]);
  if (!input) return next;
  for (const e of consumers) next = connect(next, { source: input.source, target: e.target, targetPort: e.targetPort });
  return next;
}

/** Concatenate's inputs are ordered ports 0..k−1: close the gaps removed edges left. */
function renumberConcatenatePorts(doc: GraphDocument): GraphDocument {
  const byTarget = new Map<NodeId, GraphEdge[]>();
  for (const e of doc.edges) {
    if (doc.nodes.find((n) => n.id === e.target)?.type !== 'Concatenate') continue;
    byTarget.set(e.target, [...(byTarget.get(e.target) ?? []), e]);
  }
  const newPort = new Map<string, number>();
  for (const edges of byTarget.values()) {
    const ports = [...new Set(edges.map((e) => e.targetPort))].sort((a, b) => a - b);
    for (const e of edges) newPort.set(e.id, ports.indexOf(e.targetPort));
  }
  if (newPort.size === 0) return doc;
  return { ...doc, edges: doc.edges.map((e) => (newPort.has(e.id) && newPort.get(e.id) !== e.targetPort ? { ...e, targetPort: newPort.get(e.id)! } : e)) };
}

/** Layers on the longest path from a graph input to each node (Kahn's order; iterative, any depth). */
function longestPathDepths(doc: GraphDocument): Map<NodeId, number> {
  const indegree = new Map<NodeId, number>(doc.nodes.map((n) => [n.id, 0]));
  const out = new Map<NodeId, NodeId[]>();
  for (const e of doc.edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, indegree.get(e.target)! + 1);
    out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  }
  const depth = new Map<NodeId, number>();
  const queue = doc.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) depth.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const t of out.get(id) ?? []) {
      depth.set(t, Math.max(depth.get(t) ?? 0, depth.get(id)! + 1));
      const left = indegree.get(t)! - 1;
      indegree.set(t, left);
      if (left === 0) queue.push(t);
    }
  }
  return depth;
}

function inputsIndex(doc: GraphDocument): Map<NodeId, NodeId[]> {
  const into = new Map<NodeId, NodeId[]>();
  for (const e of doc.edges) {
    const list = into.get(e.target);
    if (list) list.push(e.source);
    else into.set(e.target, [e.source]);
  }
  return into;
}

/** Whether `a` is `b` or feeds it through some path. */
function isUpstream(sourcesOf: ReadonlyMap<NodeId, readonly NodeId[]>, a: NodeId, b: NodeId): boolean {
  const seen = new Set<NodeId>();
  const stack = [b];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === a) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(sourcesOf.get(id) ?? []));
  }
  return false;
}

/** Nodes that reached an Output in `before` but no longer do in `after` (the layers of a removed shortcut). */
function newlyDeadNodes(before: GraphDocument, after: GraphDocument): NodeId[] {
  const liveBefore = reachesOutput(before);
  const liveAfter = reachesOutput(after);
  return after.nodes.filter((n) => liveBefore.has(n.id) && !liveAfter.has(n.id)).map((n) => n.id);
}

function reachesOutput(doc: GraphDocument): Set<NodeId> {
  const into = inputsIndex(doc);
  const live = new Set<NodeId>();
  const stack = doc.nodes.filter((n) => n.type === 'Output').map((n) => n.id);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    stack.push(...(into.get(id) ?? []));
  }
  return live;
}

function capChanges(changes: readonly string[]): string[] {
  const lines = changes.map(truncate);
  if (lines.length <= MAX_CHANGES) return lines;
  return [...lines.slice(0, MAX_CHANGES - 1), `… and ${lines.length - MAX_CHANGES + 1} more changes`];
}

function truncate(line: string): string {
  return line.length <= MAX_CHANGE_CHARS ? line : `${line.slice(0, MAX_CHANGE_CHARS - 1)}…`;
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}
