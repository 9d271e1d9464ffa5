/**
 * Left-to-right layered layout with elkjs (the bundled build runs in-process: no worker file to ship, works from
 * file://). Returns new positions; applying them is an ordinary moveNodes edit, so it can be undone.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphDocument, NodeId, Position } from '../../../shared/document/model';

export interface LayoutSize {
  readonly width: number;
  readonly height: number;
}

const elk = new ELK();
const FALLBACK: LayoutSize = { width: 190, height: 80 };

export async function layoutPositions(
  doc: GraphDocument,
  sizeOf: (id: NodeId) => LayoutSize | undefined,
  origin: Position = { x: 0, y: 0 },
): Promise<Map<NodeId, Position>> {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
      'elk.portConstraints': 'FIXED_ORDER',
    },
    children: doc.nodes.map((n) => {
      const size = sizeOf(n.id) ?? FALLBACK;
      return { id: n.id, width: size.width, height: size.height };
    }),
    edges: doc.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const result = await elk.layout(graph);
  const positions = new Map<NodeId, Position>();
  for (const child of result.children ?? []) {
    positions.set(child.id, {
      x: Math.round(((child.x ?? 0) + origin.x) / 16) * 16,
      y: Math.round(((child.y ?? 0) + origin.y) / 16) * 16,
    });
  }
  return positions;
}
