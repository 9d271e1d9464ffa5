/**
 * The telemetry a variant's run record kept, reduced to one comparable line: the gradient norm of the first layer
 * (nearest the input) that has one. That is where vanishing gradients show first, so variants without skips or norms
 * stand out beside the baseline.
 */
import type { GraphDocument } from '../../../shared/document/model';
import type { RunSummary } from '../../../shared/format/runSummary';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';

export interface GradientLine {
  readonly nodeId: string;
  readonly values: readonly number[];
}

export function firstLayerGradients(summary: RunSummary | undefined, graph: GraphDocument): GradientLine | undefined {
  const telemetry = summary?.telemetry;
  if (!telemetry) return undefined;
  for (const id of analyzeGraph(graph).order) {
    const series = telemetry.nodes[id]?.gradNorm;
    if (!series) continue;
    const values = series.filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length > 0) return { nodeId: id, values };
  }
  return undefined;
}

/** An SVG polyline's points for `values` in a width × height box, on a log scale (norms span decades). */
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  const logs = values.map((v) => Math.log10(Math.max(v, 1e-12)));
  const min = Math.min(...logs);
  const max = Math.max(...logs);
  const span = max - min || 1;
  const step = logs.length > 1 ? width / (logs.length - 1) : 0;
  return logs.map((l, i) => `${(i * step).toFixed(1)},${(height - 1 - ((l - min) / span) * (height - 2)).toFixed(1)}`).join(' ');
}
