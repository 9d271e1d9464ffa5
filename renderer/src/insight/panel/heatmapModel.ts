/**
 * What the gradient-flow heatmap shows: one row per graph node that has the chosen signal, from the input (top) to the
 * output (bottom), one column per recorded step.
 */
import type { RunTelemetry, TelemetrySignal } from '../../../../shared/contracts/telemetry';
import type { GraphDocument } from '../../../../shared/document/model';
import { analyzeGraph } from '../../../../shared/inference/analyzeGraph';

export const HEATMAP_SIGNALS = ['gradNorm', 'updateRatio', 'activationStd', 'deadFraction', 'saturatedFraction'] as const satisfies readonly TelemetrySignal[];
export type HeatmapSignal = (typeof HEATMAP_SIGNALS)[number];

export const HEATMAP_SIGNAL_INFO: Readonly<Record<HeatmapSignal, { readonly label: string; readonly scale: 'log' | 'linear'; readonly help: string }>> = {
  gradNorm: {
    label: 'Gradient norm',
    scale: 'log',
    help: 'Size of the loss gradient for each layer’s weights. Rows much darker than the rows below them: the gradient vanishes on its way back.',
  },
  updateRatio: {
    label: 'Update ratio',
    scale: 'log',
    help: 'How much each step changes a layer’s weights, relative to their size. Around 10⁻³ is healthy; far above, the learning rate is too high.',
  },
  activationStd: {
    label: 'Activation spread',
    scale: 'log',
    help: 'Standard deviation of each layer’s output. Shrinking or growing from row to row: the signal fades or blows up with depth.',
  },
  deadFraction: {
    label: 'Dead units',
    scale: 'linear',
    help: 'Share of a ReLU layer’s units that output zero for every sample of the batch: they no longer learn.',
  },
  saturatedFraction: {
    label: 'Saturation',
    scale: 'linear',
    help: 'Share of sigmoid / tanh outputs stuck near their limits, where their gradient is almost zero.',
  },
};

export interface HeatmapRow {
  readonly nodeId: string;
  /** The node's layer type when the graph has the node. */
  readonly type?: string;
  readonly values: readonly (number | null)[];
}

/** The signals some node of the telemetry has, in HEATMAP_SIGNALS order. */
export function availableSignals(telemetry: RunTelemetry): HeatmapSignal[] {
  return HEATMAP_SIGNALS.filter((signal) => Object.values(telemetry.nodes).some((node) => node[signal]?.some((v) => v !== null)));
}

/**
 * Node ids by depth: the longest path from a graph input, ties in topological order (analyzeGraph's). Depth rather
 * than the bare topological order keeps parallel branches (inception, a skip edge's side) side by side at their level.
 */
export function depthOrder(graph: GraphDocument | undefined): string[] {
  if (!graph) return [];
  const { order } = analyzeGraph(graph);
  const position = new Map(order.map((id, i) => [id, i]));
  const incoming = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const list = incoming.get(edge.target);
    if (list) list.push(edge.source);
    else incoming.set(edge.target, [edge.source]);
  }
  const depth = new Map<string, number>();
  for (const id of order) {
    let d = 0;
    for (const source of incoming.get(id) ?? []) {
      // A source later in the order sits in or below a cycle: it does not set the depth.
      if ((position.get(source) ?? Infinity) < (position.get(id) ?? 0)) d = Math.max(d, (depth.get(source) ?? 0) + 1);
    }
    depth.set(id, d);
  }
  return [...order].sort((a, b) => depth.get(a)! - depth.get(b)! || position.get(a)! - position.get(b)!);
}

/**
 * The rows for a signal: telemetry nodes that have it, in `order` (depthOrder of the trained graph); nodes the graph
 * no longer has follow in the telemetry's order.
 */
export function heatmapRows(telemetry: RunTelemetry, signal: TelemetrySignal, graph: GraphDocument | undefined, order = depthOrder(graph)): HeatmapRow[] {
  const types = new Map(graph?.nodes.map((n) => [n.id, n.type]) ?? []);
  const rank = new Map(order.map((id, i) => [id, i]));
  const ids = Object.keys(telemetry.nodes).filter((id) => telemetry.nodes[id]![signal]?.some((v) => v !== null));
  const keyed = ids.map((id, i) => ({ id, key: rank.get(id) ?? order.length + i }));
  keyed.sort((a, b) => a.key - b.key);
  return keyed.map(({ id }) => {
    const type = types.get(id);
    return { nodeId: id, ...(type !== undefined ? { type } : {}), values: telemetry.nodes[id]![signal]! };
  });
}

/** Every value of the rows, for the colour scale's domain. */
export function* rowValues(rows: readonly HeatmapRow[]): Generator<number | null> {
  for (const row of rows) yield* row.values;
}

/** A signal's value as people read it: 3 significant digits, exponent form for very small or large values. */
export function formatSignal(signal: HeatmapSignal, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (HEATMAP_SIGNAL_INFO[signal].scale === 'linear') return `${(value * 100).toFixed(1)}%`;
  if (value === 0) return '0';
  return Math.abs(value) >= 1e4 || Math.abs(value) < 1e-2 ? value.toExponential(2) : value.toPrecision(3);
}
