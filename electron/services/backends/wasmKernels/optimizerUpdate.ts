import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { kernelHelper, type HelperFunction } from './kernelHelper';
import { heapAddress, simdModule } from './simdModules';
import { heapF32 } from './wasmKernelUtils';

/**
 * One-kernel optimizer updates: a whole Adam / momentum / RMSProp step for ONE weight in a single pass, where tfjs'
 * optimizers run ~4–12 separate ops per weight (each a kernel dispatch, an allocation and a full pass over the weight).
 * Used by electron/services/training/fusedOptimizers.ts.
 *
 * The arithmetic is tfjs' own (tfjs-core/src/optimizers/*_optimizer.ts), operation for operation and in the same
 * order, in float32: every intermediate is rounded to float32 as a tfjs op would store it (Math.fround here; float32
 * registers without fused multiply-add in simd/optimizer.c). The results are therefore bit-identical to the stock
 * optimizers on the cpu and wasm backends. Every scalar attribute must already be a float32 value (Math.fround),
 * as tfjs' scalar tensors are.
 *
 * Kernels are functional like every tfjs kernel: new outputs (x', then the slots), the caller assigns them to the
 * variables. They exist for the cpu backend (JS loop) and the wasm backend (simd/optimizer.c, or the same JS loop over
 * the wasm heap when the SIMD module is unavailable); other backends keep tfjs' stock optimizers.
 *
 * One deliberate difference, first for Adam (all three paths alike, so they stay bit-identical to each other): m' and v'
 * that come out subnormal (0 < |y| < 2^-126 ≈ 1.2e-38) are stored as 0, and x' uses that 0 (see simd/optimizer.c:
 * a dead unit's m decays into the subnormal range, where x86 runs the SIMD kernel ~20x slower; measured 25 % of some
 * layers' m subnormal after ~750 steps of the reference autoencoder). It changes m', v' by < 1.2e-38 and x' only when
 * |x| itself is ~1e-30 or less. NB_ADAM_FTZ=0 (or setAdamFlushSubnormals(false)) keeps tfjs' exact arithmetic there.
 *
 * Momentum and RMSProp do the same, for the same reason (a zero gradient decays momentum's accumulator a by `momentum`
 * and RMSProp's meanSquare and moments by `decay` and `momentum` every step): a', ms' and mom' that come out subnormal
 * are stored as 0, and x' (and Nesterov's step) use that 0. Their own switch, since NB_ADAM_FTZ names Adam:
 * NB_OPTIMIZER_FTZ=0 (or setOptimizerFlushSubnormals(false)) keeps tfjs' exact arithmetic for momentum and RMSProp.
 */
export const ADAM_UPDATE = 'NbAdamUpdate';
export const MOMENTUM_UPDATE = 'NbMomentumUpdate';
export const RMSPROP_UPDATE = 'NbRMSPropUpdate';

/** x' = ((m'/oneMinusAccBeta1) / (sqrt(v'/oneMinusAccBeta2) + epsilon)) * negLearningRate + x, then x'·decayFactor. */
export interface AdamUpdateAttrs {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 − beta1^t as tfjs computes it: float32(1 − accBeta1), accBeta1 being its float32 running product. */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  negLearningRate: number;
  /** AdamW's decoupled weight decay factor 1 − lr·λ applied after the step; exactly 1 for none. */
  decayFactor: number;
}
export interface MomentumUpdateAttrs {
  momentum: number;
  negLearningRate: number;
  useNesterov: boolean;
}
export interface RMSPropUpdateAttrs {
  decay: number;
  oneMinusDecay: number;
  momentum: number;
  learningRate: number;
  epsilon: number;
}

const f = Math.fround;
type F32 = Float32Array;

let flushSubnormals = process.env['NB_ADAM_FTZ'] !== '0';

/** Adam's subnormal m'/v' flush (see above) on or off: for tests and NB_ADAM_FTZ=0 A/B runs. */
export function setAdamFlushSubnormals(on: boolean): void {
  flushSubnormals = on;
}

let flushOtherSubnormals = process.env['NB_OPTIMIZER_FTZ'] !== '0';

