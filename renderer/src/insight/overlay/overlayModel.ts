/**
 * What the canvas overlay draws per node, computed once per telemetry update (and overlay mode), keyed by node id:
 * colour, latest value, sparkline and every latest signal for the hover card. Nodes whose data did not change keep
 * their previous object, so React only re-renders the nodes that show something new.
 */
import { TELEMETRY_SIGNALS, type NodeTelemetry, type RunTelemetry, type TelemetrySignal } from '../../../../shared/contracts/telemetry';
import type { NodeId } from '../../../../shared/document/model';
import {
  MODE_SIGNAL,
  colorAt,
  formatSignal,
  isLogMode,
  latestValue,
  scaleFor,
  scalePosition,
  sparklineSegments,
  type ColorScale,
  type ShownMode,
} from './overlayScale';

export const SPARK_WIDTH = 96;
export const SPARK_HEIGHT = 18;

export interface SignalInfo {
  readonly label: string;
  readonly meaning: string;
  readonly kind: 'fraction' | 'number';
}

export const SIGNAL_INFO: Readonly<Record<TelemetrySignal, SignalInfo>> = {
  gradNorm: { label: 'Gradient norm', meaning: '‖∇w‖: how hard the loss pushes this layer\'s weights', kind: 'number' },
  weightNorm: { label: 'Weight norm', meaning: '‖w‖ of all its trainable weights', kind: 'number' },
  updateRatio: { label: 'Update ratio', meaning: '‖Δw‖ / ‖w‖ of the last step (≈ 1e-3 is healthy)', kind: 'number' },
  activationMean: { label: 'Activation mean', meaning: 'average of its output values', kind: 'number' },
  activationStd: { label: 'Activation spread', meaning: 'standard deviation of its output', kind: 'number' },
  deadFraction: { label: 'Dead units', meaning: 'units that output zero for every sample', kind: 'fraction' },
  saturatedFraction: { label: 'Saturated', meaning: 'outputs stuck at the sigmoid/tanh ends', kind: 'fraction' },
  gammaMean: { label: 'γ mean', meaning: 'mean of the normalisation scale', kind: 'number' },
  gammaStd: { label: 'γ spread', meaning: 'standard deviation of the normalisation scale', kind: 'number' },
};

export interface NodeOverlay {
  /** Fill colour for the mode's signal; undefined when this node has no value of it (drawn neutral). */
  readonly color?: string;
  readonly value?: number;
  readonly valueText: string;
  /** Sparkline polyline segments (SPARK_WIDTH × SPARK_HEIGHT box). */
  readonly spark: readonly string[];
  /** Newest value of every signal the node has. */
  readonly latest: NodeTelemetry;
  /** Training step of the newest point. */
  readonly step?: number;
}

export interface OverlayModel {
  readonly mode: ShownMode;
  readonly scale: ColorScale;
  readonly nodes: ReadonlyMap<NodeId, NodeOverlay>;
}

export function formatSignalValue(signal: TelemetrySignal, value: number): string {
  return formatSignal(value, SIGNAL_INFO[signal].kind);
}

function sameOverlay(a: NodeOverlay, b: NodeOverlay): boolean {
  if (a.color !== b.color || a.valueText !== b.valueText || a.step !== b.step || a.spark.length !== b.spark.length) return false;
  if (!a.spark.every((s, i) => s === b.spark[i])) return false;
  return TELEMETRY_SIGNALS.every((k) => a.latest[k] === b.latest[k]);
}

export function buildOverlay(mode: ShownMode, telemetry: RunTelemetry, previous?: OverlayModel): OverlayModel {
  const signal = MODE_SIGNAL[mode];
  const log = isLogMode(mode);
  const latestOf = new Map<NodeId, NodeTelemetry>();
  const values: number[] = [];
  for (const [id, series] of Object.entries(telemetry.nodes)) {
    const latest: Partial<Record<TelemetrySignal, number>> = {};
    for (const k of TELEMETRY_SIGNALS) {
      const v = latestValue(series[k]);
      if (v !== undefined) latest[k] = v;
    }
    latestOf.set(id, latest);
    const v = latest[signal];
    if (v !== undefined) values.push(v);
  }
  const scale = scaleFor(mode, values);
  const lastStep = telemetry.steps[telemetry.steps.length - 1];
  const nodes = new Map<NodeId, NodeOverlay>();
  for (const [id, latest] of latestOf) {
    const value = latest[signal];
    const series = telemetry.nodes[id]?.[signal];
    const fresh: NodeOverlay = {
      ...(value !== undefined ? { color: colorAt(scalePosition(value, scale)), value } : {}),
      valueText: value !== undefined ? formatSignalValue(signal, value) : '—',
      spark: series ? sparklineSegments(series, SPARK_WIDTH, SPARK_HEIGHT, log) : [],
      latest,
      ...(lastStep !== undefined ? { step: lastStep } : {}),
    };
    const old = previous?.mode === mode ? previous.nodes.get(id) : undefined;
    nodes.set(id, old && sameOverlay(old, fresh) ? old : fresh);
  }
  return { mode, scale, nodes };
}
