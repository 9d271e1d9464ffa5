/**
 * Your own data (issue 14): the description of a user's table (CSV/TSV) or image folder that a `.nbrick` file records
 * in `training.data`. It says where the data lives (a path relative to the graph file where possible), which bytes it
 * was (a SHA-256 content hash, so reopening can say "the data changed"), what is learnt from it (task, target, feature
 * columns or image size/classes), how it was preprocessed (fitted on the training split only, so evaluation, prediction
 * and export apply exactly the same transform) and how it was split (fractions + seed: the same rows every time).
 *
 * Pure TypeScript + zod (shared/ imports nothing else). The loaders live in electron/services/data/.
 *
 * Content hash, as 64 lowercase hex digits of SHA-256:
 * - table: the file's bytes, exactly as on disk (BOM and line ends included);
 * - image folder: {@link imageFolderHash} over every file the loader reads (images and a labels CSV if any), sorted by
 *   relative path: the digest of the UTF-8 text of lines `<relative/posix/path>\t<size in bytes>\t<sha256 hex of the
 *   file>\n`. Paths use `/`, are relative to the folder and compared by UTF-16 code units (`<`), so the hash is the same
 *   on every platform and does not depend on directory listing order.
 */
import { z } from 'zod';
import { sha256Hex, utf8Bytes } from '../format/sha256';

export const DATA_KINDS = ['table', 'imageFolder'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

export const DATA_TASKS = ['classification', 'regression'] as const;
export type DataTask = (typeof DATA_TASKS)[number];

/** Cells that mean "no value" (compared after trimming spaces, case-sensitively except as listed). */
export const MISSING_MARKERS = ['', 'NA', 'N/A', 'NaN', 'null', '?'] as const;

export function isMissingMarker(cell: string): boolean {
  return (MISSING_MARKERS as readonly string[]).includes(cell.trim());
}

/** Bounds that keep a corrupted file from exhausting memory; far above any table a workshop brings. */
export const MAX_DATA_COLUMNS = 10_000;
export const MAX_CATEGORIES = 10_000;
export const MAX_COLUMN_NAME = 500;
export const MAX_DATA_PATH = 4096;

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 digest as 64 lowercase hex digits');

const columnName = z.string().min(1, 'column name must not be empty').max(MAX_COLUMN_NAME);
const category = z.string().max(MAX_COLUMN_NAME);
const count = z.number().int().min(0);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * Train/validation/test shares of the rows (or images) and the seed of the permutation that assigns them. The shares
 * add up to 1; each row's split depends only on the seed and the number of usable rows.
 */
export const dataSplitSchema = z
  .strictObject({
    train: z.number().gt(0).max(1),
    val: z.number().min(0).max(0.5),
    test: z.number().min(0).max(0.5),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  })
  .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-9, { message: 'train + val + test must add up to 1', path: ['train'] });
export type DataSplitSpec = z.infer<typeof dataSplitSchema>;

export const DEFAULT_DATA_SPLIT: DataSplitSpec = Object.freeze({ train: 0.7, val: 0.15, test: 0.15, seed: 42 });

/** Rows per split after the missing-value policy (recorded by the loader). */
export const splitCountsSchema = z.strictObject({ train: count, val: count, test: count });
export type SplitCounts = z.infer<typeof splitCountsSchema>;

/**
 * A numeric feature, standardised as (x − mean) / std with mean and std of the training split (std 0 → 1, so a
 * constant column becomes 0). `mean`/`std` are absent until the loader has fitted them. `fill` is the value a missing
 * cell gets under the `fill` policy (the training mean).
 */
export const numericFeatureSchema = z.strictObject({
  name: columnName,
  kind: z.literal('numeric'),
  mean: finite.optional(),
  std: finite.optional(),
  fill: finite.optional(),
});
/**
 * A categorical feature, one-hot over `categories` (in this order; fitted on the training split, sorted). A category
 * not seen in training encodes as all zeros. `fill` is the most frequent training category.
 */
