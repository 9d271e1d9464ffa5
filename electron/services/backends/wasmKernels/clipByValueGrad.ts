import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './wasmKernelUtils';

/**
 * ClipByValue's input gradient as one kernel: dx = dy where min ≤ x ≤ max, else +0 (NaN x: +0). tfjs-core composes it
 * from five ops — GreaterEqual and LessEqual against scalars it creates from JavaScript numbers on every call,
 * LogicalAnd, ZerosLike and Select. tfjs-layers' LSTM/GRU gate with hard sigmoid, `clip(0.2·x + 0.5, 0, 1)`, so a
 * 28-step LSTM runs that composition 3 × 28 times per training step: ~25 % of the bench LSTM's wasm kernel time went
 * to those ops, mostly per-op overhead on [64, units] tensors. Same bits as the composition (dy or +0).
 *
 * A JavaScript loop over the wasm heap: these tensors are small and the saving is the five calls, not arithmetic.
 */
export const NB_CLIP_GRAD = 'NbClipByValueGrad';

let enabled = process.env['NB_CLIP_GRAD'] !== '0';

/** Turns the fused gradient off (or back on): tfjs' composition everywhere. For tests and NB_CLIP_GRAD=0 A/B runs. */
export function setClipGradEnabled(on: boolean): void {
  enabled = on;
}

/** Gradients computed by NbClipByValueGrad in this process (tests check the path they meant to run did). */
export const clipGradStats = { calls: 0 };

function clipGradWasm(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !tf.util.arraysEqual(x.shape, dy.shape)) {
    throw new Error(`${NB_CLIP_GRAD}: x and dy must be float32 tensors of one shape, got ${x.dtype} ${JSON.stringify(x.shape)} and ${dy.dtype} ${JSON.stringify(dy.shape)}`);
  }
  const total = tf.util.sizeFromShape(x.shape);
  const out = backend.makeOutput([...x.shape], 'float32');
  // The composition compares float32 x with float32 scalars made from the attributes.
  const lo = Math.fround(clipValueMin);
  const hi = Math.fround(clipValueMax);
  const xv = heapF32(backend, x);
  const dyv = heapF32(backend, dy);
  const ov = heapF32(backend, out);
  for (let i = 0; i < total; i++) {
    const xi = xv[i] as number;
    ov[i] = xi >= lo && xi <= hi ? (dyv[i] as number) : 0;
  }
  clipGradStats.calls++;
  return out;
}

export const clipGradWasmConfig: KernelConfig = {
  kernelName: NB_CLIP_GRAD,
  backendName: 'wasm',
  kernelFunc: clipGradWasm as unknown as KernelFunc,
};

/** tfjs-core's ClipByValue gradient, through NbClipByValueGrad where the active backend has it. */
export const CLIP_BY_VALUE_GRADIENT: GradConfig = {
  kernelName: tf.ClipByValue,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as Tensor[];
    const d = dy as Tensor;
    const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
    if (enabled && x!.dtype === 'float32' && d.dtype === 'float32' && tf.getKernel(NB_CLIP_GRAD, tf.getBackend()) !== undefined) {
      return { x: () => tf.engine().runKernel(NB_CLIP_GRAD, { x: x!, dy: d }, { clipValueMin, clipValueMax }) as Tensor };
    }
    return {
      x: () => tf.where(tf.logicalAnd(tf.greaterEqual(x!, clipValueMin), tf.lessEqual(x!, clipValueMax)), d, tf.zerosLike(d)),
    };
  },
};
