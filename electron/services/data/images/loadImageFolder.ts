/**
 * Loads an image dataset for training: every listed image decoded and resized to H×W (sharp, fit 'fill' by default:
 * stretched, every pixel kept — Keras' image_dataset_from_directory default; 'cover' crops the centre instead),
 * converted to 1 (luminance) or 3 (sRGB; grayscale images repeated) channels, alpha flattened onto black.
 *
 * Memory stays bounded: pixels are kept as one Uint8Array (50,000 × 32×32×3 = 154 MB) and turned into floats in [0, 1]
 * a batch at a time by {@link fillBatch}. The split is seeded and stratified by class (recorded as counts; the indices
 * follow from the seed and the listing).
 */
import { imageFolderHash, type FolderFileDigest } from '../../../../shared/data/dataSpec';
import { basename } from 'node:path';
import type { DataInfo, DataSplit, LoadedDataset } from '../../datasets/loadDataset';
import { createSeededRandom, seededPermutation } from '../../datasets/seededRandom';
import { decodeInto, describeDecodeError } from './decodeImage';
import { READ_CONCURRENCY, dataErrors, labelsDigest, readListedFile } from './inspectImageFolder';
import { ImageFolderError, listImageFolder } from './listImageFolder';
import { forEachConcurrent, progressReporter } from './progress';
import type { ImageFolderLoadSpec, ImageFolderProgressListener, ImageProblem, ImageSplitIndices, LoadImageFolderOptions, LoadedImageFolder } from './types';

/** Unreadable files found while loading, when skipping them was not allowed. `files` lists them all. */
export class UnreadableImagesError extends Error {
  override readonly name = 'UnreadableImagesError';
  constructor(
    readonly root: string,
    readonly files: readonly ImageProblem[],
  ) {
    const shown = files.slice(0, 10).map((f) => `  ${f.path}: ${f.reason}`);
    const more = files.length > 10 ? [`  … and ${files.length - 10} more`] : [];
    super(
      `${files.length} file${files.length === 1 ? '' : 's'} in ${root} cannot be read as images:\n${[...shown, ...more].join('\n')}\n` +
        'Fix or remove them, or allow skipping unreadable files.',
    );
  }
}

/** The data changed since its hash was recorded. */
export class ImageFolderChangedError extends Error {
  override readonly name = 'ImageFolderChangedError';
}

/**
 * Stratified seeded split: each class's rows are permuted with the seed (class by class, in label order) and cut into
 * round(n·test) test, round(n·val) validation and the rest train (at least 1 train row per class with images).
 */
