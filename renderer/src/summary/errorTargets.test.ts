import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { buildGraph } from '../../../shared/inference/buildGraph';
import { errorTargets, nextErrorNode } from './errorTargets';

// Mid-build: no Output yet (a graph-level error), an Add fed mismatched shapes, and a Dense with a bad unit count.
const doc = buildGraph(
  [
    ['input', 'Input', { kind: 'vector', size: 4 }],
    ['a', 'Dense', { units: 64 }],
    ['b', 'Dense', { units: 32 }],
    ['add', 'Add'],
    ['bad', 'Dense', { units: 0 }],
  ],
  [
    ['input', 'a'],
    ['input', 'b'],
    ['a', 'add', 0],
    ['b', 'add', 1],
    ['add', 'bad'],
  ],
);

describe('errorTargets', () => {
  const analysis = analyzeGraph(doc);
  const targets = errorTargets(doc, analysis.issues);

  it('puts layer errors before the graph-level "no Output", one stop per layer', () => {
    const graphLevel = analysis.issues.filter((i) => i.severity === 'error' && i.nodeId === undefined && i.edgeId === undefined);
    expect(graphLevel.length).toBeGreaterThan(0); // the case that used to win the jump
    expect(targets.graphMessages).toEqual(graphLevel.map((i) => i.message));
    expect(targets.nodes.map((t) => t.nodeId).sort()).toEqual(['add', 'bad']);
  });

  it('cycles through the error layers from the current selection', () => {
    const [first, second] = targets.nodes.map((t) => t.nodeId);
    expect(nextErrorNode(targets, [])?.nodeId).toBe(first);
    expect(nextErrorNode(targets, [first!])?.nodeId).toBe(second);
    expect(nextErrorNode(targets, [second!])?.nodeId).toBe(first);
    // A selection that is not an error layer (or several layers) starts again at the first.
    expect(nextErrorNode(targets, ['input'])?.nodeId).toBe(first);
    expect(nextErrorNode(targets, [first!, second!])?.nodeId).toBe(first);
  });

  it('has no layer to show when only the graph is wrong', () => {
    const onlyInput = buildGraph([['input', 'Input', { kind: 'vector', size: 4 }]], []);
    const t = errorTargets(onlyInput, analyzeGraph(onlyInput).issues);
    expect(t.nodes).toEqual([]);
    expect(nextErrorNode(t, [])).toBeUndefined();
    expect(t.graphMessages.length).toBeGreaterThan(0);
  });
});
