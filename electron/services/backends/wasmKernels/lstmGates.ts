import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { heapAddress, simdModule } from './simdModules';
import { cpuF32, heapF32, switchableKernels } from './wasmKernelUtils';

/**
 * An LSTM cell's gates as one kernel forward and one backward (issue 17: the LSTM bench row).
 *
 *   NbLstmGates      {z, c} {activation, recurrentActivation} → [h, cNext]
 *   NbLstmGatesGrad  {dh, dc, z, c} {activation, recurrentActivation} → [dz, dc]
 *
 * z is the cell's pre-activation [batch, 4·units] (x·W + h·U + b, computed by the layer as before), c the previous
 * carry [batch, units]. tfjs-layers' LSTMCell splits z in four and runs, per time step,
 *   i = r(z0), f = r(z1), g = a(z2), o = r(z3), c' = f·c + i·g, h = o·a(c')
 * as ~17 kernels forward (split, three hard sigmoids of three ops each, two tanh, four multiplies, an add) and ~30
 * backward — each a kernel call, a tape node and a pass over a small tensor; at batch 64 × 128 units their call
 * overhead was ~45 % of a step (bench/kernels.ts --models lstm --profile: Add, Multiply, ClipByValue(Grad), Tanh,
 * SplitV, Concat, Sub, Square). Here one pass does all of it; the gradient recomputes the gates from z (cheaper than
 * saving four more tensors per step).
 *
 * Same arithmetic as the composed ops: every product and sum is rounded to float32 in the order tfjs computes it,
 * hard sigmoid is tfjs-layers' clip(0.5 + 0.2·x, 0, 1) with its gradient 0.2 where 0 ≤ 0.5 + 0.2·x ≤ 1
 * (clipByValue's gradient keeps the bounds). On wasm the kernels are simd/elementwise.c's lstm_gates_forward/backward
 * (4 units per vector; tanh is the same rational approximation as our wasm Tanh kernel, tanh.ts, within 3.6e-7;
 * sigmoid 0.5 + 0.5·tanh(x/2)). On cpu, and on wasm without the SIMD module, the JavaScript loops below run
 * (JavaScript doubles rounded with Math.fround are exact float32 for +, −, ×, /; tanh and sigmoid are the functions
 * the cpu backend uses), so on cpu the forward is the stock ops' bits and the gradients agree to float rounding
 * (tests). The JavaScript loops are ~10× slower than the SIMD ones (Math.tanh alone ~20 ns).
 *
 * Activations: `activation` tanh, sigmoid, relu or linear; `recurrentActivation` hardSigmoid, sigmoid, tanh or linear.
 * The layer (compiler/fastLstm.ts) takes the stock cell for anything else. NB_LSTM_GATES=0 turns the kernels off (A/B).
 */
export const NB_LSTM_GATES = 'NbLstmGates';
export const NB_LSTM_GATES_GRAD = 'NbLstmGatesGrad';

const f32 = Math.fround;

/** An activation and its derivative, the latter from the input x and the output y = act(x) as tfjs' gradient uses. */
interface Activation {
  apply(x: number): number;
  /** d act / dx · dy, rounded as tfjs' gradient kernel rounds it. */
  grad(dy: number, x: number, y: number): number;
}

const HALF = f32(0.5);
const FIFTH = f32(0.2);

const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  // tfjs-layers' hardSigmoid: clipByValue(add(.5, mul(.2, x)), 0, 1); gradient: clipByValue's (dy where the clipped
  // value lies in [0, 1], bounds included, else 0), then mul's (× 0.2).
  hardSigmoid: {
    apply: (x) => {
      const t = f32(HALF + f32(FIFTH * x));
      return t < 0 ? 0 : t > 1 ? 1 : t;
    },
    grad: (dy, x) => {
      const t = f32(HALF + f32(FIFTH * x));
      return t >= 0 && t <= 1 ? f32(dy * FIFTH) : 0;
    },
  },
  // tfjs Sigmoid (the cpu backend's: 1 / (1 + exp(−x)) in doubles, rounded once); its gradient dy · (y · (1 − y)).
  sigmoid: {
    apply: (x) => f32(1 / (1 + Math.exp(-x))),
    grad: (dy, _x, y) => f32(dy * f32(y * f32(1 - y))),
  },
  // tfjs Tanh; its gradient (1 − y²) · dy.
  tanh: {
    apply: (x) => f32(Math.tanh(x)),
    grad: (dy, _x, y) => f32(f32(1 - f32(y * y)) * dy),
  },
  // tfjs Relu; its gradient dy · step(x).
  relu: {
    apply: (x) => (x < 0 ? 0 : x),
    grad: (dy, x) => (x > 0 ? dy : 0),
  },
  linear: {
    apply: (x) => x,
    grad: (dy) => dy,
  },
};

