import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { NB_RELU_GRAD, reluGradEnabled } from './wasmKernels/reluGrad';

/**
 * Dense and Conv2D with a bias and a linear or ReLU activation as ONE forward kernel while training, with a gradient
 * per input that runs only when that input needs one.
 *
 * tfjs-core's fused.conv2d / fused.matMul (what tfjs-layers' Conv2D and Dense call) fuse the activation only outside
 * gradient recording: in training a ReLU layer runs conv/matmul, then a full-size Add for the bias, then Relu — three
 * kernels and two extra passes over the output. With a linear activation they do fuse, but through tf.customGrad,
 * whose gradient computes every input's derivative at once: the input gradient of a first layer (the ResNet-20 stem
 * on the image, ~1–2 % of its step) is computed and thrown away, since no weight is upstream of the image.
 *
 * Here, while gradients are recorded on the wasm or cpu backend, those calls run the FusedConv2D / _FusedMatMul kernel
 * (bias and ReLU applied where the product is stored: our SIMD kernels' epilogues) and tfjs' tape records it with the
 * gradients registered below, the same formulas tfjs' customGrad uses — dz = dy·step(y) for ReLU (y > 0 exactly where
 * the pre-activation is), dx and dW from dz by the backprop kernels, d(bias) = Σ dz over all but the channel axis —
 * each a closure the tape calls only for inputs on the path to the loss. Our kernels add the bias to the finished sum,
 * as the separate Add did, so the forward values are the same bits as before (XNNPACK, for shapes our kernels do not
 * take, starts its sum from the bias: last-bit differences). Everything else (dilated, strided-with-explicit-padding,
 * other activations, NCHW, batched matmuls, tfjs-node) keeps the call it had. NB_FUSED_TRAINING=0 turns this off (A/B).
 */
let enabled = process.env['NB_FUSED_TRAINING'] !== '0';

/** Calls that took this path in this process (tests check the path they meant to run did). */
export const fusedTrainingStats = { conv2d: 0, matMul: 0 };

/** For tests and A/B runs. */
export function setFusedTrainingEnabled(on: boolean): void {
  enabled = on;
}

export function fusedTrainingEnabled(): boolean {
  return enabled;
}

const BACKENDS = new Set(['wasm', 'cpu']);
const recordingGradients = (): boolean => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
const activationOf = (a: unknown): 'linear' | 'relu' | undefined => (a === undefined || a === 'linear' ? 'linear' : a === 'relu' ? 'relu' : undefined);

/** dy through the activation, given the kernel's output y. */
function dyThroughActivation(dy: Tensor, y: Tensor, activation: unknown): Tensor {
  if (activationOf(activation) !== 'relu') return dy;
  if (reluGradEnabled() && dy.dtype === 'float32' && y.dtype === 'float32' && tf.getKernel(NB_RELU_GRAD, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(NB_RELU_GRAD, { x: y, dy }) as Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(y), 'float32'));
}

/** Σ dz over every axis but the last (the bias's [C]). */
const biasGradient = (dz: Tensor): Tensor => tf.sum(dz, Array.from({ length: dz.rank - 1 }, (_, i) => i));

interface ConvAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/**
 * A fused kernel's gradient: dz = dy through the activation (from the saved output), then a closure per input — the
 * two products' from `inputGradients`, the bias's Σ dz — so the tape computes only those on a path to the loss.
 */
function fusedGradient(
  kernelName: string,
  inputs: readonly [string, string],
  inputGradients: (dz: Tensor, in0: Tensor, in1: Tensor, attrs: NamedAttrMap) => [() => Tensor, () => Tensor],
): GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputs],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [in0, in1, y] = saved as [Tensor, Tensor, Tensor];
      const dz = dyThroughActivation(dy as Tensor, y, (attrs as { activation?: unknown }).activation);
      const [d0, d1] = inputGradients(dz, in0, in1, attrs);
      return { [inputs[0]]: d0, [inputs[1]]: d1, bias: () => biasGradient(dz) };
    },
  };
}

