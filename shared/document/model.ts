/**
 * The graph document: plain, serialisable data and the single source of truth for a network.
 * No tfjs objects and no React Flow internals live here; adapters convert at the edges.
 */

export type NodeId = string;
export type EdgeId = string;
export type GroupId = string;

/** A parameter value as stored in a file: tuples (kernel size, strides, target shape) are number arrays. */
export type ParamValue = number | string | boolean | readonly number[];
export type Params = Readonly<Record<string, ParamValue>>;

export interface Position {
  readonly x: number;
  readonly y: number;
}

export interface GraphNode {
  readonly id: NodeId;
  /** Catalog type string, e.g. `Dense`, `Conv2D` (see shared/catalog). */
  readonly type: string;
  readonly params: Params;
  readonly position: Position;
  readonly label?: string;
  readonly notes?: string;
}

export interface GraphEdge {
  readonly id: EdgeId;
  readonly source: NodeId;
  readonly target: NodeId;
  /** Input port on the target, 0-based. Matters for ordered multi-input layers such as Concatenate. */
  readonly targetPort: number;
}

/** A named set of nodes: a reusable block that can be collapsed on the canvas and re-inserted. */
export interface GraphGroup {
  readonly id: GroupId;
  readonly name: string;
  readonly nodeIds: readonly NodeId[];
  readonly collapsed?: boolean;
}

export interface GraphMetadata {
  readonly name: string;
  readonly description?: string;
}

export interface GraphDocument {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly groups: readonly GraphGroup[];
  readonly metadata: GraphMetadata;
}

export function emptyDocument(name = 'Untitled'): GraphDocument {
  return { nodes: [], edges: [], groups: [], metadata: { name } };
}
