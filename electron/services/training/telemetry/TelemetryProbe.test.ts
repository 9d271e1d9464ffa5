/**
 * Telemetry against independent computations: the gradients of the same loss on the same weights and batch from
 * tfjs' own `variableGrads` (cpu backend), the activations from a separate multi-output model, dead units and
 * saturation counted by hand, and the update ratio from the SGD rule (Δw = −lr·g). Plus the physics check of issue 11:
 * a 20-layer plain sigmoid chain shows vanishing gradients; the same chain with identity skips does not.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument, GraphEdge, GraphNode } from '../../../../shared/document/model';
import { nodeTelemetrySchema, TELEMETRY_HISTOGRAM_BINS } from '../../../../shared/contracts/telemetry';
import { selectBackend } from '../../backends/selectBackend';
import { compileGraph } from '../../compiler/compileGraph';
import { installSeededMathRandom } from '../seededMathRandom';
import { chainGraph } from '../referenceGraphs';
import { seededUniform } from '../../testing/seededUniform';
import { histogramOf } from '../../../../shared/telemetry/telemetryRecorder';
import { HISTOGRAM_SAMPLE, TelemetryProbe } from './TelemetryProbe';

const LR = 0.05;

function relClose(actual: number | undefined, expected: number, tol = 1e-4) {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1e-12) + 1e-7);
}

const MIXED = chainGraph('mixed', [
  ['input', 'Input', { kind: 'vector', size: 6 }],
  ['relu', 'Dense', { units: 12, activation: 'relu' }],
  ['bn', 'BatchNorm', {}],
  ['sig', 'Dense', { units: 10, activation: 'sigmoid' }],
  ['tanh', 'Dense', { units: 8, activation: 'tanh' }],
  ['output', 'Output', { task: 'classification', units: 3 }],
]);

function batch(rows: number, features: number, classes: number, seed: number) {
  const x = seededUniform(rows * features, seed, -3, 3);
  const y = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) y[r * classes + (r % classes)] = 1;
  return { xs: tf.tensor2d(x, [rows, features]), ys: tf.tensor2d(y, [rows, classes]) };
}

function compileSeeded(doc: GraphDocument, seed = 3) {
  const restore = installSeededMathRandom(seed);
  try {
    return compileGraph(doc);
  } finally {
    restore();
  }
}

function nodeWeights(model: tfl.LayersModel, names: readonly string[]): tf.Variable[] {
  return names.flatMap((n) => model.getLayer(n).trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read()));
}

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('TelemetryProbe', () => {
  it('matches gradients, weights, update ratios and activations computed independently', async () => {
    const compiled = compileSeeded(MIXED);
    const { model, layerNames } = compiled;
    const optimizer = tf.train.sgd(LR);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const { xs, ys } = batch(16, 6, 3, 11);
    // Make the rare cases real: 5 of the 12 ReLU units dead (bias −100), the sigmoid and tanh layers saturating
    // (kernels ×20), so dead and saturated fractions are neither 0 nor 1.
    const layerOf = (id: string) => model.getLayer(layerNames.get(id)![0]!);
    const [rk, rb] = layerOf('relu').getWeights();
    layerOf('relu').setWeights([rk!, tf.tensor1d(Array.from({ length: 12 }, (_, u) => (u < 5 ? -100 : 0.1)))]);
    for (const id of ['sig', 'tanh']) {
      const [k, b] = layerOf(id).getWeights();
      layerOf(id).setWeights([tf.mul(k!, 20), b!]);
    }
    void rb;

    // Independent: the same loss on the same weights and batch, by tfjs' variableGrads, before the step.
    const probeIds = ['relu', 'bn', 'sig', 'tanh', 'output'];
    const expectedGrad = new Map<string, number>();
    const all = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const { grads } = tf.variableGrads(() => {
      const out = model.apply(xs, { training: true }) as tf.Tensor;
      return tf.mean(tfl.metrics.categoricalCrossentropy(ys, out)) as tf.Scalar;
    }, all);
    for (const id of probeIds) {
      const vars = nodeWeights(model, layerNames.get(id)!);
      expectedGrad.set(id, Math.sqrt(vars.reduce((s, v) => s + tf.sum(tf.square(grads[v.name]!)).dataSync()[0]!, 0)));
    }
    tf.dispose(grads);
    const outputsOf = tfl.model({ inputs: model.inputs, outputs: probeIds.map((id) => model.getLayer(layerNames.get(id)!.at(-1)!).output as tfl.SymbolicTensor) });
    const acts = (outputsOf.apply(xs, { training: true }) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);

    const probe = new TelemetryProbe(model, layerNames, compiled.inputNodeId);
    probe.begin();
    await probe.wrapOptimizer(optimizer, () => model.trainOnBatch(xs, ys));
    const { nodes, histograms } = probe.finish();

    expect(Object.keys(nodes).sort()).toEqual([...probeIds].sort());
    for (const [i, id] of probeIds.entries()) {
      const t = nodes[id]!;
      expect(nodeTelemetrySchema.safeParse(t).success).toBe(true);
      relClose(t.gradNorm, expectedGrad.get(id)!);
      const vars = nodeWeights(model, layerNames.get(id)!);
      const wNorm = Math.sqrt(vars.reduce((s, v) => s + tf.sum(tf.square(v)).dataSync()[0]!, 0));
      relClose(t.weightNorm, wNorm);
      // Plain SGD: ‖Δw‖ = lr·‖g‖.
      relClose(t.updateRatio, (LR * expectedGrad.get(id)!) / wNorm, 1e-3);
      const flat = acts[i]!.flat();
      const mean = flat.reduce((a, b) => a + b, 0) / flat.length;
      const std = Math.sqrt(flat.reduce((a, b) => a + (b - mean) ** 2, 0) / flat.length);
      relClose(t.activationMean, mean, 1e-3);
      relClose(t.activationStd, std);
      expect(histograms[id]?.activations?.counts.reduce((a, b) => a + b, 0)).toBe(flat.length);
      expect(histograms[id]?.activations?.counts).toHaveLength(TELEMETRY_HISTOGRAM_BINS);
    }
    // Dead units of the ReLU node: a unit is dead when it is 0 for every sample.
    const relu = acts[0]!;
    const dead = relu[0]!.filter((_, u) => relu.every((row) => row[u] === 0)).length / relu[0]!.length;
    expect(dead).toBeCloseTo(5 / 12, 6);
    expect(nodes['relu']!.deadFraction).toBeCloseTo(dead, 6);
    const sat = acts[2]!.flat().filter((a) => a < 0.01 || a > 0.99).length / acts[2]!.flat().length;
    expect(sat).toBeGreaterThan(0.1);
    expect(sat).toBeLessThan(0.9);
    expect(nodes['sig']!.saturatedFraction).toBeCloseTo(sat, 6);
    const satTanh = acts[3]!.flat().filter((a) => Math.abs(a) > 0.98).length / acts[3]!.flat().length;
    expect(satTanh).toBeGreaterThan(0.1);
    expect(nodes['tanh']!.saturatedFraction).toBeCloseTo(satTanh, 6);
    expect(nodes['relu']!.saturatedFraction).toBeUndefined();
    expect(nodes['sig']!.deadFraction).toBeUndefined();
    // BatchNorm's scale: γ after the step.
    const gamma = model.getLayer(layerNames.get('bn')![0]!).trainableWeights.find((w) => w.name.includes('gamma'))!;
    const g = Array.from((gamma as unknown as { read(): tf.Variable }).read().dataSync() as Float32Array);
    const gm = g.reduce((a, b) => a + b, 0) / g.length;
    relClose(nodes['bn']!.gammaMean, gm);
    expect(nodes['relu']!.gammaMean).toBeUndefined();

    probe.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('on wasm, at sizes where its fast paths run: histograms of every stride-th value and exact stats', async () => {
    // A 784→256 ReLU layer: 200,960 weights (kernel then bias, sampled across the two as one run) and a 64×256
    // activation, above the sizes where wasm takes the strided copy (sliceConcat.ts) and the leading-axes means.
    await selectBackend('wasm');
    try {
      const doc = chainGraph('wide', [
        ['input', 'Input', { kind: 'vector', size: 784 }],
        ['relu', 'Dense', { units: 256, activation: 'relu' }],
        ['output', 'Output', { task: 'classification', units: 10 }],
      ]);
      const compiled = compileSeeded(doc, 9);
      const { model, layerNames } = compiled;
      const optimizer = tf.train.sgd(LR);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const { xs, ys } = batch(64, 784, 10, 13);
      // 40 dead units (bias −100), so the dead fraction is neither 0 nor 1.
      const layer = model.getLayer(layerNames.get('relu')![0]!);
      const [k] = layer.getWeights();
      layer.setWeights([k!, tf.tensor1d(Array.from({ length: 256 }, (_, u) => (u < 40 ? -100 : 0.05)))]);
      const outputOf = tfl.model({ inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor });
      const act = Float32Array.from((outputOf.apply(xs, { training: true }) as tf.Tensor).dataSync() as Float32Array);

      const probe = new TelemetryProbe(model, layerNames, compiled.inputNodeId);
      probe.begin();
      await probe.wrapOptimizer(optimizer, () => model.trainOnBatch(xs, ys));
      const { nodes, histograms } = probe.finish();

      const sample = (values: Float32Array) => {
        const stride = Math.ceil(values.length / HISTOGRAM_SAMPLE);
        return values.filter((_, i) => i % stride === 0);
      };
      const weights = nodeWeights(model, layerNames.get('relu')!).map((v) => Float32Array.from(v.dataSync() as Float32Array));
      const all = new Float32Array(weights.reduce((n, w) => n + w.length, 0));
      weights.reduce((at, w) => (all.set(w, at), at + w.length), 0);
      expect(all.length).toBe(784 * 256 + 256);
      expect(histograms['relu']?.weights).toEqual(histogramOf(sample(all), TELEMETRY_HISTOGRAM_BINS));
      expect(histograms['relu']?.activations).toEqual(histogramOf(sample(act), TELEMETRY_HISTOGRAM_BINS));
      const mean = act.reduce((a, b) => a + b, 0) / act.length;
      relClose(nodes['relu']!.activationMean, mean, 1e-5);
      relClose(nodes['relu']!.activationStd, Math.sqrt(act.reduce((a, b) => a + (b - mean) ** 2, 0) / act.length), 1e-5);
      const dead = Array.from({ length: 256 }, (_, u) => u).filter((u) => act.every((v, i) => i % 256 !== u || v === 0)).length;
      expect(dead).toBe(40);
      expect(nodes['relu']!.deadFraction).toBeCloseTo(40 / 256, 6);
      relClose(nodes['relu']!.weightNorm, Math.sqrt(all.reduce((a, b) => a + b * b, 0)), 1e-5);
      probe.dispose();
      tf.dispose([xs, ys]);
      model.dispose();
    } finally {
      await selectBackend('cpu');
    }
  });

  it('leaves the step exactly as trainOnBatch does it, and frees every tensor it kept', async () => {
    const run = async (probed: boolean) => {
      const compiled = compileSeeded(MIXED, 5);
      const optimizer = tf.train.adam(0.01);
      compiled.model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const probe = probed ? new TelemetryProbe(compiled.model, compiled.layerNames, compiled.inputNodeId) : undefined;
      const { xs, ys } = batch(16, 6, 3, 7);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        if (probe) {
          probe.begin();
          await probe.wrapOptimizer(optimizer, () => compiled.model.trainOnBatch(xs, ys));
          probe.finish();
        } else {
          await compiled.model.trainOnBatch(xs, ys);
        }
      }
      const leaked = tf.memory().numTensors;
      probe?.dispose();
      const weights = compiled.model.getWeights().map((w) => Array.from(w.dataSync()));
      tf.dispose([xs, ys]);
      compiled.model.dispose();
      optimizer.dispose();
      return { weights, before, leaked };
    };
    const plain = await run(false);
    const probed = await run(true);
    expect(probed.weights).toEqual(plain.weights);
    // The probe keeps nothing between steps (the optimizer's slots are created on the first step either way).
    expect(probed.leaked - probed.before).toBe(plain.leaked - plain.before);
  });

  it('a 20-layer plain sigmoid chain shows vanishing gradients; the same chain with identity skips does not', async () => {
    const depth = 20;
    const width = 32;
    const plainChain = chainGraph('sigmoid chain', [
      ['input', 'Input', { kind: 'vector', size: width }],
      ...Array.from({ length: depth }, (_, i) => [`h${i + 1}`, 'Dense', { units: width, activation: 'sigmoid' }] as const),
      ['output', 'Output', { task: 'classification', units: 4 }],
    ]);
    // Residual: x_{i+1} = x_i + sigmoid(W x_i): each Dense reads the running sum, an Add joins it back.
    const nodes: GraphNode[] = [{ id: 'input', type: 'Input', params: { kind: 'vector', size: width }, position: { x: 0, y: 0 } }];
    const edges: GraphEdge[] = [];
    let previous = 'input';
    for (let i = 1; i <= depth; i++) {
      nodes.push({ id: `h${i}`, type: 'Dense', params: { units: width, activation: 'sigmoid' }, position: { x: i * 100, y: 0 } });
      nodes.push({ id: `add${i}`, type: 'Add', params: {}, position: { x: i * 100, y: 100 } });
      edges.push({ id: `a${i}`, source: previous, target: `h${i}`, targetPort: 0 });
      edges.push({ id: `b${i}`, source: previous, target: `add${i}`, targetPort: 0 });
      edges.push({ id: `c${i}`, source: `h${i}`, target: `add${i}`, targetPort: 1 });
      previous = `add${i}`;
    }
    nodes.push({ id: 'output', type: 'Output', params: { task: 'classification', units: 4 }, position: { x: 0, y: 300 } });
    edges.push({ id: 'out', source: previous, target: 'output', targetPort: 0 });
    const residual: GraphDocument = { metadata: { name: 'residual sigmoid chain' }, nodes, edges, groups: [] };

    const ratio = async (doc: GraphDocument) => {
      const compiled = compileSeeded(doc, 1);
      const optimizer = tf.train.sgd(0.01);
      compiled.model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const probe = new TelemetryProbe(compiled.model, compiled.layerNames, compiled.inputNodeId);
      const { xs, ys } = batch(32, width, 4, 2);
      probe.begin();
      await probe.wrapOptimizer(optimizer, () => compiled.model.trainOnBatch(xs, ys));
      const { nodes: t } = probe.finish();
      probe.dispose();
      tf.dispose([xs, ys]);
      compiled.model.dispose();
      const r = t["h1"]!.gradNorm! / t[`h${depth}`]!.gradNorm!;
      return r;
    };
    expect(await ratio(plainChain)).toBeLessThan(1e-3);
    expect(await ratio(residual)).toBeGreaterThan(0.05);
  });
});
