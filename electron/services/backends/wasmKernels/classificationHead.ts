import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuF32, heapF32 } from './wasmKernelUtils';

/**
 * The classification head's loss, metric and softmax gradient as one kernel each, for wasm and cpu.
 *
 * On a 64×10 head every tfjs op costs its ~10–20 µs of engine bookkeeping and almost nothing in arithmetic, and
 * tfjs-layers' categoricalCrossentropy on softmax probabilities is ~9 ops forward and ~27 backward (the sum
 * normalisation, the clip and their gradients), categoricalAccuracy 4 more, Softmax's gradient 4. Here:
 *
 *   NbCategoricalCrossentropy      {yTrue, yPred}      → loss [rows]      (yPred viewed as [rows, C])
 *   NbCategoricalCrossentropyGrad  {dy, yTrue, yPred}  → dyPred [rows, C]
 *   NbCategoricalAccuracy          {yTrue, yPred}      → 1/0 [rows]      (argmax(yTrue) == argmax(yPred))
 *   NbSoftmaxGrad                  {dy, y}             → dlogits          (softmax over the last axis)
 *
 * Each does exactly tfjs' float32 operations in tfjs' order (Math.fround after every op), so results are the stock
 * composition's bits up to the summation order of its reductions (cpu sums in doubles like tfjs' cpu Sum; wasm in
 * float32 left to right like the wasm Sum kernel) and the last bit of a logarithm. The stock math, per row:
 *   s = Σ p,  q = p / s,  c = clip(q, ε, 1 − ε),  loss = −Σ y·log c                      (ε = 1e-7, float32 bounds)
 *   g = ε ≤ q ≤ 1 − ε ? (−dy·y) / c : 0      (Neg, Multiply, Log and ClipByValue gradients)
 *   dp = g / s + (−(Σ g·p) / s²)             (RealDiv's gradient for both operands; Sum's broadcasts the second)
 * and softmax: t = dy·y, dlogits = t − (Σ t)·y.
 *
 * Plain JavaScript over heap views: the tensors are a few hundred floats, so the loops cost less than one dispatch.
 */
export const NB_CATEGORICAL_CROSSENTROPY = 'NbCategoricalCrossentropy';
export const NB_CATEGORICAL_CROSSENTROPY_GRAD = 'NbCategoricalCrossentropyGrad';
export const NB_CATEGORICAL_ACCURACY = 'NbCategoricalAccuracy';
export const NB_SOFTMAX_GRAD = 'NbSoftmaxGrad';

/** tfjs-layers' epsilon() and the clip bounds as the float32 tensors its gradient compares against. */
export const CROSSENTROPY_EPSILON = 1e-7;
const LO = Math.fround(CROSSENTROPY_EPSILON);
const HI = Math.fround(1 - CROSSENTROPY_EPSILON);

const f = Math.fround;

/** Summation: `double` (tfjs cpu Sum: a JS number accumulator) or `float` (wasm Sum: a float accumulator). */
export type Accumulation = 'double' | 'float';

/** Per-row loss of tfjs-layers' categoricalCrossentropy (not from logits). `C` = classes (last axis). */
export function crossentropyForward(
  yTrue: Float32Array, yPred: Float32Array, C: number, acc: Accumulation, loss: Float32Array,
): void {
  const rows = loss.length;
  const float = acc === 'float';
  for (let r = 0, o = 0; r < rows; r++, o += C) {
    let s = 0;
    for (let j = 0; j < C; j++) s = float ? f(s + yPred[o + j]!) : s + yPred[o + j]!;
    s = f(s);
    let sum = 0;
    for (let j = 0; j < C; j++) {
      const q = f(yPred[o + j]! / s);
      const c = q > HI ? HI : q < LO ? LO : q;
      const term = f(yTrue[o + j]! * f(Math.log(c)));
      sum = float ? f(sum + term) : sum + term;
    }
    loss[r] = -f(sum);
  }
}

/** Gradient of crossentropyForward with respect to yPred, given the upstream per-row gradient `dy`. */
export function crossentropyBackward(
  dy: Float32Array, yTrue: Float32Array, yPred: Float32Array, C: number, acc: Accumulation, dPred: Float32Array,
): void {
  const rows = dy.length;
  const float = acc === 'float';
  for (let r = 0, o = 0; r < rows; r++, o += C) {
    let s = 0;
    for (let j = 0; j < C; j++) s = float ? f(s + yPred[o + j]!) : s + yPred[o + j]!;
    s = f(s);
    const minusDy = -dy[r]!;
    // g (the gradient reaching q) goes to dPred first; Σ g·p is reduced on the way.
    let gp = 0;
    for (let j = 0; j < C; j++) {
      const p = yPred[o + j]!;
      const q = f(p / s);
      const g = q >= LO && q <= HI ? f(f(minusDy * yTrue[o + j]!) / q) : 0;
      dPred[o + j] = g;
      const t = f(g * p);
      gp = float ? f(gp + t) : gp + t;
    }
    const db = -f(f(gp) / f(s * s));
    for (let j = 0; j < C; j++) dPred[o + j] = f(f(dPred[o + j]! / s) + db);
  }
}

