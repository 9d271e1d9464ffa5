/**
 * Document + analysis → React Flow nodes and edges. Pure: the canvas never stores flow nodes as truth.
 *
 * `FlowMapper` keeps the previous output and reuses a flow node object when nothing it shows has changed, so React
 * Flow (which compares node objects by identity) only re-renders what moved or changed — a 500-node graph stays
 * smooth while one node is dragged.
 */
import type { Edge, Node } from '@xyflow/react';
import type { EdgeId, GraphDocument, GraphGroup, GraphNode, NodeId, Position } from '../../../shared/document/model';
import type { LayerCategory, LayerSpec, Shape } from '../../../shared/catalog/spec';
import type { GraphAnalysis, GraphIssue, NodeAnalysis } from '../../../shared/inference/types';
import { findSkipEdges } from './skipEdges';

export type NodeLook =
  | 'inputs'
  | 'core'
  | 'convolution'
  | 'pooling'
  | 'normalization'
  | 'regularization'
  | 'activation'
  | 'merge'
  | 'recurrent'
  | 'output'
  | 'unknown';

export function lookOf(category: LayerCategory | undefined): NodeLook {
  return category ? (category.toLowerCase() as NodeLook) : 'unknown';
}

export interface LayerNodeData extends Record<string, unknown> {
  readonly node: GraphNode;
  readonly spec?: LayerSpec;
  readonly analysis?: NodeAnalysis;
  /** spec.summary of the resolved params ('' when params are invalid). */
  readonly summary: string;
  /** Error and warning messages about the node itself (not tied to an input port). */
  readonly issues: readonly GraphIssue[];
  /** Error message per input port. */
  readonly portErrors: Readonly<Record<number, string>>;
  /** Number of input handles: 0 for Input, one per port for ordered layers, else 1. */
  readonly inputHandles: number;
  readonly hasOutput: boolean;
  readonly groupName?: string;
}

export interface BlockFrameData extends Record<string, unknown> {
  readonly group: GraphGroup;
  readonly errorCount: number;
  readonly params: number;
}

export type LayerFlowNode = Node<LayerNodeData, NodeLook>;
export type BlockFrameNode = Node<BlockFrameData, 'blockFrame'>;
export type CollapsedBlockNode = Node<BlockFrameData, 'collapsedBlock'>;
export type FlowNode = LayerFlowNode | BlockFrameNode | CollapsedBlockNode;

export interface ShapeEdgeData extends Record<string, unknown> {
  readonly shape?: Shape;
  readonly skip: boolean;
  readonly error?: string;
}
export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>;

export interface NodeDescriber {
  spec(type: string): LayerSpec | undefined;
  /** spec.summary over the node's resolved params; '' when they do not resolve. */
  summary(node: GraphNode, spec: LayerSpec): string;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export const FRAME_PREFIX = 'frame:';
export const BLOCK_PREFIX = 'block:';
const DEFAULT_SIZE: Size = { width: 190, height: 76 };
const FRAME_PAD = 16;
const FRAME_HEADER = 32; // with FRAME_PAD a multiple of the grid, so dragging a frame keeps its layers on the grid

export function formatShape(shape: Shape | undefined): string {
  return shape ? `[${shape.join('×')}]` : '?';
}

/** Which ports of a node are wired, for handles: ordered layers show every port up to the last wired one + 1. */
export function inputHandleCount(spec: LayerSpec | undefined, node: GraphNode, doc: GraphDocument): number {
  if (!spec) return 1;
  if (spec.inputs.max === 0) return 0;
  if (!spec.inputs.ordered) return 1;
  let highest = -1;
  for (const e of doc.edges) if (e.target === node.id) highest = Math.max(highest, e.targetPort);
  return Math.min(spec.inputs.max, Math.max(spec.inputs.min, highest + 2));
}

/** `doc` as it looks mid-drag: the dragged nodes at their live positions, every other node object untouched. */
export function withDragPositions(doc: GraphDocument, positions: ReadonlyMap<NodeId, Position> | undefined): GraphDocument {
  if (!positions || positions.size === 0) return doc;
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: p };
  });
  return changed ? { ...doc, nodes } : doc;
}

interface CachedNode {
  readonly graphNode: GraphNode;
  readonly analysis: NodeAnalysis | undefined;
  readonly selected: boolean;
  readonly measured: Size | undefined;
  readonly inputHandles: number;
  readonly groupName: string | undefined;
  readonly issuesKey: string;
  readonly flow: LayerFlowNode;
}

export interface MapInput {
  readonly doc: GraphDocument;
  readonly analysis: GraphAnalysis;
  readonly selection: ReadonlySet<NodeId>;
  readonly edgeSelection: ReadonlySet<EdgeId>;
  readonly measured: ReadonlyMap<string, Size>;
}

export class FlowMapper {
  private readonly cache = new Map<NodeId, CachedNode>();
  private readonly edgeCache = new Map<EdgeId, ShapeFlowEdge>();
  private readonly frameCache = new Map<string, BlockFrameNode | CollapsedBlockNode>();
  private skipCache?: { edges: GraphDocument['edges']; nodes: GraphDocument['nodes']; skips: ReadonlySet<EdgeId> };

