/**
 * Loads a dataset as plain typed arrays (the trainer turns them into tensors batch by batch).
 * Everything is deterministic: the same id and options give the same bytes.
 */
import { datasetOptionsSchema, describeSchemaError, type DatasetInfo, type DatasetOptions } from '../../../shared/contracts/trainer';
import { DEFAULT_SYNTHETIC_SEED, DEFAULT_TEST_FRACTION, SYNTHETIC_DEFAULTS, getDatasetInfo, isSynthetic } from './datasetRegistry';
import { loadIris } from './irisData';
import { MNIST_PIXELS, loadMnistDigits } from './mnistDigits';
import { generateSynthetic2d } from './synthetic2d';

export interface DataSplit {
  /** Samples back to back, each `info.inputShape` row-major. */
  readonly x: Float32Array;
  /** Class index per sample (empty for regression data). */
  readonly labels: Int32Array;
  /** Regression data (user tables): `targetWidth` target values per sample, as the model should learn them. */
  readonly targets?: Float32Array;
  readonly count: number;
}

/** What training needs to know about data: a bundled dataset's DatasetInfo, or the user's own data (issue 14). */
export interface DataInfo {
  /** A bundled dataset id, or the user data's file or folder name (used in messages). */
  readonly id: string;
  readonly inputShape: readonly number[];
  /** Classes (0 for regression data). */
  readonly classes: number;
  readonly classNames: readonly string[];
}

export interface LoadedDataset<Info extends DataInfo = DatasetInfo> {
  readonly info: Info;
  readonly train: DataSplit;
  readonly test: DataSplit;
  /** A fixed validation split (user data, split by its seed): used instead of holding out `validationSplit` of train. */
  readonly val?: DataSplit;
  /** Regression targets per sample (user tables): the splits carry `targets` of this width. */
  readonly targetWidth?: number;
  /**
   * Reported losses are multiplied by this (default 1): a regression trained on standardised targets reports its MSE in
   * the target's own units (std²).
   */
  readonly lossScale?: number;
  /** Regression targets are standardised: the file's value is target × std + mean (evaluations report those units). */
  readonly targetScale?: { readonly mean: number; readonly std: number };
  /**
   * Per-epoch augmentation of a training batch (image folders whose spec turns it on): returns a new array of `count`
   * samples transformed with a random drawn from (seed, epoch, batch). The trainer calls it on training batches only,
   * never on validation or test ones.
   */
  readonly augmentTrainBatch?: (x: Float32Array, count: number, epoch: number, batch: number, seed?: number) => Float32Array;
}

/** The first `count` samples, as views of the (cached, never written) full split: no copy of the pixels. */
function slice(split: DataSplit, count: number, featureSize: number): DataSplit {
  if (count >= split.count) return split;
  return { x: split.x.subarray(0, count * featureSize), labels: split.labels.subarray(0, count), count };
}

export function loadDataset(id: string, options: DatasetOptions = {}): LoadedDataset {
  const parsed = datasetOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`Invalid options for dataset '${id}': ${describeSchemaError(parsed.error)}`);
  const info = getDatasetInfo(id, parsed.data);
  const opts = parsed.data;
  if (isSynthetic(info.id)) {
    const defaults = SYNTHETIC_DEFAULTS[info.id];
    const samples = opts.samples ?? defaults.samples;
    const points = generateSynthetic2d(info.id, samples, opts.noise ?? defaults.noise, opts.seed ?? DEFAULT_SYNTHETIC_SEED);
    const testSize = Math.round(samples * (opts.testFraction ?? DEFAULT_TEST_FRACTION));
    const trainSize = samples - testSize;
    // Generators do not order points by class in a way that matters, but split on index anyway so train and
    // test come from the same distribution.
    return {
      info,
      train: { x: points.x.slice(0, trainSize * 2), labels: points.labels.slice(0, trainSize), count: trainSize },
      test: { x: points.x.slice(trainSize * 2), labels: points.labels.slice(trainSize), count: testSize },
    };
  }
  if (info.id === 'mnist') {
    const { train, test } = loadMnistDigits();
    return { info, train: slice(train, info.trainSize, MNIST_PIXELS), test: slice(test, info.testSize, MNIST_PIXELS) };
  }
  const { train, test } = loadIris();
  return { info, train, test };
}