export const categoricalFeatureSchema = z.strictObject({
  name: columnName,
  kind: z.literal('categorical'),
  categories: z.array(category).min(1).max(MAX_CATEGORIES).optional(),
  fill: category.optional(),
});
export const featureColumnSchema = z.discriminatedUnion('kind', [numericFeatureSchema, categoricalFeatureSchema]);
export type NumericFeature = z.infer<typeof numericFeatureSchema>;
export type CategoricalFeature = z.infer<typeof categoricalFeatureSchema>;
export type FeatureColumn = z.infer<typeof featureColumnSchema>;

/**
 * What is predicted. Classification: `classes` is the label map, class name → its index in this list (fitted from the
 * training split, sorted numerically when every label is a number, else as text). Regression: the trainer learns the
 * standardised target (`mean`/`std` of the training split) but reports losses in the target's own units.
 */
export const targetColumnSchema = z.strictObject({
  name: columnName,
  classes: z.array(category).min(2).max(MAX_CATEGORIES).optional(),
  mean: finite.optional(),
  std: finite.optional(),
});
export type TargetColumn = z.infer<typeof targetColumnSchema>;

/**
 * Missing cells (see {@link MISSING_MARKERS}): `drop` removes the row; `fill` puts the training mean (numeric) or most
 * frequent category in its place. A row whose target is missing is always dropped. The loader records the counts.
 */
export const MISSING_POLICIES = ['drop', 'fill'] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];
export const missingValuesSchema = z.strictObject({
  policy: z.enum(MISSING_POLICIES),
  /** Rows dropped (missing target, or any missing feature under `drop`). */
  droppedRows: count.optional(),
  /** Cells filled per feature column name (`fill` only; columns with none are left out). */
  filledCells: z.record(columnName, count).optional(),
});
export type MissingValues = z.infer<typeof missingValuesSchema>;

/** How the text is read. `delimiter` and `header` are what detection found or the user chose. */
export const tableFormatSchema = z.strictObject({
  delimiter: z.enum([',', ';', '\t', '|']),
  header: z.boolean(),
});
export type TableFormat = z.infer<typeof tableFormatSchema>;

/** Where and which bytes: shared by both kinds. `path` uses `/` when relative (see relativeDataPath). */
const location = {
  path: z.string().min(1, 'data path must not be empty').max(MAX_DATA_PATH),
  hash: sha256HexSchema,
};

export const tableDataSpecSchema = z.strictObject({
  kind: z.literal('table'),
  ...location,
  format: tableFormatSchema,
  task: z.enum(DATA_TASKS),
  target: targetColumnSchema,
  features: z.array(featureColumnSchema).min(1).max(MAX_DATA_COLUMNS),
  missing: missingValuesSchema,
  split: dataSplitSchema,
  /** Usable rows per split, recorded by the loader. */
  rows: splitCountsSchema.optional(),
});
export type TableDataSpec = z.infer<typeof tableDataSpecSchema>;

/**
 * Per-epoch augmentation of training images (never of validation/test): `flip` mirrors left-right with chance 1/2,
 * `shift` moves by up to this share of the width/height, `rotate` turns by up to this many degrees either way.
 */
export const augmentationSchema = z.strictObject({
  flip: z.boolean(),
  shift: z.number().min(0).max(0.25),
  rotate: z.number().min(0).max(45),
});
export type Augmentation = z.infer<typeof augmentationSchema>;
export const NO_AUGMENTATION: Augmentation = Object.freeze({ flip: false, shift: 0, rotate: 0 });

export const MAX_IMAGE_SIDE = 1024;

