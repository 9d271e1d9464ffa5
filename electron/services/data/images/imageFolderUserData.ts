/**
 * An image folder as the user's own training data: what electron/services/data/loadUserData.ts's ImageFolderLoader
 * returns (LoadedUserData, declared structurally here so this file does not import loadUserData — it can import this
 * one directly, no cycle). Loads per the spec (size, channels, class names, labels CSV, split), checks the recorded
 * content hash, and returns the spec with what loading measured (hash, images per split, files skipped).
 */
import { basename } from 'node:path';
import type { DataShape } from '../../../../shared/data/checkGraphFitsData';
import type { ImageFolderDataSpec } from '../../../../shared/data/dataSpec';
import type { LoadedDataset } from '../../datasets/loadDataset';
import { createSeededRandom } from '../../datasets/seededRandom';
import { augmentBatch } from './augment';
import { ImageFolderChangedError, loadImageFolder, toLoadedDataset, type ImageDatasetInfo } from './loadImageFolder';
import type { ImageFit } from './types';

export interface ImageFolderUserDataOptions {
  readonly onProgress?: (progress: { readonly fraction?: number; readonly message: string }) => void;
  readonly signal?: AbortSignal;
  /** Take the classes from the folder again instead of the spec's `classNames`. */
  readonly refit?: boolean;
  /** Load even when the content hash differs from the spec's (`changed` is then true). Default: refuse. */
  readonly allowChanged?: boolean;
  /** Skip unreadable files (counted in the spec's `skipped`). Default: refuse, listing them. The CLI skips unless --strict. */
  readonly skipUnreadable?: boolean;
  /** Default 'fill'. */
  readonly fit?: ImageFit;
}

export interface ImageFolderUserData extends LoadedDataset<ImageDatasetInfo> {
  readonly spec: ImageFolderDataSpec;
  readonly shape: DataShape;
  readonly changed: boolean;
  /** The unreadable files skipped, by path with the reason. */
  readonly skippedFiles: readonly { readonly path: string; readonly reason: string }[];
  /**
   * The spec's per-epoch augmentation of a training batch (absent when the spec turns every kind off): a new array,
   * `count` images of the input shape, transformed with a random drawn from (seed, epoch, batch) — the same on every
   * run, whatever order batches are made in. The trainer calls it on each training batch after gathering it, never on
   * validation or test batches. `seed` defaults to the split's.
   */
  readonly augmentTrainBatch?: (x: Float32Array, count: number, epoch: number, batch: number, seed?: number) => Float32Array;
}

export async function loadImageFolderForTraining(folder: string, spec: ImageFolderDataSpec, options: ImageFolderUserDataOptions = {}): Promise<ImageFolderUserData> {
  const onProgress = options.onProgress;
  const images = await loadImageFolder(
    folder,
    {
      height: spec.height,
      width: spec.width,
      channels: spec.channels,
      split: spec.split,
      ...(options.refit ? {} : { classNames: spec.classNames }),
      ...(spec.labelsFile !== undefined ? { labelsFile: spec.labelsFile } : {}),
      ...(options.fit ? { fit: options.fit } : {}),
    },
    onProgress ? (p) => onProgress({ ...(p.total > 0 ? { fraction: p.done / p.total } : {}), message: `${p.done} of ${p.total} images read` }) : undefined,
    options.signal,
    { skipUnreadable: options.skipUnreadable ?? false },
  );
  const changed = images.contentHash !== spec.hash;
  if (changed && !options.allowChanged) {
    throw new ImageFolderChangedError(
      `The images in ${folder} changed since the file recorded them (hash ${spec.hash.slice(0, 12)}…, now ${images.contentHash.slice(0, 12)}…)`,
    );
  }
  const dataset = toLoadedDataset(images, basename(folder));
  const fitted: ImageFolderDataSpec = {
    ...spec,
    hash: images.contentHash,
    classNames: [...images.classNames],
    images: { ...images.splitCounts },
    skipped: images.skipped.length,
  };
  const { augmentation } = spec;
  const augments = augmentation.flip || augmentation.shift > 0 || augmentation.rotate > 0;
  const shape = { height: images.height, width: images.width, channels: images.channels };
  return {
    ...dataset,
    ...(augments
      ? {
          augmentTrainBatch: (x: Float32Array, count: number, epoch: number, batch: number, seed = spec.split.seed) =>
            augmentBatch(x, count, shape, augmentation, createSeededRandom(`augment:${seed}:${epoch}:${batch}`)),
        }
      : {}),
    spec: fitted,
    shape: { name: dataset.info.id, kind: 'imageFolder', inputShape: dataset.info.inputShape, task: 'classification', classNames: fitted.classNames },
    changed,
    skippedFiles: images.skipped,
    // The Uint8 pixels (images.pixels) are not kept: the trainer holds the Float32 splits for the whole run, and a
    // second copy would cost 147 MB at 50,000 × 32×32×3. A trainer that builds batches with fillBatch would keep
    // `images` instead of the float splits.
  };
}
