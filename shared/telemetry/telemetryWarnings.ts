/**
 * Problems the telemetry shows, tied to the node where they are, each with a plain explanation and fixes the canvas can
 * apply as one edit. Pure: a run's RunTelemetry and the open document in, warnings out.
 *
 * Rules (on the median of a node's last LATEST_POINTS values, so one noisy sample neither raises nor hides a warning):
 * - vanishing gradients: gradNorm at least GRADIENT_GAP× below the largest gradNorm of the nodes after it;
 * - exploding gradients: gradNorm at least GRADIENT_GAP× above the largest gradNorm after it, or updateRatio above
 *   MAX_UPDATE_RATIO (each step rewrites more than a tenth of the weights);
 * - dead units: deadFraction above MAX_DEAD_FRACTION; saturation: saturatedFraction above MAX_SATURATED_FRACTION.
 * Telemetry node ids name the graph the run trained; ids no longer in the document are skipped.
 */
import type { RunTelemetry, TelemetrySignal } from '../contracts/telemetry';
import type { GraphDocument, NodeId } from '../document/model';
import type { GraphAnalysis } from '../inference/types';
import { analyzeGraph } from '../inference/analyzeGraph';
import { getLayerSpec } from '../catalog/registry';
import type { Shape } from '../catalog/spec';

/** How many of the newest points a rule looks at (their median). */
export const LATEST_POINTS = 3;
export const GRADIENT_GAP = 100;
export const MAX_UPDATE_RATIO = 0.1;
export const MAX_DEAD_FRACTION = 0.5;
export const MAX_SATURATED_FRACTION = 0.5;
/** The learning-rate fix divides by this. */
export const LEARNING_RATE_CUT = 10;
/** Most layers a residual span covers (the flagged node and the ones after it). */
const MAX_RESIDUAL_SPAN = 3;

export type TelemetryWarningKind = 'vanishing-gradients' | 'exploding-gradients' | 'dead-units' | 'saturated';

export type WarningFix =
  | { readonly kind: 'insert-batchnorm'; readonly label: string; readonly nodeId: NodeId }
  /** An Add after `lastId` summing the span's output with `inputId` (the span's input) along a skip edge. */
  | { readonly kind: 'wrap-residual'; readonly label: string; readonly inputId: NodeId; readonly firstId: NodeId; readonly lastId: NodeId }
  | { readonly kind: 'switch-activation'; readonly label: string; readonly nodeId: NodeId; readonly from: string; readonly to: string }
  | { readonly kind: 'lower-learning-rate'; readonly label: string; readonly from: number; readonly to: number };

export interface TelemetryWarning {
  readonly nodeId: NodeId;
  readonly kind: TelemetryWarningKind;
  /** One line in plain words, with the numbers. */
  readonly message: string;
  /** Suggested fixes, best first (may be empty when none applies to this graph). */
  readonly fixes: readonly WarningFix[];
}

export const WARNING_TITLES: Readonly<Record<TelemetryWarningKind, string>> = {
  'vanishing-gradients': 'Vanishing gradients',
  'exploding-gradients': 'Exploding gradients',
  'dead-units': 'Dead units',
  saturated: 'Saturated activation',
};

export interface WarningOptions {
  /** The open training config's learning rate, for the lower-the-learning-rate fix. */
  readonly learningRate?: number;
  /** The document's analysis when the caller has it already. */
  readonly analysis?: GraphAnalysis;
}

/** Median of the newest `count` finite values of a series (undefined when it has none). */
export function recentValue(series: readonly (number | null)[] | undefined, count = LATEST_POINTS): number | undefined {
  if (!series) return undefined;
  const picked: number[] = [];
  for (let i = series.length - 1; i >= 0 && picked.length < count; i--) {
    const v = series[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) picked.push(v);
  }
  if (picked.length === 0) return undefined;
  picked.sort((a, b) => a - b);
  const mid = picked.length >> 1;
  return picked.length % 2 ? picked[mid]! : (picked[mid - 1]! + picked[mid]!) / 2;
}