/** 1 where the first maximum of yTrue and of yPred sit at the same index (tfjs' argMax keeps the first maximum). */
export function categoricalAccuracy(yTrue: Float32Array, yPred: Float32Array, C: number, out: Float32Array): void {
  const argMax = (v: Float32Array, o: number): number => {
    let best = v[o]!;
    let at = 0;
    for (let j = 1; j < C; j++) {
      if (v[o + j]! > best) {
        best = v[o + j]!;
        at = j;
      }
    }
    return at;
  };
  for (let r = 0, o = 0; r < out.length; r++, o += C) out[r] = argMax(yTrue, o) === argMax(yPred, o) ? 1 : 0;
}

/** Softmax's gradient over the last axis: t = dy·y, dx = t − (Σ t)·y. */
export function softmaxBackward(dy: Float32Array, y: Float32Array, C: number, acc: Accumulation, dx: Float32Array): void {
  const float = acc === 'float';
  for (let o = 0; o < y.length; o += C) {
    let sum = 0;
    for (let j = 0; j < C; j++) {
      const t = f(dy[o + j]! * y[o + j]!);
      dx[o + j] = t;
      sum = float ? f(sum + t) : sum + t;
    }
    const s = f(sum);
    for (let j = 0; j < C; j++) dx[o + j] = f(dx[o + j]! - f(s * y[o + j]!));
  }
}

