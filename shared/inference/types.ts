/** Results of analysing a whole graph: shapes, costs and every problem, tied to where it is. */
import type { EdgeId, NodeId } from '../document/model';
import type { Shape } from '../catalog/spec';

export const ISSUE_CODES = [
  'unknown-type',
  'invalid-param',
  'missing-input',
  'too-many-inputs',
  'port-conflict',
  'shape-mismatch',
  'cycle',
  'dangling-output',
  'no-input',
  'no-output',
  'dangling-edge',
  'upstream-error',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

export interface GraphIssue {
  readonly code: IssueCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly nodeId?: NodeId;
  /** Input port on `nodeId` the problem belongs to. */
  readonly port?: number;
  readonly edgeId?: EdgeId;
  /** Param name for `invalid-param`. */
  readonly param?: string;
}

export interface NodeAnalysis {
  readonly id: NodeId;
  readonly type: string;
  /** Input shapes in port order (undefined where unknown). */
  readonly inputShapes: readonly (Shape | undefined)[];
  /** Undefined when the node or something upstream is in error. */
  readonly output?: Shape;
  readonly params: number;
  readonly flops: number;
  /** Bytes of float32 activations this node outputs, per sample. */
  readonly activationBytes: number;
  readonly issues: readonly GraphIssue[];
}

export interface GraphTotals {
  readonly params: number;
  readonly flops: number;
  readonly activationBytes: number;
  readonly errors: number;
  readonly warnings: number;
}

export interface GraphAnalysis {
  /** Node ids in a topological order (nodes in cycles last). */
  readonly order: readonly NodeId[];
  readonly nodes: ReadonlyMap<NodeId, NodeAnalysis>;
  /** Shape each edge carries, when known. */
  readonly edgeShapes: ReadonlyMap<EdgeId, Shape>;
  readonly issues: readonly GraphIssue[];
  readonly totals: GraphTotals;
}
