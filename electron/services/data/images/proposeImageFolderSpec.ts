/**
 * From an inspection to what the CLI and the wizard need: a fresh ImageFolderDataSpec to train with (the proposed Input
 * size and channels, the classes that have images, the content hash, no augmentation, the default split with the
 * run's seed), and the human-readable lines `bricks data inspect FOLDER` prints.
 */
import { DEFAULT_DATA_SPLIT, NO_AUGMENTATION, type ImageFolderDataSpec } from '../../../../shared/data/dataSpec';
import { inspectImageFolder, type ImageFolderInspectJson } from './inspectImageFolder';
import type { ImageFolderInspection } from './types';

type Inspected = Pick<ImageFolderInspection, 'path' | 'labelsFile' | 'contentHash' | 'proposedInput'> & { readonly classes: readonly { name: string; count: number }[] };

/** `path` is the absolute folder; the caller records it relative to the graph file (relativeDataPath). */
export function proposeImageFolderSpec(inspection: Inspected, seed = DEFAULT_DATA_SPLIT.seed): ImageFolderDataSpec {
  return {
    kind: 'imageFolder',
    path: inspection.path,
    hash: inspection.contentHash,
    task: 'classification',
    height: inspection.proposedInput.height,
    width: inspection.proposedInput.width,
    channels: inspection.proposedInput.channels,
    classNames: inspection.classes.filter((c) => c.count > 0).map((c) => c.name),
    ...(inspection.labelsFile !== undefined ? { labelsFile: inspection.labelsFile } : {}),
    augmentation: { ...NO_AUGMENTATION },
    split: { ...DEFAULT_DATA_SPLIT, seed },
  };
}

/** The text report of `bricks data inspect FOLDER` (without --json). */
export function describeImageInspection(r: ImageFolderInspectJson): string[] {
  const lines: string[] = [];
  const source = r.listing === 'csv' ? `labels from ${r.labelsFile}` : 'one sub-folder per class';
  lines.push(`${r.path}: image folder (${source}), ${r.images} readable image${r.images === 1 ? '' : 's'} of ${r.files} file${r.files === 1 ? '' : 's'}`);
  const width = Math.max(...r.classes.map((c) => c.name.length), 5);
  lines.push('', `${'class'.padEnd(width)}  images`);
  for (const c of r.classes) lines.push(`${c.name.padEnd(width)}  ${String(c.count).padStart(6)}`);
  lines.push('', `sizes (H×W): ${r.sizes.slice(0, 5).map((s) => `${s.height}×${s.width} (${s.count})`).join(', ')}${r.sizes.length > 5 ? ', …' : ''}`);
  lines.push(`channels: ${r.channels.gray} gray, ${r.channels.rgb} RGB, ${r.channels.rgba} RGBA`);
  lines.push(`formats: ${Object.entries(r.formats).map(([f, n]) => `${f} ${n}`).join(', ')}`);
  const p = r.proposedInput;
  lines.push(`proposed Input: ${p.height}×${p.width}×${p.channels} (${p.reason})`);
  lines.push(`content hash: ${r.hash}`);
  if (r.problems.length > 0) {
    lines.push('', `${r.problems.length} unreadable file${r.problems.length === 1 ? '' : 's'} (skipped when training, or refused with --strict):`);
    for (const q of r.problems) lines.push(`  ${q.path}: ${q.reason}`);
  }
  if (r.errors.length > 0) lines.push('', ...r.errors.map((e) => `error: ${e}`));
  return lines;
}

/**
 * For `bricks train FILE --data FOLDER`: inspects the folder and proposes a spec recording `recordedPath` (the folder
 * relative to the graph file: shared/data/dataSpec.ts relativeDataPath). `errors` (a class with one image, a single
 * class) stop training; `problems` are the unreadable files the loader skips, or refuses under --strict.
 */
export async function proposeImageFolderSpecForPath(
  folder: string,
  recordedPath: string,
  seed?: number,
): Promise<{ spec: ImageFolderDataSpec; inspection: ImageFolderInspection }> {
  const inspection = await inspectImageFolder(folder, { thumbnailsPerClass: 0 });
  return { spec: { ...proposeImageFolderSpec(inspection, seed), path: recordedPath }, inspection };
}
