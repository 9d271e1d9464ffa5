/**
 * Importing a table or an image folder into the workspace (issue 14): the data is copied into `workspace/data/<name>`
 * (shared/contracts/dataImport.ts has the rules), from the disk (Electron's dialog, the CLI) or file by file from an
 * upload (the web host's route). Every byte goes into a hidden temporary folder inside `workspace/data/` first and is
 * renamed into place only when the whole import is there: a cancel, an error, a refused file or a limit reached removes
 * the temporary folder, so no half-written import is ever seen. The data folder is resolved through the workspace's
 * confinement (a link at `workspace/data` leading out is refused) and every uploaded path is checked before a byte of
 * it is written.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, open, readdir, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  DATA_IMPORT_FOLDER,
  MAX_FRAMED_HEADER_BYTES,
  importNameProblem,
  importPathProblem,
  MAX_DATA_IMPORT_BYTES,
  MAX_DATA_IMPORT_DEPTH,
  MAX_DATA_IMPORT_FILES,
  numberedImportName,
  type DataImportKind,
} from '../../../shared/contracts/dataImport';
import { formatMegabytes } from '../../../shared/contracts/wireLimits';
import { confinedFolder } from '../files/workspaceFiles';

/** A refused import: the message says what and why, ready to show. */
export class DataImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataImportError';
  }
}