/** Momentum's and RMSProp's subnormal slot flush (see above) on or off: for tests and NB_OPTIMIZER_FTZ=0 A/B runs. */
export function setOptimizerFlushSubnormals(on: boolean): void {
  flushOtherSubnormals = on;
}

/** The smallest normal float32, 2^-126: below it (and above 0) a float32 is subnormal. */
const MIN_NORMAL = 2 ** -126;
const flushed = (y: number): number => (y !== 0 && Math.abs(y) < MIN_NORMAL ? 0 : y);

export function adamUpdateLoop(x: F32, m: F32, v: F32, g: F32, xo: F32, mo: F32, vo: F32, a: AdamUpdateAttrs): void {
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLearningRate } = a;
  const decay = a.decayFactor !== 1;
  const ftz = flushSubnormals;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    let mi = f(f(m[i]! * beta1) + f(gi * oneMinusBeta1));
    let vi = f(f(v[i]! * beta2) + f(f(gi * gi) * oneMinusBeta2));
    if (ftz) {
      mi = flushed(mi);
      vi = flushed(vi);
    }
    mo[i] = mi;
    vo[i] = vi;
    const denom = f(f(Math.sqrt(f(vi / oneMinusAccBeta2))) + epsilon);
    const xi = f(f(f(f(mi / oneMinusAccBeta1) / denom) * negLearningRate) + x[i]!);
    xo[i] = decay ? xi * a.decayFactor : xi;
  }
}

export function momentumUpdateLoop(x: F32, acc: F32, g: F32, xo: F32, acco: F32, a: MomentumUpdateAttrs): void {
  const { momentum, negLearningRate, useNesterov } = a;
  const ftz = flushOtherSubnormals;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    let ai = f(f(momentum * acc[i]!) + gi);
    if (ftz) ai = flushed(ai);
    acco[i] = ai;
    const step = useNesterov ? f(gi + f(ai * momentum)) : ai;
    xo[i] = f(negLearningRate * step) + x[i]!;
  }
}

export function rmspropUpdateLoop(x: F32, ms: F32, mom: F32, g: F32, xo: F32, mso: F32, momo: F32, a: RMSPropUpdateAttrs): void {
  const { decay, oneMinusDecay, momentum, learningRate, epsilon } = a;
  const ftz = flushOtherSubnormals;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    let s = f(f(ms[i]! * decay) + f(f(gi * gi) * oneMinusDecay));
    if (ftz) s = flushed(s);
    let p = f(f(mom[i]! * momentum) + f(f(gi * learningRate) / f(Math.sqrt(f(s + epsilon)))));
    if (ftz) p = flushed(p);
    mso[i] = s;
    momo[i] = p;
    xo[i] = x[i]! - p;
  }
}

interface OptimizerSimd {
  adam_update(
    x: number, m: number, v: number, g: number, xo: number, mo: number, vo: number, n: number, b1: number, omb1: number,
    b2: number, omb2: number, omab1: number, omab2: number, eps: number, neglr: number, decay: number, factor: number,
    ftz: number,
  ): void;
  momentum_update(
    x: number, a: number, g: number, xo: number, ao: number, n: number, mom: number, c: number, nesterov: number, ftz: number,
  ): void;
  rmsprop_update(
    x: number, ms: number, mom: number, g: number, xo: number, mso: number, momo: number, n: number, decay: number,
    omdecay: number, momentum: number, lr: number, eps: number, ftz: number,
  ): void;
}

function sizeOf(info: TensorInfo): number {
  return info.shape.reduce((a, b) => a * b, 1);
}

function checkInputs(kernelName: string, inputs: Record<string, TensorInfo | undefined>, names: readonly string[]): TensorInfo[] {
  const infos = names.map((name) => {
    const info = inputs[name];
    if (!info) throw new Error(`${kernelName}: input '${name}' is missing`);
    if (info.dtype !== 'float32') throw new Error(`${kernelName}: input '${name}' is ${info.dtype}, expected float32`);
    return info;
  });
  const n = sizeOf(infos[0]!);
  for (const [i, info] of infos.entries()) {
    if (sizeOf(info) !== n) throw new Error(`${kernelName}: input '${names[i]!}' has ${sizeOf(info)} values, expected ${n}`);
  }
  return infos;
}

