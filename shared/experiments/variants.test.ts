import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addNode, connect, emptyDocument, type GraphDocument } from '../document';
import { canonicalJson } from '../format/canonicalJson';
import { graphHash } from '../format/graphHash';
import { loadGraphFile } from '../format/loadGraphFile';
import type { TrainingConfig } from '../format/trainingConfig';
import { analyzeGraph } from '../inference/analyzeGraph';
import { deriveVariants, planVariants, removeSkipEdges, VariantError } from './variants';

function example(name: string): { graph: GraphDocument; training: TrainingConfig } {
  const loaded = loadGraphFile(readFileSync(new URL(`../../examples/${name}.nbrick`, import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(`examples/${name}.nbrick does not load`);
  return { graph: loaded.file.graph, training: loaded.file.training! };
}

const errorsOf = (doc: GraphDocument) => analyzeGraph(doc).issues.filter((i) => i.severity === 'error');
const types = (doc: GraphDocument) => doc.nodes.map((n) => n.type);

describe('deriveVariants on ResNet mini', () => {
  const { graph, training } = example('resnet-mini');

  it('the first variant is the baseline: the graph and config as they are', () => {
    const [baseline] = deriveVariants(graph, training, [{ kind: 'no-skips' }]);
    expect(baseline!.name).toBe('baseline');
    expect(baseline!.changes).toEqual([]);
    expect(graphHash(baseline!.graph)).toBe(graphHash(graph));
    expect(baseline!.config).toEqual(training);
  });

  it('no skip edges keeps the conv path, drops the identity skip and the projection shortcut, and analyses clean', () => {
    const variants = deriveVariants(graph, training, [{ kind: 'no-skips' }]);
    expect(variants.map((v) => v.name)).toEqual(['baseline', 'no skip edges']);
    const g = variants[1]!.graph;
    expect(errorsOf(g)).toEqual([]);
    expect(types(g)).not.toContain('Add');
    const ids = g.nodes.map((n) => n.id);
    expect(ids).not.toContain('b2_proj');
    expect(ids).not.toContain('b2_proj_bn');
    for (const id of ['b1_conv1', 'b1_conv2', 'b1_bn2', 'b2_conv1', 'b2_conv2', 'b2_bn2']) expect(ids).toContain(id);
    // The main branch feeds what the Add fed.
    expect(g.edges.some((e) => e.source === 'b1_bn2' && e.target === 'b1_relu')).toBe(true);
    expect(g.edges.some((e) => e.source === 'b2_bn2' && e.target === 'b2_relu')).toBe(true);
    // Each node has one path now: a plain chain.
    expect(g.edges).toHaveLength(g.nodes.length - 1);
    expect(variants[1]!.changes).toContain('b1_add: removed skip edge from stem_relu');
    expect(analyzeGraph(g).totals.params).toBeLessThan(analyzeGraph(graph).totals.params);
  });

  it('no norms removes all 6 BatchNorms (stem, 2 per block, the projection shortcut), rewiring through them', () => {
    const [, v] = deriveVariants(graph, training, [{ kind: 'no-norms' }]);
    expect(graph.nodes.filter((n) => n.type === 'BatchNorm')).toHaveLength(6);
    expect(types(v!.graph)).not.toContain('BatchNorm');
    expect(v!.graph.nodes).toHaveLength(graph.nodes.length - 6);
    expect(v!.changes).toHaveLength(6);
    expect(errorsOf(v!.graph)).toEqual([]);
    expect(v!.graph.edges.some((e) => e.source === 'stem' && e.target === 'stem_relu')).toBe(true);
    expect(v!.graph.edges.some((e) => e.source === 'b2_proj' && e.target === 'b2_add')).toBe(true);
  });

  it('never modifies the input document', () => {
    const before = canonicalJson(graph);
    planVariants(graph, training, [
      { kind: 'no-skips' },
      { kind: 'no-norms' },
      { kind: 'depth', groupId: 'block1', repeats: 3 },
      { kind: 'activation', from: 'relu', to: 'leakyRelu' },
    ]);
    expect(canonicalJson(graph)).toBe(before);
  });

  it('depth repeats a block; activation swap changes Activation nodes', () => {
    const [, deeper, leaky] = deriveVariants(graph, training, [
      { kind: 'depth', groupId: 'block1', repeats: 3 },
      { kind: 'activation', from: 'relu', to: 'leakyRelu' },
    ]);
    expect(deeper!.name).toBe('Residual block ×3');
    expect(deeper!.graph.nodes.filter((n) => n.type === 'Add')).toHaveLength(4);
    expect(errorsOf(deeper!.graph)).toEqual([]);
    expect(leaky!.name).toBe('ReLU → leaky ReLU');
    const acts = leaky!.graph.nodes.filter((n) => n.type === 'Activation').map((n) => n.params['activation']);
    expect(acts.length).toBeGreaterThan(0);
    expect(acts.every((a) => a === 'leakyRelu')).toBe(true);
    expect(errorsOf(leaky!.graph)).toEqual([]);
  });

  it('learning rates and seeds multiply every graph variant, named and with changes', () => {
    const variants = deriveVariants(graph, training, [
      { kind: 'no-skips' },
      { kind: 'learningRate', values: [0.1, 0.01] },
      { kind: 'seed', values: [1, 2] },
    ]);
    expect(variants).toHaveLength(2 * 2 * 2);
    expect(variants[0]!.name).toBe('baseline · lr 0.1 · seed 1');
    expect(variants[7]!.name).toBe('no skip edges · lr 0.01 · seed 2');
    expect(variants[7]!.config).toMatchObject({ learningRate: 0.01, seed: 2, dataset: 'mnist' });
    expect(variants[7]!.changes).toContain('learning rate 0.002 → 0.01');
    expect(variants[7]!.changes).toContain('seed 42 → 2');
    // Variants that share a graph share it exactly (one hash), whatever their lr/seed.
    expect(graphHash(variants[4]!.graph)).toBe(graphHash(variants[7]!.graph));
    expect(graphHash(variants[0]!.graph)).not.toBe(graphHash(variants[4]!.graph));
  });

  it('bad toggles are problems naming what is wrong, and deriveVariants throws the first', () => {
    const plan = planVariants(graph, training, [
      { kind: 'depth', groupId: 'nope', repeats: 2 },
      { kind: 'activation', from: 'sigmoid', to: 'relu' },
      { kind: 'learningRate', values: [-1] },
    ]);
    expect(plan.variants.map((v) => v.name)).toEqual(['baseline']);
    expect(plan.problems.map((p) => p.message)).toEqual([
      'depth: the graph has no block "nope"',
      'activation: no layer uses sigmoid',
      'learning rate -1 is not in (0, 10]',
    ]);
    expect(() => deriveVariants(graph, training, [{ kind: 'depth', groupId: 'nope', repeats: 2 }])).toThrow(VariantError);
  });
});

describe('no skip edges with Concatenate', () => {
  it('inception branches are parallel, not skips: the toggle is left out with a reason', () => {
    const { graph, training } = example('inception-branches');
    const plan = planVariants(graph, training, [{ kind: 'no-skips' }]);
    expect(plan.variants).toHaveLength(1);
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]!.message).toMatch(/^no skip edges: the graph has no Add or Concatenate input that bypasses layers/);
    expect(() => removeSkipEdges(graph)).toThrow(VariantError);
  });

  /** in → d1 → concat(in, d1) → add(concat, d2(concat)) → out: dropping the shortcut into the concat halves its width. */
  function denseStyle(): GraphDocument {
    let d = emptyDocument('dense');
    d = addNode(d, { id: 'in', type: 'Input', params: { kind: 'vector', size: 4 } });
    d = addNode(d, { id: 'd1', type: 'Dense', params: { units: 4 } });
    d = addNode(d, { id: 'cat', type: 'Concatenate', params: {} });
    d = addNode(d, { id: 'd2', type: 'Dense', params: { units: 8 } });
    d = addNode(d, { id: 'mix', type: 'Add', params: {} });
    d = addNode(d, { id: 'out', type: 'Output', params: { task: 'classification', units: 2 } });
    d = connect(d, { source: 'in', target: 'd1' });
    d = connect(d, { source: 'in', target: 'cat', targetPort: 0 });
    d = connect(d, { source: 'd1', target: 'cat', targetPort: 1 });
    d = connect(d, { source: 'cat', target: 'd2' });
    d = connect(d, { source: 'd2', target: 'mix' });
    d = connect(d, { source: 'cat', target: 'mix' });
    return connect(d, { source: 'mix', target: 'out' });
  }

  it('a Concatenate shortcut is removed (ports renumbered) and the merge becomes a pass-through', () => {
    const doc = denseStyle();
    expect(errorsOf(doc)).toEqual([]);
    const { graph, changes } = removeSkipEdges(doc);
    expect(changes).toContain('cat: removed skip edge from in');
    expect(changes).toContain('mix: removed skip edge from cat');
    expect(graph.nodes.map((n) => n.id)).toEqual(['in', 'd1', 'd2', 'out']);
    expect(graph.edges.map((e) => `${e.source}->${e.target}:${e.targetPort}`).sort()).toEqual(['d1->d2:0', 'd2->out:0', 'in->d1:0']);
  });

  it('a removal that breaks shapes is an error naming the node', () => {
    // Without the mix Add, d2 (8 wide) and cat (8 wide) feed a second Add that also reads d1 (4 wide) via a longer path.
    let doc = denseStyle();
    doc = addNode(doc, { id: 'd3', type: 'Dense', params: { units: 8 } });
    doc = addNode(doc, { id: 'sum', type: 'Add', params: {} });
    doc = { ...doc, edges: doc.edges.filter((e) => e.target !== 'out') };
    doc = connect(doc, { source: 'mix', target: 'd3' });
    doc = connect(doc, { source: 'd3', target: 'sum' });
    doc = connect(doc, { source: 'cat', target: 'sum' });
    doc = connect(doc, { source: 'sum', target: 'out' });
    expect(errorsOf(doc)).toEqual([]);
    // Removing skips leaves in → d1 → d2 → d3 → out: valid, so the variant exists.
    expect(planVariants(doc, example('xor').training, [{ kind: 'no-skips' }]).problems).toEqual([]);
    // A Concatenate whose width a later Add depends on: cat (in ‖ d1 = 8) + e8 (8); without the shortcut cat is 4 wide.
    let broken = emptyDocument('broken');
    broken = addNode(broken, { id: 'in', type: 'Input', params: { kind: 'vector', size: 4 } });
    broken = addNode(broken, { id: 'd1', type: 'Dense', params: { units: 4 } });
    broken = addNode(broken, { id: 'cat', type: 'Concatenate', params: {} });
    broken = addNode(broken, { id: 'e1', type: 'Dense', params: { units: 3 } });
    broken = addNode(broken, { id: 'e2', type: 'Dense', params: { units: 3 } });
    broken = addNode(broken, { id: 'e3', type: 'Dense', params: { units: 8 } });
    broken = addNode(broken, { id: 'mul', type: 'Multiply', params: {} });
    broken = addNode(broken, { id: 'out', type: 'Output', params: { task: 'classification', units: 2 } });
    broken = connect(broken, { source: 'in', target: 'd1' });
    broken = connect(broken, { source: 'in', target: 'cat', targetPort: 0 });
    broken = connect(broken, { source: 'd1', target: 'cat', targetPort: 1 });
    broken = connect(broken, { source: 'in', target: 'e1' });
    broken = connect(broken, { source: 'e1', target: 'e2' });
    broken = connect(broken, { source: 'e2', target: 'e3' });
    broken = connect(broken, { source: 'cat', target: 'mul' });
    broken = connect(broken, { source: 'e3', target: 'mul' });
    broken = connect(broken, { source: 'mul', target: 'out' });
    expect(errorsOf(broken)).toEqual([]);
    const plan = planVariants(broken, example('xor').training, [{ kind: 'no-skips' }]);
    expect(plan.variants).toHaveLength(1);
    expect(plan.problems[0]!.nodeId).toBe('mul');
    expect(plan.problems[0]!.message).toMatch(/^no skip edges would break the graph at node "mul": /);
  });
});

describe('no norms on a graph without norms', () => {
  it('is left out with a reason', () => {
    const { graph, training } = example('spirals');
    const plan = planVariants(graph, training, [{ kind: 'no-norms' }, { kind: 'learningRate', values: [0.1, 0.01] }]);
    expect(plan.problems.map((p) => p.message)).toEqual(['no norms: the graph has no BatchNorm or LayerNorm']);
    expect(plan.variants.map((v) => v.name)).toEqual(['baseline · lr 0.1', 'baseline · lr 0.01']);
  });
});
