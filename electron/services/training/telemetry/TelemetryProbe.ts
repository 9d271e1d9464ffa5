/**
 * Telemetry inside a training step (issue 11): per graph node, the gradient and weight norms, the update ratio, the
 * output's mean/spread, dead and saturated units, normalisation scales, and small histograms — measured on the batch
 * the step trains anyway. No extra forward pass, and the step's math is untouched: the gradients are the ones
 * tfjs-layers computes for `trainOnBatch` (its optimizer's `minimize` is swapped, for that one step, for the same
 * computeGradients + applyGradients pair it runs, with the gradient norms taken in between), and activations are the
 * training-mode outputs of that forward pass, captured by wrapping each node's last layer's `call`.
 *
 * Use: `begin()` before the step (snapshots the weights: tfjs clones share memory, optimizers assign new tensors, so
 * this costs nothing), run the step with `wrapOptimizer` (1 worker) or hand the averaged flat gradients to
 * `recordFlatGradients` (data-parallel), then `finish()` reads everything back in one go and frees what it kept.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Histogram, NodeHistograms, NodeTelemetry } from '../../../../shared/contracts/telemetry';
import { TELEMETRY_HISTOGRAM_BINS } from '../../../../shared/contracts/telemetry';
import { histogramOf } from '../../../../shared/telemetry/telemetryRecorder';
import { minimizeWith, type GradientHooks } from '../gradientTransforms';
import { hasChannelMomentsKernel, NB_CHANNEL_MOMENTS } from '../../backends/wasmKernels/channelMoments';

/** Values per histogram at most: a strided sample of larger tensors (a picture, not a statistic). */
export const HISTOGRAM_SAMPLE = 4096;
/** sigmoid within 0.01 of 0 or 1, tanh within 0.02 of ±1: 1 % of the output range. */
const SIGMOID_EDGE = 0.01;
const TANH_EDGE = 0.98;

type OutputKind = 'relu' | 'sigmoid' | 'tanh' | 'other';

interface ProbedNode {
  readonly id: string;
  readonly outputLayer: tfl.layers.Layer | undefined;
  readonly kind: OutputKind;
  /** The node's trainable weights (tf variables, by their engine names). */
  readonly weights: readonly tf.Variable[];
  /** BatchNorm / LayerNorm scale. */
  readonly gamma?: tf.Variable;
}

type LayerLike = tfl.layers.Layer & { layers?: tfl.layers.Layer[] };

/** Every layer of a model by name, sub-models (the compiler's segments of very deep graphs) included. */
function layersByName(model: tfl.LayersModel): Map<string, tfl.layers.Layer> {
  const byName = new Map<string, tfl.layers.Layer>();
  const visit = (layers: readonly LayerLike[]) => {
    for (const layer of layers) {
      if (layer instanceof tfl.LayersModel) visit(layer.layers as LayerLike[]);
      else byName.set(layer.name, layer);
    }
  };
  visit(model.layers as LayerLike[]);
  return byName;
}

function outputKindOf(layer: tfl.layers.Layer | undefined): OutputKind {
  if (!layer) return 'other';
  const className = layer.getClassName();
  if (className === 'ReLU') return 'relu';
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  if (activation === 'relu' || activation === 'relu6') return 'relu';
  if (activation === 'sigmoid' || activation === 'hardSigmoid') return 'sigmoid';
  if (activation === 'tanh') return 'tanh';
  return 'other';
}

function variableOf(weight: tfl.LayerVariable): tf.Variable {
  return (weight as unknown as { read(): tf.Variable }).read();
}

export class TelemetryProbe {
  private readonly nodes: readonly ProbedNode[];
  private readonly restoreCalls: (() => void)[] = [];
  private capturing = false;
  private activations = new Map<string, tf.Tensor>();
  private before = new Map<string, tf.Tensor>();
  /** Per node: the squared L2 norm of its gradient, as a kept scalar (1 worker) or a number (data-parallel). */
  private gradSquares = new Map<string, tf.Scalar | number>();

