/**
 * Gradient clipping between the gradients a step computes and the update its optimizer applies (training.clip):
 *
 * - `agc` — adaptive gradient clipping (Brock, De, Smith & Simonyan 2021, "High-Performance Large-Scale Image
 *   Recognition Without Normalization", §4): per unit i (an output neuron or channel: the slice of a weight feeding
 *   one output), if ‖G_i‖ / max(‖W_i‖, ε) > λ then G_i ← λ·max(‖W_i‖, ε)/‖G_i‖ · G_i, with ε = 1e-3. Units: a Dense
 *   kernel [in, out] has one per output column (norm over `in`), a Conv2D kernel [kh, kw, in, out] one per output
 *   channel (norm over kh, kw, in), a depthwise kernel [kh, kw, in, mult] one per (in, mult) channel, a transposed
 *   convolution's [kh, kw, out, in] one per `out`; vectors (biases, normalisation scales) and scalars per element.
 *   The first and the last layer with a kernel (a weight of rank ≥ 2), in graph order, are left out entirely: the
 *   paper does not clip the final linear layer, and its reference code leaves the stem out as well.
 * - `norm` — global-norm clipping: every gradient scaled by min(1, maxNorm / ‖g‖), ‖g‖ over all of them together.
 *
 * Two implementations of the same formulas: tf ops on gradient tensors (1 worker: they run on the training backend,
 * our wasm kernels included) and a loop over the flat averaged gradients of the data-parallel path (clipped once on
 * the trainer thread, so both replicas apply the same update). A gradient that is not clipped is passed on unchanged,
 * bit for bit, so a λ or maxNorm too large to bite trains exactly as no clipping.
 *
 * `minimizeWith` is the one hook that puts a transform (and an observer, for telemetry) into tfjs-layers' step.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { GradientClipping } from '../../../shared/format/trainingConfig';

/** AGC's floor on a unit's weight norm, so units starting at zero (biases) can still move (the paper's ε). */
export const AGC_EPSILON = 1e-3;

/** How one weight splits into AGC units: shape viewed as [outer, units, inner]; a unit's norm is over outer × inner. */
export interface ClipEntry {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly size: number;
  readonly outer: number;
  readonly units: number;
  readonly inner: number;
  /** False for the weights of the first and last kernel layers under AGC (passed on unclipped). */
  readonly clipped: boolean;
}

export interface GradientClipPlan {
  readonly clip: GradientClipping;
  /** By variable name (the names tfjs' gradient maps use). */
  readonly entries: ReadonlyMap<string, ClipEntry>;
  /** Layers whose weights AGC leaves alone (first and last with a kernel), for the run header and tests. */
  readonly excludedLayers: readonly string[];
}

type LayerLike = tfl.layers.Layer & { layers?: tfl.layers.Layer[] };

/** Every leaf layer in graph order (tfjs keeps a model's layers topologically sorted), nested sub-models flattened. */
function leafLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const out: tfl.layers.Layer[] = [];
  // An explicit stack rather than recursion: graphs may nest sub-models (the compiler segments very deep graphs).
  const stack: LayerLike[][] = [(model.layers as LayerLike[]).slice().reverse()];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const layer = top.pop();
    if (!layer) {
      stack.pop();
      continue;
    }
    if (layer instanceof tfl.LayersModel) stack.push((layer.layers as LayerLike[]).slice().reverse());
    else out.push(layer);
  }
  return out;
}

function variableOf(weight: tfl.LayerVariable): tf.Variable {
  return (weight as unknown as { read(): tf.Variable }).read();
}

/** The [outer, units, inner] view of a weight of `shape` owned by a layer of class `className`. */
export function unitLayout(shape: readonly number[], className: string, weightName: string): { outer: number; units: number; inner: number } {
  const prod = (axes: readonly number[]) => axes.reduce((a, b) => a * b, 1);
  const rank = shape.length;
  if (rank <= 1) return { outer: 1, units: prod(shape), inner: 1 };
  // Depthwise kernels [kh, kw, in, mult]: every (in, mult) pair is an output channel of its own.
  if (rank === 4 && /depthwise_kernel/.test(weightName)) return { outer: shape[0]! * shape[1]!, units: shape[2]! * shape[3]!, inner: 1 };
  // Transposed convolutions keep their kernel as [kh, kw, out, in].
  if (rank === 4 && className === 'Conv2DTranspose') return { outer: shape[0]! * shape[1]!, units: shape[2]!, inner: shape[3]! };
  return { outer: prod(shape.slice(0, -1)), units: shape[rank - 1]!, inner: 1 };
}

