import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './analyzeGraph';
import { buildChain, buildGraph, edgeId } from './buildGraph';
import type { GraphIssue, IssueCode } from './types';
import type { GraphDocument } from '../document/model';
import { buildDeepChain } from './buildGraph';
import { MAX_NODES } from '../format/loadGraphFile';

const mlp = buildChain([
  ['input', 'Input', { kind: 'vector', size: 784 }],
  ['dense1', 'Dense', { units: 128 }],
  ['drop', 'Dropout', { rate: 0.2 }],
  ['out', 'Output', { task: 'classification', units: 10 }],
]);

function issuesOf(doc: GraphDocument, code: IssueCode): GraphIssue[] {
  return analyzeGraph(doc).issues.filter((i) => i.code === code);
}

describe('analyzeGraph: valid graphs', () => {
  it('infers shapes, params, flops and activations for an MLP', () => {
    const a = analyzeGraph(mlp);
    expect(a.issues).toEqual([]);
    expect(a.order).toEqual(['input', 'dense1', 'drop', 'out']);
    expect(a.nodes.get('dense1')?.output).toEqual([128]);
    expect(a.nodes.get('out')?.inputShapes).toEqual([[128]]);
    expect(a.nodes.get('dense1')?.params).toBe(784 * 128 + 128);
    expect(a.totals.params).toBe(784 * 128 + 128 + 128 * 10 + 10);
    expect(a.totals.flops).toBeGreaterThan(2 * 784 * 128);
    expect(a.nodes.get('input')?.activationBytes).toBe(784 * 4);
    expect(a.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(a.edgeShapes.get(edgeId('dense1', 'drop'))).toEqual([128]);
  });

  it('follows skip edges into Add and ordered ports into Concatenate', () => {
    const doc = buildGraph(
      [
        ['input', 'Input', { kind: 'image', height: 8, width: 8, channels: 4 }],
        ['a', 'Conv2D', { filters: 4 }],
        ['add', 'Add'],
        ['b', 'Conv2D', { filters: 2 }],
        ['cat', 'Concatenate'],
        ['gap', 'GlobalAvgPool2D'],
        ['out', 'Output', { units: 3 }],
      ],
      [
        ['input', 'a'],
        ['a', 'add'],
        ['input', 'add'],
        ['add', 'b'],
        ['b', 'cat', 1],
        ['add', 'cat', 0],
        ['cat', 'gap'],
        ['gap', 'out'],
      ],
    );
    const a = analyzeGraph(doc);
    expect(a.issues).toEqual([]);
    expect(a.nodes.get('cat')?.inputShapes).toEqual([
      [8, 8, 4],
      [8, 8, 2],
    ]);
    expect(a.nodes.get('out')?.output).toEqual([3]);
  });
});

describe('analyzeGraph: issues', () => {
  it('unknown-type', () => {
    const doc = buildChain([['input', 'Input'], ['x', 'Dense3D'], ['out', 'Output']]);
    expect(issuesOf(doc, 'unknown-type')).toEqual([
      { code: 'unknown-type', severity: 'error', nodeId: 'x', message: "Unknown layer type 'Dense3D' on 'x'" },
    ]);
    // The node below is quiet: an upstream-error warning, not another error.
    expect(issuesOf(doc, 'upstream-error')).toMatchObject([{ nodeId: 'out', severity: 'warning', port: 0, edgeId: 'x->out' }]);
  });

  it('invalid-param names the param', () => {
    const doc = buildChain([['input', 'Input'], ['d', 'Dense', { units: -3 }], ['out', 'Output']]);
    const [issue] = issuesOf(doc, 'invalid-param');
    expect(issue).toMatchObject({ severity: 'error', nodeId: 'd', param: 'units' });
    expect(issue?.message).toContain('between 1 and');
    expect(analyzeGraph(doc).nodes.get('d')?.output).toBeUndefined();
  });

  it('missing-input with the free port', () => {
    const doc = buildGraph(
      [['input', 'Input'], ['d', 'Dense'], ['cat', 'Concatenate'], ['out', 'Output']],
      [['input', 'cat', 1], ['cat', 'out']],
    );
    const issues = issuesOf(doc, 'missing-input');
    expect(issues).toMatchObject([
      { nodeId: 'd', port: 0, severity: 'error' },
      { nodeId: 'cat', port: 0, severity: 'error', message: "'cat' (Concatenate) needs at least 2 inputs but has 1" },
    ]);
  });

  it('too-many-inputs on the offending edge', () => {
    const doc = buildGraph(
      [['a', 'Input'], ['b', 'Input'], ['d', 'Dense'], ['out', 'Output']],
      [['a', 'd'], ['b', 'd', 2], ['d', 'out'], ['d', 'a']],
    );
    const issues = issuesOf(doc, 'too-many-inputs');
    expect(issues).toMatchObject([
      { nodeId: 'a', edgeId: 'd->a', message: "Input takes no inputs, but 'd' is connected to 'a'" },
      { nodeId: 'd', port: 2, edgeId: 'b->d:2' },
    ]);
  });

  it('port-conflict when two edges enter one port', () => {
    const doc = buildGraph(
      [['a', 'Input'], ['b', 'Input'], ['d', 'Dense'], ['out', 'Output']],
      [['a', 'd'], ['b', 'd'], ['d', 'out']],
    );
    expect(issuesOf(doc, 'port-conflict')).toMatchObject([{ nodeId: 'd', port: 0, edgeId: 'b->d', severity: 'error' }]);
  });

  it('shape-mismatch tied to the input port and edge', () => {
    const doc = buildGraph(
      [
        ['input', 'Input', { kind: 'image', height: 14, width: 14, channels: 16 }],
        ['c', 'Conv2D', { filters: 32 }],
        ['add', 'Add'],
        ['f', 'Flatten'],
        ['out', 'Output'],
      ],
      [['input', 'c'], ['input', 'add'], ['c', 'add', 1], ['add', 'f'], ['f', 'out']],
    );
    expect(issuesOf(doc, 'shape-mismatch')).toEqual([
      {
        code: 'shape-mismatch',
        severity: 'error',
        nodeId: 'add',
        port: 1,
        edgeId: 'c->add:1',
        message: 'Add: input 2 is 14×14×32 but input 1 is 14×14×16 — shapes must be equal',
      },
    ]);
    const dense = buildChain([['input', 'Input', { kind: 'image' }], ['d', 'Dense'], ['out', 'Output']]);
    expect(issuesOf(dense, 'shape-mismatch')[0]).toMatchObject({ nodeId: 'd', port: 0, edgeId: 'input->d' });
  });

  it('cycle marks every node on the cycle and only those', () => {
    const doc = buildGraph(
      [['input', 'Input'], ['a', 'Dense'], ['b', 'Dense'], ['c', 'Add'], ['after', 'Dense'], ['out', 'Output']],
      [['input', 'c'], ['c', 'a'], ['a', 'b'], ['b', 'c', 1], ['b', 'after'], ['after', 'out']],
    );
    const a = analyzeGraph(doc);
    expect(a.issues.filter((i) => i.code === 'cycle').map((i) => i.nodeId).sort()).toEqual(['a', 'b', 'c']);
    expect(a.nodes.get('after')?.issues.map((i) => i.code)).toEqual(['upstream-error']);
    expect(a.order.slice(0, 1)).toEqual(['input']);
    expect(a.order).toHaveLength(6);
    const self = buildGraph([['input', 'Input'], ['x', 'Add'], ['out', 'Output']], [['input', 'x'], ['x', 'x', 1], ['x', 'out']]);
    expect(issuesOf(self, 'cycle')).toMatchObject([{ nodeId: 'x', message: expect.stringContaining('feeds into itself') }]);
  });

  it('dangling-output is a warning', () => {
    const doc = buildGraph([['input', 'Input'], ['d', 'Dense'], ['out', 'Output']], [['input', 'd'], ['input', 'out']]);
    expect(issuesOf(doc, 'dangling-output')).toEqual([
      { code: 'dangling-output', severity: 'warning', nodeId: 'd', message: "The output of 'd' is not connected to anything" },
    ]);
  });

  it('no-input and no-output are graph-level', () => {
    const doc = buildChain([['d', 'Dense']]);
    const a = analyzeGraph(doc);
    expect(a.issues.filter((i) => i.code === 'no-input' || i.code === 'no-output')).toMatchObject([
      { code: 'no-input', severity: 'error' },
      { code: 'no-output', severity: 'error' },
    ]);
    expect(a.issues.find((i) => i.code === 'no-input')?.nodeId).toBeUndefined();
  });

  it('dangling-edge for edges to or from unknown nodes', () => {
    const doc: GraphDocument = {
      ...mlp,
      edges: [...mlp.edges, { id: 'ghost', source: 'nowhere', target: 'out', targetPort: 0 }, { id: 'lost', source: 'a', target: 'b', targetPort: 0 }],
    };
    const issues = issuesOf(doc, 'dangling-edge');
    // Graph-level issues come first, then node issues in topological order.
    expect(issues).toMatchObject([
      { edgeId: 'lost', message: "Edge 'lost' goes from unknown node 'a'" },
      { edgeId: 'ghost', nodeId: 'out', message: "Edge 'ghost' goes from unknown node 'nowhere'" },
    ]);
    expect(issues[0]?.nodeId).toBeUndefined();
    // The valid part still infers.
    expect(analyzeGraph(doc).nodes.get('out')?.output).toEqual([10]);
  });

  it('upstream-error stays a warning below the root cause', () => {
    const doc = buildChain([
      ['input', 'Input', { kind: 'image' }],
      ['d', 'Dense'],
      ['d2', 'Dense'],
      ['out', 'Output'],
    ]);
    const a = analyzeGraph(doc);
    expect(a.totals.errors).toBe(1);
    expect(issuesOf(doc, 'upstream-error').map((i) => [i.nodeId, i.severity])).toEqual([
      ['d2', 'warning'],
      ['out', 'warning'],
    ]);
  });
});

describe('analyzeGraph: scale', () => {
  it('handles a 20 000-node chain and a 20 000-node cycle without recursion limits', () => {
    const n = 20_000;
    const nodes: [string, string, Record<string, number>][] = [['input', 'Input', {}]];
    for (let i = 0; i < n; i++) nodes.push([`d${i}`, 'Dropout', { rate: 0 }]);
    nodes.push(['out', 'Output', { units: 2 }]);
    const chain = buildChain(nodes);
    const a = analyzeGraph(chain);
    expect(a.issues).toEqual([]);
    expect(a.order[0]).toBe('input');
    expect(a.order[a.order.length - 1]).toBe('out');

    const ring = buildGraph(
      nodes.slice(1, -1),
      nodes.slice(1, -1).map((node, i) => [node[0], `d${(i + 1) % n}`] as const),
    );
    const r = analyzeGraph(ring);
    expect(r.issues.filter((i) => i.code === 'cycle')).toHaveLength(n);
  });
});

describe('analyzeGraph on a graph as deep as the loader allows', () => {
  it(`analyses a ${MAX_NODES}-node chain without recursion over its depth`, () => {
    const analysis = analyzeGraph(buildDeepChain(MAX_NODES));
    expect(analysis.totals.errors).toBe(0);
    expect(analysis.order).toHaveLength(MAX_NODES);
    expect(analysis.order[0]).toBe('input');
    expect(analysis.order.at(-1)).toBe('output');
    expect(analysis.nodes.get('output')?.output).toEqual([2]);
  });
});
