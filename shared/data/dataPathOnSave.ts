/**
 * A graph file's own data path as it is written (issue 14): relative to the file where possible. A document proposed
 * from data before it was first saved holds the data's absolute path (Electron); a document that came from another
 * file holds a path relative to that file. Saving to `target` records the same data relative to `target`, so the file
 * and its data can move together. A path that cannot be made relative (another drive) stays absolute.
 */
import type { GraphFile } from '../format/graphFileSchema';
import { isAbsoluteDataPath, relativeDataPath, resolveDataPath } from './dataSpec';

/**
 * The data path to record in the file saved at `target` (absolute), for `recorded` as the document holds it; `source`
 * is the file the document came from (absolute), if any: a relative path is resolved beside it first. A relative path
 * with no source is left as it is.
 */
export function dataPathForSave(recorded: string, target: string, source: string | undefined): string {
  if (isAbsoluteDataPath(recorded)) return relativeDataPath(target, recorded);
  if (source === undefined) return recorded;
  return relativeDataPath(target, resolveDataPath(source, recorded));
}

/** `file` with its training data path as {@link dataPathForSave} records it (the same object when nothing changes). */
export function withDataPathForSave(file: GraphFile, target: string, source: string | undefined): GraphFile {
  const data = file.training?.data;
  if (!file.training || !data) return file;
  const path = dataPathForSave(data.path, target, source);
  if (path === data.path) return file;
  return { ...file, training: { ...file.training, data: { ...data, path } } };
}
