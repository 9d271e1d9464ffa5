/**
 * tfjs initializers and dropout draw their seeds from Math.random when none is given (tfjs-core rand_util).
 * Replacing Math.random with a seeded generator while a model is built and trained makes a whole run
 * reproducible (same seed + same backend → same metrics) without the compiler threading seeds through every layer.
 * The trainer owns its process, so the swap affects nothing else there; the CLI runs one training at a time.
 */
import seedrandom from 'seedrandom';

const original = Math.random;
let depth = 0;

export function installSeededMathRandom(seed: number): () => void {
  const previous = Math.random;
  const rng = seedrandom.alea(`neural-bricks/tfjs:${seed}`);
  Math.random = () => rng();
  depth++;
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    depth--;
    Math.random = depth === 0 ? original : previous;
  };
}
