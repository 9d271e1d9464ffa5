/**
 * Reopening a graph file (issue 14): is its `training.data` still there, and is it the same data? Hashes the file (a
 * table: SHA-256 of its bytes, streamed) or the folder (an image folder: the registered HashImageFolder, see
 * shared/data/dataSpec.ts) and compares with the recorded hash, without parsing or decoding anything.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolveDataPath, type DataSpec, type HashImageFolder } from '../../../shared/data/dataSpec';

export type UserDataStatus =
  | { readonly status: 'same'; readonly path: string }
  | { readonly status: 'changed'; readonly path: string; readonly hash: string; readonly message: string }
  | { readonly status: 'missing'; readonly path: string; readonly message: string };

let hashImageFolder: HashImageFolder | undefined;

/** The images half registers how an image folder is hashed (the same function its loader uses). */
export function registerImageFolderHasher(hasher: HashImageFolder): void {
  hashImageFolder = hasher;
}

/** SHA-256 of a file's bytes as 64 hex digits, streamed. */
export async function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function checkUserData(spec: DataSpec, graphFilePath: string | undefined, signal?: AbortSignal): Promise<UserDataStatus> {
  const path = resolveDataPath(graphFilePath, spec.path);
  const what = spec.kind === 'table' ? 'table' : 'image folder';
  try {
    const info = await stat(path);
    if (spec.kind === 'table' ? !info.isFile() : !info.isDirectory()) {
      return { status: 'missing', path, message: `The ${what} ${path} is not a ${spec.kind === 'table' ? 'file' : 'folder'} any more` };
    }
  } catch {
    return { status: 'missing', path, message: `The ${what} this graph was trained on is missing: ${path}` };
  }
  let hash: string;
  if (spec.kind === 'table') hash = await hashFile(path, signal);
  else {
    if (!hashImageFolder) throw new Error(`Image folders cannot be checked in this build yet (${path})`);
    hash = await hashImageFolder(path, undefined, signal);
  }
  if (hash === spec.hash) return { status: 'same', path };
  return {
    status: 'changed',
    path,
    hash,
    message: `The ${what} ${path} changed since this graph recorded it (content hash ${hash.slice(0, 12)}… instead of ${spec.hash.slice(0, 12)}…): retrain to use it`,
  };
}
