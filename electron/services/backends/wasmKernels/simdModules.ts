import { readFileSync } from 'node:fs';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { relaxedSimdActive } from './relaxedSimd';
import { nativeKernels, nativeKernelsPath } from './native/nativeKernels';

/**
 * Our hand-written WebAssembly SIMD kernels (simd/*.c, built by scripts/build-simd-kernels.mjs and committed as
 * simd/*.wasm). Each module imports the tfjs wasm backend's own WebAssembly.Memory, so a kernel reads its inputs and
 * writes its outputs where tfjs keeps tensors: no copies in or out, and tfjs' allocator stays the only owner of memory
 * (the modules have no data, stack or globals — the build checks that).
 *
 * Why not only compose tfjs' XNNPACK kernels: training needs shapes XNNPACK is not made for (the filter gradient of a
 * convolution is a reduction over the whole batch); composed, they cost transposes and a repacked "filter" per call.
 *
 * When a module cannot load (file missing from a package, or an engine without wasm SIMD) `simdModule` returns
 * undefined and the kernels keep their composed path, so training never depends on it.
 *
 * Where the native twin of these kernels is built (native/nativeKernels.ts: the same C compiled for the host CPU,
 * taking the same arguments), `simdModule` hands out its functions instead, bound to a view of the same memory (plain
 * or shared): callers cannot tell the two apart but by speed and last-bit rounding.
 */
/** One per simd/<name>.c. */
export type SimdModuleName = 'conv2d' | 'pool' | 'elementwise' | 'batchnorm' | 'optimizer' | 'matmul' | 'winograd';

/**
 * The modules also built with relaxed SIMD (`<name>.relaxed.wasm`: fused multiply-add, see relaxedSimd.ts) — exactly
 * the sources that use NB_MADD (simdModules.test.ts checks the two agree). They load instead of the plain build when
 * relaxedSimdActive(); when a relaxed build cannot load, the plain one does.
 */
export const RELAXED_SIMD_MODULES: readonly SimdModuleName[] = ['conv2d', 'matmul', 'winograd'];
const hasRelaxedBuild = new Set<SimdModuleName>(RELAXED_SIMD_MODULES);

/** The slice of the WebAssembly JS API used here (electron/ compiles without lib.dom, which is where TS declares it). */
interface WasmModule { readonly __wasmModule: unique symbol }
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  Module: (new (bytes: Uint8Array) => WasmModule) & { exports(module: WasmModule): { name: string; kind: string }[] };
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  Memory: abstract new (...args: never[]) => WasmMemory;
}
const WasmJs = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Located beside this file in the sources, and in `simd/` beside the bundle in the packaged app (bundle-electron).
 * tfjs' multi-threaded wasm build keeps its heap in a shared memory, which a module must import as shared: each
 * kernel is built twice, `<name>.wasm` and `<name>.shared.wasm`.
 */
function moduleUrl(name: SimdModuleName, shared: boolean, relaxed = false): URL {
  return new URL(`./simd/${name}${relaxed ? '.relaxed' : ''}${shared ? '.shared' : ''}.wasm`, import.meta.url);
}

const compiled = new Map<string, WasmModule | null>();
/** Per memory, per `<name>` or `<name>.relaxed`: the instance's exports. */
const instances = new WeakMap<WasmMemory, Map<string, object>>();
let disabled = process.env['NB_SIMD_KERNELS'] === '0';

function compile(name: SimdModuleName, shared: boolean, relaxed = false): WasmModule | null {
  const key = `${name}${relaxed ? '.relaxed' : ''}${shared ? '.shared' : ''}`;
  let module = compiled.get(key);
  if (module === undefined) {
    try {
      module = new WasmJs.Module(readFileSync(moduleUrl(name, shared, relaxed)));
    } catch {
      module = null;
    }
    compiled.set(key, module);
  }
  return module;
}

/** The single-threaded build exports its memory (asm.memory); the threaded one creates it and keeps it as wasmMemory. */
function backendMemory(backend: BackendWasm): WasmMemory | undefined {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  return memory instanceof WasmJs.Memory ? memory : undefined;
}

/** The compiled module behind each instance's exports (what a second thread instantiates on the same memory). */
const moduleOf = new WeakMap<object, WasmModule>();

function instantiate(module: WasmModule | null, memory: WasmMemory): object | undefined {
  if (!module) return undefined;
  try {
    const exports = new WasmJs.Instance(module, { env: { memory } }).exports;
    moduleOf.set(exports, module);
    return exports;
  } catch {
    return undefined; // e.g. a memory whose limits the module does not accept
  }
}

/**
 * The exports of simd/<name>.wasm bound to `backend`'s memory — its `.relaxed` build when relaxed SIMD is active and
 * the module has one — or undefined when it cannot be used here (the kernel then keeps its composed path).
 */