  /**
   * `layerNames`: the compiler's tfjs layer names per graph node (CompiledGraph.layerNames). Input and pass-through
   * nodes (no layers of their own) are not probed.
   */
  constructor(
    private readonly model: tfl.LayersModel,
    layerNames: ReadonlyMap<string, readonly string[]>,
    inputNodeId?: string,
  ) {
    const byName = layersByName(model);
    const nodes: ProbedNode[] = [];
    for (const [id, names] of layerNames) {
      if (id === inputNodeId || names.length === 0) continue;
      const layers = names.map((n) => byName.get(n)).filter((l): l is tfl.layers.Layer => l !== undefined);
      if (layers.length === 0) continue;
      const outputLayer = layers[layers.length - 1];
      const weights = layers.flatMap((l) => l.trainableWeights.map(variableOf));
      const gammaWeight = layers.flatMap((l) => l.trainableWeights).find((w) => /(^|\/)gamma(_\d+)?$/.test(w.originalName ?? w.name));
      nodes.push({ id, outputLayer, kind: outputKindOf(outputLayer), weights, ...(gammaWeight ? { gamma: variableOf(gammaWeight) } : {}) });
    }
    this.nodes = nodes;
    for (const node of nodes) if (node.outputLayer) this.wrapCall(node.id, node.outputLayer);
  }

  /** Node ids probed, in graph order. */
  get nodeIds(): string[] {
    return this.nodes.map((n) => n.id);
  }

  private wrapCall(id: string, layer: tfl.layers.Layer): void {
    const own = Object.prototype.hasOwnProperty.call(layer, 'call');
    const original = layer.call;
    const probe = this;
    layer.call = function (this: tfl.layers.Layer, inputs, kwargs) {
      const out = original.call(this, inputs, kwargs);
      if (probe.capturing) {
        const first = Array.isArray(out) ? out[0] : out;
        if (first && first.dtype === 'float32' && !probe.activations.has(id)) probe.activations.set(id, tf.keep(first.clone()));
      }
      return out;
    };
    this.restoreCalls.push(() => {
      if (own) layer.call = original;
      else delete (layer as { call?: unknown }).call;
    });
  }

  /** Starts a measured step: activations of the next forward pass are kept, weights are snapshotted. */
  begin(): void {
    this.discard();
    this.capturing = true;
    for (const node of this.nodes) for (const w of node.weights) this.before.set(w.name, tf.keep(w.clone()));
  }

  /**
   * Runs `step` (a trainOnBatch of `model`, compiled with `optimizer`) with the optimizer's minimize replaced by the
   * same computeGradients + applyGradients (gradientTransforms.ts minimizeWith), so the gradient norms are taken from
   * the gradients the step applies: after `hooks.transform` (gradient clipping) when there is one.
   */
  async wrapOptimizer<T>(optimizer: tf.Optimizer, step: () => Promise<T>, hooks: GradientHooks = {}): Promise<T> {
    const byWeight = this.weightOwners();
    try {
      return await minimizeWith(this.model, optimizer, {
        ...hooks,
        observe: (grads) => {
          hooks.observe?.(grads);
          this.recordGradientTensors(grads, byWeight);
        },
      }, step);
    } finally {
      this.capturing = false;
    }
  }

  /** Data-parallel: the averaged gradients (flattened in `variables` order) that both replicas apply. */
  recordFlatGradients(gradients: Float32Array, variables: readonly tf.Variable[]): void {
    const byWeight = this.weightOwners();
    const sums = new Map<string, number>();
    let offset = 0;
    for (const v of variables) {
      const size = v.size;
      const owner = byWeight.get(v.name);
      if (owner !== undefined) {
        let s = 0;
        for (let i = offset; i < offset + size; i++) s += gradients[i]! * gradients[i]!;
        sums.set(owner, (sums.get(owner) ?? 0) + s);
      }
      offset += size;
    }
    for (const [id, s] of sums) this.gradSquares.set(id, s);
    this.capturing = false;
  }

