/**
 * Looks at an image dataset before anything is trained: reads and fully decodes every listed image (with progress and
 * cancel), counts images per class, tallies sizes and channels, proposes an Input size, makes a few preview thumbnails
 * per class, lists unreadable files by path with the reason, and computes the content hash the graph file records.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { imageFolderHash, type FolderFileDigest } from '../../../../shared/data/dataSpec';
import { describeDecodeError, probeImage } from './decodeImage';
import { ImageFolderError, listImageFolder, type ImageListing } from './listImageFolder';
import { forEachConcurrent, progressReporter, type AbortLike } from './progress';
import type {
  ImageChannelKind,
  ImageClassSummary,
  ImageFolderInspection,
  ImageFolderProgressListener,
  ImageProblem,
  ImageSizeCount,
  ImageThumbnail,
  InspectImageFolderOptions,
  ProposedImageInput,
} from './types';

/** Files read and decoded at once (sharp decodes on libuv's thread pool, 4 threads by default). */
export const READ_CONCURRENCY = 8;
/** The largest side proposed for the Input: bigger images are scaled down so a first network trains in minutes. */
export const MAX_PROPOSED_SIDE = 64;
/** The side proposed when the images are bigger than MAX_PROPOSED_SIDE (the longer side; the shorter keeps the aspect). */
export const DEFAULT_PROPOSED_SIDE = 32;
/** The smallest side proposed (a 1×1 or 3×3 image gives the network nothing to learn from). */
export const MIN_PROPOSED_SIDE = 8;

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads one listed file for a scan or a load: its bytes, with its digest added for the folder hash, or undefined with
 * the reason added to `problems` (listed in the labels CSV but missing, or unreadable).
 */
