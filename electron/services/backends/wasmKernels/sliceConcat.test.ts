import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { seededUniform } from '../../testing/seededUniform';
import { setSimdCopyEnabled, sliceConcatStats } from './sliceConcat';

/** Values with NaN payloads and −0 in them: a copy must keep every bit. */
function values(n: number, seed: number): Float32Array {
  const v = seededUniform(n, seed, -5, 5);
  if (n > 3) {
    v[1] = -0;
    v[2] = NaN;
    new Uint32Array(v.buffer)[3] = 0x7fc01234; // a NaN with a payload
  }
  return v;
}

const bits = (t: tf.Tensor): Uint32Array => new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);

/** Runs `f` with our kernels and with the stock ones; the results must be the same bits, and ours must have run. */
function sameAsStock(f: () => tf.Tensor | tf.Tensor[], kind: 'slice' | 'concat' | 'stridedSlice' | 'unpack' | 'pack', calls = 1): void {
  const run = (): Uint32Array[] => {
    const outs = tf.tidy(() => [f()].flat());
    const read = outs.map((t) => (t.dtype === 'float32' ? bits(t) : Uint32Array.from(t.dataSync() as Int32Array)));
    tf.dispose(outs);
    return read;
  };
  setSimdCopyEnabled(false);
  const before = sliceConcatStats[kind];
  const stock = run();
  expect(sliceConcatStats[kind]).toBe(before);
  setSimdCopyEnabled(true);
  const ours = run();
  expect(sliceConcatStats[kind] - before).toBe(calls);
  expect(ours.length).toBe(stock.length);
  ours.forEach((o, i) => expect(Array.from(o)).toEqual(Array.from(stock[i]!)));
}

