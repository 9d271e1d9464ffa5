/**
 * A bounded, deterministic sample of (true, predicted) pairs of a regression, for a predicted-vs-true scatter: a
 * reconstruction of 10,000 MNIST digits has 7.8 million pairs, a plot needs a few thousand.
 */

export interface PredictionSample {
  /** The output column the pairs come from; null: every output pooled (row-major order). */
  readonly output: number | null;
  /** Finite pairs there were to choose from. */
  readonly available: number;
  readonly trueValues: number[];
  readonly predictedValues: number[];
}

export interface PredictionSampleOptions {
  /** Columns per row (D). */
  readonly outputCount: number;
  /** Column to sample, or null to pool every output. */
  readonly output: number | null;
  readonly maxPoints: number;
}

/**
 * Up to `maxPoints` finite pairs of `targets` / `predictions` (row-major N×D). When there are more, the pairs at
 * positions k·s mod n (k = 0, 1, …) are taken, s ≈ n/φ made coprime with n: every position at most once, spread
 * evenly over the samples and — pooled — over the outputs (an even stride would hit the same pixel of every image).
 * Pairs stay in data order. Non-finite pairs (a diverged model) are left out and not counted.
 */
export function predictionSample(targets: ArrayLike<number>, predictions: ArrayLike<number>, options: PredictionSampleOptions): PredictionSample {
  if (targets.length !== predictions.length) throw new RangeError(`${targets.length} targets for ${predictions.length} predictions`);
  const { outputCount, output, maxPoints } = options;
  if (output !== null && (output < 0 || output >= outputCount)) throw new RangeError(`output ${output} is not in 0..${outputCount - 1}`);
  const rows = Math.floor(targets.length / outputCount);
  const n = output === null ? targets.length : rows;
  const at = (i: number) => (output === null ? i : i * outputCount + output);
  const finite = (i: number) => Number.isFinite(targets[at(i)]!) && Number.isFinite(predictions[at(i)]!);
  let available = 0;
  for (let i = 0; i < n; i++) if (finite(i)) available++;
  const positions: number[] = [];
  if (available <= maxPoints) {
    for (let i = 0; i < n; i++) if (finite(i)) positions.push(i);
  } else {
    const stride = coprimeStride(n);
    // k·stride stays far below 2⁵³ for any test split we hold in memory.
    for (let k = 0; k < n && positions.length < maxPoints; k++) {
      const i = (k * stride) % n;
      if (finite(i)) positions.push(i);
    }
    positions.sort((a, b) => a - b);
  }
  const trueValues = positions.map((i) => targets[at(i)]!);
  const predictedValues = positions.map((i) => predictions[at(i)]!);
  return { output, available, trueValues, predictedValues };
}

/** A step near n/φ with no factor in common with n, so k·step mod n visits every position once. */
function coprimeStride(n: number): number {
  let stride = Math.max(1, Math.round(n / 1.618033988749895));
  while (gcd(stride, n) !== 1) stride++;
  return stride;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
