/**
 * The user's own data as a training dataset (issue 14), whatever its kind: dispatches a DataSpec to the table loader
 * (./table/loadTable.ts) or the image-folder loader, and returns the same LoadedDataset the bundled datasets give (plus a
 * fixed validation split, regression targets and the loss scale), together with the fitted spec to record in the run.
 *
 * Image folders load through electron/services/data/images/imageFolderUserData.ts (it does not import this file, so
 * there is no cycle); {@link registerImageFolderLoader} can put another {@link ImageFolderLoader} in its place (tests).
 */
import { basename } from 'node:path';
import {
  resolveDataPath,
  type DataSpec,
  type ImageFolderDataSpec,
  type TableDataSpec,
} from '../../../shared/data/dataSpec';
import type { DataShape } from '../../../shared/data/checkGraphFitsData';
import type { DataInfo, LoadedDataset } from '../datasets/loadDataset';
import { loadImageFolderForTraining } from './images/imageFolderUserData';
import { loadTable, type TableLoadSpec } from './table/loadTable';
import type { TableProgress } from './table/readTable';

export interface UserDataProgress {
  /** 0..1 when known. */
  readonly fraction?: number;
  readonly message: string;
}

export interface LoadUserDataOptions {
  /** The .nbrick file the spec belongs to: a relative `spec.path` is resolved against its folder. */
  readonly graphFilePath?: string;
  readonly onProgress?: (progress: UserDataProgress) => void;
  readonly signal?: AbortSignal;
  /** Fit every statistic again (a new training run). Default: keep what the spec has fitted. */
  readonly refit?: boolean;
  /** Load even when the content hash differs from the spec's (statistics are refitted). Default: refuse. */
  readonly allowChanged?: boolean;
  /**
   * Image folders: skip unreadable files (counted in the spec's `skipped`) instead of refusing the load with a list of
   * them. Default: refuse, unless the spec is loaded as recorded (no `refit`) and records skipped files. Tables ignore it.
   */
  readonly skipUnreadable?: boolean;
}

export interface LoadedUserData extends LoadedDataset<DataInfo> {
  /** The spec with everything fitted and counted (hash, preprocessing, classes, rows per split). */
  readonly spec: DataSpec;
  /** What the graph must fit (shared/data/checkGraphFitsData.ts). */
  readonly shape: DataShape;
  /** The content hash differed from the spec's (only with allowChanged). */
  readonly changed: boolean;
  /** Image folders: the unreadable files skipped (skipUnreadable), by path with the reason. */
  readonly skippedFiles?: readonly { readonly path: string; readonly reason: string }[];
}

/** A spec before loading may leave out what the loader fits and measures. */
export type UserDataLoadSpec = TableLoadSpec | ImageFolderDataSpec;

/** Loads an image folder as the spec says (absolute folder path). Implemented by electron/services/data/images/. */
export type ImageFolderLoader = (path: string, spec: ImageFolderDataSpec, options: LoadUserDataOptions) => Promise<LoadedUserData>;

const defaultImageFolderLoader: ImageFolderLoader = (path, spec, options) => loadImageFolderForTraining(path, spec, options);

let imageFolderLoader: ImageFolderLoader = defaultImageFolderLoader;

/** Loads image folders with `loader` instead of loadImageFolderForTraining (tests); no argument puts that one back. */
export function registerImageFolderLoader(loader: ImageFolderLoader = defaultImageFolderLoader): void {
  imageFolderLoader = loader;
}

function tableProgress(listener: LoadUserDataOptions['onProgress']) {
  return listener
    ? (p: TableProgress) => listener({ fraction: p.bytesRead / p.totalBytes, message: `${p.rows} rows read` })
    : undefined;
}

/** Standardised regression targets: losses × std² and values × std + mean give the file's units (std 0 counts as 1). */
function regressionScale(mean: number, std: number) {
  const scale = std > 0 ? std : 1;
  return { targetWidth: 1, lossScale: scale * scale, targetScale: { mean, std: scale } };
}

export async function loadUserData(spec: UserDataLoadSpec, options: LoadUserDataOptions = {}): Promise<LoadedUserData> {
  const path = resolveDataPath(options.graphFilePath, spec.path);
  if (spec.kind === 'imageFolder') {
    // A recorded spec that skipped unreadable files (a run's data, loaded again to evaluate it) skips them again: the
    // hash check makes them the same files, so the splits are the run's. Asked explicitly, the caller decides.
    const skipUnreadable = options.skipUnreadable ?? (!options.refit && (spec.skipped ?? 0) > 0);
    return imageFolderLoader(path, spec, { ...options, skipUnreadable });
  }
  const onProgress = tableProgress(options.onProgress);
  const table = await loadTable(path, spec, {
    ...(onProgress ? { onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.refit !== undefined ? { refit: options.refit } : {}),
    ...(options.allowChanged !== undefined ? { allowChanged: options.allowChanged } : {}),
  });
  const fitted: TableDataSpec = table.spec;
  const classNames = fitted.target.classes ?? [];
  const regression = fitted.task === 'regression';
  const name = basename(path);
  return {
    info: { id: name, inputShape: [table.featureCount], classes: classNames.length, classNames },
    train: table.train,
    val: table.val,
    test: table.test,
    ...(regression ? regressionScale(fitted.target.mean ?? 0, fitted.target.std ?? 1) : {}),
    spec: fitted,
    shape: { name, kind: 'table', inputShape: [table.featureCount], task: fitted.task, classNames },
    changed: table.changed,
  };
}