/** Which weights `clip` touches and how AGC cuts each into units. */
export function planGradientClipping(model: tfl.LayersModel, clip: GradientClipping): GradientClipPlan {
  const layers = leafLayers(model).filter((l) => l.trainableWeights.length > 0);
  const kernelLayers = layers.filter((l) => l.trainableWeights.some((w) => w.shape.length >= 2));
  const excluded = clip.kind === 'agc' && kernelLayers.length > 0 ? new Set([kernelLayers[0]!, kernelLayers[kernelLayers.length - 1]!]) : new Set();
  const entries = new Map<string, ClipEntry>();
  for (const layer of layers) {
    for (const weight of layer.trainableWeights) {
      const variable = variableOf(weight);
      const shape = variable.shape as number[];
      entries.set(variable.name, {
        name: variable.name,
        variable,
        size: variable.size,
        ...unitLayout(shape, layer.getClassName(), weight.originalName ?? weight.name),
        clipped: !excluded.has(layer),
      });
    }
  }
  return { clip, entries, excludedLayers: [...excluded].map((l) => (l as tfl.layers.Layer).name) };
}

/**
 * The clipped gradients as tensors (new ones for clipped weights, the same tensor for the others). The caller keeps
 * owning `grads` and must dispose what is returned too (see minimizeWith).
 */
export function clipGradientTensors(plan: GradientClipPlan, grads: tf.NamedTensorMap): tf.NamedTensorMap {
  const names = Object.keys(grads);
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    if (plan.clip.kind === 'norm') {
      const present = names.filter((n) => grads[n] != null);
      if (present.length === 0) return grads;
      const total = tf.sqrt(tf.addN(present.map((n) => tf.sum(tf.square(grads[n]!)))));
      // min(1, maxNorm/‖g‖) is exactly 1 when the norm is within bounds, and g·1 is g bit for bit.
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(plan.clip.maxNorm), total));
      for (const n of names) out[n] = grads[n] != null ? tf.mul(grads[n]!, scale) : grads[n]!;
      return out;
    }
    const lambda = plan.clip.lambda;
    for (const n of names) {
      const g = grads[n];
      const entry = plan.entries.get(n);
      if (g == null || !entry || !entry.clipped) {
        out[n] = g!;
        continue;
      }
      const view = [entry.outer, entry.units, entry.inner];
      const unitNorm = (t: tf.Tensor) => tf.sqrt(tf.sum(tf.square(tf.reshape(t, view)), [0, 2], true));
      const maxNorm = tf.mul(tf.maximum(unitNorm(entry.variable), AGC_EPSILON), lambda);
      const gNorm = unitNorm(g);
      // Exactly 1 for units within the bound (g·1 is g bit for bit); a unit with ‖G‖ = 0 is never over it.
      const factor = tf.where(tf.greater(gNorm, maxNorm), tf.div(maxNorm, gNorm), tf.onesLike(gNorm));
      out[n] = tf.reshape(tf.mul(tf.reshape(g, view), factor), g.shape);
    }
    return out;
  });
}

/**
 * The same clipping on gradients flattened in `variables` order (the data-parallel layout), in place. `weights` holds
 * the current weights in the same layout (AGC only). Sums in double precision; values are changed only where a unit
 * (AGC) or the whole (global norm) is over the bound.
 */
export function clipFlatGradients(plan: GradientClipPlan, variables: readonly tf.Variable[], gradients: Float32Array, weights?: Float32Array): void {
  if (plan.clip.kind === 'norm') {
    let sq = 0;
    for (let i = 0; i < gradients.length; i++) sq += gradients[i]! * gradients[i]!;
    const total = Math.sqrt(sq);
    if (total <= plan.clip.maxNorm) return;
    scaleRange(gradients, 0, gradients.length, plan.clip.maxNorm / total);
    return;
  }
  if (!weights) throw new Error('adaptive gradient clipping needs the current weights');
  const lambda = plan.clip.lambda;
  let offset = 0;
  for (const v of variables) {
    const entry = plan.entries.get(v.name);
    if (entry?.clipped) agcFlat(gradients, weights, offset, entry.outer, entry.units, entry.inner, lambda);
    offset += v.size;
  }
}

