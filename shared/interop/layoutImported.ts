/**
 * A readable top-to-bottom placement for an imported graph, without the canvas (the renderer's elk layout needs the
 * DOM-free elkjs bundle, which shared code may not import; the app can re-run its auto layout on the result).
 * Each node sits one row below its deepest input (longest path), on the spacing of the examples (rows 112 px apart,
 * columns 224 px). The main line — from the Output back through each node's first input — is one straight column;
 * side branches (shortcuts, parallel towers) take the next free column beside it.
 */
import type { GraphDocument, GraphNode, NodeId } from '../document/model';

export const ROW_STEP = 112;
export const COLUMN_STEP = 224;
const ORIGIN = { x: 16, y: 16 } as const;

export function layoutTopDown(doc: GraphDocument): GraphNode[] {
  const inputs = new Map<NodeId, { source: NodeId; port: number }[]>();
  for (const e of doc.edges) inputs.set(e.target, [...(inputs.get(e.target) ?? []), { source: e.source, port: e.targetPort }]);
  for (const list of inputs.values()) list.sort((a, b) => a.port - b.port);

  // Rows: longest path from a source (nodes come in file order, which Keras keeps topological; iterate to be sure).
  const row = new Map<NodeId, number>();
  const visiting = new Set<NodeId>();
  const rowOf = (id: NodeId): number => {
    const known = row.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const r = Math.max(-1, ...(inputs.get(id) ?? []).map((i) => rowOf(i.source))) + 1;
    visiting.delete(id);
    row.set(id, r);
    return r;
  };
  for (const n of doc.nodes) rowOf(n.id);

  // The main line: from the last Output (or last node) back through first inputs.
  const column = new Map<NodeId, number>();
  const end = [...doc.nodes].reverse().find((n) => n.type === 'Output') ?? doc.nodes[doc.nodes.length - 1];
  for (let id = end?.id; id !== undefined && !column.has(id); id = inputs.get(id)?.[0]?.source) column.set(id, 0);

  const used = new Map<number, Set<number>>();
  const take = (r: number, c: number) => {
    const set = used.get(r) ?? new Set<number>();
    set.add(c);
    used.set(r, set);
  };
  for (const [id, c] of column) take(row.get(id) ?? 0, c);
  for (const n of doc.nodes) {
    if (column.has(n.id)) continue;
    const r = row.get(n.id) ?? 0;
    const preferred = column.get(inputs.get(n.id)?.[0]?.source ?? '') ?? 1;
    let c = Math.max(1, preferred);
    while (used.get(r)?.has(c)) c++;
    column.set(n.id, c);
    take(r, c);
  }
  return doc.nodes.map((n) => ({ ...n, position: { x: ORIGIN.x + (column.get(n.id) ?? 0) * COLUMN_STEP, y: ORIGIN.y + (row.get(n.id) ?? 0) * ROW_STEP } }));
}