describe('Slice and Concat on wasm as block copies (simd/elementwise.c copy_rows) equal the stock kernels bit for bit', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => setSimdCopyEnabled(true));

  const slices: [string, number[], number[], number[]][] = [
    ['rank 1', [37], [5], [19]],
    ['rank 2, last axis (an LSTM gate)', [64, 512], [0, 128], [64, 128]],
    ['rank 2, rows', [9, 7], [2, 0], [5, 7]],
    ['rank 2, both axes, odd widths', [9, 7], [1, 2], [6, 3]],
    ['rank 3, middle axis', [4, 6, 5], [0, 2, 0], [4, 3, 5]],
    ['rank 4, every axis partial', [3, 5, 4, 6], [1, 1, 2, 1], [2, 3, 2, 5]],
    ['rank 4, whole tensor', [2, 3, 4, 5], [0, 0, 0, 0], [2, 3, 4, 5]],
    ['rank 5, two outer axes partial', [3, 4, 2, 3, 9], [1, 2, 0, 1, 3], [2, 2, 2, 2, 5]],
  ];
  it.each(slices)('Slice %s', (_, shape, begin, size) => {
    const x = tf.tensor(values(tf.util.sizeFromShape(shape), 7), shape);
    sameAsStock(() => tf.slice(x, begin, size), 'slice');
    const xi = tf.tensor(Int32Array.from(values(tf.util.sizeFromShape(shape), 8), (v) => Math.round(v * 1000)), shape, 'int32');
    sameAsStock(() => tf.slice(xi, begin, size), 'slice');
    tf.dispose([x, xi]);
  });

  it('SplitV of an LSTM gate block is four slices', () => {
    const x = tf.tensor(values(64 * 512, 9), [64, 512]);
    sameAsStock(() => tf.split(x, 4, 1), 'slice', 4);
    sameAsStock(() => tf.split(x, [100, 300, 112], 1), 'slice', 3);
    x.dispose();
  });

  const unpacks: [string, number[], number][] = [
    ['an RNN input, time-major (axis 0)', [28, 64, 28], 0],
    ['rank 3, middle axis', [4, 5, 6], 1],
    ['rank 3, last axis', [3, 4, 7], 2],
    ['rank 2, negative axis', [5, 3], -1],
    ['one slice', [1, 6], 0],
  ];
  it.each(unpacks)('Unpack %s', (_, shape, axis) => {
    const x = tf.tensor(values(tf.util.sizeFromShape(shape), 30), shape);
    sameAsStock(() => tf.unstack(x, axis), 'unpack');
    const xi = tf.tensor(Int32Array.from(values(tf.util.sizeFromShape(shape), 31), (v) => Math.round(v * 1000)), shape, 'int32');
    sameAsStock(() => tf.unstack(xi, axis), 'unpack');
    tf.dispose([x, xi]);
  });

  it.each(unpacks)('Pack (Unpack\'s inverse) %s', (_, shape, axis) => {
    const parts = tf.tidy(() => tf.unstack(tf.tensor(values(tf.util.sizeFromShape(shape), 32), shape), axis));
    sameAsStock(() => tf.stack(parts, axis), 'pack');
    const ints = parts.map((p, i) => tf.tensor(Int32Array.from(values(p.size, 40 + i), (v) => Math.round(v * 1000)), p.shape, 'int32'));
    sameAsStock(() => tf.stack(ints, axis), 'pack');
    tf.dispose([...parts, ...ints]);
  });

  it('Pack of one tensor and of differently shaped ones (the stock kernel says what is wrong)', () => {
    const a = tf.tensor(values(6, 3), [2, 3]);
    sameAsStock(() => tf.stack([a]), 'pack');
    expect(() => tf.stack([a, tf.zeros([3, 2])])).toThrow();
    a.dispose();
  });

  const concats: [string, number[][], number][] = [
    ['rank 2, last axis (LSTM gate gradients)', [[64, 128], [64, 128], [64, 128], [64, 128]], 1],
    ['rank 2, first axis', [[3, 7], [5, 7]], 0],
    ['rank 3, middle axis, odd sizes', [[2, 3, 5], [2, 1, 5], [2, 4, 5]], 1],
    ['rank 4, channels', [[2, 3, 3, 5], [2, 3, 3, 3]], 3],
  ];
  it.each(concats)('Concat %s', (_, shapes, axis) => {
    const xs = shapes.map((s, i) => tf.tensor(values(tf.util.sizeFromShape(s), 20 + i), s));
    sameAsStock(() => tf.concat(xs, axis), 'concat');
    tf.dispose(xs);
  });

  it('Concat with an empty input, and mixed dtypes or bool, fall back to the stock kernel', () => {
    const a = tf.tensor(values(6, 1), [2, 3]);
    const empty = tf.zeros([2, 0]);
    sameAsStock(() => tf.concat([a, empty, a], 1), 'concat');
    const before = sliceConcatStats.concat;
    const b = tf.tensor([true, false, true], [1, 3], 'bool');
    expect(Array.from(tf.concat([b, b], 0).dataSync())).toEqual([1, 0, 1, 1, 0, 1]);
    expect(Array.from(tf.slice(b, [0, 1], [1, 2]).dataSync())).toEqual([0, 1]);
    expect(sliceConcatStats.concat).toBe(before);
  });

  // [size, begin, end, stride]: the telemetry probe's histogram samples (every k-th value of a layer's weights).
  const strided: [number, number, number, number][] = [
    [37, 0, 37, 3],
    [37, 5, 30, 4],
    [200_000, 0, 200_000, 49],
    [200_000, 17, 200_000, 49],
    [4096 * 7 + 3, 2, 4096 * 7 + 3, 7],
    [10, 9, 10, 5],
  ];
  it.each(strided)('StridedSlice of %i values from %i to %i by %i (rank 1): one strided copy, the stock values', (n, begin, end, stride) => {
    const x = tf.tensor(values(n, 31), [n]);
    sameAsStock(() => tf.stridedSlice(x, [begin], [end], [stride]), 'stridedSlice');
    const xi = tf.tensor(Int32Array.from(values(n, 32), (v) => Math.round(v * 1000)), [n], 'int32');
    sameAsStock(() => tf.stridedSlice(xi, [begin], [end], [stride]), 'stridedSlice');
    tf.dispose([x, xi]);
  });

  it('StridedSlice with masks resolves them as tfjs does; other shapes and strides go to the stock kernel', () => {
    const x = tf.tensor(values(50, 33), [50]);
    // beginMask/endMask: the whole axis. (shrinkAxisMask is left out: tfjs 4.22's own wasm kernel aborts on it.)
    sameAsStock(() => tf.stridedSlice(x, [7], [9], [3], 1, 1), 'stridedSlice');
    const before = sliceConcatStats.stridedSlice;
    const m = tf.tensor(values(60, 34), [6, 10]);
    const stock = [
      tf.stridedSlice(m, [0, 1], [6, 10], [2, 3]), // rank 2
      tf.stridedSlice(x, [40], [3], [-4]), // negative stride
      tf.stridedSlice(x, [3], [20], [1]), // contiguous: the stock kernel's Slice
    ];
    expect(stock.map((t) => t.shape)).toEqual([[3, 3], [10], [17]]);
    expect(sliceConcatStats.stridedSlice).toBe(before);
    tf.dispose([x, m, ...stock]);
  });

  it('gradients through split and concat match the cpu backend (an LSTM-like gate step)', async () => {
    const xv = seededUniform(8 * 16, 3, -2, 2);
    const wv = seededUniform(16 * 32, 4, -0.5, 0.5);
    const loss = () => {
      const x = tf.tensor(xv, [8, 16]);
      const w = tf.tensor(wv, [16, 32]);
      return tf.grads((xx: tf.Tensor, ww: tf.Tensor) => {
        const [i, f, c, o] = tf.split(tf.matMul(xx, ww), 4, 1);
        return tf.sum(tf.concat([tf.sigmoid(i!), tf.mul(f!, c!), tf.tanh(o!)], 1));
      })([x, w]).map((g) => Float32Array.from(g.dataSync()));
    };
    await tf.setBackend('cpu');
    const cpu = tf.tidy(loss);
    await tf.setBackend('wasm');
    const before = { ...sliceConcatStats };
    const ours = tf.tidy(loss);
    expect(sliceConcatStats.slice - before.slice).toBeGreaterThanOrEqual(4);
    expect(sliceConcatStats.concat - before.concat).toBeGreaterThanOrEqual(1);
    ours.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - cpu[k]![i]!)).toBeLessThan(1e-5)));
  });
});
