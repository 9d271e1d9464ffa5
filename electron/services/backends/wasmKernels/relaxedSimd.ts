import v8 from 'node:v8';
import { setNativeKernelsEnabled } from './native/nativeKernels';

/**
 * WebAssembly relaxed SIMD, for our compute-bound SIMD kernels (matmul, winograd, conv2d: the sources that use
 * NB_MADD, simd/nb_madd.h). Their `<name>.relaxed.wasm` builds multiply-add with f32x4.relaxed_madd, one fused
 * multiply-add on FMA hardware instead of a multiply and an add; simdModules.ts loads them when this says so.
 *
 * Where it is available: on by default from V8 11.4 (Chromium 114, every Electron this app ships with); Node 20's V8
 * 11.3 has it behind `--experimental-wasm-relaxed-simd`. V8 flags are per process and this one is read whenever a
 * module is compiled, so when the probe does not validate we turn the flag on from here (`v8.setFlagsFromString`)
 * and ask again: that covers the trainer process, its data-parallel worker threads (same process, same flags), the
 * benchmarks and the tests alike, without every entry point passing execArgv. selectBackend() asks before the wasm
 * backend starts, so the trainer thread sets the flag before any replica thread exists.
 *
 * Rounding: a fused multiply-add rounds once, so the relaxed kernels differ from the plain ones in the last bits
 * (both stay within 1e-4 of the cpu backend). `NB_RELAXED_SIMD=0` keeps the plain modules, e.g. for bit-for-bit
 * comparisons or A/B timing; results are correct either way.
 */

/**
 * (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd): valid exactly
 * where the engine runs relaxed SIMD. The build script compiles its relaxed modules against the same bytes.
 */
export const RELAXED_SIMD_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2,
  253, 133, 2, 11,
]);

/** The V8 flag that enables relaxed SIMD where it is not on by default (Node 20). */
export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/** What detection needs from the engine (injected in tests). */
export interface RelaxedSimdEngine {
  validate(bytes: Uint8Array): boolean;
  setFlags(flags: string): void;
}

export interface RelaxedSimdDecision {
  /** Load the `.relaxed` modules. */
  relaxed: boolean;
  /** Why not, or how: 'NB_RELAXED_SIMD=0', 'engine has no relaxed SIMD', 'enabled with --experimental-wasm-relaxed-simd'. */
  note?: string;
}

/**
 * The decision for an engine and the NB_RELAXED_SIMD value: '0' forces the plain modules; otherwise relaxed when the
 * probe validates, after turning the V8 flag on if it did not at first.
 */
export function detectRelaxedSimd(env: string | undefined, engine: RelaxedSimdEngine): RelaxedSimdDecision {
  if (env === '0') return { relaxed: false, note: 'NB_RELAXED_SIMD=0' };
  if (engine.validate(RELAXED_SIMD_PROBE)) return { relaxed: true };
  try {
    engine.setFlags(RELAXED_SIMD_FLAG);
  } catch {
    // An embedder that refuses flags at run time: keep the plain modules.
  }
  if (engine.validate(RELAXED_SIMD_PROBE)) return { relaxed: true, note: `enabled with ${RELAXED_SIMD_FLAG}` };
  return { relaxed: false, note: 'engine has no relaxed SIMD' };
}

interface WasmValidate {
  validate(bytes: Uint8Array): boolean;
}
const realEngine: RelaxedSimdEngine = {
  validate: (bytes) => (globalThis as unknown as { WebAssembly: WasmValidate }).WebAssembly.validate(bytes),
  setFlags: (flags) => v8.setFlagsFromString(flags),
};

let decision: RelaxedSimdDecision | undefined;
let override: boolean | undefined;

/** This thread's decision (made once; NB_RELAXED_SIMD is read then). */
export function relaxedSimdDecision(): RelaxedSimdDecision {
  decision ??= detectRelaxedSimd(process.env['NB_RELAXED_SIMD'], realEngine);
  return decision;
}

/** Whether simdModules.ts loads the relaxed builds now (called on every kernel call: a cached boolean). */
export function relaxedSimdActive(): boolean {
  return override ?? relaxedSimdDecision().relaxed;
}

/**
 * For tests that run both paths in one process: false loads the plain modules, true the relaxed ones (when the engine
 * can; NB_RELAXED_SIMD is then ignored), undefined goes back to the detected choice. Choosing a wasm build also pauses
 * the native twin of the kernels (native/nativeKernels.ts), which would otherwise be handed out in its place;
 * undefined gives it back.
 */
export function setRelaxedSimdEnabled(enabled: boolean | undefined): void {
  override = enabled === true ? detectRelaxedSimd(undefined, realEngine).relaxed : enabled;
  setNativeKernelsEnabled(enabled === undefined ? undefined : false);
}
