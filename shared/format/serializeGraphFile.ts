import { canonicalJson } from './canonicalJson';
import type { GraphFile } from './graphFileSchema';

/** The text written to disk: canonical JSON, so saving the same graph twice gives identical bytes. */
export function serializeGraphFile(file: GraphFile): string {
  return canonicalJson(file);
}
