/**
 * Deterministic pseudo-random floats in [lo, hi) for tests (a 32-bit LCG), so a failing comparison reproduces with
 * the same inputs on every machine and backend.
 */
export function seededUniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return out;
}