  private weightOwners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const node of this.nodes) for (const w of node.weights) owners.set(w.name, node.id);
    return owners;
  }

  private recordGradientTensors(grads: tf.NamedTensorMap, owners: ReadonlyMap<string, string>): void {
    const parts = new Map<string, tf.Tensor[]>();
    for (const [name, g] of Object.entries(grads)) {
      const owner = owners.get(name);
      if (owner === undefined || !g) continue;
      const list = parts.get(owner) ?? [];
      list.push(g);
      parts.set(owner, list);
    }
    for (const [id, list] of parts) {
      this.gradSquares.set(id, tf.keep(tf.tidy(() => tf.addN(list.map((g) => tf.sum(tf.square(g)))) as tf.Scalar)));
    }
  }

  /** Reads every signal of the step back (one readback for the scalars) and frees what the step kept. */
  finish(): { nodes: Record<string, NodeTelemetry>; histograms: Record<string, NodeHistograms> } {
    this.capturing = false;
    try {
      return this.measure();
    } finally {
      this.discard();
    }
  }

  private measure(): { nodes: Record<string, NodeTelemetry>; histograms: Record<string, NodeHistograms> } {
    type Slot = { id: string; field: keyof NodeTelemetry | 'weightSq' | 'deltaSq' | 'gradSq' | 'actVar'; index: number };
    const slots: Slot[] = [];
    const numbers: number[] = [];
    const samples: { id: string; kind: keyof NodeHistograms; tensor: tf.Tensor }[] = [];
    const scalars = tf.tidy(() => {
      const list: tf.Tensor[] = [];
      const add = (id: string, field: Slot['field'], t: tf.Tensor) => {
        slots.push({ id, field, index: list.length });
        list.push(tf.reshape(t, []));
      };
      for (const node of this.nodes) {
        if (node.weights.length > 0) {
          add(node.id, 'weightSq', tf.addN(node.weights.map((w) => total(tf.square(w)))));
          const deltas = node.weights.map((w) => {
            const old = this.before.get(w.name);
            return old ? total(tf.squaredDifference(w, old)) : tf.scalar(0);
          });
          add(node.id, 'deltaSq', tf.addN(deltas));
          const g = this.gradSquares.get(node.id);
          if (g instanceof tf.Tensor) add(node.id, 'gradSq', g);
          else if (typeof g === 'number') {
            slots.push({ id: node.id, field: 'gradSq', index: -1 - numbers.length });
            numbers.push(g);
          }
          samples.push({ id: node.id, kind: 'weights', tensor: tf.keep(this.strided(node.weights)) });
        }
        if (node.gamma) {
          const { mean, variance } = tf.moments(node.gamma);
          add(node.id, 'gammaMean', mean);
          add(node.id, 'gammaStd', tf.sqrt(variance));
        }
        const a = this.activations.get(node.id);
        if (a && a.size > 0) {
          // Per unit (feature, or channel of an image output) first. With NbChannelMoments (wasm, cpu) one pass
          // gives the unit means and the whole activation's mean and variance (channelMoments.ts); else a mean over
          // the leading axes (one fast pass on wasm, leadingAxesReduce.ts, where a mean over all axes is a scalar
          // loop) — every unit has as many values, so the mean of unit means is the mean — and a second pass for the
          // variance.
          let unitMean: tf.Tensor;
          if (a.rank >= 2 && a.dtype === 'float32' && hasChannelMomentsKernel(tf.getBackend())) {
            const [means, moments] = tf.engine().runKernel(NB_CHANNEL_MOMENTS, { x: a }) as [tf.Tensor, tf.Tensor];
            unitMean = means;
            add(node.id, 'activationMean', tf.slice(moments, [0], [1]));
            add(node.id, 'actVar', tf.slice(moments, [1], [1]));
          } else {
            const lead = Array.from({ length: a.rank - 1 }, (_, i) => i);
            unitMean = lead.length > 0 ? tf.mean(a, lead) : a;
            const mean = tf.mean(unitMean);
            add(node.id, 'activationMean', mean);
            const squares = tf.squaredDifference(a, mean);
            add(node.id, 'actVar', tf.mean(lead.length > 0 ? tf.mean(squares, lead) : squares));
          }
          if (node.kind === 'relu' && a.rank >= 2) {
            // A unit is dead when it is 0 for every sample and position: ReLU outputs are ≥ 0, so when its mean is
            // (a NaN mean is not ≤ 0, as a NaN max was not).
            add(node.id, 'deadFraction', tf.mean(tf.cast(tf.lessEqual(unitMean, 0), 'float32')));
          } else if (node.kind === 'sigmoid') {
            add(node.id, 'saturatedFraction', tf.mean(tf.cast(tf.logicalOr(tf.less(a, SIGMOID_EDGE), tf.greater(a, 1 - SIGMOID_EDGE)), 'float32')));
          } else if (node.kind === 'tanh') {
            add(node.id, 'saturatedFraction', tf.mean(tf.cast(tf.greater(tf.abs(a), TANH_EDGE), 'float32')));
          }
          samples.push({ id: node.id, kind: 'activations', tensor: tf.keep(this.strided([a])) });
        }
      }
      return list.length > 0 ? tf.stack(list) : undefined;
    });
    const values = scalars ? (scalars.dataSync() as Float32Array) : new Float32Array(0);
    scalars?.dispose();
    const raw = new Map<string, Partial<Record<Slot['field'], number>>>();
    for (const slot of slots) {
      const v = slot.index >= 0 ? values[slot.index]! : numbers[-1 - slot.index]!;
      const entry = raw.get(slot.id) ?? {};
      entry[slot.field] = v;
      raw.set(slot.id, entry);
    }
    const nodes: Record<string, NodeTelemetry> = {};
    for (const node of this.nodes) {
      const r = raw.get(node.id);
      if (!r) continue;
      const t: { -readonly [K in keyof NodeTelemetry]: number } = {};
      const put = (field: keyof NodeTelemetry, v: number | undefined) => {
        if (v !== undefined && Number.isFinite(v)) t[field] = round(v);
      };
      if (r.gradSq !== undefined) put('gradNorm', Math.sqrt(Math.max(0, r.gradSq)));
      if (r.weightSq !== undefined) {
        const norm = Math.sqrt(Math.max(0, r.weightSq));
        put('weightNorm', norm);
        if (r.deltaSq !== undefined && norm > 0) put('updateRatio', Math.sqrt(Math.max(0, r.deltaSq)) / norm);
      }
      put('activationMean', r.activationMean);
      if (r.actVar !== undefined) put('activationStd', Math.sqrt(Math.max(0, r.actVar)));
      if (r.deadFraction !== undefined) put('deadFraction', clamp01(r.deadFraction));
      if (r.saturatedFraction !== undefined) put('saturatedFraction', clamp01(r.saturatedFraction));
      put('gammaMean', r.gammaMean);
      if (r.gammaStd !== undefined) put('gammaStd', Math.max(0, r.gammaStd));
      if (Object.keys(t).length > 0) nodes[node.id] = t;
    }
    const histograms: Record<string, { weights?: Histogram; activations?: Histogram }> = {};
    for (const s of samples) {
      const h = histogramOf(s.tensor.dataSync() as Float32Array, TELEMETRY_HISTOGRAM_BINS);
      s.tensor.dispose();
      if (!h) continue;
      (histograms[s.id] ??= {})[s.kind] = h;
    }
    return { nodes, histograms };
  }

  /**
   * At most HISTOGRAM_SAMPLE evenly strided values of `parts` flattened and laid end to end: every stride-th value from
   * the first. Taken from each part at its own offset, so the parts (a layer's kernel and bias) are never concatenated
   * whole: only the samples are.
   */
  private strided(parts: readonly tf.Tensor[]): tf.Tensor1D {
    const n = parts.reduce((sum, t) => sum + t.size, 0);
    const flat = parts.map((t) => tf.reshape(t, [-1]) as tf.Tensor1D);
    if (n <= HISTOGRAM_SAMPLE) return (flat.length === 1 ? flat[0]! : tf.concat(flat)) as tf.Tensor1D;
    const stride = Math.ceil(n / HISTOGRAM_SAMPLE);
    const pieces: tf.Tensor1D[] = [];
    let offset = 0;
    for (const part of flat) {
      const first = Math.ceil(offset / stride) * stride - offset;
      if (first < part.size) pieces.push(tf.stridedSlice(part, [first], [part.size], [stride]) as tf.Tensor1D);
      offset += part.size;
    }
    return (pieces.length === 1 ? pieces[0]! : tf.concat(pieces)) as tf.Tensor1D;
  }

  /** Frees everything a measured step kept (also when the step threw). */
  discard(): void {
    this.capturing = false;
    for (const t of this.activations.values()) t.dispose();
    for (const t of this.before.values()) t.dispose();
    for (const g of this.gradSquares.values()) if (g instanceof tf.Tensor) g.dispose();
    this.activations = new Map();
    this.before = new Map();
    this.gradSquares = new Map();
  }

  /** Puts the layers' own `call` back. */
  dispose(): void {
    this.discard();
    for (const restore of this.restoreCalls.splice(0)) restore();
  }
}

/** Six significant digits: float32 values read back as doubles carry noise digits that only make files bigger. */
export const TELEMETRY_DIGITS = 6;
function round(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(TELEMETRY_DIGITS));
}

/** The sum of every value of `t`: over the leading axes first (one fast pass on wasm, see measure), then the rest. */
function total(t: tf.Tensor): tf.Scalar {
  return (t.rank >= 2 ? tf.sum(tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i))) : tf.sum(t)) as tf.Scalar;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

