import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../../shared/document/model';
import { inferDirection } from './flowDirection';

function chain(points: readonly [number, number][]): GraphDocument {
  const nodes = points.map(([x, y], i) => ({ id: `n${i}`, type: 'Dense', params: {}, position: { x, y } }));
  const edges = points.slice(1).map((_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}`, targetPort: 0 }));
  return { nodes, edges, groups: [] } as unknown as GraphDocument;
}

describe('inferDirection', () => {
  it('reads a column as DOWN and a row as RIGHT', () => {
    expect(inferDirection(chain([[0, 0], [0, 120], [16, 240]]))).toBe('DOWN');
    expect(inferDirection(chain([[0, 0], [240, 0], [480, 32]]))).toBe('RIGHT');
  });
  it('goes by the majority of edges and leaves a graph without edges undecided', () => {
    expect(inferDirection(chain([[0, 0], [0, 120], [0, 240], [240, 240]]))).toBe('DOWN');
    expect(inferDirection(chain([[0, 0]]))).toBe('either');
  });
});
