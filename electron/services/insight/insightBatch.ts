/**
 * The fixed batches the insight computations read: which training samples, and their inputs and targets as the
 * trainer builds them (one-hot classes, a single 0/1 for binary heads, the input itself for a regression head).
 */
import type { HeadDesc } from '../../../shared/catalog/spec';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import type { DataInfo, DataSplit, LoadedDataset } from '../datasets/loadDataset';
import { createSeededRandom, seededPermutation } from '../datasets/seededRandom';

/**
 * The first `n` samples training sees: the trainer's seeded validation hold-out, then the first epoch's seeded
 * shuffle (trainModel.ts draws both from one generator seeded `neural-bricks/train:<seed>`, in this order).
 */
export function firstTrainingSamples(trainCount: number, config: Pick<TrainingConfig, 'seed' | 'validationSplit' | 'shuffle'>, n: number): Int32Array {
  const random = createSeededRandom(`neural-bricks/train:${config.seed}`);
  const all = seededPermutation(trainCount, random);
  const valSize = Math.floor(trainCount * config.validationSplit);
  const trainIdx = all.slice(0, trainCount - valSize);
  if (trainIdx.length === 0) throw new Error(`the validation split (${config.validationSplit}) leaves no training samples`);
  let order = trainIdx;
  if (config.shuffle) {
    const perm = seededPermutation(trainIdx.length, random);
    order = new Int32Array(trainIdx.length);
    for (let i = 0; i < trainIdx.length; i++) order[i] = trainIdx[perm[i]!]!;
  }
  return order.slice(0, Math.min(n, order.length));
}

/** `n` training samples drawn without replacement by `seed`: a fixed evaluation batch. */
export function seededSampleIndices(count: number, n: number, seed: number): Int32Array {
  return seededPermutation(count, createSeededRandom(`neural-bricks/insight-batch:${seed}`)).slice(0, Math.min(n, count));
}

export function featureSize(data: LoadedDataset<DataInfo>): number {
  return data.info.inputShape.reduce((a, b) => a * b, 1);
}

/** The inputs of the chosen samples, back to back. */
export function gatherInputs(split: DataSplit, indices: ArrayLike<number>, size: number): Float32Array {
  const x = new Float32Array(indices.length * size);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    x.set(split.x.subarray(i * size, (i + 1) * size), k * size);
  }
  return x;
}

/** Targets as the trainer builds them for `head`; returns the row width too. */
export function gatherTargets(
  split: DataSplit,
  indices: ArrayLike<number>,
  size: number,
  head: Pick<HeadDesc, 'task'>,
  classes: number,
  /** A user table's regression targets (issue 14): the split's `targets`, this many per sample, instead of the input. */
  targetWidth?: number,
): { y: Float32Array; width: number } {
  const targets = head.task === 'regression' && targetWidth !== undefined ? split.targets : undefined;
  const width = head.task === 'classification' ? classes : head.task === 'binary' ? 1 : targets ? targetWidth! : size;
  const y = new Float32Array(indices.length * width);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const label = split.labels[i]!;
    if (head.task === 'classification') y[k * width + label] = 1;
    else if (head.task === 'binary') y[k] = label;
    else if (targets) y.set(targets.subarray(i * width, (i + 1) * width), k * width);
    else y.set(split.x.subarray(i * size, (i + 1) * size), k * width);
  }
  return { y, width };
}
