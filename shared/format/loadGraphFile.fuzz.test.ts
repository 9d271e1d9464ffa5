/**
 * Fuzz test: thousands of seeded mutations of the example files and fixtures must each give a typed load error
 * or a graph that analyzeGraph handles — never an exception, never a hang. A failure prints the seed and the
 * iteration; rerun with FUZZ_SEED=<seed> (and FUZZ_ITERATIONS=<n>) to reproduce.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../inference/analyzeGraph';
import { loadGraphFile, MAX_NODES, type LoadResult } from './loadGraphFile';
import { serializeGraphFile } from './serializeGraphFile';
import { duplicateSubgraph } from '../document/clipboard';
import { removeNodes } from '../document/edits';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261127);
const ITERATIONS = Number(process.env['FUZZ_ITERATIONS'] ?? 4000);
const ERROR_CODES = ['not-a-graph-file', 'too-new', 'invalid', 'too-large', 'too-many-nodes'];

/** mulberry32: tiny, fast and good enough to drive mutations reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const repo = path.resolve(import.meta.dirname, '../..');
function corpus(): { name: string; text: string }[] {
  const dirs = [path.join(repo, 'shared/format/fixtures'), path.join(repo, 'examples')];
  return dirs.flatMap((dir) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.nbrick'))
          .map((f) => ({ name: f, text: readFileSync(path.join(dir, f), 'utf8') }))
      : [],
  );
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class Mutator {
  constructor(private readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Every container (object or array) in the tree with the path to it. */
  containers(root: Json): Json[] {
    const out: Json[] = [];
    const stack: Json[] = [root];
    while (stack.length > 0) {
      const v = stack.pop() as Json;
      if (v !== null && typeof v === 'object') {
        out.push(v);
        for (const child of Object.values(v)) stack.push(child);
      }
    }
    return out;
  }

  weirdValue(): Json {
    const deep: Json = JSON.parse('['.repeat(200) + ']'.repeat(200));
    return this.pick<Json>([
      null, true, false, 0, -1, -1e9, 1e308, -1e308, 2 ** 53 + 1, 0.5, 1e-320, 65536, 4294967296,
      '', 'NaN', 'Infinity', '-Infinity', '-0', '1e999', 'relu', 'same', 'x'.repeat(1000), '__proto__',
      [], [3, 3], [-1, 0], [1e9, 1e9], [0.5], ['a'], [[1]], Array.from({ length: 40 }, () => 7),
      {}, { x: 1 }, { __proto__: 1 } as unknown as Json, deep,
    ]);
  }

  mutate(root: Json, graph: { nodes: Json[]; edges: Json[] }): void {
    const containers = this.containers(root);
    const target = this.pick(containers) as Json[] | { [k: string]: Json };
    const keys = Object.keys(target);
    const key = keys.length > 0 ? this.pick(keys) : '0';
    switch (this.int(12)) {
      case 0: // delete a field / element
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
        break;
      case 1:
      case 2: // replace with a value of another type or a hostile value
        (target as Record<string, Json>)[key] = this.weirdValue();
        break;
      case 3: { // a numeric param gets an extreme or negative value
        const node = this.pick(graph.nodes) as { params?: Record<string, Json> } | null | undefined;
        if (node !== null && typeof node === 'object' && node.params && typeof node.params === 'object') {
          const names = Object.keys(node.params);
          const name = names.length > 0 ? this.pick(names) : 'units';
          node.params[name] = this.pick<Json>([-1, 0, -1e6, 1e12, 1e308, 0.3, 'NaN', [0, 0], [-3, 2], [1e9, 1e9, 1e9]]);
        }
        break;
      }
      case 4: { // a cycle or a self-loop
        const ids = graph.nodes.map((n) => (n !== null && typeof n === 'object' ? (n as { id?: Json }).id : undefined)).filter((id): id is string => typeof id === 'string');
        if (ids.length > 0) graph.edges.push({ id: `fz${this.int(1e6)}`, source: this.pick(ids), target: this.pick(ids), targetPort: this.int(3) });
        break;
      }
      case 5: { // an unknown or hostile type
        const node = this.pick(graph.nodes) as Record<string, Json> | undefined;
        if (node && typeof node === 'object') node['type'] = this.pick<Json>(['Banana', '', 'constructor', '__proto__', 'toString', 'dense', 42]);
        break;
      }
      case 6: { // forbidden keys as own properties (JSON.stringify writes them out)
        Object.defineProperty(target, this.pick(['__proto__', 'constructor', 'prototype']), {
          value: { polluted: true }, enumerable: true, configurable: true, writable: true,
        });
        break;
      }
      case 7: { // duplicated ids
        const list = this.pick([graph.nodes, graph.edges]);
        const item = this.pick(list);
        if (item !== undefined) list.push(JSON.parse(JSON.stringify(item)) as Json);
        break;
      }
      case 8: { // deep nesting somewhere
        (target as Record<string, Json>)[key] = JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100));
        break;
      }
      case 9: { // an edge to a port far away, or to a node that does not exist
        const edge = this.pick(graph.edges) as Record<string, Json> | undefined;
        if (edge && typeof edge === 'object') {
          if (this.random() < 0.5) edge['targetPort'] = this.pick<Json>([5, 1024, 1025, -1, 1.5]);
          else edge[this.pick(['source', 'target'])] = 'ghost';
        }
        break;
      }
      case 10: { // the envelope itself
        const r = root as Record<string, Json>;
        const field = this.pick(['format', 'formatVersion', 'graph', 'training', 'runs']);
        r[field] = this.pick<Json>([0, 1, 2, 99, -1, 'neural-bricks/graph', null, {}, []]);
        break;
      }
      default: { // swap two nodes' params (type/param mismatch)
        const a = this.pick(graph.nodes) as Record<string, Json> | undefined;
        const b = this.pick(graph.nodes) as Record<string, Json> | undefined;
        if (a && b && typeof a === 'object' && typeof b === 'object') [a['params'], b['params']] = [b['params'] as Json, a['params'] as Json];
      }
    }
  }

  /** Text-level damage: truncation, a flipped character, or a stray byte. */
  damageText(text: string): string {
    const at = this.int(text.length);
    switch (this.int(3)) {
      case 0:
        return text.slice(0, at);
      case 1:
        return text.slice(0, at) + this.pick(['{', '}', '"', ',', '\\', '\u0000', 'é', '\ud800']) + text.slice(at + 1);
      default:
        return text.slice(0, at) + text.slice(at + 1 + this.int(20));
    }
  }
}

