/**
 * Reads a `.nbrick` file from disk. The size limit is enforced while reading (not only by `stat`, which reports 0
 * for pipes and devices), so a huge or endless file is refused without loading it into memory.
 */
import { open, stat } from 'node:fs/promises';
import { loadGraphFile, MAX_FILE_BYTES, type GraphFileError, type LoadOptions } from '../../../shared/format/loadGraphFile';
import type { GraphFile } from '../../../shared/format/graphFileSchema';

export type ReadGraphFileError = GraphFileError | { readonly code: 'io-error'; readonly message: string; readonly errno?: string };

export type ReadGraphFileResult =
  | { readonly ok: true; readonly path: string; readonly file: GraphFile; readonly migratedFrom?: number }
  | { readonly ok: false; readonly path: string; readonly error: ReadGraphFileError };

const CHUNK = 1024 * 1024;

/** Never throws; every error message starts with the file path. */
export async function readGraphFile(path: string, opts: LoadOptions = {}): Promise<ReadGraphFileResult> {
  const limit = opts.maxBytes ?? MAX_FILE_BYTES;
  const text = await readTextCapped(path, limit);
  if (!text.ok) return { ok: false, path, error: { ...text.error, message: `${path}: ${text.error.message}` } };
  const result = loadGraphFile(text.text, { ...opts, maxBytes: limit });
  if (!result.ok) return { ok: false, path, error: { ...result.error, message: `${path}: ${result.error.message}` } };
  return result.migratedFrom === undefined
    ? { ok: true, path, file: result.file }
    : { ok: true, path, file: result.file, migratedFrom: result.migratedFrom };
}

type CappedRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly error: ReadGraphFileError };

async function readTextCapped(path: string, limit: number): Promise<CappedRead> {
  let handle;
  try {
    // Checked before opening: opening a FIFO would block until a writer appears.
    const info = await stat(path);
    if (info.isDirectory()) return { ok: false, error: { code: 'io-error', message: 'is a directory, not a file', errno: 'EISDIR' } };
    if (!info.isFile()) return { ok: false, error: { code: 'io-error', message: 'is not a regular file' } };
    handle = await open(path, 'r');
  } catch (e) {
    return { ok: false, error: ioError(e) };
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) return { ok: false, error: { code: 'io-error', message: 'is a directory, not a file', errno: 'EISDIR' } };
    if (stat.size > limit) return { ok: false, error: tooLarge(stat.size, limit) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) return { ok: false, error: tooLarge(total, limit, true) };
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (e) {
    return { ok: false, error: ioError(e) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function tooLarge(bytes: number, limit: number, atLeast = false): ReadGraphFileError {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return { code: 'too-large', bytes, limit, message: `file is too large: ${atLeast ? 'over ' : ''}${mb(bytes)} (limit ${mb(limit)})` };
}

function ioError(e: unknown): ReadGraphFileError {
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory, not a file',
    EPERM: 'operation not permitted',
  };
  const message = (errno && reasons[errno]) ?? (e instanceof Error ? e.message : String(e));
  return errno ? { code: 'io-error', message, errno } : { code: 'io-error', message };
}
