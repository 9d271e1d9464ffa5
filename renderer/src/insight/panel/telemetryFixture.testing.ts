/**
 * Synthetic telemetry for tests and for trying the Insight panel without a trainer: plausible signals for every node
 * of a graph, fed through the same TelemetryRecorder the trainer and the live run use, so the record is thinned and
 * shaped exactly like a real one. Gradients shrink towards the input (a mild vanishing gradient), ReLU layers lose
 * units over time, weight histograms widen as training moves them.
 */
import { TELEMETRY_HISTOGRAM_BINS, type Histogram, type NodeHistograms, type NodeTelemetry, type RunTelemetry } from '../../../../shared/contracts/telemetry';
import type { GraphDocument, GraphNode } from '../../../../shared/document/model';
import type { RunSummary } from '../../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG } from '../../../../shared/format/trainingConfig';
import { TelemetryRecorder, histogramOf } from '../../../../shared/telemetry/telemetryRecorder';
import { depthOrder } from './heatmapModel';

const WITHOUT_WEIGHTS = new Set(['Input', 'Flatten', 'Reshape', 'Add', 'Concatenate', 'Dropout', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Activation', 'ReLU']);

export interface SyntheticTelemetryOptions {
  readonly batchesPerEpoch: number;
  readonly epochs: number;
  /** Telemetry every this many steps. */
  readonly every: number;
  /** Histograms every this many telemetry samples. */
  readonly histogramEvery?: number;
  readonly seed?: number;
}

/** Deterministic uniform numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function gaussianHistogram(next: () => number, mean: number, std: number, samples = 400, clampAtZero = false): Histogram {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const v = mean + std * g;
    values.push(clampAtZero ? Math.max(0, v) : v);
  }
  return histogramOf(values, TELEMETRY_HISTOGRAM_BINS)!;
}

export function syntheticTelemetry(graph: GraphDocument, options: SyntheticTelemetryOptions): RunTelemetry {
  const next = random(options.seed ?? 7);
  const order = depthOrder(graph);
  const types = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const recorder = new TelemetryRecorder(options.batchesPerEpoch);
  const totalSteps = options.batchesPerEpoch * options.epochs;
  let sample = 0;
  for (let step = 1; step <= totalSteps; step += step === 1 ? options.every - 1 : options.every) {
    const t = step / totalSteps;
    const nodes: Record<string, NodeTelemetry> = {};
    const histograms: Record<string, NodeHistograms> = {};
    const withHistograms = sample % (options.histogramEvery ?? 4) === 0;
    order.forEach((id, depth) => {
      const type = types.get(id) ?? '';
      if (type === 'Input') return;
      const fromOutput = order.length - 1 - depth;
      const relu = /relu/i.test(JSON.stringify(graph.nodes.find((n) => n.id === id)?.params ?? {})) || type === 'ReLU';
      const telemetry: NodeTelemetry = {};
      const activationStd = 0.9 * Math.exp(-0.15 * depth) * (1 + 0.3 * t) * (0.95 + 0.1 * next());
      Object.assign(telemetry, { activationMean: activationStd * 0.4, activationStd });
      if (relu) telemetry.deadFraction = Math.min(1, 0.05 + 0.5 * t * t * (0.8 + 0.4 * next()));
      if (!WITHOUT_WEIGHTS.has(type)) {
        const gradNorm = 0.8 * Math.pow(0.35, fromOutput) * Math.exp(-2 * t) * (0.7 + 0.6 * next());
        Object.assign(telemetry, { gradNorm, weightNorm: 3 + 2 * t, updateRatio: 2e-3 * Math.exp(-1.5 * t) * (0.8 + 0.4 * next()) });
        if (step === 1 && depth === 1) telemetry.gradNorm = 0;
      }
      nodes[id] = telemetry;
      if (withHistograms) {
        histograms[id] = {
          ...(!WITHOUT_WEIGHTS.has(type) ? { weights: gaussianHistogram(next, 0.02 * t, 0.1 + 0.25 * t) } : {}),
          activations: gaussianHistogram(next, relu ? 0 : 0.1, activationStd, 400, relu),
        };
      }
    });
    const epoch = Math.floor((step - 1) / options.batchesPerEpoch) + 1;
    recorder.add({ epoch, batch: ((step - 1) % options.batchesPerEpoch) + 1, step, nodes, ...(withHistograms ? { histograms } : {}) });
    sample++;
  }
  return recorder.toRecord();
}

/** A chain Input → Dense×(depth) (ReLU) → Dense softmax, for tests. */
export function chainGraph(depth: number): GraphDocument {
  const nodes: GraphNode[] = [{ id: 'in', type: 'Input', params: { kind: 'vector', size: 4 }, position: { x: 0, y: 0 } }];
  for (let i = 1; i <= depth; i++) nodes.push({ id: `dense_${i}`, type: 'Dense', params: { units: 8, activation: 'relu' }, position: { x: 0, y: i * 80 } });
  nodes.push({ id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' }, position: { x: 0, y: (depth + 1) * 80 } });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id, targetPort: 0 }));
  return { nodes, edges, groups: [], metadata: { name: 'chain' } };
}

/** A completed run record of `epochs` epochs carrying `telemetry` (or none). */
export function runWithTelemetry(id: string, epochs: number, telemetry: RunTelemetry | undefined): RunSummary {
  return {
    id,
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:01:00.000Z',
    status: 'completed',
    backend: 'wasm',
    config: { ...DEFAULT_TRAINING_CONFIG, epochs },
    epochs: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), accuracy: 0.5 + i / (2 * epochs) })),
    final: { loss: 1 / epochs, accuracy: 0.9 },
    samplesPerSec: 1000,
    wallTimeMs: 60_000,
    ...(telemetry ? { telemetry } : {}),
  };
}
