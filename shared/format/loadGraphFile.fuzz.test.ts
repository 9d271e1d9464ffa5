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
import { Mutator, mutatedGraphText, prng } from './testing/graphFileMutator';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261127);
const ITERATIONS = Number(process.env['FUZZ_ITERATIONS'] ?? 4000);
const ERROR_CODES = ['not-a-graph-file', 'too-new', 'invalid', 'too-large', 'too-many-nodes'];

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
      const text = mutatedGraphText(m, random, source.text);
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
