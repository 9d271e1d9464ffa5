import * as tf from '@tensorflow/tfjs-core';
import type { ConcatAttrs, KernelFunc, PackAttrs, SliceAttrs, SplitVAttrs, StridedSliceAttrs, TensorInfo, UnpackAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';

interface CopySimd {
  copy_rows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, cols: number): void;
}

/**
 * Slice and Concat of float32/int32 tensors as block copies (simd/elementwise.c's copy_rows: runs of contiguous
 * values, one call per run of rows). tfjs 4.22's wasm Slice first copies its whole input out of the heap (readSync:
 * a fresh ArrayBuffer per call) and then copies one subarray per row; its Concat sets one subarray per row and input.
 * An LSTM splits its [batch, 4 × units] gate block into four each timestep (SplitV = four Slices) and concatenates
 * their gradients back: on the bench LSTM 14 % of a training step. Values are copied bit for bit, so results are
 * identical to the stock kernels'. Other dtypes (bool is 1 byte, strings) go to the stock kernels. NB_SIMD_COPY=0
 * keeps the stock kernels (A/B).
 */
let enabled = process.env['NB_SIMD_COPY'] !== '0';

/** For tests and A/B runs. */
export function setSimdCopyEnabled(on: boolean): void {
  enabled = on;
}

/** Calls our kernels took in this process (slices include each part of a SplitV; tests check the path they meant to run did). */
export const sliceConcatStats = { slice: 0, concat: 0, stridedSlice: 0, unpack: 0, pack: 0 };

function copier(backend: BackendWasm, dtypes: readonly string[]): CopySimd | undefined {
  if (!enabled || !dtypes.every((d) => d === 'float32' || d === 'int32') || new Set(dtypes).size !== 1) return undefined;
  const simd = simdModule<CopySimd>(backend, 'elementwise');
  return simd && typeof simd.copy_rows === 'function' ? simd : undefined;
}

const size = (shape: readonly number[]): number => tf.util.sizeFromShape(shape as number[]);

/** Row-major strides of `shape`, one per axis (the last is 1). */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return strides;
}

/** x[begin : begin + sizes] into a new output, by runs of rows. */
function sliceBy(simd: CopySimd, backend: BackendWasm, x: TensorInfo, begin: readonly number[], sizes: readonly number[]): TensorInfo {
  const out = backend.makeOutput([...sizes], x.dtype);
  sliceConcatStats.slice++;
  if (size(sizes) === 0) return out;
  const shape = x.shape;
  const strides = stridesOf(shape);
  const src = heapAddress(backend, x);
  const dst = heapAddress(backend, out);
  // k: the last axis the slice does not take whole. Everything after it is whole, so each run of the output is
  // sizes[k] × (elements after k) contiguous values; axis k − 1 steps through runs as rows, the axes before it by
  // an odometer.
  let k = shape.length - 1;
  while (k >= 0 && begin[k] === 0 && sizes[k] === shape[k]) k--;
  if (k < 0) {
    simd.copy_rows(src, 0, dst, 0, 1, size(shape));
    return out;
  }
  const run = sizes[k]! * strides[k]!;
  const base = begin.reduce((sum, b, i) => sum + b * strides[i]!, 0);
  if (k === 0) {
    simd.copy_rows(src + 4 * base, 0, dst, 0, 1, run);
    return out;
  }
  const rows = sizes[k - 1]!;
  const index = new Array<number>(k - 1).fill(0);
  let written = 0;
  for (;;) {
    let from = base;
    for (let i = 0; i < k - 1; i++) from += index[i]! * strides[i]!;
    simd.copy_rows(src + 4 * from, strides[k - 1]!, dst + 4 * written, run, rows, run);
    written += rows * run;
    let axis = k - 2;
    while (axis >= 0 && ++index[axis]! === sizes[axis]) index[axis--] = 0;
    if (axis < 0) break;
  }
  return out;
}

export function makeSliceWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SliceAttrs };
    const { x } = inputs;
    const simd = copier(backend, [x.dtype]);
    if (!simd) return stock(args);
    const [begin, sizes] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
    return sliceBy(simd, backend, x, begin, sizes);
  };
}

/** SplitV (what tf.split runs): tfjs' wasm SplitV calls its own Slice function directly, so it is wrapped too. */
export function makeSplitVWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SplitVAttrs };
    const { x } = inputs;
    const simd = copier(backend, [x.dtype]);
    if (!simd) return stock(args);
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
    const splits = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return splits.map((s) => {
      const sizes = [...x.shape];
      sizes[axis] = s;
      const out = sliceBy(simd, backend, x, begin, sizes);
      begin[axis] = begin[axis]! + s;
      return out;
    });
  };
}

