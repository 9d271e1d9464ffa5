/**
 * Lists the images of an image dataset without reading them: one sub-folder per class (images may sit in nested
 * folders below the class folder), or a CSV of `path,label` rows whose paths are relative to the CSV's folder.
 * Order is deterministic (code-unit sort of `/`-separated relative paths) on every platform.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import Papa from 'papaparse';
import { throwIfAborted, type AbortLike } from './progress';
import type { ImageListingKind } from './types';

/** Extensions read as images; every other file is ignored (listed, never counted as a problem). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.jpe', '.webp', '.gif', '.tif', '.tiff', '.bmp']);

export interface ListedImage {
  /** Relative to the folder (or to the CSV's folder), `/`-separated. */
  readonly relPath: string;
  readonly absPath: string;
  readonly label: string;
  /** Why the file cannot be read before decoding (a CSV row naming a missing file). */
  readonly missing?: string;
}

export interface ImageListing {
  readonly kind: ImageListingKind;
  /** The folder relative paths are relative to, absolute. */
  readonly root: string;
  /** The labels CSV relative to root (`/`), for a CSV listing. */
  readonly labelsFile?: string;
  /** Sorted by relPath. */
  readonly entries: readonly ListedImage[];
  /** Class names in label order (sorted). */
  readonly classNames: readonly string[];
  /** Relative paths of non-image files. */
  readonly ignored: readonly string[];
  /** The CSV's bytes (hashed with the images: relabelling changes the data). */
  readonly csvBytes?: Buffer;
}

