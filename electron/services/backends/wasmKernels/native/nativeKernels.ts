import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The native twin of our WebAssembly SIMD kernels (native/README.md): the same simd/*.c compiled for the host CPU by
 * scripts/build-native-kernels.mjs (run by `npm install`) into one Node-API addon per instruction-set level. Each
 * kernel takes the tfjs wasm heap (a Uint8Array over the whole memory, or its ArrayBuffer) and then exactly the wasm
 * export's arguments, so simdModules.ts can
 * hand out a native module in place of a wasm one: same pointers into the same memory, no copies.
 *
 * Optional: when no build is there (no compiler at install, Windows, a packaged app built without it) or
 * NB_NATIVE_KERNELS=0, nativeKernels() is undefined and the WebAssembly kernels run.
 */
export type NativeLevel = 'base' | 'v3' | 'v4';
export type NativeFunction = (heap: ArrayBuffer | Uint8Array, ...args: number[]) => number | undefined;
export interface NativeAddon {
  /** Per simd/<module>.c, its exports. */
  readonly modules: Readonly<Record<string, Readonly<Record<string, NativeFunction>>>>;
  /** Whether the CPU runs an instruction set ('avx2', 'fma', 'avx512f', …; false off x86-64). */
  cpu(name: string): boolean;
  /** The instruction-set level this build was compiled for. */
  readonly level: NativeLevel;
}

const LEVELS: readonly NativeLevel[] = ['base', 'v3', 'v4'];

/** Where the builds are: native/out/ beside this file in the sources, and beside the bundle in the packaged app. */
function buildPath(level: NativeLevel): string {
  return fileURLToPath(new URL(`./out/nb_kernels.${level}.node`, import.meta.url));
}

/** The highest level `base` says the CPU runs (x86-64-v3: AVX2 + FMA + BMI2; v4: AVX-512 F/BW/DQ/VL). */
export function supportedLevel(addon: Pick<NativeAddon, 'cpu'>): NativeLevel {
  const has = (...names: string[]) => names.every((n) => addon.cpu(n));
  if (has('avx2', 'fma', 'bmi2', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl')) return 'v4';
  if (has('avx2', 'fma', 'bmi2')) return 'v3';
  return 'base';
}

let loaded: NativeAddon | null | undefined;
let loadError: string | undefined;
/** setNativeKernelsEnabled's choice; undefined: NB_NATIVE_KERNELS decides. */
let override: boolean | undefined;
const enabled = (): boolean => override ?? process.env['NB_NATIVE_KERNELS'] !== '0';

function load(): NativeAddon | null {
  const require = createRequire(import.meta.url);
  const wanted = process.env['NB_NATIVE_KERNELS'];
  try {
    if (!existsSync(buildPath('base'))) {
      loadError = 'not built (scripts/build-native-kernels.mjs)';
      return null;
    }
    const base = require(buildPath('base')) as NativeAddon;
    let level = supportedLevel(base);
    // NB_NATIVE_KERNELS=base|v3 caps the level (for A/B runs); a level the CPU lacks is never loaded.
    if (wanted && (LEVELS as readonly string[]).includes(wanted) && LEVELS.indexOf(wanted as NativeLevel) < LEVELS.indexOf(level)) {
      level = wanted as NativeLevel;
    }
    while (level !== 'base' && !existsSync(buildPath(level))) level = LEVELS[LEVELS.indexOf(level) - 1]!;
    return level === 'base' ? base : (require(buildPath(level)) as NativeAddon);
  } catch (error) {
    loadError = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return null;
  }
}

/** The native kernels addon for this CPU, or undefined (not built, failed to load, or turned off). */
export function nativeKernels(): NativeAddon | undefined {
  if (!enabled()) return undefined;
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

/** The file nativeKernels() was loaded from (a worker thread loads the same one), or undefined. */
export function nativeKernelsPath(): string | undefined {
  const addon = nativeKernels();
  return addon ? buildPath(addon.level) : undefined;
}

/** Why nativeKernels() is undefined (for reports), or undefined when it loads. */
export function nativeKernelsUnavailableReason(): string | undefined {
  if (!enabled()) return override === false ? 'turned off' : 'turned off (NB_NATIVE_KERNELS=0)';
  return nativeKernels() ? undefined : loadError;
}

/**
 * Turns the native kernels off or on — for tests and A/B runs that compare them with the WebAssembly ones; undefined
 * goes back to NB_NATIVE_KERNELS' choice.
 */
export function setNativeKernelsEnabled(on: boolean | undefined): void {
  override = on;
}
