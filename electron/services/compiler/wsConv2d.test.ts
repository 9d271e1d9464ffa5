/**
 * WSConv2D against the formula, computed independently here with plain loops; its gradients on wasm (our kernels)
 * against the cpu backend; and the standardisation's invariances, which only hold if gradients flow through it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { seededUniform } from '../testing/seededUniform';
import { WSConv2D, wsConv2d } from './wsConv2d';

interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly filters: number;
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly activation: 'linear' | 'relu' | 'tanh';
  readonly useBias: boolean;
  readonly eps?: number;
}

const CASES: Case[] = [
  { name: '3×3 same, bias, linear', x: [2, 6, 7, 3], filters: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', useBias: true },
  { name: '3×3 same, ReLU (fused op)', x: [1, 5, 5, 8], filters: 16, kernel: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true },
  { name: '3×2 valid, stride 2, no bias', x: [2, 9, 8, 2], filters: 3, kernel: [3, 2], strides: [2, 2], padding: 'valid', activation: 'linear', useBias: false },
  { name: '5×5 same, stride 2, tanh', x: [1, 7, 6, 3], filters: 5, kernel: [5, 5], strides: [2, 2], padding: 'same', activation: 'tanh', useBias: true },
  { name: '1×1 same, eps floor bites', x: [2, 4, 4, 2], filters: 3, kernel: [1, 1], strides: [1, 1], padding: 'same', activation: 'linear', useBias: true, eps: 10 },
];

/** A built layer with seeded weights: kernel in [-1, 1), gain in [0.5, 1.5), bias in [-0.5, 0.5). */
function layerFor(c: Case): { layer: WSConv2D; kernel: Float32Array; gain: Float32Array; bias: Float32Array } {
  const layer = wsConv2d({
    name: 'ws',
    filters: c.filters,
    kernelSize: c.kernel,
    strides: c.strides,
    padding: c.padding,
    activation: c.activation,
    useBias: c.useBias,
    ...(c.eps === undefined ? {} : { eps: c.eps }),
  });
  layer.build([null, c.x[1], c.x[2], c.x[3]]);
  const kShape = [c.kernel[0], c.kernel[1], c.x[3], c.filters];
  const kernel = seededUniform(kShape.reduce((a, b) => a * b, 1), 21);
  const gain = seededUniform(c.filters, 22, 0.5, 1.5);
  const bias = seededUniform(c.filters, 23, -0.5, 0.5);
  const weights = [tf.tensor(kernel, kShape)];
  if (c.useBias) weights.push(tf.tensor(bias, [c.filters]));
  weights.push(tf.tensor(gain, [c.filters]));
  layer.setWeights(weights);
  tf.dispose(weights);
  return { layer, kernel, gain, bias };
}

/** Same-padding offsets as TensorFlow: the extra row/column goes at the bottom/right. */
function padBefore(size: number, out: number, k: number, s: number): number {
  return Math.floor(Math.max((out - 1) * s + k - size, 0) / 2);
}

/** The formula with loops: standardise each output channel's kernel, then convolve (NHWC, [kh, kw, in, out]). */
function reference(c: Case, x: Float32Array, kernel: Float32Array, gain: Float32Array, bias: Float32Array): Float32Array {
  const [n, h, w, ci] = c.x;
  const [kh, kw] = c.kernel;
  const [sh, sw] = c.strides;
  const co = c.filters;
  const fanIn = kh * kw * ci;
  const std = new Float64Array(kernel.length);
  for (let o = 0; o < co; o++) {
    let mean = 0;
    for (let i = 0; i < fanIn; i++) mean += kernel[i * co + o]!;
    mean /= fanIn;
    let variance = 0;
    for (let i = 0; i < fanIn; i++) variance += (kernel[i * co + o]! - mean) ** 2;
    variance /= fanIn;
    const scale = gain[o]! / Math.sqrt(Math.max(variance * fanIn, c.eps ?? 1e-4));
    for (let i = 0; i < fanIn; i++) std[i * co + o] = (kernel[i * co + o]! - mean) * scale;
  }
  const oh = c.padding === 'same' ? Math.ceil(h / sh) : Math.ceil((h - kh + 1) / sh);
  const ow = c.padding === 'same' ? Math.ceil(w / sw) : Math.ceil((w - kw + 1) / sw);
  const pt = c.padding === 'same' ? padBefore(h, oh, kh, sh) : 0;
  const pl = c.padding === 'same' ? padBefore(w, ow, kw, sw) : 0;
  const out = new Float32Array(n * oh * ow * co);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        for (let o = 0; o < co; o++) {
          let sum = c.useBias ? bias[o]! : 0;
          for (let dy = 0; dy < kh; dy++) {
            const iy = y * sh + dy - pt;
            if (iy < 0 || iy >= h) continue;
            for (let dx = 0; dx < kw; dx++) {
              const ix = xo * sw + dx - pl;
              if (ix < 0 || ix >= w) continue;
              for (let i = 0; i < ci; i++) sum += x[((b * h + iy) * w + ix) * ci + i]! * std[((dy * kw + dx) * ci + i) * co + o]!;
            }
          }
          const v = c.activation === 'relu' ? Math.max(0, sum) : c.activation === 'tanh' ? Math.tanh(sum) : sum;
          out[((b * oh + y) * ow + xo) * co + o] = v;
        }
      }
    }
  }
  return out;
}