function checkResult(result: LoadResult, context: string): void {
  if (!result.ok) {
    expect(ERROR_CODES, context).toContain(result.error.code);
    expect(result.error.message.length, context).toBeGreaterThan(0);
    return;
  }
  const analysis = analyzeGraph(result.file.graph);
  expect(analysis.nodes.size, context).toBe(result.file.graph.nodes.length);
  for (const issue of analysis.issues) expect(issue.message.length, context).toBeGreaterThan(0);
  for (const value of [analysis.totals.params, analysis.totals.flops, analysis.totals.activationBytes]) {
    expect(typeof value, context).toBe('number');
  }
  // Whatever loads must save and load back to the same data.
  const again = loadGraphFile(serializeGraphFile(result.file));
  expect(again.ok && again.file, context).toEqual(result.file);

  // Edits on any loadable graph keep it loadable (fresh ids stay unique and valid, no dangling references).
  const ids = result.file.graph.nodes.map((n) => n.id);
  let graph = duplicateSubgraph(result.file.graph, ids.slice(0, 3)).document;
  graph = removeNodes(graph, ids.slice(-1));
  analyzeGraph(graph);
  const edited = loadGraphFile(serializeGraphFile({ ...result.file, graph }));
  expect(edited.ok ? 'ok' : edited.error.message, context).toBe('ok');
}