function format(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-4 ? x.toExponential(1).replace('e+', 'e') : String(Number(x.toPrecision(2)));
}

/** A ratio in words: "about 310,000×", huge ones in powers of ten. */
function times(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio >= 1e9) return 'over 10⁹×';
  return `about ${Number(ratio.toPrecision(2)).toLocaleString('en-US')}×`;
}

function percent(x: number): string {
  return `${Math.round(x * 100)} %`;
}

const RELU_FAMILY = new Set(['relu']);
const SATURATING = new Set(['sigmoid', 'tanh']);

/** The node's activation when it has a switchable one (an `activation` param offering `to`). */
function switchableActivation(doc: GraphDocument, nodeId: NodeId, to: string): string | undefined {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node || node.type === 'Output') return undefined;
  const param = getLayerSpec(node.type)?.params['activation'];
  if (!param || param.kind !== 'enum' || !param.options.includes(to)) return undefined;
  const current = node.params['activation'] ?? param.default;
  return typeof current === 'string' && current !== to ? current : undefined;
}

function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A span starting at `firstId` that a skip edge can bypass: `firstId` has one input, the span is a straight chain, and
 * its output has the span input's shape (Add needs equal shapes). Two-layer spans are preferred, as in ResNets.
 */
export function residualSpan(doc: GraphDocument, analysis: GraphAnalysis, firstId: NodeId): { inputId: NodeId; lastId: NodeId } | undefined {
  const into = doc.edges.filter((e) => e.target === firstId);
  if (into.length !== 1) return undefined;
  const inputId = into[0]!.source;
  const inputShape = analysis.nodes.get(inputId)?.output;
  if (!inputShape) return undefined;
  const chain: NodeId[] = [firstId];
  for (let current = firstId; chain.length < MAX_RESIDUAL_SPAN; ) {
    const out = doc.edges.filter((e) => e.source === current);
    if (out.length !== 1) break;
    const next = out[0]!.target;
    if (doc.edges.filter((e) => e.target === next).length !== 1) break;
    chain.push(next);
    current = next;
  }
  const fits = (id: NodeId) => {
    const node = doc.nodes.find((n) => n.id === id);
    return !!node && node.type !== 'Output' && sameShape(analysis.nodes.get(id)?.output, inputShape);
  };
  const preference = [...chain.slice(1), chain[0]!];
  const lastId = preference.find(fits);
  return lastId === undefined ? undefined : { inputId, lastId };
}

/** For every node, the largest latest gradNorm among the nodes reachable from it (not itself). */
function largestGradientAfter(doc: GraphDocument, order: readonly NodeId[], grad: ReadonlyMap<NodeId, number>): Map<NodeId, number> {
  const successors = new Map<NodeId, NodeId[]>();
  for (const e of doc.edges) {
    const list = successors.get(e.source);
    if (list) list.push(e.target);
    else successors.set(e.source, [e.target]);
  }
  const after = new Map<NodeId, number>();
  // Reverse topological order: every successor is final before its predecessors read it (nodes in cycles are skipped
  // by analysis order's tail, which is harmless here).
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let best = -Infinity;
    for (const next of successors.get(id) ?? []) {
      best = Math.max(best, grad.get(next) ?? -Infinity, after.get(next) ?? -Infinity);
    }
    if (best > -Infinity) after.set(id, best);
  }
  return after;
}