export function makeConcatWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: TensorInfo[]; backend: BackendWasm; attrs: ConcatAttrs };
    const list = Array.from(inputs);
    const simd = list.length > 0 ? copier(backend, list.map((t) => t.dtype)) : undefined;
    if (!simd) return stock(args);
    const axis = tf.util.parseAxisParam(attrs.axis, list[0]!.shape)[0]!;
    const shapes = list.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const parts = list.filter((t) => size(t.shape) > 0);
    // One non-empty input: the stock kernel returns it as is (Identity).
    if (parts.length <= 1) return stock(args);
    const out = backend.makeOutput(tf.backend_util.computeOutShape(shapes, axis), list[0]!.dtype);
    const rows = size(parts[0]!.shape.slice(0, axis));
    const widths = parts.map((t) => size(t.shape.slice(axis)));
    const total = widths.reduce((a, b) => a + b, 0);
    const dst = heapAddress(backend, out);
    let offset = 0;
    parts.forEach((t, i) => {
      simd.copy_rows(heapAddress(backend, t), widths[i]!, dst + 4 * offset, total, rows, widths[i]!);
      offset += widths[i]!;
    });
    sliceConcatStats.concat++;
    return out;
  };
}

/**
 * StridedSlice of a 1-D float32/int32 tensor with a positive stride (what the telemetry probe samples histograms with:
 * every k-th value of a layer's weights or activations) as one copy_rows call: rows of 1 value, `stride` apart. tfjs'
 * wasm kernel walks a generic N-d index per value (~150 ns each: 0.6 ms for a 4096-value sample). Everything else
 * (several axes, negative strides, contiguous slices the stock kernel already turns into a Slice) goes to the stock
 * kernel.
 */
export function makeStridedSliceWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: StridedSliceAttrs };
    const { x } = inputs;
    const simd = x.shape.length === 1 ? copier(backend, [x.dtype]) : undefined;
    if (!simd) return stock(args);
    const { begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask } = attrs;
    const info = tf.slice_util.sliceInfo(x.shape, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
    const stride = info.strides[0]!;
    if (info.isIdentity || info.isSimpleSlice || info.sliceDim0 || info.finalShapeSparse.length !== 1 || !(stride > 1)) return stock(args);
    const count = info.finalShapeSparse[0]!;
    const out = backend.makeOutput(info.finalShape, x.dtype);
    sliceConcatStats.stridedSlice++;
    if (count > 0) simd.copy_rows(heapAddress(backend, x) + 4 * info.begin[0]!, stride, heapAddress(backend, out), 1, count, 1);
    return out;
  };
}

/**
 * Unpack (tf.unstack: an RNN layer cuts its [time, batch, features] input into one tensor per time step) as one block
 * copy per output. tfjs' wasm Unpack runs its own Slice function per output, and that copies the whole input out of
 * the heap each time: the bench LSTM's one Unpack of 28 × 64 × 28 values took 3.4 ms of a ~33 ms step.
 */
export function makeUnpackWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { value: TensorInfo }; backend: BackendWasm; attrs: UnpackAttrs };
    const x = inputs.value;
    const simd = copier(backend, [x.dtype]);
    if (!simd) return stock(args);
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
    const count = x.shape[axis]!;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const rows = size(x.shape.slice(0, axis));
    const run = size(x.shape.slice(axis + 1));
    const outs: TensorInfo[] = [];
    for (let i = 0; i < count; i++) outs.push(backend.makeOutput([...outShape], x.dtype));
    sliceConcatStats.unpack++;
    if (rows * run === 0) return outs;
    // Addresses after every allocation (an allocation may grow the heap; addresses are offsets, but keep to the rule).
    const src = heapAddress(backend, x);
    outs.forEach((out, i) => simd.copy_rows(src + 4 * i * run, count * run, heapAddress(backend, out), run, rows, run));
    return outs;
  };
}

/**
 * Pack (tf.stack; also Unpack's gradient: an LSTM's per-step gradients stacked back into the sequence) as one block
 * copy per input, the inverse of Unpack above. tfjs' wasm Pack expands and concatenates through its own functions.
 */
export function makePackWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: TensorInfo[]; backend: BackendWasm; attrs: PackAttrs };
    const list = Array.from(inputs);
    const first = list[0];
    const simd = first ? copier(backend, list.map((t) => t.dtype)) : undefined;
    if (!simd || !first || !list.every((t) => tf.util.arraysEqual(t.shape, first.shape))) return stock(args);
    const outShape = [...first.shape];
    const axis = tf.util.parseAxisParam(attrs.axis, [...outShape, list.length])[0]!;
    outShape.splice(axis, 0, list.length);
    const out = backend.makeOutput(outShape, first.dtype);
    sliceConcatStats.pack++;
    const rows = size(first.shape.slice(0, axis));
    const run = size(first.shape.slice(axis));
    if (rows * run === 0) return out;
    const dst = heapAddress(backend, out);
    list.forEach((t, i) => simd.copy_rows(heapAddress(backend, t), run, dst + 4 * i * run, list.length * run, rows, run));
    return out;
  };
}

export const PACK = tf.Pack;
export const UNPACK = tf.Unpack;
export const SLICE = tf.Slice;
export const STRIDED_SLICE = tf.StridedSlice;
export const SPLIT_V = tf.SplitV;
export const CONCAT = tf.Concat;
