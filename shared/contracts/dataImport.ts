/**
 * Importing the user's own data into the workspace (issue 14): a CSV/TSV table or an image folder is copied into
 * `workspace/data/<name>` (a table keeps its file name, a folder its folder name; `-2`, `-3`… when taken), then
 * inspected like any data there. Electron copies what its native dialog gave (LabApi `importData`); the web host takes
 * an upload on {@link DATA_IMPORT_ROUTE} (a file per request, or several small ones), with the per-launch token like every request:
 *
 *   POST /data-import?op=begin&kind=table|imageFolder&name=NAME   → { session }
 *   POST /data-import?op=file&session=ID&path=REL/PATH  (body: the file's bytes) → { files, bytes }
 *   POST /data-import?op=files&session=ID  (body: several files, each `<size> <path>\n` then its bytes) → { files, bytes }
 *   POST /data-import?op=commit&session=ID              → ImportedData
 *   POST /data-import?op=cancel&session=ID              → {}
 *
 * Files land in a hidden temporary folder inside `workspace/data/`, renamed into place only by `commit`; a cancel, an
 * error, a refused file or an abandoned session removes it, so a half-written import is never seen.
 *
 * Pure TypeScript + zod: the names and relative paths are checked here so the page can refuse before sending.
 */
import { z } from 'zod';
import { utf8Bytes } from '../format/sha256';

export const DATA_IMPORT_ROUTE = '/data-import';
/** The workspace folder imported data goes to. */
export const DATA_IMPORT_FOLDER = 'data';
/** The most one import may hold: every file's bytes together. */
export const MAX_DATA_IMPORT_BYTES = 2 * 1024 * 1024 * 1024;
/** The most files one import may hold (an image folder). */
export const MAX_DATA_IMPORT_FILES = 200_000;
/** Folder levels below the imported folder (class folders, their sub-folders…). */
export const MAX_DATA_IMPORT_DEPTH = 16;
/** A table's file name must end with one of these (what inspectData reads as a table). */
export const TABLE_EXTENSIONS = ['.csv', '.tsv', '.txt'] as const;

export type DataImportKind = 'table' | 'imageFolder';

/** The LabApi request (Electron: its native dialog picks the table or folder to copy into the workspace). */
export const importDataRequestSchema = z.strictObject({
  pick: z.enum(['table', 'imageFolder']),
  jobId: z.string().min(1).max(128).optional(),
});
export type ImportDataRequest = z.infer<typeof importDataRequestSchema>;

/** Where the data went: `path` as the host names data (`workspace/data/…` in the web host, absolute in Electron). */
export interface ImportedData {
  readonly kind: DataImportKind;
  readonly path: string;
  readonly name: string;
  readonly files: number;
  readonly bytes: number;
}

// eslint-disable-next-line no-control-regex
const ILLEGAL = /[<>:"/\\|?*\u0000-\u001f\u007f]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const MAX_NAME_BYTES = 255;

function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Why `part` cannot be one file or folder name of an import (empty, `.`/`..`, hidden, illegal somewhere), or undefined. */
export function importNamePartProblem(part: string): string | undefined {
  if (part === '') return 'an empty name';
  if (part === '.' || part === '..') return `'${part}' is not a name`;
  if (part.startsWith('.')) return `'${part}' is hidden (starts with '.')`;
  const illegal = ILLEGAL.exec(part);
  if (illegal) return `'${part}' contains ${JSON.stringify(illegal[0])}, which some systems do not allow in a name`;
  if (/[. ]$/.test(part)) return `'${part}' ends with a dot or a space (Windows drops them)`;
  if (WINDOWS_RESERVED.test(part)) return `'${part}' is a device name on Windows`;
  if (utf8Length(part) > MAX_NAME_BYTES) return `'${part.slice(0, 40)}…' is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/** Why `name` cannot name an import of this kind in `workspace/data/`, or undefined. */
export function importNameProblem(kind: DataImportKind, name: string): string | undefined {
  const problem = importNamePartProblem(name);
  if (problem) return problem;
  if (kind === 'table' && !TABLE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))) {
    return `'${name}' is not a table file: the name must end with ${TABLE_EXTENSIONS.join(', ')}`;
  }
  return undefined;
}

/**
 * Why `relativePath` (a file inside an imported folder, `/`-separated) cannot be written, or undefined: no absolute
 * paths, drive letters, backslashes, `.`/`..` or hidden parts, at most {@link MAX_DATA_IMPORT_DEPTH} folders deep.
 */
export function importPathProblem(relativePath: string): string | undefined {
  if (relativePath === '') return 'an empty path';
  if (relativePath.length > 4096) return 'a path longer than 4096 characters';
  if (relativePath.startsWith('/') || /^[A-Za-z]:/.test(relativePath)) return `'${relativePath}' is absolute: only paths inside the imported folder`;
  if (relativePath.includes('\\')) return `'${relativePath}' uses '\\': separate folders with '/'`;
  const parts = relativePath.split('/');
  if (parts.length - 1 > MAX_DATA_IMPORT_DEPTH) return `'${relativePath}' is more than ${MAX_DATA_IMPORT_DEPTH} folders deep`;
  for (const part of parts) {
    const problem = importNamePartProblem(part);
    if (problem) return `'${relativePath}': ${problem}`;
  }
  return undefined;
}

/** `penguins.csv` → `penguins-2.csv`, `shapes` → `shapes-2`: the name tried when `name` is taken (n ≥ 2). */
export function numberedImportName(kind: DataImportKind, name: string, n: number): string {
  if (kind === 'table') {
    const dot = name.lastIndexOf('.');
    return `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
  }
  return `${name}-${n}`;
}

/**
 * Several small files in one request (`op=files`): an image is sent faster with others than on its own round trip.
 * Each file is the header `<size in bytes> <relative path>\n` (UTF-8; a path never holds a newline) then its bytes.
 */
export function framedFileHeader(relativePath: string, size: number): Uint8Array {
  return utf8Bytes(`${size} ${relativePath}\n`);
}
/** The longest header a host reads before refusing the request (a path of 4096 characters, 3 bytes each, and a size). */
export const MAX_FRAMED_HEADER_BYTES = 4096 * 3 + 32;
