/**
 * Saves a graph so that a crash, a full disk or a killed process never leaves a half-written `.nbrick`:
 * write a temporary file in the same directory (same filesystem, so rename is atomic), fsync it, rename it over
 * the target, then fsync the directory so the rename itself survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';

/** The filesystem calls used, injectable so tests can make any step fail. */
export interface AtomicWriteFs {
  open: typeof fs.open;
  rename: typeof fs.rename;
  rm: typeof fs.rm;
}

const realFs: AtomicWriteFs = { open: fs.open, rename: fs.rename, rm: fs.rm };

/** Text is written as UTF-8; bytes (an exported model's weights) as they are. */
export async function writeTextFileAtomic(requested: string, text: string | Uint8Array, io: AtomicWriteFs = realFs): Promise<void> {
  // Saving through a symlink updates the file it points to instead of replacing the link with a copy.
  const target = await fs.realpath(requested).catch(() => requested);
  const dir = path.dirname(target);
  const temporary = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await io.open(temporary, 'wx', 0o644);
    try {
      await (typeof text === 'string' ? handle.writeFile(text, 'utf8') : handle.writeFile(text));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await io.rename(temporary, target);
  } catch (e) {
    await io.rm(temporary, { force: true }).catch(() => undefined);
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot save ${requested}: ${reason}`, { cause: e });
  }
  await syncDirectory(dir, io);
}

export async function writeGraphFileAtomic(target: string, file: GraphFile, io: AtomicWriteFs = realFs): Promise<void> {
  await writeTextFileAtomic(target, serializeGraphFile(file), io);
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
