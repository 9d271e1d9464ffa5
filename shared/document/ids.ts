/**
 * Readable, deterministic ids: `conv1`, `dense3`, `e7`, `g2`. The next number is one past the highest in use,
 * so an id freed by a deletion is not handed to a different node (history and diffs stay unambiguous).
 */
import type { EdgeId, GraphDocument, GroupId, NodeId } from './model';

/** Short prefixes for types whose lower-cased name would be long or unclear. */
const TYPE_PREFIXES: Readonly<Record<string, string>> = {
  Conv2D: 'conv',
  DepthwiseConv2D: 'dwconv',
  SeparableConv2D: 'sepconv',
  Conv2DTranspose: 'deconv',
  MaxPool2D: 'maxpool',
  AvgPool2D: 'avgpool',
  GlobalAvgPool2D: 'gap',
  GlobalMaxPool2D: 'gmp',
  BatchNorm: 'bn',
  LayerNorm: 'ln',
  Concatenate: 'concat',
  UpSampling2D: 'upsample',
  ZeroPadding2D: 'pad',
  Activation: 'act',
  Embedding: 'embed',
};

/** Id prefix for a layer type: a known short form, else the type lower-cased with non-alphanumerics dropped. */
export function idPrefixForType(type: string): string {
  const known = Object.hasOwn(TYPE_PREFIXES, type) ? TYPE_PREFIXES[type] : undefined;
  if (known) return known;
  // Capped so that ids stay short even for a long custom type name.
  const cleaned = type.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 32);
  const prefix = cleaned === '' ? 'node' : cleaned;
  // `layer2` + 1 would read as `layer21`; a separator keeps the number distinct.
  return /[0-9]$/.test(prefix) ? `${prefix}_` : prefix;
}

/** `prefix<n>` with n one above the highest `prefix<number>` among `taken` (starting at 1), and not taken. */
export function nextNumberedId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let highest = 0;
  for (const id of used) {
    if (!id.startsWith(prefix)) continue;
    const rest = id.slice(prefix.length);
    if (/^[1-9][0-9]{0,8}$/.test(rest)) highest = Math.max(highest, Number(rest));
  }
  let n = highest + 1;
  while (used.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

export function nextNodeId(doc: GraphDocument, type: string, alsoTaken: Iterable<NodeId> = []): NodeId {
  return nextNumberedId(idPrefixForType(type), [...doc.nodes.map((n) => n.id), ...alsoTaken]);
}

export function nextEdgeId(doc: GraphDocument, alsoTaken: Iterable<EdgeId> = []): EdgeId {
  return nextNumberedId('e', [...doc.edges.map((e) => e.id), ...alsoTaken]);
}

export function nextGroupId(doc: GraphDocument, alsoTaken: Iterable<GroupId> = []): GroupId {
  return nextNumberedId('g', [...doc.groups.map((g) => g.id), ...alsoTaken]);
}