  constructor(private readonly describer: NodeDescriber) {}

  nodes(input: MapInput): FlowNode[] {
    const { doc, analysis, selection, measured } = input;
    const groupOf = new Map<NodeId, GraphGroup>();
    for (const g of doc.groups) for (const id of g.nodeIds) groupOf.set(id, g);

    const out: FlowNode[] = [];
    // Frames first so they render beneath their members.
    const frames = new Map<string, BlockFrameNode | CollapsedBlockNode>();
    for (const group of doc.groups) {
      const mapped = this.groupNode(group, input);
      if (!mapped) continue;
      // Same frame as last time → same object, so dragging a layer elsewhere does not re-render every block frame.
      const cached = this.frameCache.get(mapped.id);
      const frame = cached && sameFrame(cached, mapped) ? cached : mapped;
      frames.set(frame.id, frame);
      out.push(frame);
    }
    this.frameCache.clear();
    for (const [id, frame] of frames) this.frameCache.set(id, frame);
    const seen = new Set<NodeId>();
    for (const graphNode of doc.nodes) {
      seen.add(graphNode.id);
      const group = groupOf.get(graphNode.id);
      if (group?.collapsed) continue;
      const nodeAnalysis = analysis.nodes.get(graphNode.id);
      const isSelected = selection.has(graphNode.id);
      const size = measured.get(graphNode.id);
      const spec = this.describer.spec(graphNode.type);
      const handles = inputHandleCount(spec, graphNode, doc);
      const issues = nodeAnalysis?.issues ?? [];
      const issuesKey = issues.map((i) => i.code + i.message + (i.port ?? '')).join('|');
      const cached = this.cache.get(graphNode.id);
      if (
        cached &&
        cached.graphNode === graphNode &&
        cached.selected === isSelected &&
        cached.measured === size &&
        cached.inputHandles === handles &&
        cached.groupName === group?.name &&
        (cached.analysis === nodeAnalysis || sameAnalysis(cached.analysis, nodeAnalysis, issuesKey, cached.issuesKey))
      ) {
        out.push(cached.flow);
        continue;
      }
      const flow = this.layerNode(graphNode, spec, nodeAnalysis, isSelected, size, handles, group?.name);
      this.cache.set(graphNode.id, {
        graphNode,
        analysis: nodeAnalysis,
        selected: isSelected,
        measured: size,
        inputHandles: handles,
        groupName: group?.name,
        issuesKey,
        flow,
      });
      out.push(flow);
    }
    for (const id of this.cache.keys()) if (!seen.has(id)) this.cache.delete(id);
    return out;
  }

  edges(input: MapInput): ShapeFlowEdge[] {
    const { doc, analysis, edgeSelection } = input;
    const skips = this.skips(doc);
    const collapsedOwner = new Map<NodeId, string>();
    for (const g of doc.groups) if (g.collapsed) for (const id of g.nodeIds) collapsedOwner.set(id, BLOCK_PREFIX + g.id);

    const edgeErrors = new Map<EdgeId, string>();
    for (const issue of analysis.issues) {
      if (issue.severity === 'error' && issue.edgeId && !edgeErrors.has(issue.edgeId)) edgeErrors.set(issue.edgeId, issue.message);
    }
    // A port-level error without an edge id still belongs on the edges into that port.
    const portError = new Map<string, string>();
    for (const issue of analysis.issues) {
      if (issue.severity === 'error' && issue.nodeId && issue.port !== undefined) {
        const key = `${issue.nodeId}#${issue.port}`;
        if (!portError.has(key)) portError.set(key, issue.message);
      }
    }

    const typeById = new Map(doc.nodes.map((n) => [n.id, n.type]));
    const out: ShapeFlowEdge[] = [];
    const seen = new Set<EdgeId>();
    for (const e of doc.edges) {
      const source = collapsedOwner.get(e.source) ?? e.source;
      const target = collapsedOwner.get(e.target) ?? e.target;
      if (source === target && source !== e.source) continue; // internal to a collapsed block
      const ordered = this.describer.spec(typeById.get(e.target) ?? '')?.inputs.ordered ?? false;
      const error = edgeErrors.get(e.id) ?? portError.get(`${e.target}#${e.targetPort}`);
      const shape = analysis.edgeShapes.get(e.id);
      const skip = skips.has(e.id);
      const selected = edgeSelection.has(e.id);
      const targetHandle = target !== e.target ? 'in-0' : `in-${ordered ? e.targetPort : 0}`;
      seen.add(e.id);
      const cached = this.edgeCache.get(e.id);
      if (
        cached &&
        cached.source === source &&
        cached.target === target &&
        cached.targetHandle === targetHandle &&
        cached.selected === selected &&
        cached.data?.skip === skip &&
        cached.data.error === error &&
        sameShape(cached.data.shape, shape)
      ) {
        out.push(cached);
        continue;
      }
      const flow: ShapeFlowEdge = {
        id: e.id,
        type: 'shape',
        source,
        target,
        sourceHandle: 'out',
        targetHandle,
        selected,
        data: { ...(shape ? { shape } : {}), skip, ...(error ? { error } : {}) },
      };
      this.edgeCache.set(e.id, flow);
      out.push(flow);
    }
    for (const id of this.edgeCache.keys()) if (!seen.has(id)) this.edgeCache.delete(id);
    return out;
  }

