/**
 * Seeded randomness for everything the trainer decides by chance: synthetic points, splits, shuffles.
 * Alea (via seedrandom) is fast, has a good period and gives the same sequence on every platform.
 */
import seedrandom from 'seedrandom';

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

export function createSeededRandom(seed: number | string): SeededRandom {
  const rng = seedrandom.alea(String(seed));
  let spare: number | undefined;
  return {
    next: () => rng(),
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      let u = 0;
      while (u === 0) u = rng();
      const v = rng();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int: (n: number) => Math.floor(rng() * n),
  };
}

/** A Fisher–Yates permutation of 0..n-1. */
export function seededPermutation(n: number, random: SeededRandom): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}
