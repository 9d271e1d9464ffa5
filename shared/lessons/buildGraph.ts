/**
 * A tiny builder for the lessons' starting graphs: nodes laid out top to bottom, edges named `source->target`
 * (the same ids the canvas gives a new edge), so a step can look for an edge by its ends.
 */
import type { GraphDocument, GraphEdge, GraphNode, Params } from '../document/model';

const ROW = 90;
const COLUMN = 260;

export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: GraphEdge[] = [];
  private row = 0;

  /** Adds a node below the previous one (`column` shifts it sideways, e.g. for a skip branch). */
  node(id: string, type: string, params: Params = {}, column = 0, label?: string): string {
    this.nodes.push({ id, type, params, position: { x: 200 + column * COLUMN, y: 40 + this.row * ROW }, ...(label ? { label } : {}) });
    this.row += 1;
    return id;
  }

  edge(source: string, target: string, targetPort = 0): void {
    this.edges.push({ id: `${source}->${target}`, source, target, targetPort });
  }

  /** Adds a node and wires it from `from`. */
  then(from: string, id: string, type: string, params: Params = {}, column = 0): string {
    this.node(id, type, params, column);
    this.edge(from, id);
    return id;
  }

  build(name: string, description?: string): GraphDocument {
    return { nodes: [...this.nodes], edges: [...this.edges], groups: [], metadata: { name, ...(description ? { description } : {}) } };
  }
}
