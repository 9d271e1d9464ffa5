/**
 * Small graphs for the trainer's tests (the MNIST models live in examples/): plain GraphDocuments built from a list
 * of bricks, so a test reads like the network it trains.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphDocument, GraphEdge, GraphNode, Params } from '../../../shared/document/model';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { readGraphFile } from '../files/readGraphFile';

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

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

/** Reads one of the shipped examples/*.nbrick files, which must carry a training block. */
export async function readExample(name: string): Promise<GraphFile & { readonly training: TrainingConfig }> {
  const read = await readGraphFile(path.join(EXAMPLES, name));
  if (!read.ok) throw new Error(read.error.message);
  const { training } = read.file;
  if (!training) throw new Error(`${name} has no training block`);
  return { ...read.file, training };
}