/** The activation names each slot accepts. */
export const LSTM_GATE_ACTIVATIONS = ['tanh', 'sigmoid', 'relu', 'linear'] as const;
export const LSTM_GATE_RECURRENT_ACTIVATIONS = ['hardSigmoid', 'sigmoid', 'tanh', 'linear'] as const;

function activationName(kernel: string, attrs: NamedAttrMap | undefined, key: 'activation' | 'recurrentActivation'): string {
  const name = attrs?.[key];
  const allowed: readonly string[] = key === 'activation' ? LSTM_GATE_ACTIVATIONS : LSTM_GATE_RECURRENT_ACTIVATIONS;
  if (typeof name !== 'string' || !allowed.includes(name)) {
    throw new Error(`${kernel}: ${key} must be one of ${allowed.join(', ')}, got ${String(name)}`);
  }
  return name;
}

function activationOf(kernel: string, attrs: NamedAttrMap | undefined, key: 'activation' | 'recurrentActivation'): Activation {
  return ACTIVATIONS[activationName(kernel, attrs, key)]!;
}

/** The C kernels' numbering of the (checked) activations. */
function kindsOf(kernel: string, attrs: NamedAttrMap | undefined): [number, number] {
  return [ACTIVATION_KIND[activationName(kernel, attrs, 'activation')]!, ACTIVATION_KIND[activationName(kernel, attrs, 'recurrentActivation')]!];
}