export interface DataImportLimits {
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/** Where an import went (absolute path) and what it holds. */
export interface ImportResult {
  readonly kind: DataImportKind;
  readonly absolute: string;
  readonly name: string;
  readonly files: number;
  readonly bytes: number;
}

export interface ImportProgress {
  readonly fraction?: number;
  readonly message: string;
}

export interface DiskImportOptions {
  /** The name in `workspace/data/` (default: the source's own name). */
  readonly name?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** Prefix of the temporary folders (hidden: listings and inspections skip them). */
export const IMPORT_TEMP_PREFIX = '.importing-';

/** One import under way: files are added one by one, then committed (renamed into place) or aborted (removed). */
export interface ImportSession {
  readonly kind: DataImportKind;
  readonly name: string;
  /** Writes one file (`relativePath` inside the imported folder; a table's only file has its name) from `chunks`. */
  addFile(relativePath: string, chunks: AsyncIterable<Uint8Array>, declaredBytes?: number): Promise<void>;
  /** Writes the files of one `op=files` body (shared/contracts/dataImport.ts: `<size> <path>\n` then the bytes, repeated). */
  addFramed(body: AsyncIterable<Uint8Array>): Promise<void>;
  readonly files: number;
  readonly bytes: number;
  commit(): Promise<ImportResult>;
  /** Removes everything written so far; safe to call twice or after a failure. */
  abort(): Promise<void>;
}

export interface DataImporter {
  /** The absolute `workspace/data` folder imports go to. */
  readonly dataFolder: string;
  begin(kind: DataImportKind, name: string): Promise<ImportSession>;
  /** Copies a table file or a folder of images from the disk. */
  importFromDisk(source: string, options?: DiskImportOptions): Promise<ImportResult>;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function abortError(): Error {
  return Object.assign(new Error('The import was cancelled'), { name: 'AbortError' });
}

export function createDataImporter(options: { readonly workspace: string; readonly limits?: Partial<DataImportLimits> }): DataImporter {
  const limits: DataImportLimits = {
    maxBytes: options.limits?.maxBytes ?? MAX_DATA_IMPORT_BYTES,
    maxFiles: options.limits?.maxFiles ?? MAX_DATA_IMPORT_FILES,
  };
  const workspace = path.resolve(options.workspace);
  const dataFolder = path.join(workspace, DATA_IMPORT_FOLDER);
  const boundary = confinedFolder(workspace, 'the workspace');
  // Once per importer: temporary folders a crash left (untouched for an hour; an import under way writes all the time).
  let swept = false;

  async function begin(kind: DataImportKind, name: string): Promise<ImportSession> {
    const problem = importNameProblem(kind, name);
    if (problem) throw new DataImportError(`Cannot import as '${name.slice(0, 200)}': ${problem}.`);
    // The workspace itself may not exist yet (the desktop app's, before its first import).
    await mkdir(workspace, { recursive: true });
    if (!swept) {
      swept = true;
      await sweepAbandonedImports(workspace, { olderThanMs: STALE_IMPORT_MS }).catch(() => 0);
    }
    const realData = await boundary.ensureFolder(dataFolder, `workspace/${DATA_IMPORT_FOLDER}`);
    const temp = await mkdtemp(path.join(realData, `${IMPORT_TEMP_PREFIX}${randomBytes(4).toString('hex')}-`));
    let files = 0;
    let bytes = 0;
    let finished = false;
    const paths = new Set<string>();
    /** Folders made inside the temporary folder (one mkdir per folder, not per file). */
    const made = new Set<string>([temp]);

    const fail = async (message: string): Promise<never> => {
      await session.abort();
      throw new DataImportError(message);
    };

    const session: ImportSession = {
      kind,
      name,
      get files() {
        return files;
      },
      get bytes() {
        return bytes;
      },

      async addFile(relativePath, chunks, declaredBytes) {
        if (finished) throw new DataImportError(`The import of '${name}' is over: start a new one.`);
        const pathProblem = kind === 'table' ? (relativePath === name ? undefined : `a table import holds one file, '${name}'`) : importPathProblem(relativePath);
        if (pathProblem) return fail(`Refused '${relativePath.slice(0, 300)}' in the import of '${name}': ${pathProblem}. Nothing was imported.`);
        if (kind === 'table' && paths.size > 0) return fail(`A table import holds one file; '${name}' was sent twice. Nothing was imported.`);
        if (paths.has(relativePath)) return fail(`'${relativePath}' was sent twice in the import of '${name}'. Nothing was imported.`);
        // Counted when a file starts (paths), not when it ends: files sent side by side cannot pass the limit together.
        if (paths.size + 1 > limits.maxFiles) return fail(`'${name}' has more than ${limits.maxFiles.toLocaleString('en-US')} files, the limit for one import. Nothing was imported.`);
        const overLimit = () => `'${name}' is over the limit for one import (${formatMegabytes(limits.maxBytes)}). Nothing was imported.`;
        if (declaredBytes !== undefined && bytes + declaredBytes > limits.maxBytes) return fail(overLimit());
        paths.add(relativePath);
        const target = path.join(temp, ...relativePath.split('/'));
        let handle: FileHandle | undefined;
        try {
          const parent = path.dirname(target);
          if (!made.has(parent)) {
            await mkdir(parent, { recursive: true });
            made.add(parent);
          }
          // O_EXCL: never through a link (nor over a file) someone put in the temporary folder.
          handle = await open(target, 'wx');
          for await (const chunk of chunks) {
            if (finished) throw abortError();
            bytes += chunk.byteLength;
            if (bytes > limits.maxBytes) {
              await handle.close();
              handle = undefined;
              return await fail(overLimit());
            }
            await handle.write(chunk);
          }
          await handle.close();
          handle = undefined;
          files += 1;
        } catch (error) {
          await handle?.close().catch(() => undefined);
          // Whatever stopped the file (a refusal, a body that ended early, a cancel), nothing of the import stays.
          await session.abort();
          if (error instanceof DataImportError || (error as Error).name === 'AbortError') throw error;
          throw new DataImportError(`Writing '${relativePath}' of the import of '${name}' failed: ${(error as Error).message}. Nothing was imported.`);
        }
      },

      async addFramed(body) {
        const reader = new ChunkReader(body[Symbol.asyncIterator]());
        try {
          for (;;) {
            const header = await reader.line(MAX_FRAMED_HEADER_BYTES);
            if (header === undefined) return;
            const match = /^(\d{1,16}) (.+)$/.exec(header);
            if (!match) return await fail(`The upload of '${name}' is malformed (a file header '${header.slice(0, 80)}'). Nothing was imported.`);
            const size = Number(match[1]);
            const relativePath = match[2]!;
            await session.addFile(relativePath, reader.take(size, () => new DataImportError(`The upload of '${name}' ended in the middle of '${relativePath}'. Nothing was imported.`)), size);
          }
        } catch (error) {
          // A header cut short or too long is refused like a bad file: nothing of the import stays.
          await session.abort();
          throw error;
        }
      },

      async commit() {
        if (finished) throw new DataImportError(`The import of '${name}' is over: start a new one.`);
        if (files === 0) return fail(`'${name}' holds no files to import. Nothing was imported.`);
        finished = true;
        try {
          // Still the folder checked at the start: a link swapped in at workspace/data since is refused.
          if ((await realpath(dataFolder)) !== realData) throw new DataImportError(`workspace/${DATA_IMPORT_FOLDER} changed during the import. Nothing was imported.`);
          for (let n = 1; n <= 1000; n++) {
            const candidate = n === 1 ? name : numberedImportName(kind, name, n);
            const destination = path.join(realData, candidate);
            if (await exists(destination)) continue;
            try {
              if (kind === 'table') {
                // link() never replaces an existing file: a file created meanwhile makes it try the next name.
                await link(path.join(temp, name), destination);
              } else {
                await rename(temp, destination);
              }
            } catch (error) {
              const code = (error as NodeJS.ErrnoException).code;
              if (code === 'EEXIST' || code === 'ENOTEMPTY') continue;
              throw error;
            }
            if (kind === 'table') await rm(temp, { recursive: true, force: true });
            return { kind, absolute: path.join(dataFolder, candidate), name: candidate, files, bytes };
          }
          throw new DataImportError(`'${name}' and 999 numbered names are taken in workspace/${DATA_IMPORT_FOLDER}: choose another name.`);
        } catch (error) {
          await rm(temp, { recursive: true, force: true }).catch(() => undefined);
          throw error;
        }
      },

      async abort() {
        finished = true;
        await rm(temp, { recursive: true, force: true });
      },
    };
    return session;
  }

  async function importFromDisk(source: string, diskOptions: DiskImportOptions = {}): Promise<ImportResult> {
    const { signal, onProgress } = diskOptions;
    const absolute = path.resolve(source);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DataImportError(code === 'ENOENT' ? `No file or folder at ${absolute}` : `Cannot read ${absolute}: ${(error as Error).message}`);
    }
    const kind: DataImportKind = info.isDirectory() ? 'imageFolder' : 'table';
    const name = diskOptions.name ?? path.basename(absolute);
    onProgress?.({ message: kind === 'table' ? `Copying ${name}` : `Listing ${name}` });
    const files = kind === 'table' ? [{ relativePath: name, absolute, size: info.size }] : await listFolder(absolute, signal);
    const total = files.reduce((sum, f) => sum + f.size, 0);
    if (files.length > limits.maxFiles) throw new DataImportError(`${absolute} has ${files.length.toLocaleString('en-US')} files; the limit for one import is ${limits.maxFiles.toLocaleString('en-US')}.`);
    if (total > limits.maxBytes) throw new DataImportError(`${absolute} is ${formatMegabytes(total)}; the limit for one import is ${formatMegabytes(limits.maxBytes)}.`);
    if (kind === 'imageFolder' && files.length === 0) throw new DataImportError(`${absolute} holds no files to import.`);
    const session = await begin(kind, name);
    const onAbort = () => void session.abort().catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let copied = 0;
      for (const [i, file] of files.entries()) {
        if (signal?.aborted) throw abortError();
        const stream = createReadStream(file.absolute, signal ? { signal } : {});
        await session.addFile(file.relativePath, counted(stream, (n) => (copied += n)), file.size);
        onProgress?.({ fraction: total > 0 ? copied / total : (i + 1) / files.length, message: kind === 'table' ? `${formatMegabytes(copied)} of ${formatMegabytes(total)} copied` : `${i + 1} of ${plural(files.length, 'file')} copied` });
      }
      if (signal?.aborted) throw abortError();
      return await session.commit();
    } catch (error) {
      await session.abort().catch(() => undefined);
      if (signal?.aborted) throw abortError();
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return { dataFolder, begin, importFromDisk };
}

/** Reads a body piece by piece: header lines and then exactly so many bytes, whatever the chunk boundaries. */
class ChunkReader {
  private pending: Uint8Array = new Uint8Array(0);
  private ended = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.pending = this.pending.byteLength === 0 ? next.value : concat(this.pending, next.value);
    return true;
  }

