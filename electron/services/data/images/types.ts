/**
 * Types of the image-folder half of "your own data" (issue 14).
 *
 * The file format's side is shared/data/dataSpec.ts (ImageFolderDataSpec: path, hash, H×W×C, classNames, labelsFile,
 * augmentation, split). `ImageFolderLoadSpec` below is the part of it loading needs, declared structurally so a parsed
 * ImageFolderDataSpec can be passed as it is (and tests can pass a plain object).
 */

/** Where the images come from: one sub-folder per class, or a CSV of `path,label` rows (paths relative to the CSV). */
export type ImageListingKind = 'folders' | 'csv';

/** Colour layout of a decoded image as stored in the file. */
export type ImageChannelKind = 'gray' | 'rgb' | 'rgba';

/** How an image of another shape is brought to the Input's H×W. */
export type ImageFit = 'fill' | 'cover';

export interface ImageFolderProgress {
  /** `listing`: walking the folders (total not known yet); `reading`: reading and decoding files. */
  readonly phase: 'listing' | 'reading';
  readonly done: number;
  /** 0 while listing. */
  readonly total: number;
  readonly elapsedMs: number;
  /** Estimated time left, once a few files are done (undefined before). */
  readonly etaMs?: number;
}

export type ImageFolderProgressListener = (progress: ImageFolderProgress) => void;

/** A file that was listed but cannot be used, with the reason in words. */
export interface ImageProblem {
  /** Path relative to the folder (or to the CSV's folder), `/`-separated. */
  readonly path: string;
  readonly reason: string;
}

export interface InspectImageFolderOptions {
  /** Preview thumbnails per class (default 4; 0 for none). */
  readonly thumbnailsPerClass?: number;
  /** Longest side of a thumbnail in pixels (default 48). */
  readonly thumbnailSize?: number;
}

export interface ImageThumbnail {
  readonly path: string;
  /** `data:image/png;base64,…`, at most thumbnailSize on its longest side. */
  readonly dataUrl: string;
  readonly width: number;
  readonly height: number;
}

export interface ImageClassSummary {
  readonly name: string;
  /** Readable images of the class. */
  readonly count: number;
  readonly thumbnails: readonly ImageThumbnail[];
}

export interface ImageSizeCount {
  readonly height: number;
  readonly width: number;
  readonly count: number;
}

export interface ProposedImageInput {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  /** Why this size and channel count, in one sentence. */
  readonly reason: string;
}

export interface ImageFolderInspection {
  readonly kind: 'imageFolder';
  /** The folder relative paths are relative to, absolute (what the spec's `path` records). */
  readonly path: string;
  readonly listing: ImageListingKind;
  /** The labels CSV relative to `path` (`/`-separated) when the listing is a CSV (the spec's `labelsFile`). */
  readonly labelsFile?: string;
  /** shared/data/dataSpec.ts imageFolderHash over every listed image file that exists (readable or not) and the labels CSV. */
  readonly contentHash: string;
  /** Listed image files, readable or not. */
  readonly files: number;
  /** Readable images. */
  readonly images: number;
  /** Classes in label order (sorted by name). */
  readonly classes: readonly ImageClassSummary[];
  /** Sizes of the readable images, most common first (at most 10 entries; `otherSizes` counts the rest). */
  readonly sizes: readonly ImageSizeCount[];
  readonly otherSizes: number;
  readonly minSize: { readonly height: number; readonly width: number } | null;
  readonly maxSize: { readonly height: number; readonly width: number } | null;
  readonly channels: Readonly<Record<ImageChannelKind, number>>;
  /** Formats of the readable images as the decoder names them (png, jpeg, webp, gif, tiff, bmp), with counts. */
  readonly formats: Readonly<Record<string, number>>;
  readonly proposedInput: ProposedImageInput;
  /** Unreadable files: corrupt, truncated, not an image, missing (CSV rows). */
  readonly problems: readonly ImageProblem[];
  /** Files that are not images by their extension (ignored, not counted as problems). */
  readonly ignored: readonly string[];
  /** What stops training on this data (a class with fewer than 2 readable images, fewer than 2 classes); empty when fine. */
  readonly errors: readonly string[];
  readonly elapsedMs: number;
}

/** What loading needs: the data's place, the Input's size and the split. Mirrors the image fields of the data spec. */
export interface ImageFolderLoadSpec {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  /** Default 'fill' (stretch to H×W, every pixel kept, as Keras' image_dataset_from_directory does by default). */
  readonly fit?: ImageFit;
  /** Seeded split, stratified by class: shares of each class for train, validation and test (adding up to 1). */
  readonly split: { readonly train: number; readonly val: number; readonly test: number; readonly seed: number };
  /** Class names in label order; when given, a label outside it is an error and a class with no image is refused. */
  readonly classNames?: readonly string[];
  /** A `path,label` CSV relative to the folder instead of one sub-folder per class. */
  readonly labelsFile?: string;
}

export interface LoadImageFolderOptions {
  /** When false (the default) any unreadable file fails the load, listing them; when true they are skipped and counted. */
  readonly skipUnreadable?: boolean;
  /** When given, a folder whose content hash differs fails the load ("the data changed"). */
  readonly expectedHash?: string;
}

export interface ImageSplitIndices {
  /** Row indices into `pixels` / `labels`, ascending. */
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly test: Int32Array;
}

export interface LoadedImageFolder {
  readonly path: string;
  readonly listing: ImageListingKind;
  readonly contentHash: string;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly classNames: readonly string[];
  /** `count` images back to back, each H×W×C row-major (HWC), 0–255. */
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
  readonly count: number;
  /** Relative path of each row. */
  readonly paths: readonly string[];
  readonly split: ImageSplitIndices;
  /** Images per split (the spec's `images`). */
  readonly splitCounts: { readonly train: number; readonly val: number; readonly test: number };
  /** Unreadable files that were skipped (only when skipUnreadable). */
  readonly skipped: readonly ImageProblem[];
  readonly elapsedMs: number;
}
