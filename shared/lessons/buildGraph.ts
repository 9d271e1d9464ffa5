/**
 * A tiny builder for the lessons' starting graphs: nodes laid out left to right like the canvas's own layout (inputs
 * on the left side of a node, outputs on the right), edges named `source->target`, so a step can find an edge by
 * its ends.
 */
import type { GraphDocument, GraphEdge, GraphNode, Params } from '../document/model';

const STEP = 200;
const LANE = 140;

export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: GraphEdge[] = [];
  private column = 0;

  /** Adds a node right of the previous one (`lane` moves it down, e.g. for a shortcut branch). */
  node(id: string, type: string, params: Params = {}, lane = 0, label?: string): string {
    this.nodes.push({ id, type, params, position: { x: 40 + this.column * STEP, y: 120 + lane * LANE }, ...(label ? { label } : {}) });
    this.column += 1;
    return id;
  }

  edge(source: string, target: string, targetPort = 0): void {
    this.edges.push({ id: `${source}->${target}`, source, target, targetPort });
  }

  /** Adds a node and wires it from `from`. */
  then(from: string, id: string, type: string, params: Params = {}, lane = 0): string {
    this.node(id, type, params, lane);
    this.edge(from, id);
    return id;
  }

  build(name: string, description?: string): GraphDocument {
    return { nodes: [...this.nodes], edges: [...this.edges], groups: [], metadata: { name, ...(description ? { description } : {}) } };
  }
}