  /** The next line (without its newline); undefined at the end of the body; throws past `max` bytes. */
  async line(max: number): Promise<string | undefined> {
    for (;;) {
      const newline = this.pending.indexOf(10);
      if (newline >= 0) {
        const text = new TextDecoder('utf-8', { fatal: false }).decode(this.pending.subarray(0, newline));
        this.pending = this.pending.subarray(newline + 1);
        return text;
      }
      if (this.pending.byteLength > max) throw new DataImportError('A file header of the upload is too long. Nothing was imported.');
      if (!(await this.more())) {
        if (this.pending.byteLength === 0) return undefined;
        throw new DataImportError('The upload ended in the middle of a file header. Nothing was imported.');
      }
    }
  }

  /** Exactly `size` bytes, as they come; `short()` is thrown when the body ends first. */
  async *take(size: number, short: () => Error): AsyncIterable<Uint8Array> {
    let left = size;
    while (left > 0) {
      if (this.pending.byteLength === 0 && !(await this.more())) throw short();
      const piece = this.pending.subarray(0, Math.min(left, this.pending.byteLength));
      this.pending = this.pending.subarray(piece.byteLength);
      left -= piece.byteLength;
      yield piece;
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a, 0);
  joined.set(b, a.byteLength);
  return joined;
}

async function exists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

async function* counted(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

const isHidden = (name: string) => name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini' || name === '__MACOSX';

/**
 * The files of a folder to copy (hidden ones left out, as the image lister does). A link is followed only when it
 * leads to a file inside the folder; a link out of it, or to a folder, is refused by name.
 */
async function listFolder(root: string, signal: AbortSignal | undefined): Promise<{ relativePath: string; absolute: string; size: number }[]> {
  const realRoot = await realpath(root);
  const found: { relativePath: string; absolute: string; size: number }[] = [];
  const walk = async (dir: string, relative: string[], depth: number): Promise<void> => {
    if (signal?.aborted) throw abortError();
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (isHidden(entry.name)) continue;
      const absolute = path.join(dir, entry.name);
      const parts = [...relative, entry.name];
      const shown = parts.join('/');
      const problem = importPathProblem(shown);
      if (problem && !entry.isDirectory()) throw new DataImportError(`Cannot import ${root}: ${problem}.`);
      if (entry.isSymbolicLink()) {
        const target = await realpath(absolute).catch(() => undefined);
        const inside = target !== undefined && path.relative(realRoot, target) !== '' && !path.relative(realRoot, target).startsWith('..') && !path.isAbsolute(path.relative(realRoot, target));
        if (!inside) throw new DataImportError(`Cannot import ${root}: '${shown}' is a link to a place outside the folder. Copy the real files into it.`);
        const targetInfo = await stat(target);
        if (!targetInfo.isFile()) throw new DataImportError(`Cannot import ${root}: '${shown}' is a link to a folder. Copy the real folder into it.`);
        found.push({ relativePath: shown, absolute: target, size: targetInfo.size });
      } else if (entry.isDirectory()) {
        if (depth + 1 > MAX_DATA_IMPORT_DEPTH) throw new DataImportError(`Cannot import ${root}: '${shown}' is more than ${MAX_DATA_IMPORT_DEPTH} folders deep.`);
        if (problem) throw new DataImportError(`Cannot import ${root}: ${problem}.`);
        await walk(absolute, parts, depth + 1);
      } else if (entry.isFile()) {
        found.push({ relativePath: shown, absolute, size: (await stat(absolute)).size });
      }
    }
  };
  await walk(root, [], 0);
  return found;
}

/** A temporary folder untouched this long belongs to no import under way. */
export const STALE_IMPORT_MS = 60 * 60 * 1000;

/**
 * Removes temporary folders of imports a crash or a closed page left behind (`workspace/data/.importing-*`); with
 * `olderThanMs`, only those not modified for that long (another import may be under way).
 */
export async function sweepAbandonedImports(workspace: string, options: { readonly olderThanMs?: number } = {}): Promise<number> {
  const folder = path.join(path.resolve(workspace), DATA_IMPORT_FOLDER);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(IMPORT_TEMP_PREFIX)) continue;
    if (options.olderThanMs !== undefined) {
      const modified = await lstat(path.join(folder, name)).then((info) => info.mtimeMs, () => Date.now());
      if (Date.now() - modified < options.olderThanMs) continue;
    }
    await rm(path.join(folder, name), { recursive: true, force: true }).catch(() => undefined);
    removed += 1;
  }
  return removed;
}
