/**
 * Reopening a graph file (issue 14): is its `training.data` still there, and is it the same data? Hashes the file (a
 * table: SHA-256 of its bytes, streamed) or the folder (an image folder: hashImageFolder from ./images, with the
 * spec's labels CSV) and compares with the recorded hash, without parsing or decoding anything.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolveDataPath, type DataSpec } from '../../../shared/data/dataSpec';
import { hashImageFolder } from './images/inspectImageFolder';

export type UserDataStatus =
  | { readonly status: 'same'; readonly path: string }
  | { readonly status: 'changed'; readonly path: string; readonly hash: string; readonly message: string }
  | { readonly status: 'missing'; readonly path: string; readonly message: string };

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
  // The labels CSV is part of an image folder's hash (and may sit in a sub-folder): the same hash the loader records.
  else hash = await hashImageFolder(path, undefined, signal, spec.labelsFile);
  if (hash === spec.hash) return { status: 'same', path };
  return {
    status: 'changed',
    path,
    hash,
    message: `The ${what} ${path} changed since this graph recorded it (content hash ${hash.slice(0, 12)}… instead of ${spec.hash.slice(0, 12)}…): retrain to use it`,
  };
}