export function splitByClass(labels: Int32Array, classes: number, split: ImageFolderLoadSpec['split']): ImageSplitIndices {
  const random = createSeededRandom(`imageFolder:${split.seed}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  for (const rows of byClass) {
    const n = rows.length;
    if (n === 0) continue;
    const order = seededPermutation(n, random);
    let nTest = Math.round(n * split.test);
    let nVal = Math.round(n * split.val);
    while (nTest + nVal > n - 1 && (nTest > 0 || nVal > 0)) {
      if (nVal >= nTest && nVal > 0) nVal--;
      else nTest--;
    }
    for (let k = 0; k < n; k++) {
      const row = rows[order[k]!]!;
      if (k < nTest) test.push(row);
      else if (k < nTest + nVal) val.push(row);
      else train.push(row);
    }
  }
  const sorted = (xs: number[]) => Int32Array.from(xs).sort();
  return { train: sorted(train), val: sorted(val), test: sorted(test) };
}

export async function loadImageFolder(
  input: string,
  spec: ImageFolderLoadSpec,
  onProgress?: ImageFolderProgressListener,
  signal?: AbortSignal,
  options: LoadImageFolderOptions = {},
): Promise<LoadedImageFolder> {
  const started = performance.now();
  const { height, width, channels } = spec;
  if (![height, width].every((s) => Number.isInteger(s) && s >= 1 && s <= 1024)) throw new ImageFolderError(`Image size ${height}×${width} is not between 1×1 and 1024×1024`);
  if (channels !== 1 && channels !== 3) throw new ImageFolderError(`Images need 1 or 3 channels, not ${String(channels)}`);
  const listed = progressReporter(onProgress, 0);
  const listing = await listImageFolder(input, spec.labelsFile, signal, (n) => listed.listing(n));
  const { entries, root } = listing;
  const classNames = spec.classNames ? [...spec.classNames] : [...listing.classNames];
  const classIndex = new Map(classNames.map((name, i) => [name, i]));
  for (const e of entries) {
    if (!classIndex.has(e.label)) {
      throw new ImageFolderError(`${e.relPath} in ${root} has label '${e.label}', which is not one of the recorded classes (${classNames.join(', ')})`);
    }
  }
  const fit = spec.fit ?? 'fill';
  const size = height * width * channels;
  const pixels = new Uint8Array(entries.length * size);
  const ok = new Uint8Array(entries.length);
  const problems: (ImageProblem & { i: number })[] = [];
  const digests: FolderFileDigest[] = labelsDigest(listing);
  const progress = progressReporter(onProgress, entries.length);
  progress.reading(0);
  let done = 0;
  await forEachConcurrent(
    entries.length,
    READ_CONCURRENCY,
    async (i) => {
      const entry = entries[i]!;
      try {
        const bytes = await readListedFile(entry, i, problems, digests);
        if (!bytes) return;
        try {
          await decodeInto(bytes, height, width, channels, fit, pixels, i * size);
          ok[i] = 1;
        } catch (error) {
          problems.push({ i, path: entry.relPath, reason: describeDecodeError(bytes, error) });
        }
      } finally {
        progress.reading(++done);
      }
    },
    signal,
  );
  problems.sort((a, b) => a.i - b.i);
  const contentHash = imageFolderHash(digests);
  if (options.expectedHash !== undefined && options.expectedHash !== contentHash) {
    throw new ImageFolderChangedError(`The images in ${root} changed since the file recorded them (hash ${options.expectedHash.slice(0, 12)}…, now ${contentHash.slice(0, 12)}…)`);
  }
  const skipped = problems.map(({ path, reason }) => ({ path, reason }));
  if (skipped.length > 0 && !options.skipUnreadable) throw new UnreadableImagesError(root, skipped);

  // Compact the readable rows to the front, in listing order (in place: row k ≤ i).
  const count = entries.length - problems.length;
  const labels = new Int32Array(count);
  const paths: string[] = [];
  let k = 0;
  for (let i = 0; i < entries.length; i++) {
    if (!ok[i]) continue;
    if (k !== i) pixels.copyWithin(k * size, i * size, (i + 1) * size);
    labels[k] = classIndex.get(entries[i]!.label)!;
    paths.push(entries[i]!.relPath);
    k++;
  }
  const counts = new Map(classNames.map((name) => [name, 0]));
  for (let r = 0; r < count; r++) counts.set(classNames[labels[r]!]!, counts.get(classNames[labels[r]!]!)! + 1);
  const errors = dataErrors(root, counts, problems.length);
  if (errors.length > 0) throw new ImageFolderError(errors.join('\n'));
  const split = splitByClass(labels, classNames.length, spec.split);
  return {
    path: root,
    listing: listing.kind,
    contentHash,
    height,
    width,
    channels,
    classNames,
    pixels: count === entries.length ? pixels : pixels.subarray(0, count * size),
    labels,
    count,
    paths,
    split,
    splitCounts: { train: split.train.length, val: split.val.length, test: split.test.length },
    skipped,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * Floats in [0, 1] of rows `indices[from..to)` into `out` (allocated when not given): the batch the trainer feeds,
 * made on demand so only one batch of floats exists at a time.
 */
export function fillBatch(data: Pick<LoadedImageFolder, 'pixels' | 'height' | 'width' | 'channels'>, indices: ArrayLike<number>, from: number, to: number, out?: Float32Array): Float32Array {
  const size = data.height * data.width * data.channels;
  const x = out ?? new Float32Array((to - from) * size);
  for (let k = 0; k < to - from; k++) {
    const src = indices[from + k]! * size;
    const dst = k * size;
    for (let j = 0; j < size; j++) x[dst + j] = data.pixels[src + j]! / 255;
  }
  return x;
}

/** What training knows about a loaded folder (electron/services/datasets/loadDataset.ts DataInfo, plus what the UI shows). */
export interface ImageDatasetInfo extends DataInfo {
  readonly kind: 'imageFolder';
  readonly inputShape: readonly [number, number, number];
  readonly inputKind: 'image';
  readonly task: 'classification';
  readonly trainSize: number;
  readonly valSize: number;
  readonly testSize: number;
  readonly normalization: string;
  readonly source: string;
}

/**
 * The loaded folder in the shape the trainer takes (electron/services/datasets/loadDataset.ts LoadedDataset: Float32 x,
 * Int32 labels, a fixed validation split). Costs 4 bytes per pixel value (614 MB for 50,000 × 32×32×3, on top of the
 * 154 MB of Uint8 pixels while it converts); a trainer that fetched batches through {@link fillBatch} would need only
 * the Uint8 pixels.
 */
export function toLoadedDataset(data: LoadedImageFolder, name = basename(data.path)): LoadedDataset<ImageDatasetInfo> {
  const split = (rows: Int32Array): DataSplit => ({
    x: fillBatch(data, rows, 0, rows.length),
    labels: Int32Array.from(rows, (r) => data.labels[r]!),
    count: rows.length,
  });
  return {
    info: {
      id: name,
      kind: 'imageFolder',
      inputShape: [data.height, data.width, data.channels],
      inputKind: 'image',
      task: 'classification',
      classes: data.classNames.length,
      classNames: [...data.classNames],
      trainSize: data.split.train.length,
      valSize: data.split.val.length,
      testSize: data.split.test.length,
      normalization: 'pixel values / 255, in [0, 1]',
      source: data.path,
    },
    train: split(data.split.train),
    val: split(data.split.val),
    test: split(data.split.test),
  };
}