export async function readListedFile(
  entry: { readonly relPath: string; readonly absPath: string; readonly missing?: string },
  i: number,
  problems: (ImageProblem & { i: number })[],
  digests: FolderFileDigest[],
): Promise<Buffer | undefined> {
  if (entry.missing) {
    problems.push({ i, path: entry.relPath, reason: entry.missing });
    return undefined;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(entry.absPath);
  } catch (error) {
    problems.push({ i, path: entry.relPath, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
    return undefined;
  }
  digests.push({ relativePath: entry.relPath, size: bytes.length, sha256: sha256Of(bytes) });
  return bytes;
}

/** The CSV's digest, for the content hash of a CSV listing. */
export function labelsDigest(listing: ImageListing): FolderFileDigest[] {
  if (!listing.csvBytes || listing.labelsFile === undefined) return [];
  return [{ relativePath: listing.labelsFile, size: listing.csvBytes.length, sha256: sha256Of(listing.csvBytes) }];
}

/** Errors that stop training: classes with fewer than 2 readable images, fewer than 2 classes. */
export function dataErrors(root: string, counts: ReadonlyMap<string, number>, unreadable: number): string[] {
  const errors: string[] = [];
  const note = unreadable > 0 ? ` (${unreadable} unreadable file${unreadable === 1 ? '' : 's'} not counted)` : '';
  for (const [name, count] of counts) {
    if (count < 2) {
      errors.push(
        count === 0
          ? `Class '${name}' in ${root} has no readable image${note}`
          : `Class '${name}' in ${root} has only 1 readable image${note}: each class needs at least 2 (one to train on, one to check)`,
      );
    }
  }
  const usable = [...counts.values()].filter((c) => c > 0).length;
  if (usable < 2) errors.push(`${root} has ${usable === 0 ? 'no class' : `only one class ('${[...counts].find(([, c]) => c > 0)?.[0]}')`} with readable images: classification needs at least 2`);
  return errors;
}

export function proposeInput(sizes: readonly ImageSizeCount[], allGray: boolean, images: number): ProposedImageInput {
  const channels = allGray && images > 0 ? 1 : 3;
  const channelReason = channels === 1 ? 'every image is grayscale' : 'some images are in colour';
  const common = sizes[0];
  if (!common) return { height: 32, width: 32, channels, reason: `32×32 (no readable image to measure); ${channelReason}` };
  const share = `${common.count} of ${images} image${images === 1 ? '' : 's'}`;
  const { height, width } = common;
  if (Math.max(height, width) <= MAX_PROPOSED_SIDE && Math.min(height, width) >= MIN_PROPOSED_SIDE) {
    return { height, width, channels, reason: `the most common size, ${height}×${width} (${share}); ${channelReason}` };
  }
  if (Math.max(height, width) < MIN_PROPOSED_SIDE || Math.min(height, width) < MIN_PROPOSED_SIDE && Math.max(height, width) <= MAX_PROPOSED_SIDE) {
    const side = Math.max(MIN_PROPOSED_SIDE, Math.min(DEFAULT_PROPOSED_SIDE, Math.max(height, width)));
    return { height: side, width: side, channels, reason: `${side}×${side}: the most common size, ${height}×${width} (${share}), is too small to learn from; ${channelReason}` };
  }
  const scale = DEFAULT_PROPOSED_SIDE / Math.max(height, width);
  const h = Math.max(MIN_PROPOSED_SIDE, Math.round(height * scale));
  const w = Math.max(MIN_PROPOSED_SIDE, Math.round(width * scale));
  return { height: h, width: w, channels, reason: `the most common size, ${height}×${width} (${share}), scaled down to ${h}×${w} so a first network trains quickly; ${channelReason}` };
}

export async function inspectImageFolder(
  input: string,
  options: InspectImageFolderOptions & { readonly labelsFile?: string } = {},
  onProgress?: ImageFolderProgressListener,
  signal?: AbortSignal,
): Promise<ImageFolderInspection> {
  const started = performance.now();
  const thumbsPerClass = options.thumbnailsPerClass ?? 4;
  const thumbSize = options.thumbnailSize ?? 48;
  const listed = progressReporter(onProgress, 0);
  const listing = await listImageFolder(input, options.labelsFile, signal, (n) => listed.listing(n));
  const { entries } = listing;
  const progress = progressReporter(onProgress, entries.length);
  progress.reading(0);

  const counts = new Map<string, number>(listing.classNames.map((c) => [c, 0]));
  const thumbnails = new Map<string, ImageThumbnail[]>(listing.classNames.map((c) => [c, []]));
  const wantsThumb = new Set<number>();
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    const n = seen.get(e.label) ?? 0;
    if (n < thumbsPerClass) wantsThumb.add(i);
    seen.set(e.label, n + 1);
  });
  const sizes = new Map<string, ImageSizeCount>();
  const channels: Record<ImageChannelKind, number> = { gray: 0, rgb: 0, rgba: 0 };
  const formats: Record<string, number> = {};
  const problems: (ImageProblem & { i: number })[] = [];
  const digests: FolderFileDigest[] = labelsDigest(listing);
  const thumbs: { i: number; label: string; thumb: ImageThumbnail }[] = [];
  let minSize: { height: number; width: number } | null = null;
  let maxSize: { height: number; width: number } | null = null;
  let done = 0;

  await forEachConcurrent(
    entries.length,
    READ_CONCURRENCY,
    async (i) => {
      const entry = entries[i]!;
      try {
        const bytes = await readListedFile(entry, i, problems, digests);
        if (!bytes) return;
        let probed;
        try {
          probed = await probeImage(bytes, wantsThumb.has(i) ? thumbSize : undefined);
        } catch (error) {
          problems.push({ i, path: entry.relPath, reason: describeDecodeError(bytes, error) });
          return;
        }
        const { header } = probed;
        counts.set(entry.label, (counts.get(entry.label) ?? 0) + 1);
        const key = `${header.height}x${header.width}`;
        const size = sizes.get(key);
        sizes.set(key, { height: header.height, width: header.width, count: (size?.count ?? 0) + 1 });
        const area = header.height * header.width;
        if (!minSize || area < minSize.height * minSize.width) minSize = { height: header.height, width: header.width };
        if (!maxSize || area > maxSize.height * maxSize.width) maxSize = { height: header.height, width: header.width };
        channels[header.channels]++;
        formats[header.format] = (formats[header.format] ?? 0) + 1;
        if (probed.thumbnail) {
          const { png, width, height } = probed.thumbnail;
          thumbs.push({ i, label: entry.label, thumb: { path: entry.relPath, dataUrl: `data:image/png;base64,${png.toString('base64')}`, width, height } });
        }
      } finally {
        progress.reading(++done);
      }
    },
    signal,
  );

  thumbs.sort((a, b) => a.i - b.i);
  for (const t of thumbs) thumbnails.get(t.label)!.push(t.thumb);
  problems.sort((a, b) => a.i - b.i);
  const sortedSizes = [...sizes.values()].sort((a, b) => b.count - a.count || b.height * b.width - a.height * a.width || b.height - a.height);
  const images = entries.length - problems.length;
  const classes: ImageClassSummary[] = listing.classNames.map((name) => ({ name, count: counts.get(name) ?? 0, thumbnails: thumbnails.get(name) ?? [] }));
  const shown = sortedSizes.slice(0, 10);
  return {
    kind: 'imageFolder',
    path: listing.root,
    listing: listing.kind,
    ...(listing.labelsFile !== undefined ? { labelsFile: listing.labelsFile } : {}),
    contentHash: imageFolderHash(digests),
    files: entries.length,
    images,
    classes,
    sizes: shown,
    otherSizes: sortedSizes.slice(10).reduce((a, s) => a + s.count, 0),
    minSize,
    maxSize,
    channels,
    formats,
    proposedInput: proposeInput(sortedSizes, channels.rgb + channels.rgba === 0, images),
    problems: problems.map(({ path: p, reason }) => ({ path: p, reason })),
    ignored: listing.ignored,
    errors: dataErrors(listing.root, counts, problems.length),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The JSON `bricks data inspect PATH --json` prints for an image folder (no thumbnails). */
export interface ImageFolderInspectJson {
  readonly kind: 'imageFolder';
  readonly path: string;
  readonly listing: 'folders' | 'csv';
  readonly labelsFile?: string;
  readonly hash: string;
  readonly files: number;
  readonly images: number;
  readonly classes: { name: string; count: number }[];
  readonly sizes: ImageSizeCount[];
  readonly channels: Record<ImageChannelKind, number>;
  readonly formats: Record<string, number>;
  readonly proposedInput: ProposedImageInput;
  readonly problems: ImageProblem[];
  readonly errors: string[];
}

export async function inspectImageFolderForCli(input: string, onProgress?: ImageFolderProgressListener, signal?: AbortSignal): Promise<ImageFolderInspectJson> {
  const r = await inspectImageFolder(input, { thumbnailsPerClass: 0 }, onProgress, signal);
  return {
    kind: r.kind,
    path: r.path,
    listing: r.listing,
    ...(r.labelsFile !== undefined ? { labelsFile: r.labelsFile } : {}),
    hash: r.contentHash,
    files: r.files,
    images: r.images,
    classes: r.classes.map((c) => ({ name: c.name, count: c.count })),
    sizes: [...r.sizes],
    channels: { ...r.channels },
    formats: { ...r.formats },
    proposedInput: r.proposedInput,
    problems: [...r.problems],
    errors: [...r.errors],
  };
}

/**
 * The content hash alone (shared/data/dataSpec.ts HashImageFolder): reads and digests every listed file without
 * decoding, for "has the data changed since the file was saved?" on reopening. Equal to inspect's and load's hash.
 */
export async function hashImageFolder(
  root: string,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortLike,
  labelsFile?: string,
): Promise<string> {
  const listing = await listImageFolder(root, labelsFile, signal);
  const digests = labelsDigest(listing);
  let done = 0;
  await forEachConcurrent(
    listing.entries.length,
    READ_CONCURRENCY,
    async (i) => {
      const entry = listing.entries[i]!;
      if (!entry.missing) {
        const bytes = await readFile(entry.absPath).catch(() => undefined);
        if (bytes) digests.push({ relativePath: entry.relPath, size: bytes.length, sha256: sha256Of(bytes) });
      }
      onProgress?.(++done, listing.entries.length);
    },
    signal,
  );
  return imageFolderHash(digests);
}

export { ImageFolderError };