/** Checks z [B, 4u] and every [B, u] tensor; returns [B, u]. */
function dimsOf(kernel: string, z: TensorInfo, perUnit: readonly [string, TensorInfo][]): [number, number] {
  if (z.shape.length !== 2 || z.shape[1]! % 4 !== 0 || z.shape[1] === 0) {
    throw new Error(`${kernel}: z must be [batch, 4·units], got shape [${z.shape.join(', ')}]`);
  }
  const batch = z.shape[0]!;
  const units = z.shape[1]! / 4;
  for (const [name, t] of [['z', z] as [string, TensorInfo], ...perUnit]) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: ${name} must be float32, got ${t.dtype}`);
  }
  for (const [name, t] of perUnit) {
    if (t.shape.length !== 2 || t.shape[0] !== batch || t.shape[1] !== units) {
      throw new Error(`${kernel}: ${name} must be [${batch}, ${units}], got shape [${t.shape.join(', ')}]`);
    }
  }
  return [batch, units];
}

/** The forward on plain arrays: h and cNext from z and c. */
export function lstmGatesForward(z: Float32Array, c: Float32Array, batch: number, units: number, act: Activation, rec: Activation,
  h: Float32Array, cNext: Float32Array): void {
  const u = units;
  for (let b = 0; b < batch; b++) {
    const zRow = b * 4 * u;
    const row = b * u;
    for (let j = 0; j < u; j++) {
      const i = rec.apply(z[zRow + j]!);
      const f = rec.apply(z[zRow + u + j]!);
      const g = act.apply(z[zRow + 2 * u + j]!);
      const o = rec.apply(z[zRow + 3 * u + j]!);
      const cn = f32(f32(f * c[row + j]!) + f32(i * g));
      cNext[row + j] = cn;
      h[row + j] = f32(o * act.apply(cn));
    }
  }
}

/**
 * The backward on plain arrays. dh and dc are the gradients of h and cNext (dc may be absent: cNext unused), and the
 * results dz [B, 4u] and dcPrev [B, u]. The composed ops' gradient, term by term:
 *   dc' = dc + a'(c')·(dh·o)                 (tfjs adds the two paths into c' in this order: c's own first)
 *   dz0 = r'(z0)·(dc'·g), dz1 = r'(z1)·(dc'·c), dz2 = a'(z2)·(dc'·i), dz3 = r'(z3)·(dh·a(c')), dcPrev = dc'·f
 */
export function lstmGatesBackward(dh: Float32Array, dc: Float32Array | undefined, z: Float32Array, c: Float32Array, batch: number,
  units: number, act: Activation, rec: Activation, dz: Float32Array, dcPrev: Float32Array): void {
  const u = units;
  for (let b = 0; b < batch; b++) {
    const zRow = b * 4 * u;
    const row = b * u;
    for (let j = 0; j < u; j++) {
      const z0 = z[zRow + j]!, z1 = z[zRow + u + j]!, z2 = z[zRow + 2 * u + j]!, z3 = z[zRow + 3 * u + j]!;
      const i = rec.apply(z0), f = rec.apply(z1), g = act.apply(z2), o = rec.apply(z3);
      const cp = c[row + j]!;
      const cn = f32(f32(f * cp) + f32(i * g));
      const ac = act.apply(cn);
      const dhj = dh[row + j]!;
      const viaH = act.grad(f32(dhj * o), cn, ac);
      const dcTotal = dc === undefined ? viaH : f32(dc[row + j]! + viaH);
      dz[zRow + j] = rec.grad(f32(dcTotal * g), z0, i);
      dz[zRow + u + j] = rec.grad(f32(dcTotal * cp), z1, f);
      dz[zRow + 2 * u + j] = act.grad(f32(dcTotal * i), z2, g);
      dz[zRow + 3 * u + j] = rec.grad(f32(dhj * ac), z3, o);
      dcPrev[row + j] = f32(dcTotal * f);
    }
  }
}

interface ForwardInputs { z: TensorInfo; c: TensorInfo }
interface BackwardInputs { dh: TensorInfo; dc?: TensorInfo; z: TensorInfo; c: TensorInfo }

function backwardDims(inputs: BackwardInputs): [number, number] {
  const { dh, dc, z, c } = inputs;
  return dimsOf(NB_LSTM_GATES_GRAD, z, [['dh', dh], ['c', c], ...(dc ? [['dc', dc] as [string, TensorInfo]] : [])]);
}

/** simd/elementwise.c's exports. Activation kinds: see ACTIVATION_KIND. */
interface LstmGatesSimd {
  lstm_gates_forward(z: number, c: number, h: number, cNext: number, batch: number, units: number, act: number, rec: number): void;
  lstm_gates_backward(dh: number, dc: number, hasDc: number, z: number, c: number, dz: number, dcPrev: number, batch: number,
    units: number, act: number, rec: number): void;
}

/** The C kernels' activation numbering. */
const ACTIVATION_KIND: Readonly<Record<string, number>> = { tanh: 0, sigmoid: 1, relu: 2, linear: 3, hardSigmoid: 4 };

function lstmSimd(wasm: BackendWasm): LstmGatesSimd | undefined {
  const simd = simdModule<LstmGatesSimd>(wasm, 'elementwise');
  return simd && typeof simd.lstm_gates_forward === 'function' ? simd : undefined;
}

const forwardWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { z, c } = inputs as unknown as ForwardInputs;
  const wasm = backend as BackendWasm;
  const [batch, units] = dimsOf(NB_LSTM_GATES, z, [['c', c]]);
  const act = activationOf(NB_LSTM_GATES, attrs, 'activation');
  const rec = activationOf(NB_LSTM_GATES, attrs, 'recurrentActivation');
  const h = wasm.makeOutput([batch, units], 'float32');
  const cNext = wasm.makeOutput([batch, units], 'float32');
  const simd = lstmSimd(wasm);
  if (simd) {
    if (batch > 0) {
      const at = (t: TensorInfo): number => heapAddress(wasm, t);
      simd.lstm_gates_forward(at(z), at(c), at(h), at(cNext), batch, units, ...kindsOf(NB_LSTM_GATES, attrs));
    }
    return [h, cNext];
  }
  // Views after every allocation (an allocation may grow the heap and detach earlier views).
  lstmGatesForward(heapF32(wasm, z), heapF32(wasm, c), batch, units, act, rec, heapF32(wasm, h), heapF32(wasm, cNext));
  return [h, cNext];
};

const backwardWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const args = inputs as unknown as BackwardInputs;
  const wasm = backend as BackendWasm;
  const [batch, units] = backwardDims(args);
  const act = activationOf(NB_LSTM_GATES_GRAD, attrs, 'activation');
  const rec = activationOf(NB_LSTM_GATES_GRAD, attrs, 'recurrentActivation');
  const dz = wasm.makeOutput([batch, 4 * units], 'float32');
  const dcPrev = wasm.makeOutput([batch, units], 'float32');
  const simd = lstmSimd(wasm);
  if (simd) {
    if (batch > 0) {
      const at = (t: TensorInfo): number => heapAddress(wasm, t);
      simd.lstm_gates_backward(at(args.dh), args.dc ? at(args.dc) : 0, args.dc ? 1 : 0, at(args.z), at(args.c), at(dz), at(dcPrev),
        batch, units, ...kindsOf(NB_LSTM_GATES_GRAD, attrs));
    }
    return [dz, dcPrev];
  }
  lstmGatesBackward(heapF32(wasm, args.dh), args.dc ? heapF32(wasm, args.dc) : undefined, heapF32(wasm, args.z), heapF32(wasm, args.c),
    batch, units, act, rec, heapF32(wasm, dz), heapF32(wasm, dcPrev));
  return [dz, dcPrev];
};

const forwardCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { z, c } = inputs as unknown as ForwardInputs;
  const cpu = backend as MathBackendCPU;
  const [batch, units] = dimsOf(NB_LSTM_GATES, z, [['c', c]]);
  const h = new Float32Array(batch * units);
  const cNext = new Float32Array(batch * units);
  lstmGatesForward(cpuF32(cpu, z), cpuF32(cpu, c), batch, units, activationOf(NB_LSTM_GATES, attrs, 'activation'),
    activationOf(NB_LSTM_GATES, attrs, 'recurrentActivation'), h, cNext);
  return [cpu.makeTensorInfo([batch, units], 'float32', h), cpu.makeTensorInfo([batch, units], 'float32', cNext)];
};

const backwardCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const args = inputs as unknown as BackwardInputs;
  const cpu = backend as MathBackendCPU;
  const [batch, units] = backwardDims(args);
  const dz = new Float32Array(batch * 4 * units);
  const dcPrev = new Float32Array(batch * units);
  lstmGatesBackward(cpuF32(cpu, args.dh), args.dc ? cpuF32(cpu, args.dc) : undefined, cpuF32(cpu, args.z),
    cpuF32(cpu, args.c), batch, units, activationOf(NB_LSTM_GATES_GRAD, attrs, 'activation'),
    activationOf(NB_LSTM_GATES_GRAD, attrs, 'recurrentActivation'), dz, dcPrev);
  return [cpu.makeTensorInfo([batch, 4 * units], 'float32', dz), cpu.makeTensorInfo([batch, units], 'float32', dcPrev)];
};

export const LSTM_GATES_KERNELS: KernelConfig[] = [
  { kernelName: NB_LSTM_GATES, backendName: 'wasm', kernelFunc: forwardWasm },
  { kernelName: NB_LSTM_GATES_GRAD, backendName: 'wasm', kernelFunc: backwardWasm },
  { kernelName: NB_LSTM_GATES, backendName: 'cpu', kernelFunc: forwardCpu },
  { kernelName: NB_LSTM_GATES_GRAD, backendName: 'cpu', kernelFunc: backwardCpu },
];

/**
 * One backward kernel gives both input gradients. dys: [dh, dcNext]; the engine hands zeros for an output no loss
 * reaches (cNext of the last step), which only costs a pass over [B, u] — passed on as given.
 */
export const lstmGatesGradConfig: GradConfig = {
  kernelName: NB_LSTM_GATES,
  inputsToSave: ['z', 'c'],
  gradFunc: (dy, saved, attrs) => {
    const [z, c] = saved as [Tensor, Tensor];
    const [dh, dc] = Array.isArray(dy) ? dy : [dy];
    const [dz, dcPrev] = tf.engine().runKernel(
      NB_LSTM_GATES_GRAD,
      { dh: dh!, ...(dc ? { dc } : {}), z, c },
      { activation: attrs['activation'] as string, recurrentActivation: attrs['recurrentActivation'] as string },
    ) as [Tensor, Tensor];
    return { z: () => dz, c: () => dcPrev };
  },
};

const switchable = switchableKernels(LSTM_GATES_KERNELS, 'NB_LSTM_GATES');

/** Whether `backendName` runs the fused gates (registers kernels and gradient on first use); else the stock cell. */
export function hasLstmGatesKernels(backendName: string): boolean {
  if (tf.getGradient(NB_LSTM_GATES) === undefined) tf.registerGradient(lstmGatesGradConfig);
  return switchable.has(backendName) && tf.getKernel(NB_LSTM_GATES_GRAD, backendName) !== undefined;
}

/** For tests and A/B runs. */
export function setLstmGatesEnabled(on: boolean): void {
  switchable.setEnabled(on);
}