export const FUSED_CONV2D_GRADIENT: GradConfig = fusedGradient(tf.FusedConv2D, ['x', 'filter'], (dz, x, filter, attrs) => {
  const a = attrs as unknown as ConvAttrs;
  const common = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: a.dimRoundingMode } as unknown as NamedAttrMap;
  return [
    () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dz, filter }, { ...common, inputShape: x.shape } as unknown as NamedAttrMap) as Tensor,
    () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dz }, { ...common, filterShape: filter.shape } as unknown as NamedAttrMap) as Tensor,
  ];
});

export const FUSED_MATMUL_GRADIENT: GradConfig = fusedGradient(tf._FusedMatMul, ['a', 'b'], (dz, a, b) => [
  () => tf.matMul(dz, b, false, true),
  () => tf.matMul(a, dz, true, false),
]);

type FusedConv2DArgs = Parameters<typeof tf.fused.conv2d>[0];
type FusedMatMulArgs = Parameters<typeof tf.fused.matMul>[0];

function asTensor(t: unknown): Tensor | undefined {
  return t instanceof tf.Tensor ? t : undefined;
}

function convCall(args: FusedConv2DArgs): Tensor | undefined {
  const activation = activationOf(args.activation);
  const x = asTensor(args.x);
  const filter = asTensor(args.filter);
  // tfjs-layers passes null for a missing bias or PReLU weights.
  const biasArg = args.bias ?? undefined;
  const bias = biasArg === undefined ? undefined : asTensor(biasArg);
  const dilations = args.dilations ?? 1;
  if (!activation || !x || !filter || x.rank !== 4 || filter.rank !== 4 || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  if (biasArg !== undefined && (!bias || bias.rank !== 1 || bias.dtype !== 'float32' || bias.shape[0] !== filter.shape[3])) return undefined;
  if ((args.preluActivationWeights ?? undefined) !== undefined || (args.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  if (!(dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1))) return undefined;
  if (args.pad !== 'same' && args.pad !== 'valid') return undefined;
  const strides = typeof args.strides === 'number' ? [args.strides, args.strides] : args.strides;
  const inputs: tf.NamedTensorMap = bias ? { x, filter, bias } : { x, filter };
  const attrs = { strides, pad: args.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: args.dimRoundingMode, activation };
  fusedTrainingStats.conv2d++;
  return tf.engine().runKernel(tf.FusedConv2D, inputs, attrs as unknown as NamedAttrMap) as Tensor;
}

function matMulCall(args: FusedMatMulArgs): Tensor | undefined {
  const activation = activationOf(args.activation);
  const a = asTensor(args.a);
  const b = asTensor(args.b);
  const biasArg = args.bias ?? undefined;
  const bias = biasArg === undefined ? undefined : asTensor(biasArg);
  if (!activation || !a || !b || a.rank !== 2 || b.rank !== 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  if (args.transposeA || args.transposeB || (args.preluActivationWeights ?? undefined) !== undefined) return undefined;
  if (biasArg !== undefined && (!bias || bias.rank !== 1 || bias.dtype !== 'float32' || bias.shape[0] !== b.shape[1])) return undefined;
  fusedTrainingStats.matMul++;
  const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
  return tf.engine().runKernel(tf._FusedMatMul, inputs, { transposeA: false, transposeB: false, activation } as unknown as NamedAttrMap) as Tensor;
}

let installed = false;

/**
 * Idempotent. Registers the two gradients and wraps tf.fused.conv2d / tf.fused.matMul (tfjs-layers reads them through
 * the shared `fused` namespace object at call time); call after installDilatedConvTraining, whose wrapper this one
 * delegates to for every call it does not take.
 */
export function installFusedTraining(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient(FUSED_CONV2D_GRADIENT);
  tf.registerGradient(FUSED_MATMUL_GRADIENT);
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d; matMul: typeof tf.fused.matMul };
  const conv2d = fused.conv2d;
  const matMul = fused.matMul;
  const ours = (): boolean => enabled && recordingGradients() && BACKENDS.has(tf.getBackend());
  fused.conv2d = ((args: FusedConv2DArgs) => (ours() ? convCall(args) : undefined) ?? conv2d(args)) as typeof tf.fused.conv2d;
  fused.matMul = ((args: FusedMatMulArgs) => (ours() ? matMulCall(args) : undefined) ?? matMul(args)) as typeof tf.fused.matMul;
}