export function telemetryWarnings(telemetry: RunTelemetry, doc: GraphDocument, options: WarningOptions = {}): TelemetryWarning[] {
  const present = new Set(doc.nodes.map((n) => n.id));
  const latest = new Map<NodeId, Partial<Record<TelemetrySignal, number>>>();
  for (const [id, series] of Object.entries(telemetry.nodes)) {
    if (!present.has(id)) continue;
    const values: Partial<Record<TelemetrySignal, number>> = {};
    for (const [signal, column] of Object.entries(series) as [TelemetrySignal, readonly (number | null)[] | undefined][]) {
      const v = recentValue(column);
      if (v !== undefined) values[signal] = v;
    }
    latest.set(id, values);
  }
  if (latest.size === 0) return [];
  const analysis = options.analysis ?? analyzeGraph(doc);
  const grad = new Map<NodeId, number>();
  for (const [id, v] of latest) if (v.gradNorm !== undefined) grad.set(id, v.gradNorm);
  const after = largestGradientAfter(doc, analysis.order, grad);
  const lr = options.learningRate;
  const lowerLr: WarningFix[] =
    lr !== undefined && lr > 0
      ? [{ kind: 'lower-learning-rate', label: `Lower the learning rate to ${format(lr / LEARNING_RATE_CUT)}`, from: lr, to: lr / LEARNING_RATE_CUT }]
      : [];
  const batchNormAfter = (nodeId: NodeId): WarningFix => ({ kind: 'insert-batchnorm', label: 'Insert BatchNorm after this layer', nodeId });
  const switchTo = (nodeId: NodeId, to: string): WarningFix[] => {
    const from = switchableActivation(doc, nodeId, to);
    return from === undefined ? [] : [{ kind: 'switch-activation', label: `Switch activation ${from} → ${to}`, nodeId, from, to }];
  };

  const warnings: TelemetryWarning[] = [];
  const seen = new Set<NodeId>();
  const visit = (id: NodeId) => {
    if (seen.has(id)) return;
    seen.add(id);
    const v = latest.get(id);
    if (!v) return;
    const node = doc.nodes.find((n) => n.id === id);
    const activation = typeof node?.params['activation'] === 'string' ? node.params['activation'] : undefined;
    const g = v.gradNorm;
    const downstream = after.get(id);
    if (g !== undefined && downstream !== undefined && downstream > 0 && g * GRADIENT_GAP <= downstream) {
      const span = residualSpan(doc, analysis, id);
      warnings.push({
        nodeId: id,
        kind: 'vanishing-gradients',
        message: `Gradients reaching this layer (${format(g)}) are ${times(downstream / g)} smaller than after it (${format(downstream)}): it barely learns.`,
        fixes: [
          ...(activation && SATURATING.has(activation) ? switchTo(id, 'relu') : []),
          ...(span
            ? [{ kind: 'wrap-residual', label: 'Wrap in a residual block (skip edge around it)', inputId: span.inputId, firstId: id, lastId: span.lastId } as const]
            : []),
          batchNormAfter(id),
        ],
      });
    }
    const update = v.updateRatio;
    if (g !== undefined && downstream !== undefined && g >= GRADIENT_GAP * downstream && downstream > 0) {
      warnings.push({
        nodeId: id,
        kind: 'exploding-gradients',
        message: `Gradients here (${format(g)}) are ${times(g / downstream)} larger than after it (${format(downstream)}): they blow up on the way back.`,
        fixes: [...lowerLr, batchNormAfter(id)],
      });
    } else if (update !== undefined && update > MAX_UPDATE_RATIO) {
      warnings.push({
        nodeId: id,
        kind: 'exploding-gradients',
        message: `Each step changes this layer's weights by ${percent(update)} (healthy is about 0.1 %): the steps are far too big.`,
        fixes: [...lowerLr, batchNormAfter(id)],
      });
    }
    const dead = v.deadFraction;
    if (dead !== undefined && dead > MAX_DEAD_FRACTION) {
      warnings.push({
        nodeId: id,
        kind: 'dead-units',
        message: `${percent(dead)} of this layer's units output zero for every sample: they are dead and no longer learn.`,
        fixes: [...(activation === undefined || RELU_FAMILY.has(activation) ? switchTo(id, 'leakyRelu') : []), ...lowerLr],
      });
    }
    const saturated = v.saturatedFraction;
    if (saturated !== undefined && saturated > MAX_SATURATED_FRACTION) {
      warnings.push({
        nodeId: id,
        kind: 'saturated',
        message: `${percent(saturated)} of this layer's outputs sit at the ${activation ?? 'activation'}'s flat ends, where almost no gradient passes.`,
        fixes: [...switchTo(id, 'relu'), ...lowerLr],
      });
    }
  };
  for (const id of analysis.order) visit(id);
  for (const id of latest.keys()) visit(id);
  return warnings;
}
