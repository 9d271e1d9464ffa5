/** Compact GraphDocument construction for tests, benchmarks and examples: nodes as tuples, edges as `a->b` pairs. */
import type { GraphDocument, GraphEdge, GraphNode, Params } from '../document/model';

export type NodeTuple = readonly [id: string, type: string, params?: Params];
/** `[source, target]` or `[source, target, targetPort]`. */
export type EdgeTuple = readonly [source: string, target: string, targetPort?: number];

export function edgeId(source: string, target: string, port = 0): string {
  return port === 0 ? `${source}->${target}` : `${source}->${target}:${port}`;
}

export function buildGraph(nodes: readonly NodeTuple[], edges: readonly EdgeTuple[], name = 'test'): GraphDocument {
  const graphNodes: GraphNode[] = nodes.map(([id, type, params], i) => ({
    id,
    type,
    params: params ?? {},
    position: { x: i * 200, y: 0 },
  }));
  const graphEdges: GraphEdge[] = edges.map(([source, target, port = 0]) => ({
    id: edgeId(source, target, port),
    source,
    target,
    targetPort: port,
  }));
  return { nodes: graphNodes, edges: graphEdges, groups: [], metadata: { name } };
}

/** A straight chain: each node feeds the next. */
export function buildChain(nodes: readonly NodeTuple[], name = 'chain'): GraphDocument {
  const edges: EdgeTuple[] = [];
  for (let i = 1; i < nodes.length; i++) edges.push([nodes[i - 1]?.[0] ?? '', nodes[i]?.[0] ?? '']);
  return buildGraph(nodes, edges, name);
}

/**
 * A chain `length` nodes long — vector Input → (length − 2) × Dense → classification Output — for tests that graphs as
 * deep as the loader allows (MAX_NODES) are handled without recursion over their depth.
 */
export function buildDeepChain(length: number, options: { inputSize?: number; units?: number; classes?: number } = {}): GraphDocument {
  const { inputSize = 2, units = 4, classes = 2 } = options;
  const nodes: NodeTuple[] = [['input', 'Input', { kind: 'vector', size: inputSize }]];
  for (let i = 1; i < length - 1; i++) nodes.push([`d${i}`, 'Dense', { units, activation: 'relu' }]);
  nodes.push(['output', 'Output', { task: 'classification', units: classes }]);
  return buildChain(nodes, `chain of ${length}`);
}
