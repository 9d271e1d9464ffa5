/**
 * The temporary files of atomic writes: one short fixed-length name (so a long target name never makes the temp
 * name too long for the disk), and a start-up sweep that removes the ones a killed process left behind.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** `.nbrick-<12 hex>.tmp`: 24 bytes whatever the target is called, hidden, and recognisably ours. */
export const TEMP_FILE_PATTERN = /^\.nbrick-[0-9a-f]{12}\.tmp$/;

export function temporaryFileName(): string {
  return `.nbrick-${randomBytes(6).toString('hex')}.tmp`;
}

/** A write in progress takes milliseconds; a temp file this old belongs to a process that died. */
export const STALE_TEMP_AGE_MS = 60_000;

export interface TempCleanupOptions {
  /** Folder levels below `dir` to visit (0: only `dir` itself). */
  readonly maxDepth?: number;
  readonly olderThanMs?: number;
  readonly now?: number;
}

export interface TempCleanupResult {
  readonly removed: readonly string[];
  readonly bytes: number;
}

/**
 * Removes our own stale temp files in `dir` and its sub-folders. Only regular files named like ours and older than
 * `olderThanMs`; links are never followed (neither to files nor to folders) and nothing else is touched. Folders
 * that cannot be read are skipped: cleaning is best effort and must never stop a start-up.
 */
export async function cleanStaleTempFiles(dir: string, options: TempCleanupOptions = {}): Promise<TempCleanupResult> {
  const maxDepth = options.maxDepth ?? 3;
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? STALE_TEMP_AGE_MS);
  const removed: string[] = [];
  let bytes = 0;
  // Iterative, so a deep tree cannot exhaust the stack.
  const pending: { dir: string; depth: number }[] = [{ dir, depth: 0 }];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries;
    try {
      entries = await readdir(current.dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current.dir, entry.name);
      // Dirent types come from lstat-like information: a link is neither a file nor a directory here.
      if (entry.isDirectory() && current.depth < maxDepth) {
        pending.push({ dir: full, depth: current.depth + 1 });
      } else if (entry.isFile() && TEMP_FILE_PATTERN.test(entry.name)) {
        try {
          const info = await lstat(full);
          if (!info.isFile() || info.mtimeMs > cutoff) continue;
          await rm(full);
          removed.push(full);
          bytes += info.size;
        } catch {
          // Gone already, or not ours to remove: leave it.
        }
      }
    }
  }
  return { removed, bytes };
}

/**
 * Start-up sweep of the temp files that killed saves left behind (our own `.nbrick-<hex>.tmp` pattern only, older
 * than a minute, links never followed). `deep` folders are visited with their sub-folders (the workspace, a state
 * folder), `shallow` ones only themselves (the folders of recent files, in the desktop app). Never throws.
 */
export async function cleanTempFilesAtStartup(
  folders: { readonly deep: readonly string[]; readonly shallow?: readonly string[] },
  log: (line: string) => void = (line) => console.error(line),
): Promise<number> {
  let count = 0;
  let bytes = 0;
  const visits = [
    ...folders.deep.map((dir) => ({ dir, maxDepth: 4 })),
    ...(folders.shallow ?? []).map((dir) => ({ dir, maxDepth: 0 })),
  ];
  for (const { dir, maxDepth } of visits) {
    const result = await cleanStaleTempFiles(dir, { maxDepth }).catch(() => ({ removed: [], bytes: 0 }));
    count += result.removed.length;
    bytes += result.bytes;
  }
  if (count > 0) log(`Removed ${count} temporary file(s) left by interrupted saves (${(bytes / 1024).toFixed(0)} KB).`);
  return count;
}