// ---- wasm ---------------------------------------------------------------------------------------------------------

function wasmKernel(
  kernelName: string,
  inputNames: readonly string[],
  run: (backend: BackendWasm, ins: TensorInfo[], outs: TensorInfo[], attrs: NamedAttrMap) => void,
): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }) => {
    const wasm = backend as BackendWasm;
    const ins = checkInputs(kernelName, inputs, inputNames);
    // Outputs first: an allocation may grow the heap, which detaches views taken earlier.
    const outs = inputNames.slice(0, -1).map(() => wasm.makeOutput([...ins[0]!.shape], 'float32'));
    run(wasm, ins, outs, attrs ?? {});
    return outs;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/**
 * Updates from this many values on are shared with the kernel helper when it runs (kernelHelper.ts), in ~8 chunks that
 * start at multiples of 8 (the kernels' vector step; each value is computed alone, so the bits are those of one call).
 * Adam costs ~2 ns a value on one thread: 16k values ≈ 35 µs against a ~1 µs handshake.
 */
export const OPTIMIZER_SPLIT_MIN_VALUES = 16384;

/** Runs `call(...pointers, n, ...rest)` over n values, shared with the helper when it runs. */
function runUpdate(
  backend: BackendWasm, fn: HelperFunction, pointers: readonly number[], n: number, rest: readonly number[],
  call: (...args: number[]) => void,
): void {
  const helper = n >= OPTIMIZER_SPLIT_MIN_VALUES ? kernelHelper(backend) : undefined;
  if (!helper) {
    call(...pointers, n, ...rest);
    return;
  }
  const step = 8 * Math.ceil(n / 64);
  helper.run(fn, [pointers.length, ...pointers, n, step, ...rest], Math.ceil(n / step));
}

const adamUpdateWasm = wasmKernel(ADAM_UPDATE, ['x', 'm', 'v', 'g'], (backend, ins, outs, attrs) => {
  const a = attrs as unknown as AdamUpdateAttrs;
  const simd = simdModule<OptimizerSimd>(backend, 'optimizer');
  if (simd) {
    const [x, m, v, g] = ins.map((t) => heapAddress(backend, t)) as [number, number, number, number];
    const [xo, mo, vo] = outs.map((t) => heapAddress(backend, t)) as [number, number, number];
    runUpdate(backend, 'adam_update', [x, m, v, g, xo, mo, vo], sizeOf(ins[0]!), [
      a.beta1, a.oneMinusBeta1, a.beta2, a.oneMinusBeta2, a.oneMinusAccBeta1, a.oneMinusAccBeta2, a.epsilon,
      a.negLearningRate, a.decayFactor !== 1 ? 1 : 0, a.decayFactor, flushSubnormals ? 1 : 0,
    ], simd.adam_update);
    return;
  }
  const [x, m, v, g] = ins.map((t) => heapF32(backend, t)) as [F32, F32, F32, F32];
  const [xo, mo, vo] = outs.map((t) => heapF32(backend, t)) as [F32, F32, F32];
  adamUpdateLoop(x, m, v, g, xo, mo, vo, a);
});

const momentumUpdateWasm = wasmKernel(MOMENTUM_UPDATE, ['x', 'accumulation', 'g'], (backend, ins, outs, attrs) => {
  const a = attrs as unknown as MomentumUpdateAttrs;
  const simd = simdModule<OptimizerSimd>(backend, 'optimizer');
  if (simd) {
    const [x, acc, g] = ins.map((t) => heapAddress(backend, t)) as [number, number, number];
    const [xo, acco] = outs.map((t) => heapAddress(backend, t)) as [number, number];
    runUpdate(backend, 'momentum_update', [x, acc, g, xo, acco], sizeOf(ins[0]!), [
      a.momentum, a.negLearningRate, a.useNesterov ? 1 : 0, flushOtherSubnormals ? 1 : 0,
    ], simd.momentum_update);
    return;
  }
  const [x, acc, g] = ins.map((t) => heapF32(backend, t)) as [F32, F32, F32];
  const [xo, acco] = outs.map((t) => heapF32(backend, t)) as [F32, F32];
  momentumUpdateLoop(x, acc, g, xo, acco, a);
});

const rmspropUpdateWasm = wasmKernel(RMSPROP_UPDATE, ['x', 'meanSquare', 'moments', 'g'], (backend, ins, outs, attrs) => {
  const a = attrs as unknown as RMSPropUpdateAttrs;
  const simd = simdModule<OptimizerSimd>(backend, 'optimizer');
  if (simd) {
    const [x, ms, mom, g] = ins.map((t) => heapAddress(backend, t)) as [number, number, number, number];
    const [xo, mso, momo] = outs.map((t) => heapAddress(backend, t)) as [number, number, number];
    runUpdate(backend, 'rmsprop_update', [x, ms, mom, g, xo, mso, momo], sizeOf(ins[0]!), [
      a.decay, a.oneMinusDecay, a.momentum, a.learningRate, a.epsilon, flushOtherSubnormals ? 1 : 0,
    ], simd.rmsprop_update);
    return;
  }
  const [x, ms, mom, g] = ins.map((t) => heapF32(backend, t)) as [F32, F32, F32, F32];
  const [xo, mso, momo] = outs.map((t) => heapF32(backend, t)) as [F32, F32, F32];
  rmspropUpdateLoop(x, ms, mom, g, xo, mso, momo, a);
});

// ---- cpu ----------------------------------------------------------------------------------------------------------

function cpuKernel(
  kernelName: string,
  inputNames: readonly string[],
  run: (ins: F32[], outs: F32[], attrs: NamedAttrMap) => void,
): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }) => {
    const cpu = backend as MathBackendCPU;
    const ins = checkInputs(kernelName, inputs, inputNames);
    const values = ins.map((t) => cpu.readSync(t.dataId) as F32);
    const n = sizeOf(ins[0]!);
    const outs = inputNames.slice(0, -1).map(() => new Float32Array(n));
    run(values, outs, attrs ?? {});
    return outs.map((o) => cpu.makeTensorInfo([...ins[0]!.shape], 'float32', o));
  };
  return { kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as KernelFunc };
}