export const imageFolderDataSpecSchema = z.strictObject({
  kind: z.literal('imageFolder'),
  ...location,
  task: z.literal('classification'),
  /** Every image is resized to height × width and converted to `channels` (1 grayscale, 3 RGB), values in [0, 1]. */
  height: z.number().int().min(1).max(MAX_IMAGE_SIDE),
  width: z.number().int().min(1).max(MAX_IMAGE_SIDE),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Label map: class name (sub-folder name or label in the CSV) → index in this list. */
  classNames: z.array(category.min(1)).min(2).max(MAX_CATEGORIES),
  /** A `path,label` CSV inside the folder instead of one sub-folder per class (relative to the folder, `/`). */
  labelsFile: z.string().min(1).max(MAX_DATA_PATH).optional(),
  augmentation: augmentationSchema,
  split: dataSplitSchema,
  /** Images per split, and unreadable files skipped, recorded by the loader. */
  images: splitCountsSchema.optional(),
  skipped: count.optional(),
});
export type ImageFolderDataSpec = z.infer<typeof imageFolderDataSpecSchema>;

export const dataSpecSchema = z.discriminatedUnion('kind', [tableDataSpecSchema, imageFolderDataSpecSchema]);
export type DataSpec = z.infer<typeof dataSpecSchema>;

/** Width of one encoded feature row: 1 per numeric column, one per category for categorical ones (fitted spec). */
export function encodedFeatureCount(features: readonly FeatureColumn[]): number {
  let n = 0;
  for (const f of features) {
    if (f.kind === 'numeric') n += 1;
    else {
      if (!f.categories) throw new Error(`Categorical column '${f.name}' has no fitted categories yet`);
      n += f.categories.length;
    }
  }
  return n;
}

/** Per-sample input shape of the data: [features] for a table, [H, W, C] for images. */
export function dataInputShape(spec: DataSpec): number[] {
  return spec.kind === 'table' ? [encodedFeatureCount(spec.features)] : [spec.height, spec.width, spec.channels];
}

/** Class count (classification) or 1 (regression: one target value). */
export function dataOutputUnits(spec: DataSpec): number {
  if (spec.kind === 'imageFolder') return spec.classNames.length;
  if (spec.task === 'regression') return 1;
  if (!spec.target.classes) throw new Error(`Target column '${spec.target.name}' has no fitted classes yet`);
  return spec.target.classes.length;
}

// -----------------------------------------------------------------------------------------------------------------
// Image-folder content hash

/** One file of an image folder as the hash sees it (E2's scanner fills this with node:fs + node:crypto). */
export interface FolderFileDigest {
  /** Relative to the folder root, with `/` separators. */
  readonly relativePath: string;
  readonly size: number;
  /** SHA-256 of the file's bytes, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** The content hash of an image folder from the digests of its files (any order). */
export function imageFolderHash(files: readonly FolderFileDigest[]): string {
  const sorted = [...files].sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  let text = '';
  for (const f of sorted) {
    if (f.relativePath.includes('\\')) throw new Error(`Image folder path '${f.relativePath}' must use '/' separators`);
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) throw new Error(`Digest of '${f.relativePath}' is not a SHA-256 hex string`);
    text += `${f.relativePath}\t${f.size}\t${f.sha256}\n`;
  }
  return sha256Hex(utf8Bytes(text));
}

/**
 * The signature the image-folder scanner implements (electron/services/data/images/): hashes every file under `root`
 * that the loader would read and returns {@link imageFolderHash} of them. `onProgress` gets files done / total.
 */
export type HashImageFolder = (
  root: string,
  onProgress?: (done: number, total: number) => void,
  /** An AbortSignal (shared/ has no DOM types): the scan stops with an error once `aborted` is true. */
  signal?: { readonly aborted: boolean },
) => Promise<string>;

// -----------------------------------------------------------------------------------------------------------------
// Paths: stored relative to the .nbrick file where possible, `/`-separated; resolved back in the graph file's style.

