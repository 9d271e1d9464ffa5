/**
 * Which graph a training run trained: `sha256:<hex>` of the canonical JSON of the whole graph document (metadata,
 * nodes with their positions, edges, groups). The whole document, not only what shapes the weights, so the hash has one
 * plain meaning — "this exact graph" — that anyone can recompute with `jq -S .graph | sha256sum`-like tools; moving
 * a node or renaming the graph therefore gives another hash. Key order never matters (canonical JSON sorts keys).
 */
import type { GraphDocument } from '../document/model';
import { canonicalJson } from './canonicalJson';
import { sha256Hex, utf8Bytes } from './sha256';

export type GraphHash = `sha256:${string}`;

export function graphHash(graph: GraphDocument): GraphHash {
  return `sha256:${sha256Hex(utf8Bytes(canonicalJson(graph)))}`;
}
