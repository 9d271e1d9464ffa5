/**
 * Saves a file so that a crash, a full disk or a killed process never leaves a half-written one: write a temporary
 * file in the same directory (same filesystem, so rename is atomic), fsync it, rename it over the target, then fsync
 * the directory so the rename itself survives a power cut. A graph is checked first with the loader's own rules, so
 * nothing is written that could not be opened again.
 *
 * These functions follow links (the CLI and Electron write where the user pointed them); writes confined to a
 * folder (the web host's workspace, state folders, exports) go through workspaceFiles.ts, which ends here too.
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import { fileNameProblem } from '../../../shared/format/fileNames';
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { alreadyExists, cannotSave, FileError } from './fileErrors';
import { temporaryFileName } from './tempFiles';

/** The filesystem calls used, injectable so tests can make any step fail. */
export interface AtomicWriteFs {
  open: typeof fs.open;
  rename: typeof fs.rename;
  rm: typeof fs.rm;
  link: typeof fs.link;
}

export const realFs: AtomicWriteFs = { open: fs.open, rename: fs.rename, rm: fs.rm, link: fs.link };

/** `replace`: an existing file is replaced (Save). `refuse`: the write fails if anything exists there (Save As). */
export type ExistingFile = 'replace' | 'refuse';

export interface AtomicWriteOptions {
  /** How the file is named in errors (a page path in the web host); defaults to the path. */
  readonly label?: string;
  readonly existing?: ExistingFile;
  readonly io?: AtomicWriteFs;
  /** Runs after the data is on disk and before it replaces the target: a last check that may still refuse. */
  readonly beforeCommit?: () => Promise<void>;
}

/**
 * Writes `data` to `target`, which must already be the real path (links resolved): the temporary file is created
 * beside it with O_EXCL (never through a link), and a link at the target itself is replaced, not followed.
 */
export async function writeFileAtomicAt(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const label = options.label ?? target;
  const io = options.io ?? realFs;
  const problem = fileNameProblem(path.basename(target));
  if (problem) throw cannotSave(label, problem);
  const dir = path.dirname(target);
  const temporary = path.join(dir, temporaryFileName());
  try {
    const handle = await io.open(temporary, 'wx', 0o644);
    try {
      await (typeof data === 'string' ? handle.writeFile(data, 'utf8') : handle.writeFile(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeCommit?.();
    if (options.existing === 'refuse') await commitWithoutReplacing(temporary, target, label, io);
    else await io.rename(temporary, target);
  } catch (e) {
    await io.rm(temporary, { force: true }).catch(() => undefined);
    if (e instanceof FileError) throw e;
    throw cannotSave(label, e instanceof Error ? e.message : String(e), e);
  }
  await syncDirectory(dir, io);
}

/**
 * A hard link creates the target only if nothing is there (atomically, unlike a check then a rename); file systems
 * without hard links (FAT, some network shares) fall back to check-then-rename.
 */
async function commitWithoutReplacing(temporary: string, target: string, label: string, io: AtomicWriteFs): Promise<void> {
  try {
    await io.link(temporary, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw alreadyExists(label, e);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw e;
    const taken = await fs.lstat(target).then(() => true, () => false);
    if (taken) throw alreadyExists(label, e);
    await io.rename(temporary, target);
    return;
  }
  await io.rm(temporary, { force: true });
}

/** Text is written as UTF-8; bytes as they are. Saving through a link updates the file it points to. */
export async function writeTextFileAtomic(requested: string, text: string | Uint8Array, io: AtomicWriteFs = realFs): Promise<void> {
  const target = await fs.realpath(requested).catch(() => requested);
  await writeFileAtomicAt(target, text, { label: requested, io });
}

/**
 * The exact text a save writes, after checking it with the loader that will open it again: a graph the loader would
 * refuse (too many nodes, a dangling edge, a duplicate id, a forbidden key…) is refused here with the loader's
 * message, and what is written reopens identical.
 */
export function graphFileTextForSave(file: GraphFile, label: string): string {
  const text = serializeGraphFile(file);
  const reopened = loadGraphFile(text);
  if (!reopened.ok) throw cannotSave(label, `it could not be opened again (${reopened.error.message}).`);
  if (serializeGraphFile(reopened.file) !== text) throw cannotSave(label, 'it would not open again identical to what was saved.');
  return text;
}

export async function writeGraphFileAtomic(target: string, file: GraphFile, io: AtomicWriteFs = realFs): Promise<void> {
  await writeTextFileAtomic(target, graphFileTextForSave(file, target), io);
}

async function syncDirectory(dir: string, io: AtomicWriteFs): Promise<void> {
  // Not supported on Windows (EPERM/EISDIR); the data is already safely renamed, so this is best effort.
  try {
    const handle = await io.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