  private skips(doc: GraphDocument): ReadonlySet<EdgeId> {
    const c = this.skipCache;
    if (c && c.edges === doc.edges && (c.nodes === doc.nodes || c.nodes.length === doc.nodes.length)) return c.skips;
    const skips = findSkipEdges(doc, (type) => (this.describer.spec(type)?.inputs.max ?? 1) > 1);
    this.skipCache = { edges: doc.edges, nodes: doc.nodes, skips };
    return skips;
  }

  private layerNode(
    node: GraphNode,
    spec: LayerSpec | undefined,
    analysis: NodeAnalysis | undefined,
    selected: boolean,
    size: Size | undefined,
    inputHandles: number,
    groupName: string | undefined,
  ): LayerFlowNode {
    const issues = analysis?.issues ?? [];
    const portErrors: Record<number, string> = {};
    const nodeIssues: GraphIssue[] = [];
    for (const issue of issues) {
      if (issue.port !== undefined && issue.severity === 'error') {
        portErrors[issue.port] ??= issue.message;
      } else {
        nodeIssues.push(issue);
      }
    }
    // A port error is also the node's error: show it on the face too.
    for (const issue of issues) if (issue.port !== undefined && issue.severity === 'error') nodeIssues.push(issue);
    return {
      id: node.id,
      type: lookOf(spec?.category),
      position: node.position,
      selected,
      ...(size ? { measured: size } : {}),
      data: {
        node,
        ...(spec ? { spec } : {}),
        ...(analysis ? { analysis } : {}),
        summary: spec ? this.describer.summary(node, spec) : '',
        issues: nodeIssues,
        portErrors,
        inputHandles,
        hasOutput: spec ? spec.type !== 'Output' : true,
        ...(groupName ? { groupName } : {}),
      },
    };
  }

  private groupNode(group: GraphGroup, input: MapInput): BlockFrameNode | CollapsedBlockNode | undefined {
    const { doc, analysis, measured, selection } = input;
    const members = doc.nodes.filter((n) => group.nodeIds.includes(n.id));
    if (members.length === 0) return undefined;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let errorCount = 0;
    let params = 0;
    for (const n of members) {
      const size = measured.get(n.id) ?? DEFAULT_SIZE;
      minX = Math.min(minX, n.position.x);
      minY = Math.min(minY, n.position.y);
      maxX = Math.max(maxX, n.position.x + size.width);
      maxY = Math.max(maxY, n.position.y + size.height);
      const a = analysis.nodes.get(n.id);
      params += a?.params ?? 0;
      errorCount += a?.issues.filter((i) => i.severity === 'error').length ?? 0;
    }
    const data: BlockFrameData = { group, errorCount, params };
    if (group.collapsed) {
      const id = BLOCK_PREFIX + group.id;
      const size = measured.get(id);
      return {
        id,
        type: 'collapsedBlock',
        position: { x: minX, y: minY },
        selected: members.every((n) => selection.has(n.id)),
        ...(size ? { measured: size } : {}),
        data,
      };
    }
    const id = FRAME_PREFIX + group.id;
    const width = maxX - minX + 2 * FRAME_PAD;
    const height = maxY - minY + 2 * FRAME_PAD + FRAME_HEADER;
    return {
      id,
      type: 'blockFrame',
      position: { x: minX - FRAME_PAD, y: minY - FRAME_PAD - FRAME_HEADER },
      width,
      height,
      measured: { width, height },
      selectable: false,
      zIndex: -1,
      dragHandle: '.block-frame-header',
      data,
    };
  }
}

function sameFrame(a: BlockFrameNode | CollapsedBlockNode, b: BlockFrameNode | CollapsedBlockNode): boolean {
  return (
    a.type === b.type &&
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    a.width === b.width &&
    a.height === b.height &&
    a.selected === b.selected &&
    a.measured?.width === b.measured?.width &&
    a.measured?.height === b.measured?.height &&
    a.data.group === b.data.group &&
    a.data.errorCount === b.data.errorCount &&
    a.data.params === b.data.params
  );
}

function sameAnalysis(
  a: NodeAnalysis | undefined,
  b: NodeAnalysis | undefined,
  aIssues: string,
  bIssues: string,
): boolean {
  if (!a || !b) return a === b;
  return (
    a.params === b.params &&
    a.flops === b.flops &&
    aIssues === bIssues &&
    sameShape(a.output, b.output) &&
    a.inputShapes.length === b.inputShapes.length &&
    a.inputShapes.every((s, i) => sameShape(s, b.inputShapes[i]))
  );
}

export function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d === b[i]);
}