const adamUpdateCpu = cpuKernel(ADAM_UPDATE, ['x', 'm', 'v', 'g'], ([x, m, v, g], [xo, mo, vo], attrs) =>
  adamUpdateLoop(x!, m!, v!, g!, xo!, mo!, vo!, attrs as unknown as AdamUpdateAttrs),
);
const momentumUpdateCpu = cpuKernel(MOMENTUM_UPDATE, ['x', 'accumulation', 'g'], ([x, acc, g], [xo, acco], attrs) =>
  momentumUpdateLoop(x!, acc!, g!, xo!, acco!, attrs as unknown as MomentumUpdateAttrs),
);
const rmspropUpdateCpu = cpuKernel(RMSPROP_UPDATE, ['x', 'meanSquare', 'moments', 'g'], ([x, ms, mom, g], [xo, mso, momo], attrs) =>
  rmspropUpdateLoop(x!, ms!, mom!, g!, xo!, mso!, momo!, attrs as unknown as RMSPropUpdateAttrs),
);

export const OPTIMIZER_UPDATE_KERNELS: readonly KernelConfig[] = [
  adamUpdateWasm,
  momentumUpdateWasm,
  rmspropUpdateWasm,
  adamUpdateCpu,
  momentumUpdateCpu,
  rmspropUpdateCpu,
];

/** Registers the kernels for cpu and wasm (idempotent; works before or after either backend is initialised). */
export function registerOptimizerUpdateKernels(): void {
  for (const config of OPTIMIZER_UPDATE_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
}

/** True when the current backend has the fused `kernelName` (cpu and wasm do; tensorflow/webgl keep tfjs' optimizers). */
export function hasOptimizerUpdateKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