interface ParsedPath {
  /** '' for a relative path, '/' for posix, 'C:' for a drive, '//server/share' for UNC. */
  readonly root: string;
  readonly windows: boolean;
  readonly segments: readonly string[];
}

function parsePath(path: string): ParsedPath {
  let rest = path;
  let root = '';
  let windows = false;
  const drive = /^([A-Za-z]):(?:[\\/]|$)/.exec(path);
  const unc = /^(?:\\\\|\/\/)([^\\/]+)[\\/]([^\\/]+)(?:[\\/]|$)/.exec(path);
  if (drive) {
    root = `${drive[1]!.toUpperCase()}:`;
    windows = true;
    rest = path.slice(drive[0].length);
  } else if (unc && path.startsWith('\\\\')) {
    root = `//${unc[1]}/${unc[2]}`;
    windows = true;
    rest = path.slice(unc[0].length);
  } else if (path.startsWith('/')) {
    root = '/';
    rest = path.slice(1);
  } else if (path.includes('\\')) {
    windows = true;
  }
  const segments: string[] = [];
  for (const part of rest.split(windows ? /[\\/]/ : /\//)) {
    if (part === '' || part === '.') continue;
    if (part === '..' && segments.length > 0 && segments.at(-1) !== '..') segments.pop();
    else if (part === '..' && root !== '') continue; // above the root stays at the root
    else segments.push(part);
  }
  return { root, windows, segments };
}

export function isAbsoluteDataPath(path: string): boolean {
  return parsePath(path).root !== '';
}

function format(parsed: ParsedPath, sep: '/' | '\\'): string {
  const body = parsed.segments.join(sep);
  if (parsed.root === '') return body === '' ? '.' : body;
  if (parsed.root === '/') return `/${body}`;
  const root = parsed.root.startsWith('//') ? parsed.root.replaceAll('/', sep) : parsed.root;
  return `${root}${sep}${body}`;
}

function sameSegment(a: string, b: string, windows: boolean): boolean {
  return windows ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * What to record for `dataPath` (absolute) in the file at `graphFilePath` (absolute): a `/`-separated path relative to
 * the graph file's folder when both are on the same root (drive, share or `/`), else `dataPath` itself. An unsaved
 * document (no graph path) records the absolute path.
 */
export function relativeDataPath(graphFilePath: string | undefined, dataPath: string): string {
  const data = parsePath(dataPath);
  if (graphFilePath === undefined || data.root === '') return dataPath;
  const graph = parsePath(graphFilePath);
  const windows = data.windows || graph.windows;
  if (graph.root === '' || !sameSegment(graph.root, data.root, windows)) return dataPath;
  const dir = graph.segments.slice(0, -1);
  let common = 0;
  while (common < dir.length && common < data.segments.length && sameSegment(dir[common]!, data.segments[common]!, windows)) common++;
  const up = dir.length - common;
  const parts = [...Array.from({ length: up }, () => '..'), ...data.segments.slice(common)];
  return parts.length === 0 ? '.' : parts.join('/');
}

/**
 * The absolute path of a recorded data path for the graph file at `graphFilePath`: absolute recorded paths as they are,
 * relative ones joined to the graph file's folder, written with the graph path's separator style (`\` on Windows).
 */
export function resolveDataPath(graphFilePath: string | undefined, recordedPath: string): string {
  const recorded = parsePath(recordedPath);
  if (recorded.root !== '' || graphFilePath === undefined) {
    return recorded.root === '' ? recordedPath : format(recorded, recorded.windows ? '\\' : '/');
  }
  const graph = parsePath(graphFilePath);
  const segments = [...graph.segments.slice(0, -1)];
  for (const part of recorded.segments) {
    if (part === '..' && segments.length > 0 && segments.at(-1) !== '..') segments.pop();
    else if (part === '..' && graph.root !== '') continue;
    else segments.push(part);
  }
  return format({ root: graph.root, windows: graph.windows, segments }, graph.windows ? '\\' : '/');
}
