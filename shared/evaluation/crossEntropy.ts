/**
 * Mean cross-entropy of a classifier's outputs, computed exactly as tfjs-layers does when it trains and evaluates,
 * so the loss shown in evaluation equals the one `model.evaluate` reported (to float32 rounding).
 */
import { checkLabels, type ClassOutputs } from './classOutputs';

/**
 * tfjs-layers clips probabilities to [ε, 1 − ε] before the logarithm, with ε = `backend().epsilon()`: 1e-7 on
 * float32 backends (cpu, wasm, node, WebGL with float32 textures). The bounds are rounded to float32 as the
 * clipped tensor stores them.
 */
export const TFJS_EPSILON = 1e-7;
const LOWER = Math.fround(TFJS_EPSILON);
const UPPER = Math.fround(1 - TFJS_EPSILON);

function clip(p: number): number {
  return p < LOWER ? LOWER : p > UPPER ? UPPER : p;
}

/**
 * Mean over samples of −log p(true class), as tfjs-layers' `categoricalCrossentropy` on one-hot targets: each row
 * is first divided by its sum (so unnormalised scores still read as probabilities), then clipped.
 */
export function categoricalCrossEntropy(labels: ArrayLike<number>, outputs: ClassOutputs): number {
  checkLabels(labels, outputs);
  const { sampleCount, outputWidth: width, probabilities } = outputs;
  if (sampleCount === 0) return 0;
  let total = 0;
  for (let i = 0; i < sampleCount; i++) {
    const row = i * width;
    let sum = 0;
    for (let c = 0; c < width; c++) sum += probabilities[row + c]!;
    total -= Math.log(clip(probabilities[row + labels[i]!]! / sum));
  }
  return total / sampleCount;
}

/**
 * Mean binary cross-entropy of a sigmoid head, as tfjs-layers' `binaryCrossentropy`: p is clipped, then
 * −[y·log p + (1 − y)·log(1 − p)] (tfjs goes through logits, log(p / (1 − p)), which is the same number).
 */
export function binaryCrossEntropy(labels: ArrayLike<number>, outputs: ClassOutputs): number {
  checkLabels(labels, outputs);
  if (outputs.outputWidth !== 1) throw new RangeError(`binary cross-entropy needs one output per sample, got ${outputs.outputWidth}`);
  const { sampleCount, probabilities } = outputs;
  if (sampleCount === 0) return 0;
  let total = 0;
  for (let i = 0; i < sampleCount; i++) {
    const p = clip(probabilities[i]!);
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / sampleCount;
}

/** The loss the Output brick trains with: binary cross-entropy for a sigmoid head, categorical otherwise. */
export function classificationLoss(labels: ArrayLike<number>, outputs: ClassOutputs): number {
  return outputs.outputWidth === 1 ? binaryCrossEntropy(labels, outputs) : categoricalCrossEntropy(labels, outputs);
}
