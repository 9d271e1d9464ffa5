/**
 * Small graphs for the trainer's tests (the MNIST models live in examples/): plain GraphDocuments built from a list
 * of bricks, so a test reads like the network it trains.
 */
import type { GraphDocument, GraphEdge, GraphNode, Params } from '../../../shared/document/model';

export type Brick = readonly [id: string, type: string, params: Params];

/** A straight chain: each brick feeds the next. */
export function chainGraph(name: string, bricks: readonly Brick[]): GraphDocument {
  const nodes: GraphNode[] = bricks.map(([id, type, params], i) => ({ id, type, params, position: { x: i * 200, y: 0 } }));
  const edges: GraphEdge[] = [];
  for (let i = 1; i < bricks.length; i++) {
    edges.push({ id: `e${i}`, source: bricks[i - 1]![0], target: bricks[i]![0], targetPort: 0 });
  }
  return { metadata: { name }, nodes, edges, groups: [] };
}

const vectorInput = (size: number): Brick => ['input', 'Input', { kind: 'vector', size }];
const head = (units: number): Brick => ['output', 'Output', { task: 'classification', units }];

export const XOR_MLP = chainGraph('XOR MLP', [vectorInput(2), ['hidden', 'Dense', { units: 16, activation: 'tanh' }], head(2)]);

export const SPIRALS_MLP = chainGraph('Spirals MLP', [
  vectorInput(2),
  ['h1', 'Dense', { units: 64, activation: 'relu' }],
  ['h2', 'Dense', { units: 64, activation: 'relu' }],
  ['h3', 'Dense', { units: 64, activation: 'relu' }],
  head(2),
]);
