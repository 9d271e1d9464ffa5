/**
 * Benchmark: how long analyzeGraph takes on a large graph (it runs on every canvas edit).
 * Builds a valid ~1000-node graph of residual / branch units (Conv2D, BatchNorm, DepthwiseConv2D, Add skip edges,
 * SeparableConv2D, Concatenate, Dropout…) and reports the median and p95 of many runs after a warm-up.
 *
 *   node --import tsx bench/inference.ts        → one JSON line {bench:'inference', nodes, medianMs, p95Ms}
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { GraphDocument } from '../shared/document/model';
import { analyzeGraph } from '../shared/inference/analyzeGraph';
import { buildGraph, type EdgeTuple, type NodeTuple } from '../shared/inference/buildGraph';

export interface InferenceBenchResult {
  readonly bench: 'inference';
  readonly nodes: number;
  readonly edges: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
}

/** A valid graph with exactly `target` nodes: Input, repeated 8-node units with skip edges, then a head. */
export function buildLargeGraph(target = 1000): GraphDocument {
  const nodes: NodeTuple[] = [['input', 'Input', { kind: 'image', height: 16, width: 16, channels: 8 }]];
  const edges: EdgeTuple[] = [];
  const tail: NodeTuple[] = [
    ['gap', 'GlobalAvgPool2D'],
    ['fc', 'Dense', { units: 32, activation: 'gelu' }],
    ['ln', 'LayerNorm'],
    ['act', 'Activation', { activation: 'leakyRelu' }],
    ['out', 'Output', { task: 'classification', units: 10 }],
  ];
  let x = 'input';
  let unit = 0;
  const unitSize = 8;
  while (nodes.length + unitSize + tail.length <= target) {
    const u = `u${unit++}_`;
    nodes.push(
      [`${u}conv`, 'Conv2D', { filters: 8, kernelSize: [3, 3], activation: 'relu' }],
      [`${u}bn`, 'BatchNorm'],
      [`${u}dw`, 'DepthwiseConv2D', { kernelSize: [3, 3] }],
      [`${u}add`, 'Add'],
      [`${u}a`, 'Conv2D', { filters: 4, kernelSize: [1, 1] }],
      [`${u}b`, 'SeparableConv2D', { filters: 4 }],
      [`${u}cat`, 'Concatenate'],
      [`${u}drop`, 'Dropout', { rate: 0.1 }],
    );
    edges.push(
      [x, `${u}conv`],
      [`${u}conv`, `${u}bn`],
      [`${u}bn`, `${u}dw`],
      [`${u}dw`, `${u}add`],
      [x, `${u}add`],
      [`${u}add`, `${u}a`],
      [`${u}add`, `${u}b`],
      [`${u}a`, `${u}cat`, 0],
      [`${u}b`, `${u}cat`, 1],
      [`${u}cat`, `${u}drop`],
    );
    x = `${u}drop`;
  }
  // Pad with Dropouts so the count is exact.
  let pad = 0;
  while (nodes.length + tail.length < target) {
    const id = `pad${pad++}`;
    nodes.push([id, 'Dropout', { rate: 0 }]);
    edges.push([x, id]);
    x = id;
  }
  nodes.push(...tail);
  let prev = x;
  for (const [id] of tail) {
    edges.push([prev, id]);
    prev = id;
  }
  return buildGraph(nodes, edges, `bench-${target}`);
}

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function runInferenceBench(options: { nodes?: number; runs?: number; warmup?: number } = {}): InferenceBenchResult {
  const doc = buildLargeGraph(options.nodes ?? 1000);
  const first = analyzeGraph(doc);
  if (first.totals.errors > 0 || first.totals.warnings > 0) {
    throw new Error(`bench graph is not clean: ${first.issues.slice(0, 3).map((i) => i.message).join('; ')}`);
  }
  for (let i = 0; i < (options.warmup ?? 20); i++) analyzeGraph(doc);
  const runs = options.runs ?? 100;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    analyzeGraph(doc);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    bench: 'inference',
    nodes: doc.nodes.length,
    edges: doc.edges.length,
    runs,
    medianMs: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(runInferenceBench()));
}
