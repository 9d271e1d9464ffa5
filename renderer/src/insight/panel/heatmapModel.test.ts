import { describe, expect, it } from 'vitest';
import type { RunTelemetry } from '../../../../shared/contracts/telemetry';
import type { GraphDocument } from '../../../../shared/document/model';
import { availableSignals, depthOrder, formatSignal, heatmapRows } from './heatmapModel';
import { chainGraph, syntheticTelemetry } from './telemetryFixture.testing';

/** in → a → (b1 → b2) and c (a side branch) → add → out, nodes listed out of order. */
function branchy(): GraphDocument {
  const node = (id: string, type: string) => ({ id, type, params: {}, position: { x: 0, y: 0 } });
  const edge = (source: string, target: string) => ({ id: `${source}->${target}`, source, target, targetPort: 0 });
  return {
    nodes: [node('out', 'Dense'), node('add', 'Add'), node('b2', 'Dense'), node('c', 'Dense'), node('b1', 'Dense'), node('a', 'Dense'), node('in', 'Input')],
    edges: [edge('in', 'a'), edge('a', 'b1'), edge('b1', 'b2'), edge('a', 'c'), edge('b2', 'add'), edge('c', 'add'), edge('add', 'out')],
    groups: [],
    metadata: { name: 'branchy' },
  };
}

describe('depthOrder', () => {
  it('orders nodes from the input to the output by their longest path, whatever the document order', () => {
    const order = depthOrder(branchy());
    expect(order[0]).toBe('in');
    expect(order[1]).toBe('a');
    // b1 and c are both one step below a; b2 is two.
    expect(order.indexOf('b1')).toBeLessThan(order.indexOf('b2'));
    expect(order.indexOf('c')).toBeLessThan(order.indexOf('b2'));
    expect(order.slice(-2)).toEqual(['add', 'out']);
  });

  it('is empty without a graph and keeps nodes of a cycle', () => {
    expect(depthOrder(undefined)).toEqual([]);
    const cyclic = branchy();
    const withCycle = { ...cyclic, edges: [...cyclic.edges, { id: 'loop', source: 'out', target: 'a', targetPort: 0 }] };
    expect(depthOrder(withCycle).sort()).toEqual(['a', 'add', 'b1', 'b2', 'c', 'in', 'out']);
  });
});

describe('heatmapRows', () => {
  const telemetry: RunTelemetry = {
    batchesPerEpoch: 10,
    steps: [1, 2, 3],
    nodes: {
      out: { gradNorm: [0.1, 0.2, 0.3] },
      gone: { gradNorm: [1, 1, 1] },
      a: { gradNorm: [0, null, 1e-4], deadFraction: [0.1, 0.2, 0.3] },
      add: { activationStd: [1, 1, 1] },
      c: { gradNorm: [null, null, null] },
    },
  };

  it('takes the nodes with the signal in depth order, with their types, and puts nodes the graph lost last', () => {
    const rows = heatmapRows(telemetry, 'gradNorm', branchy());
    expect(rows.map((r) => r.nodeId)).toEqual(['a', 'out', 'gone']);
    expect(rows[0]).toEqual({ nodeId: 'a', type: 'Dense', values: [0, null, 1e-4] });
    expect(rows[2]!.type).toBeUndefined();
    expect(heatmapRows(telemetry, 'activationStd', branchy()).map((r) => r.nodeId)).toEqual(['add']);
  });

  it('lists the signals some node has, never one only nulls carry', () => {
    expect(availableSignals(telemetry)).toEqual(['gradNorm', 'activationStd', 'deadFraction']);
  });

  it('orders a real-shaped record by depth, one value per recorded step', () => {
    const graph = chainGraph(6);
    const record = syntheticTelemetry(graph, { batchesPerEpoch: 40, epochs: 3, every: 5 });
    const rows = heatmapRows(record, 'gradNorm', graph);
    expect(rows.map((r) => r.nodeId)).toEqual(['dense_1', 'dense_2', 'dense_3', 'dense_4', 'dense_5', 'dense_6', 'out']);
    for (const row of rows) expect(row.values).toHaveLength(record.steps.length);
  });
});

describe('formatSignal', () => {
  it('shows fractions as percentages and norms with 3 significant digits', () => {
    expect(formatSignal('deadFraction', 0.5)).toBe('50.0%');
    expect(formatSignal('gradNorm', 0.1234)).toBe('0.123');
    expect(formatSignal('gradNorm', 3.2e-6)).toBe('3.20e-6');
    expect(formatSignal('gradNorm', 0)).toBe('0');
    expect(formatSignal('gradNorm', null)).toBe('—');
  });
});
