/**
 * The user's own data as a training dataset (issue 14), whatever its kind: dispatches a DataSpec to the table loader
 * (./table/loadTable.ts) or the image-folder loader, and returns the same LoadedDataset the bundled datasets give (plus a
 * fixed validation split, regression targets and the loss scale), together with the fitted spec to record in the run.
 *
 * Image folders plug in through {@link ImageFolderLoader}: the images half (electron/services/data/images/) implements it
 * and registers it with {@link registerImageFolderLoader} (or this file imports it directly once it exists).
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
}

export interface LoadedUserData extends LoadedDataset<DataInfo> {
  /** The spec with everything fitted and counted (hash, preprocessing, classes, rows per split). */
  readonly spec: DataSpec;
  /** What the graph must fit (shared/data/checkGraphFitsData.ts). */
  readonly shape: DataShape;
  /** The content hash differed from the spec's (only with allowChanged). */
  readonly changed: boolean;
}

/** A spec before loading may leave out what the loader fits and measures. */
export type UserDataLoadSpec = TableLoadSpec | ImageFolderDataSpec;

/** Loads an image folder as the spec says (absolute folder path). Implemented by electron/services/data/images/. */
export type ImageFolderLoader = (path: string, spec: ImageFolderDataSpec, options: LoadUserDataOptions) => Promise<LoadedUserData>;

let imageFolderLoader: ImageFolderLoader | undefined;

export function registerImageFolderLoader(loader: ImageFolderLoader): void {
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
    if (!imageFolderLoader) throw new Error(`Image folders cannot be loaded in this build yet (${path})`);
    return imageFolderLoader(path, spec, options);
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