function scaleRange(values: Float32Array, from: number, to: number, factor: number): void {
  for (let i = from; i < to; i++) values[i] = values[i]! * factor;
}

/** AGC on one weight at `offset`, viewed as [outer, units, inner]. Its own function so the JIT keeps it tight. */
function agcFlat(g: Float32Array, w: Float32Array, offset: number, outer: number, units: number, inner: number, lambda: number): void {
  const gSq = new Float64Array(units);
  const wSq = new Float64Array(units);
  // Element k of the weight belongs to unit ⌊k / inner⌋ mod units; walk them in memory order.
  const size = outer * units * inner;
  for (let k = 0, u = 0, j = 0; k < size; k++) {
    const gv = g[offset + k]!;
    const wv = w[offset + k]!;
    gSq[u] = gSq[u]! + gv * gv;
    wSq[u] = wSq[u]! + wv * wv;
    if (++j === inner) {
      j = 0;
      if (++u === units) u = 0;
    }
  }
  const factor = new Float64Array(units);
  let any = false;
  for (let u = 0; u < units; u++) {
    const gn = Math.sqrt(gSq[u]!);
    const maxNorm = lambda * Math.max(Math.sqrt(wSq[u]!), AGC_EPSILON);
    factor[u] = gn > maxNorm ? maxNorm / gn : 1;
    if (factor[u] !== 1) any = true;
  }
  if (!any) return;
  for (let k = 0, u = 0, j = 0; k < size; k++) {
    const f = factor[u]!;
    if (f !== 1) g[offset + k] = g[offset + k]! * f;
    if (++j === inner) {
      j = 0;
      if (++u === units) u = 0;
    }
  }
}

/** What a step may do with its gradients before they are applied. */
export interface GradientHooks {
  /** Replaces the gradients to apply (e.g. clipped ones). */
  readonly transform?: (grads: tf.NamedTensorMap) => tf.NamedTensorMap;
  /** Sees the gradients actually applied (after `transform`), e.g. telemetry's gradient norms. */
  readonly observe?: (grads: tf.NamedTensorMap) => void;
}

interface OptimizerSlot {
  optimizer_: unknown;
}

/**
 * Runs `step` (a trainOnBatch of `model`, compiled with `optimizer`) with the optimizer's minimize replaced by
 * exactly tf.Optimizer.minimize — computeGradients then applyGradients — with `hooks` in between. Without hooks the
 * step is tfjs' own and identical bit for bit.
 */
export async function minimizeWith<T>(model: tfl.LayersModel, optimizer: tf.Optimizer, hooks: GradientHooks, step: () => Promise<T>): Promise<T> {
  // A Sequential compiles and trains an inner functional model; that one calls minimize.
  const target = (model instanceof tfl.Sequential ? (model as unknown as { model: tfl.LayersModel }).model : model) as unknown as OptimizerSlot;
  const saved = target.optimizer_;
  target.optimizer_ = {
    minimize: (f: () => tf.Scalar, returnCost: boolean, varList?: tf.Variable[]) => {
      const { value, grads } = optimizer.computeGradients(f, varList);
      let applied = grads;
      try {
        applied = hooks.transform ? hooks.transform(grads) : grads;
        hooks.observe?.(applied);
        if (varList != null) optimizer.applyGradients(varList.map((v) => ({ name: v.name, tensor: applied[v.name]! })));
        else optimizer.applyGradients(applied);
      } finally {
        // Clipping passes some tensors on unchanged: free each tensor once.
        tf.dispose([...new Set([...Object.values(grads), ...Object.values(applied)])]);
      }
      if (returnCost) return value;
      value.dispose();
      return null;
    },
  };
  try {
    return await step();
  } finally {
    target.optimizer_ = saved;
  }
}

/** The hook that clips with `plan`, for minimizeWith. */
export function clippingHooks(plan: GradientClipPlan | undefined): GradientHooks {
  return plan ? { transform: (grads) => clipGradientTensors(plan, grads) } : {};
}
