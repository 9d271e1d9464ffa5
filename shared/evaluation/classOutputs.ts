/**
 * A classifier's output rows read as class probabilities. The Output brick ends in either a softmax (N×C, one
 * probability per class) or, for two classes, a single sigmoid unit (N×1, the probability of class 1); every
 * evaluation function goes through this view so both layouts give the same kind of results.
 */

/** A batch of classifier outputs with its layout made explicit. */
export interface ClassOutputs {
  readonly sampleCount: number;
  /** Columns per row of `probabilities`: C for a softmax head, 1 for a sigmoid head. */
  readonly outputWidth: number;
  /** Classes the rows describe: C for a softmax head, 2 for a sigmoid head. */
  readonly classCount: number;
  /** Row-major `sampleCount × outputWidth`, as `model.predict(...).dataSync()` returns it. */
  readonly probabilities: ArrayLike<number>;
}

/** A sigmoid output predicts class 1 when its probability is above this, as tfjs' `binaryAccuracy` does. */
export const BINARY_THRESHOLD = 0.5;

/**
 * Reads `probabilities` as `sampleCount` rows. The row width is taken from the lengths (so a sigmoid head is
 * recognised by its single column); pass `outputWidth` when there may be no samples to infer it from.
 */
export function readClassOutputs(probabilities: ArrayLike<number>, sampleCount: number, outputWidth?: number): ClassOutputs {
  if (!Number.isInteger(sampleCount) || sampleCount < 0) throw new RangeError(`sampleCount must be a whole number, got ${sampleCount}`);
  const width = outputWidth ?? (sampleCount > 0 ? probabilities.length / sampleCount : NaN);
  if (!Number.isInteger(width) || width < 1) {
    throw new RangeError(
      sampleCount > 0
        ? `${probabilities.length} probabilities do not split into ${sampleCount} equal rows`
        : 'with no samples the output width must be given',
    );
  }
  if (probabilities.length !== sampleCount * width) {
    throw new RangeError(`expected ${sampleCount}×${width} = ${sampleCount * width} probabilities, got ${probabilities.length}`);
  }
  return { sampleCount, outputWidth: width, classCount: width === 1 ? 2 : width, probabilities };
}

/** The probability the model gives class `classIndex` for sample `sample`. */
export function classProbability(outputs: ClassOutputs, sample: number, classIndex: number): number {
  if (outputs.outputWidth === 1) {
    const p = outputs.probabilities[sample]!;
    return classIndex === 1 ? p : 1 - p;
  }
  return outputs.probabilities[sample * outputs.outputWidth + classIndex]!;
}

/** The predicted class of every sample and the probability given to it (the model's confidence). */
export interface ClassPredictions {
  readonly predicted: Int32Array;
  readonly confidence: Float64Array;
}

/**
 * Predicted class per sample: the arg-max of the row, the first class winning a tie as `tf.argMax` does, or for a
 * sigmoid head class 1 exactly when p > 0.5. These are the predictions tfjs' `accuracy` metric counts as right.
 */
export function predictClasses(outputs: ClassOutputs): ClassPredictions {
  const { sampleCount, outputWidth, probabilities } = outputs;
  const predicted = new Int32Array(sampleCount);
  const confidence = new Float64Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) {
    if (outputWidth === 1) {
      const p = probabilities[i]!;
      predicted[i] = p > BINARY_THRESHOLD ? 1 : 0;
      confidence[i] = p > BINARY_THRESHOLD ? p : 1 - p;
      continue;
    }
    const row = i * outputWidth;
    let best = 0;
    let bestP = probabilities[row]!;
    for (let c = 1; c < outputWidth; c++) {
      const p = probabilities[row + c]!;
      if (p > bestP) {
        best = c;
        bestP = p;
      }
    }
    predicted[i] = best;
    confidence[i] = bestP;
  }
  return { predicted, confidence };
}

/** Throws unless every label is a class index the outputs can describe. */
export function checkLabels(labels: ArrayLike<number>, outputs: ClassOutputs): void {
  if (labels.length !== outputs.sampleCount) {
    throw new RangeError(`${labels.length} labels for ${outputs.sampleCount} predictions`);
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= outputs.classCount) {
      throw new RangeError(`label ${label} of sample ${i} is not a class index below ${outputs.classCount}`);
    }
  }
}