/** A problem with the data as a whole (no classes, empty folder, bad CSV), its message naming the path. */
export class ImageFolderError extends Error {
  override readonly name = 'ImageFolderError';
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const isHidden = (name: string) => name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini' || name === '__MACOSX';
const isImageName = (name: string) => IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
const toPosix = (p: string) => p.split(path.sep).join('/');

const isCsvName = (name: string) => ['.csv', '.tsv'].includes(path.extname(name).toLowerCase());

/**
 * Lists `input`: a folder of class sub-folders, a folder plus `labelsFile` (a CSV relative to it), or a CSV file itself
 * (its folder is then the root). A folder with exactly one CSV directly inside is read through it when it has no
 * sub-folders or the CSV's header names a path and a label column.
 */
export async function listImageFolder(input: string, labelsFile?: string, signal?: AbortLike, onFound?: (files: number) => void): Promise<ImageListing> {
  const absolute = path.resolve(input);
  let info;
  try {
    info = await stat(absolute);
  } catch {
    throw new ImageFolderError(`${absolute} does not exist`);
  }
  if (info.isDirectory()) {
    if (labelsFile !== undefined) return listCsv(absolute, path.resolve(absolute, labelsFile));
    const top = (await readdir(absolute, { withFileTypes: true })).filter((e) => !isHidden(e.name));
    const csvs = top.filter((e) => e.isFile() && isCsvName(e.name));
    if (csvs.length === 1) {
      const csv = path.join(absolute, csvs[0]!.name);
      if (!top.some((e) => e.isDirectory()) || (await hasPathLabelHeader(csv))) return listCsv(absolute, csv);
    }
    return listClassFolders(absolute, signal, onFound);
  }
  if (isCsvName(absolute)) return listCsv(path.dirname(absolute), absolute);
  throw new ImageFolderError(`${absolute} is neither a folder of class sub-folders nor a CSV of path,label rows`);
}

/** Every file under `dir` (recursively), as paths relative to `base`, skipping hidden files and folders. */
async function walk(dir: string, base: string, out: string[], signal?: AbortLike, onFound?: (files: number) => void): Promise<void> {
  throwIfAborted(signal);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => compare(a.name, b.name));
  for (const entry of entries) {
    if (isHidden(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, base, out, signal, onFound);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(toPosix(path.relative(base, full)));
  }
  onFound?.(out.length);
}

async function listClassFolders(root: string, signal?: AbortLike, onFound?: (files: number) => void): Promise<ImageListing> {
  const top = (await readdir(root, { withFileTypes: true })).filter((e) => !isHidden(e.name));
  if (top.length === 0) throw new ImageFolderError(`${root} is empty: put the images of each class in a sub-folder named after the class (e.g. ${path.join(root, 'cat')}, ${path.join(root, 'dog')})`);
  const folders = top.filter((e) => e.isDirectory()).map((e) => e.name).sort(compare);
  const looseImages = top.filter((e) => e.isFile() && isImageName(e.name)).length;
  if (folders.length === 0) {
    throw new ImageFolderError(
      `${root} has no class sub-folders${looseImages > 0 ? ` (${looseImages} image${looseImages === 1 ? '' : 's'} directly inside it)` : ''}: ` +
        `put the images of each class in a sub-folder named after the class (e.g. ${path.join(root, 'cat')}), or give a CSV of path,label rows`,
    );
  }
  const entries: ListedImage[] = [];
  const ignored: string[] = [];
  const classNames: string[] = [];
  let found = 0;
  for (const name of folders) {
    const files: string[] = [];
    await walk(path.join(root, name), root, files, signal, onFound && ((n) => onFound(found + n)));
    found += files.length;
    let images = 0;
    for (const rel of files) {
      if (!isImageName(rel)) {
        ignored.push(rel);
        continue;
      }
      entries.push({ relPath: rel, absPath: path.join(root, ...rel.split('/')), label: name });
      images++;
    }
    if (images > 0) classNames.push(name);
  }
  for (const e of top) if (e.isFile()) ignored.push(e.name);
  if (entries.length === 0) {
    const hint = folders.length === 1 ? ` (it has one sub-folder, '${folders[0]}': if the class folders are inside it, choose ${path.join(root, folders[0]!)})` : '';
    throw new ImageFolderError(`${root} has no images in its class sub-folders${hint}; images are read from .png, .jpg, .jpeg, .webp, .gif, .tif, .tiff and .bmp files`);
  }
  entries.sort((a, b) => compare(a.relPath, b.relPath));
  ignored.sort(compare);
  return { kind: 'folders', root, entries, classNames, ignored };
}

const PATH_HEADERS = new Set(['path', 'file', 'filename', 'file_name', 'image', 'image_path', 'filepath']);
const LABEL_HEADERS = new Set(['label', 'class', 'category', 'target', 'y']);

/** Whether the CSV's first line names a path column and a label column. */
async function hasPathLabelHeader(csvPath: string): Promise<boolean> {
  const head = (await readFile(csvPath)).subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  const cells = (Papa.parse<string[]>(head).data[0] ?? []).map((c) => c.trim().toLowerCase());
  return cells.some((c) => PATH_HEADERS.has(c)) && cells.some((c) => LABEL_HEADERS.has(c));
}

async function listCsv(root: string, csvPath: string): Promise<ImageListing> {
  let bytes: Buffer;
  try {
    bytes = await readFile(csvPath);
  } catch {
    throw new ImageFolderError(`${csvPath} does not exist (the labels CSV)`);
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const rows = parsed.data;
  if (rows.length === 0) throw new ImageFolderError(`${csvPath} is empty: expected rows of path,label (paths relative to the CSV's folder)`);
  const csvDir = path.dirname(csvPath);
  const first = rows[0]!.map((c) => c.trim().toLowerCase());
  let pathCol = 0;
  let labelCol = 1;
  let start = 0;
  const p = first.findIndex((c) => PATH_HEADERS.has(c));
  const l = first.findIndex((c) => LABEL_HEADERS.has(c));
  if (p >= 0 && l >= 0) {
    pathCol = p;
    labelCol = l;
    start = 1;
  } else if (p >= 0 || l >= 0) {
    throw new ImageFolderError(`${csvPath} line 1: the header needs a path column (path, file, filename, image) and a label column (label, class, category)`);
  }
  const entries: ListedImage[] = [];
  const seen = new Map<string, { row: number; label: string }>();
  const classes = new Set<string>();
  for (let r = start; r < rows.length; r++) {
    const row = rows[r]!;
    const line = r + 1; // skipEmptyLines drops blank lines: the number is the row's, not always the text line's
    // Windows-style separators are read as folders on every platform.
    const file = (row[pathCol]?.trim() ?? '').replace(/\\/g, '/');
    const label = row[labelCol]?.trim() ?? '';
    if (file === '') throw new ImageFolderError(`${csvPath} row ${line}: the path cell is empty`);
    if (label === '') throw new ImageFolderError(`${csvPath} row ${line}: the label cell of '${file}' is empty`);
    const absPath = path.resolve(csvDir, file);
    const relPath = toPosix(path.relative(root, absPath));
    const earlier = seen.get(relPath);
    if (earlier) {
      if (earlier.label === label) continue;
      throw new ImageFolderError(`${csvPath} rows ${earlier.row} and ${line}: '${file}' is listed with two labels ('${earlier.label}' and '${label}')`);
    }
    seen.set(relPath, { row: line, label });
    classes.add(label);
    let missing: string | undefined;
    try {
      if (!(await stat(absPath)).isFile()) missing = `not a file (listed on row ${line} of ${path.basename(csvPath)})`;
    } catch {
      missing = `file not found (listed on row ${line} of ${path.basename(csvPath)})`;
    }
    entries.push({ relPath, absPath, label, ...(missing ? { missing } : {}) });
  }
  if (entries.length === 0) throw new ImageFolderError(`${csvPath} lists no images: expected rows of path,label (paths relative to the CSV's folder)`);
  entries.sort((a, b) => compare(a.relPath, b.relPath));
  const labelsFile = toPosix(path.relative(root, csvPath));
  return { kind: 'csv', root, labelsFile, entries, classNames: [...classes].sort(compare), ignored: [], csvBytes: bytes };
}