function classesOf(kernel: string, a: TensorInfo, b: TensorInfo): number {
  if (a.shape.length < 1 || !tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(`${kernel}: inputs must have the same shape of rank ≥ 1, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  for (const t of [a, b]) if (t.dtype !== 'float32') throw new Error(`${kernel}: float32 tensors only, got ${t.dtype}`);
  return a.shape[a.shape.length - 1]!;
}

function checkRows(kernel: string, dy: TensorInfo, like: TensorInfo): void {
  if (dy.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, like.shape.slice(0, -1))) {
    throw new Error(`${kernel}: dy must be float32 of shape [${like.shape.slice(0, -1).join(', ')}], got [${dy.shape.join(', ')}]`);
  }
}

type Views = (t: TensorInfo) => Float32Array;
type MakeOut = (shape: number[]) => { info: TensorInfo; values: () => Float32Array };

/** The same kernel bodies for both backends; the wasm flavour reads/writes the heap, the cpu one its typed arrays. */
function kernels(views: (backend: unknown) => { read: Views; out: MakeOut }, acc: Accumulation) {
  const forward: KernelFunc = ({ inputs, backend }) => {
    const { yTrue, yPred } = inputs as { yTrue: TensorInfo; yPred: TensorInfo };
    const C = classesOf(NB_CATEGORICAL_CROSSENTROPY, yTrue, yPred);
    const { read, out } = views(backend);
    const loss = out(yPred.shape.slice(0, -1));
    crossentropyForward(read(yTrue), read(yPred), C, acc, loss.values());
    return loss.info;
  };
  const backward: KernelFunc = ({ inputs, backend }) => {
    const { dy, yTrue, yPred } = inputs as { dy: TensorInfo; yTrue: TensorInfo; yPred: TensorInfo };
    const C = classesOf(NB_CATEGORICAL_CROSSENTROPY_GRAD, yTrue, yPred);
    checkRows(NB_CATEGORICAL_CROSSENTROPY_GRAD, dy, yPred);
    const { read, out } = views(backend);
    const dPred = out([...yPred.shape]);
    crossentropyBackward(read(dy), read(yTrue), read(yPred), C, acc, dPred.values());
    return dPred.info;
  };
  const accuracy: KernelFunc = ({ inputs, backend }) => {
    const { yTrue, yPred } = inputs as { yTrue: TensorInfo; yPred: TensorInfo };
    const C = classesOf(NB_CATEGORICAL_ACCURACY, yTrue, yPred);
    const { read, out } = views(backend);
    const result = out(yPred.shape.slice(0, -1));
    categoricalAccuracy(read(yTrue), read(yPred), C, result.values());
    return result.info;
  };
  const softmaxGrad: KernelFunc = ({ inputs, backend }) => {
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    const C = classesOf(NB_SOFTMAX_GRAD, dy, y);
    const { read, out } = views(backend);
    const dx = out([...y.shape]);
    softmaxBackward(read(dy), read(y), C, acc, dx.values());
    return dx.info;
  };
  return { forward, backward, accuracy, softmaxGrad };
}

// wasm: every kernel body above allocates its output (`out`) before taking any heap view (`read`, `values`): an
// allocation may grow the wasm memory and detach views taken earlier.
const wasmViews = (backend: unknown) => {
  const wasm = backend as BackendWasm;
  return {
    out: (shape: number[]) => {
      const info = wasm.makeOutput(shape, 'float32');
      return { info, values: () => heapF32(wasm, info) };
    },
    read: (t: TensorInfo) => heapF32(wasm, t),
  };
};

const cpuViews = (backend: unknown) => {
  const cpu = backend as MathBackendCPU;
  return {
    out: (shape: number[]) => {
      const values = new Float32Array(tf.util.sizeFromShape(shape));
      return { info: cpu.makeTensorInfo(shape, 'float32', values), values: () => values };
    },
    read: (t: TensorInfo) => cpuF32(cpu, t),
  };
};

const wasmKernels = kernels(wasmViews, 'float');
const cpuKernels = kernels(cpuViews, 'double');

export const CLASSIFICATION_HEAD_KERNELS: KernelConfig[] = (
  [['wasm', wasmKernels], ['cpu', cpuKernels]] as const
).flatMap(([backendName, k]) => [
  { kernelName: NB_CATEGORICAL_CROSSENTROPY, backendName, kernelFunc: k.forward },
  { kernelName: NB_CATEGORICAL_CROSSENTROPY_GRAD, backendName, kernelFunc: k.backward },
  { kernelName: NB_CATEGORICAL_ACCURACY, backendName, kernelFunc: k.accuracy },
  { kernelName: NB_SOFTMAX_GRAD, backendName, kernelFunc: k.softmaxGrad },
]);

/**
 * The loss gradient for yPred is one kernel. yTrue's (only asked for when someone differentiates with respect to the
 * labels) is the stock expression, −dy·log(clip(p / Σp)).
 */
export const crossentropyGradConfig: GradConfig = {
  kernelName: NB_CATEGORICAL_CROSSENTROPY,
  inputsToSave: ['yTrue', 'yPred'],
  gradFunc: (dy, saved) => {
    const [yTrue, yPred] = saved as [Tensor, Tensor];
    const dyRows = dy as Tensor;
    return {
      yPred: () => tf.engine().runKernel(NB_CATEGORICAL_CROSSENTROPY_GRAD, { dy: dyRows, yTrue, yPred }) as Tensor,
      yTrue: () => {
        const c = tf.clipByValue(tf.div(yPred, tf.sum(yPred, -1, true)), CROSSENTROPY_EPSILON, 1 - CROSSENTROPY_EPSILON);
        return tf.mul(tf.neg(tf.expandDims(dyRows, -1)), tf.log(c));
      },
    };
  },
};

/** tfjs-core's Softmax gradient, verbatim: the fallback of ours on other backends / axes / dtypes. */
function stockSoftmaxGrad(dy: Tensor, y: Tensor, dim: number): Tensor {
  const dyTimesY = tf.mul(dy, y);
  return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
}

/** Softmax's gradient as one kernel where we have it (last axis, float32, wasm/cpu); tfjs' composition elsewhere. */
export const softmaxGradConfig: GradConfig = {
  kernelName: tf.Softmax,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs: NamedAttrMap) => {
    const [y] = saved as [Tensor];
    const dyT = dy as Tensor;
    const dim = (attrs as unknown as { dim: number }).dim;
    const last = dim === -1 || dim === y.rank - 1;
    const fused = last && y.dtype === 'float32' && dyT.dtype === 'float32' && hasKernel(NB_SOFTMAX_GRAD);
    return {
      logits: () => (fused ? (tf.engine().runKernel(NB_SOFTMAX_GRAD, { dy: dyT, y }) as Tensor) : stockSoftmaxGrad(dyT, y, dim)),
    };
  },
};

// NB_HEAD_KERNELS=0 turns them off (A/B measurements, or to rule them out when a result looks wrong).
let enabled = process.env['NB_HEAD_KERNELS'] !== '0';

/** Tests: false makes every caller take tfjs' composed path (stock loss, metric and Softmax gradient) for comparison. */
export function setClassificationHeadKernelsEnabled(on: boolean): void {
  enabled = on;
}

function hasKernel(name: string): boolean {
  return enabled && tf.getKernel(name, tf.getBackend()) !== undefined;
}

let registered = false;

/**
 * Registers the kernels (wasm, cpu), the loss gradient, and our Softmax gradient (replacing tfjs-core's for every
 * backend; it runs tfjs' own composition wherever the kernel is missing). Idempotent; call after tfjs-layers is
 * imported (its bundle registers the stock gradients, which this must come after).
 */
export function registerClassificationHeadKernels(): void {
  if (registered) return;
  for (const config of CLASSIFICATION_HEAD_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  tf.registerGradient(crossentropyGradConfig);
  tf.registerGradient(softmaxGradConfig);
  registered = true;
}

/** Whether the current backend runs the fused head kernels (else callers keep tfjs-layers' composed ops). */
export function hasClassificationHeadKernels(): boolean {
  registerClassificationHeadKernels();
  return hasKernel(NB_CATEGORICAL_CROSSENTROPY) && hasKernel(NB_CATEGORICAL_CROSSENTROPY_GRAD) && hasKernel(NB_CATEGORICAL_ACCURACY);
}
