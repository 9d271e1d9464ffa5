import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, seededPermutation } from './seededRandom';
import { forEachMnistValue, loadMnistDigits, MNIST_PIXELS, MNIST_TRAIN_SIZE, mnistDigitFile } from './mnistDigits';

interface PackageDigit {
  readonly id: number;
  readonly raw: readonly number[];
}

describe('loadMnistDigits', () => {
  it('gives exactly the pixels and split of the mnist package read through its own entry (old loader)', () => {
    // The previous loader: the package's number arrays copied to float32 in class order, then the seeded split.
    const digits = createRequire(import.meta.url)('mnist') as readonly PackageDigit[];
    const total = digits.reduce((sum, d) => sum + d.raw.length / MNIST_PIXELS, 0);
    const all = new Float32Array(total * MNIST_PIXELS);
    const allLabels = new Int32Array(total);
    let n = 0;
    for (const d of digits) {
      all.set(d.raw, n * MNIST_PIXELS);
      const count = d.raw.length / MNIST_PIXELS;
      allLabels.fill(d.id, n, n + count);
      n += count;
    }
    const order = seededPermutation(total, createSeededRandom('neural-bricks/mnist-split/v1'));
    const { train, test } = loadMnistDigits();
    let differing = 0;
    for (let p = 0; p < total; p++) {
      const split = p < MNIST_TRAIN_SIZE ? train : test;
      const row = p < MNIST_TRAIN_SIZE ? p : p - MNIST_TRAIN_SIZE;
      const src = order[p]!;
      if (split.labels[row] !== allLabels[src]) differing++;
      const ours = split.x.subarray(row * MNIST_PIXELS, (row + 1) * MNIST_PIXELS);
      const theirs = all.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS);
      for (let j = 0; j < MNIST_PIXELS; j++) if (!Object.is(ours[j], theirs[j])) differing++;
    }
    expect(differing).toBe(0);
    expect(train.count + test.count).toBe(total);
  });

  it('parses every token of a digit file like JSON.parse does', () => {
    const file = mnistDigitFile(3);
    const bytes = readFileSync(file);
    const expected = (JSON.parse(bytes.toString('utf8')) as { data: number[] }).data;
    const got: number[] = [];
    expect(forEachMnistValue(bytes, file, (k, v) => (got[k] = v))).toBe(expected.length);
    expect(got).toEqual(expected);
  });

  it('reads numbers in any JSON spelling, with whitespace', () => {
    const text = '{ "data": [ 0, 1 ,0.5,\n-2.25e-1, 1E2, 0.123456789012345678 ] }';
    const got: number[] = [];
    forEachMnistValue(Buffer.from(text), 'x.json', (k, v) => (got[k] = v));
    expect(got).toEqual((JSON.parse(text) as { data: number[] }).data);
  });

  it('names the file and the place of a malformed value', () => {
    expect(() => forEachMnistValue(Buffer.from('{ "data": [0, 1, x, 2] }'), '/d/7.json', () => {})).toThrow(
      /MNIST digit file \/d\/7\.json: expected a number at byte \d+/,
    );
    expect(() => forEachMnistValue(Buffer.from('{ "data": [0, 1-, 2] }'), '/d/7.json', () => {})).toThrow(/'1-' is not a number/);
    expect(() => forEachMnistValue(Buffer.from('{ "pixels": 3 }'), '/d/8.json', () => {})).toThrow(
      'MNIST digit file /d/8.json is not { "data": [numbers] }',
    );
  });
});