describe('fuzzing loadGraphFile + analyzeGraph', () => {
  const files = corpus();

  it(`survives ${ITERATIONS} seeded mutations (seed ${SEED})`, () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    const random = prng(SEED);
    const m = new Mutator(random);
    let loaded = 0;
    let refused = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const source = m.pick(files);
      const context = `seed ${SEED}, iteration ${i}, file ${source.name} (rerun with FUZZ_SEED=${SEED})`;
      let text: string;
      if (random() < 0.15) {
        text = m.damageText(source.text);
      } else {
        const root = JSON.parse(source.text) as Json;
        const graph = ((root as Record<string, Json>)['graph'] ?? {}) as Record<string, Json>;
        const nodes = (Array.isArray(graph['nodes']) ? graph['nodes'] : Array.isArray(graph['layers']) ? graph['layers'] : []) as Json[];
        const edges = (Array.isArray(graph['edges']) ? graph['edges'] : []) as Json[];
        const rounds = 1 + m.int(4);
        for (let r = 0; r < rounds; r++) m.mutate(root, { nodes, edges });
        text = JSON.stringify(root);
      }
      let result: LoadResult;
      try {
        result = loadGraphFile(text);
      } catch (e) {
        throw new Error(`loadGraphFile threw at ${context}: ${String(e)}`);
      }
      try {
        checkResult(result, context);
      } catch (e) {
        throw new Error(`${context}: ${e instanceof Error ? e.message : String(e)}\ninput: ${text.slice(0, 2000)}`);
      }
      if (result.ok) loaded++;
      else refused++;
      expect(({} as Record<string, unknown>)['polluted'], context).toBeUndefined();
    }
    // The mutations must exercise both paths, or the fuzzer is not testing anything.
    expect(loaded).toBeGreaterThan(ITERATIONS * 0.1);
    expect(refused).toBeGreaterThan(ITERATIONS * 0.1);
  });

  it('refuses oversized text and graphs over the node limit with a message', () => {
    const source = files[0]!.text;
    const big = loadGraphFile(source + ' '.repeat(2000), { maxBytes: source.length + 1000 });
    expect(!big.ok && big.error.code).toBe('too-large');
    expect(!big.ok && big.error.message).toMatch(/too large/);

    const root = JSON.parse(files.find((f) => f.name === 'v1.nbrick')!.text);
    const template = root.graph.nodes[3];
    root.graph.nodes = Array.from({ length: MAX_NODES + 1 }, (_, i) => ({ ...template, id: `n${i}` }));
    const many = loadGraphFile(JSON.stringify(root));
    expect(!many.ok && many.error.code).toBe('too-many-nodes');
    expect(!many.ok && many.error.message).toContain(`${MAX_NODES + 1} nodes`);
  });

  it('handles a graph at the node limit: loads and analyses a 5000-node chain', () => {
    const root = JSON.parse(files.find((f) => f.name === 'v1.nbrick')!.text);
    const nodes = [{ id: 'in', type: 'Input', params: { kind: 'vector', size: 4 }, position: { x: 0, y: 0 } }];
    const edges = [];
    for (let i = 1; i < MAX_NODES; i++) {
      nodes.push({ id: `d${i}`, type: 'Dense', params: { units: 4 } as never, position: { x: i, y: 0 } });
      edges.push({ id: `e${i}`, source: nodes[i - 1]!.id, target: `d${i}`, targetPort: 0 });
    }
    root.graph = { metadata: { name: 'chain' }, nodes, edges, groups: [] };
    const result = loadGraphFile(JSON.stringify(root));
    expect(result.ok).toBe(true);
    if (result.ok) expect(analyzeGraph(result.file.graph).nodes.size).toBe(MAX_NODES);
  });
});