/** Frees a layer's weights (Layer.dispose refuses layers never applied to a symbolic input). */
function release(layer: tfl.layers.Layer): void {
  for (const w of layer.weights) w.dispose();
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

interface Gradients {
  readonly y: Float32Array;
  readonly dx: Float32Array;
  readonly byWeight: Record<string, Float32Array>;
}

/** Forward and the gradients of Σ y·u (u random) with respect to the input and every weight, on the active backend. */
function gradients(c: Case): Gradients {
  const { layer } = layerFor(c);
  try {
    return tf.tidy(() => {
      const x = tf.tensor(seededUniform(c.x.reduce((a, b) => a * b, 1), 31), c.x);
      const y = layer.apply(x) as tf.Tensor;
      const u = tf.tensor(seededUniform(y.size, 32), y.shape);
      const loss = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, u)) as tf.Scalar;
      const { grads } = tf.variableGrads(loss, layer.trainableWeights.map((w) => w.read() as tf.Variable));
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, u)))(x);
      const byWeight: Record<string, Float32Array> = {};
      for (const w of layer.trainableWeights) byWeight[w.originalName.split('/').pop()!] = Float32Array.from(grads[(w.read() as tf.Variable).name]!.dataSync());
      return { y: Float32Array.from(y.dataSync()), dx: Float32Array.from(dx.dataSync()), byWeight };
    });
  } finally {
    release(layer);
  }
}

describe('WSConv2D forward matches the formula (plain-loop reference)', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it.each(CASES.map((c) => [c.name, c] as const))(`${backend}: %s`, async (_n, c) => {
      await selectBackend(backend);
      const { layer, kernel, gain, bias } = layerFor(c);
      const x = seededUniform(c.x.reduce((a, b) => a * b, 1), 31);
      const y = tf.tidy(() => Float32Array.from((layer.apply(tf.tensor(x, c.x)) as tf.Tensor).dataSync()));
      release(layer);
      expect(maxAbsDiff(y, reference(c, x, kernel, gain, bias))).toBeLessThan(1e-4);
    });
  }

  it('a plain Conv2D with the same raw kernel gives a different output (the standardisation is applied)', async () => {
    await selectBackend('cpu');
    const c = CASES[0]!;
    const { layer, kernel, bias } = layerFor(c);
    const plain = tfl.layers.conv2d({ filters: c.filters, kernelSize: c.kernel, padding: c.padding, useBias: true });
    plain.build([null, ...c.x.slice(1)]);
    plain.setWeights([tf.tensor(kernel, [...c.kernel, c.x[3], c.filters]), tf.tensor(bias, [c.filters])]);
    const x = tf.tensor(seededUniform(c.x.reduce((a, b) => a * b, 1), 31), c.x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(layer.apply(x) as tf.Tensor, plain.apply(x) as tf.Tensor))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(0.1);
    tf.dispose(x);
    release(layer);
    release(plain);
  });
});

describe('WSConv2D gradients', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(CASES.map((c) => [c.name, c] as const))('wasm equals cpu within 1e-4: %s', async (_n, c) => {
    await tf.setBackend('cpu');
    const cpu = gradients(c);
    await tf.setBackend('wasm');
    const wasm = gradients(c);
    expect(Object.keys(wasm.byWeight).sort()).toEqual(c.useBias ? ['bias', 'gain', 'kernel'] : ['gain', 'kernel']);
    const scale = (a: Float32Array) => Math.max(1, ...Array.from(a, Math.abs));
    expect(maxAbsDiff(wasm.y, cpu.y)).toBeLessThan(1e-4);
    expect(maxAbsDiff(wasm.dx, cpu.dx) / scale(cpu.dx)).toBeLessThan(1e-4);
    for (const name of Object.keys(cpu.byWeight)) {
      const diff = maxAbsDiff(wasm.byWeight[name]!, cpu.byWeight[name]!) / scale(cpu.byWeight[name]!);
      expect([name, diff < 1e-4]).toEqual([name, true]);
    }
  });

  it.each(['cpu', 'wasm'] as const)(
    '%s: the kernel gradient flows through the standardisation (orthogonal to shifting and scaling a filter)',
    async (backend) => {
      await tf.setBackend(backend);
      // Without the eps floor biting, a filter's output does not change when a constant is added to its weights or
      // they are scaled, so the true gradient sums to 0 and is orthogonal to the centred weights, per filter. A
      // gradient that skipped the standardisation (as if Ŵ were W) has neither property.
      const c = CASES[0]!;
      const { layer, kernel } = layerFor(c);
      release(layer);
      const dk = gradients(c).byWeight['kernel']!;
      const fanIn = c.kernel[0] * c.kernel[1] * c.x[3];
      for (let o = 0; o < c.filters; o++) {
        let mean = 0;
        for (let i = 0; i < fanIn; i++) mean += kernel[i * c.filters + o]!;
        mean /= fanIn;
        let sum = 0;
        let dot = 0;
        let norm = 0;
        for (let i = 0; i < fanIn; i++) {
          const g = dk[i * c.filters + o]!;
          sum += g;
          dot += g * (kernel[i * c.filters + o]! - mean);
          norm += g * g;
        }
        expect(Math.sqrt(norm)).toBeGreaterThan(1e-2);
        expect(Math.abs(sum) / Math.sqrt(norm * fanIn)).toBeLessThan(1e-4);
        expect(Math.abs(dot) / Math.sqrt(norm)).toBeLessThan(1e-4);
      }
    },
  );
});
