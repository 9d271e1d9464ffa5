import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * The machine a bench ran on, for its summary: the ratio against PyTorch depends on it more than on anything else we
 * control. PyTorch's CPU kernels (oneDNN, OpenBLAS) use the widest vector instructions the CPU has — 512-bit AVX-512,
 * 256-bit AVX2 — while WebAssembly has 128-bit SIMD only, on every CPU. On 2026-12-07 the bench's ResNet-20 ran at
 * 0.85–1.02× PyTorch on this project's AVX2 machine kind (AMD EPYC) and at 0.66× on its AVX-512 one (Intel Xeon),
 * where PyTorch's one-core GEMMs are 3.3× ours (bench/simdCeiling.ts).
 */
export interface MachineInfo {
  cpu: string;
  cores: number;
  /** The widest x86 vector extension the CPU reports ('avx512f', 'avx2', 'avx', 'sse4_2'), or null when unknown. */
  widestVectorIsa: string | null;
  /** Its vector width in bits (null when unknown) against WebAssembly SIMD's 128. */
  nativeVectorBits: number | null;
  wasmVectorBits: 128;
}

/** Widest first: the flag /proc/cpuinfo lists and its vector width in bits. */
const VECTOR_ISAS: readonly (readonly [string, number])[] = [
  ['avx512f', 512],
  ['avx2', 256],
  ['avx', 256],
  ['sse4_2', 128],
  ['sse2', 128],
];

/**
 * The widest vector extension in a /proc/cpuinfo text (its first `flags` line: every core of a machine reports the
 * same). null when the text has no x86 flags line (another architecture, another OS).
 */
export function widestVectorIsa(cpuinfo: string): { isa: string; bits: number } | null {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  if (!line) return null;
  const flags = new Set(line[1]!.trim().split(/\s+/));
  const found = VECTOR_ISAS.find(([flag]) => flags.has(flag));
  return found ? { isa: found[0], bits: found[1] } : null;
}

export function describeMachine(cpuinfo: string | undefined = readCpuinfo()): MachineInfo {
  const cpus = os.cpus();
  const widest = cpuinfo === undefined ? null : widestVectorIsa(cpuinfo);
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    widestVectorIsa: widest?.isa ?? null,
    nativeVectorBits: widest?.bits ?? null,
    wasmVectorBits: 128,
  };
}

function readCpuinfo(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined; // not Linux: the summary says "unknown" rather than guess
  }
}