export function simdModule<T extends object>(backend: BackendWasm, name: SimdModuleName): T | undefined {
  if (disabled) return undefined;
  const memory = backendMemory(backend);
  if (!memory) return undefined;
  let perMemory = instances.get(memory);
  if (!perMemory) instances.set(memory, (perMemory = new Map()));
  const native = nativeExports(memory, perMemory, name);
  if (native) return native as T;
  const relaxed = hasRelaxedBuild.has(name) && relaxedSimdActive();
  const key = relaxed ? `${name}.relaxed` : name;
  let exports = perMemory.get(key);
  if (!exports) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && (memory.buffer as unknown) instanceof SharedArrayBuffer;
    const relaxedExports = relaxed ? instantiate(compile(name, shared, true), memory) : undefined;
    // A relaxed build that does not load falls back to the plain one (kept under the plain key: simdModuleBuild).
    exports = relaxedExports ?? perMemory.get(name) ?? instantiate(compile(name, shared), memory);
    if (!exports) return undefined;
    perMemory.set(relaxedExports ? key : name, exports);
  }
  return exports as T;
}

/**
 * The native kernels of module `name` bound to `memory` (each call passes the heap as it is then), or undefined when
 * they are not built or turned off.
 */
function nativeExports(memory: WasmMemory, perMemory: Map<string, object>, name: SimdModuleName): object | undefined {
  const addon = nativeKernels();
  const fns = addon?.modules[name];
  if (!fns) return undefined;
  const key = `${name}.native.${addon.level}`;
  let exports = perMemory.get(key);
  if (!exports) {
    // A build older than the wasm sources (a kernel added since `npm install`) would miss functions: wasm then.
    const wasm = compile(name, false);
    if (!wasm || WasmJs.Module.exports(wasm).some((e) => e.kind === 'function' && typeof fns[e.name] !== 'function')) return undefined;
    // A Uint8Array over the whole heap: Node-API reaches a shared heap (tfjs' threaded build) only through a view.
    // A grown memory has a new buffer, so the view is remade when the buffer changes.
    let buffer: ArrayBufferLike | undefined;
    let view: Uint8Array | undefined;
    const heap = (): Uint8Array => {
      if (memory.buffer !== buffer) view = new Uint8Array((buffer = memory.buffer));
      return view!;
    };
    const bound: Record<string, (...args: number[]) => number | undefined> = {};
    for (const [fn, native] of Object.entries(fns)) bound[fn] = (...args: number[]) => native(heap(), ...args);
    perMemory.set(key, (exports = bound));
  }
  return exports;
}

/**
 * Which build of `name` simdModule() hands out on `backend` now: 'native' (the same kernels compiled for this CPU),
 * 'relaxed' (wasm with fused multiply-add), 'plain', or undefined when the module does not load.
 */
export function simdModuleBuild(backend: BackendWasm, name: SimdModuleName): 'native' | 'relaxed' | 'plain' | undefined {
  const exports = simdModule(backend, name);
  if (!exports) return undefined;
  const memory = backendMemory(backend);
  const perMemory = memory && instances.get(memory);
  if (perMemory && [...perMemory].some(([key, value]) => value === exports && key.startsWith(`${name}.native.`))) return 'native';
  return perMemory?.get(`${name}.relaxed`) === exports ? 'relaxed' : 'plain';
}

/**
 * The compiled build of `name` that simdModule() hands out on `backend` and the memory it runs in, for a worker that
 * runs the same kernels on the same memory (kernelHelper.ts): the wasm module, or the native addon's path when the
 * kernels run natively — or undefined when the module does not load or the
 * memory is not shared (the single-threaded tfjs build's memory cannot be given to another thread).
 */
export function sharedSimdModule(
  backend: BackendWasm,
  name: SimdModuleName,
): { module?: WasmModule; native?: string; memory: WasmMemory } | undefined {
  const exports = simdModule(backend, name);
  const memory = backendMemory(backend);
  if (!exports || !memory) return undefined;
  if (typeof SharedArrayBuffer === 'undefined' || !((memory.buffer as unknown) instanceof SharedArrayBuffer)) return undefined;
  if (simdModuleBuild(backend, name) === 'native') {
    const native = nativeKernelsPath();
    return native ? { native, memory } : undefined;
  }
  const module = moduleOf.get(exports);
  return module ? { module, memory } : undefined;
}

/** Whether our SIMD kernels run on `backend` (reported with the backend, e.g. in a run's metadata). */
export function simdKernelsLoaded(backend: BackendWasm): boolean {
  return simdModule(backend, 'conv2d') !== undefined;
}

/** Which native build the kernels run on `backend` (BackendInfo.nativeKernels), or undefined when they run as wasm. */
export function nativeKernelsLevel(backend: BackendWasm): string | undefined {
  return simdModuleBuild(backend, 'matmul') === 'native' ? nativeKernels()?.level : undefined;
}

/** Whether the compute-bound SIMD kernels run their relaxed-SIMD builds on `backend` (BackendInfo.relaxedSimd). */
export function relaxedSimdKernelsLoaded(backend: BackendWasm): boolean {
  return simdModuleBuild(backend, 'matmul') === 'relaxed';
}

/** Turns the SIMD kernels off (or back on) — for tests that compare both paths and for NB_SIMD_KERNELS=0. */
export function setSimdKernelsEnabled(enabled: boolean): void {
  disabled = !enabled;
}

/** Byte address of a tensor's data in the wasm heap (what the SIMD kernels take as a pointer). */
export function heapAddress(backend: BackendWasm, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data) throw new Error('tensor data is not on the wasm backend');
  return data.memoryOffset;
}
