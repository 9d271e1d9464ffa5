import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, _FusedMatMulAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdBatchMatMul, type MatmulEpilogue } from './batchMatMul';
import { release, runWasmKernel } from './wasmKernelUtils';

/**
 * _FusedMatMul (tfjs' fused.matMul: a Dense layer's product + bias + activation in one kernel) on our SIMD matmul
 * (simd/matmul.c fused_matmul_*), with the bias add and the activation applied inside the same call to each product
 * while it is still in cache. tfjs' stock wasm kernel runs it on XNNPACK's fully-connected operator, which repacks the
 * weight on every call (in training every weight is new each step): measured 3.8 ms per call for the autoencoder's
 * 64x128 · 128x784 output layer in bench/kernels.ts --profile, 30 % of its step.
 *
 * In training tfjs only fuses linear activations (tfjs-core's shouldFuse: gradient depth 0 or 'linear'), so there this
 * is every Dense layer without an activation (output layers) — its gradient is tfjs' own (BatchMatMul, already our
 * SIMD kernels, and a Sum for the bias). At inference every Dense layer with linear/relu/relu6/leakyrelu comes here.
 *
 * Taken: float32 a and b, layouts a·b, aᵀ·b, a·bᵀ (as BatchMatMul, incl. its batch plans and XNNPACK-threads rule) and
 * aᵀ·bᵀ (b copied transposed first),
 * activation linear/relu/relu6/leakyrelu, no bias or a float32 bias of N values (shape [N], [1,N], …, of rank ≤ the
 * output's). Everything else (prelu, elu, sigmoid, other bias broadcasts, SIMD off) goes to the stock kernel.
 * That stock kernel (tfjs 4.22) is wrong against cpu for transposed b, aᵀ·bᵀ and batches > 1 (fusedMatMul.test.ts
 * shows it): our path is also a fix there. tfjs-core's fused.matMul only calls it with rank-3 a, b and a rank-1 bias.
 * NB_FUSED_MATMUL=0 turns this path off for A/B runs.
 */

export const FUSED_MAT_MUL = tf._FusedMatMul;

let enabled = process.env['NB_FUSED_MATMUL'] !== '0';

/** Fused products computed here in this process (tests check the path they meant to exercise really ran). */
export const fusedMatMulStats = { calls: 0 };

/** Turns this path off (or back on): for tests comparing paths and NB_FUSED_MATMUL=0 A/B runs. */
export function setFusedMatMulEnabled(on: boolean): void {
  enabled = on;
}

const ACTIVATIONS: Record<string, MatmulEpilogue['act'] | undefined> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3 };

export function makeFusedMatMulWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    if (enabled) {
      const { inputs, backend, attrs } = args as unknown as {
        inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
        backend: BackendWasm;
        attrs: _FusedMatMulAttrs;
      };
      const out = simdFusedMatMul(backend, inputs, attrs);
      if (out) {
        fusedMatMulStats.calls++;
        return out;
      }
    }
    return stockAnyRank(stock, args);
  };
}

/**
 * tfjs' own wasm kernel reads a and b as rank 3 (batch, rows, columns), as tfjs-core's fused.matMul hands them; rank-2
 * operands (fusedTraining.ts runs the kernel on a Dense layer's [rows, k] · [k, n]) get a batch of one, as views.
 */
function stockAnyRank(stock: KernelFunc, args: Parameters<KernelFunc>[0]): TensorInfo {
  const { inputs, backend } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm };
  const { a, b } = inputs;
  if (a.shape.length !== 2 || b.shape.length !== 2) return stock(args) as TensorInfo;
  const a3 = runWasmKernel(backend, 'Reshape', { x: a }, { shape: [1, ...a.shape] });
  const b3 = runWasmKernel(backend, 'Reshape', { x: b }, { shape: [1, ...b.shape] });
  const out3 = stock({ ...args, inputs: { ...args.inputs, a: a3, b: b3 } }) as TensorInfo;
  const out = runWasmKernel(backend, 'Reshape', { x: out3 }, { shape: out3.shape.slice(1) });
  release(backend, a3, b3, out3);
  return out;
}

function simdFusedMatMul(
  backend: BackendWasm,
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo },
  attrs: _FusedMatMulAttrs,
): TensorInfo | undefined {
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA, transposeB, activation } = attrs;
  const act = ACTIVATIONS[activation ?? 'linear'];
  if (act === undefined || preluActivationWeights) return undefined;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  if (bias) {
    const rb = b.shape.length;
    const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
    const outRank = Math.max(a.shape.length, b.shape.length);
    const perColumn = bias.shape.length >= 1 && bias.shape[bias.shape.length - 1] === n && tf.util.sizeFromShape(bias.shape) === n;
    if (bias.dtype !== 'float32' || !perColumn || bias.shape.length > outRank) return undefined;
  }
  const epilogue: MatmulEpilogue = { act, alpha: act === 3 ? (attrs.leakyreluAlpha ?? 0.2) : 0 };
  if (bias) epilogue.bias = bias;
  if (!(transposeA && transposeB)) return simdBatchMatMul(backend, a, b, transposeA, transposeB, epilogue);
  // aᵀ·bᵀ (no kernel of ours reads both transposed): copy b transposed once, then aᵀ·b.
  if (b.shape.length < 2) return undefined;
  const perm = [...b.shape.keys()];
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1] as number, perm[perm.length - 2] as number];
  const bt = runWasmKernel(backend, 'Transpose', { x: b }, { perm });
  const out = simdBatchMatMul(backend, a, bt, true, false, epilogue);
  release(backend, bt);
  return out;
}
