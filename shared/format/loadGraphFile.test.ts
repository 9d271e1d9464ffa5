import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGraphFile, MAX_NODES, type GraphFileError, type LoadResult } from './loadGraphFile';
import { serializeGraphFile } from './serializeGraphFile';
import { CURRENT_FORMAT_VERSION, createGraphFile } from './graphFileSchema';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
/** The fixture of the current version: loads without migration. */
const currentText = fixture(`v${CURRENT_FORMAT_VERSION}.nbrick`);
const v1Text = fixture('v1.nbrick');

function errorOf(result: LoadResult): GraphFileError {
  if (result.ok) throw new Error('expected a load error');
  return result.error;
}

/** Loads the current fixture after applying `edit` to its parsed JSON. */
function loadEdited(edit: (file: any) => void): LoadResult {
  const json = JSON.parse(currentText);
  edit(json);
  return loadGraphFile(JSON.stringify(json));
}

describe('loadGraphFile', () => {
  it('loads the current fixture without migration', () => {
    const result = loadGraphFile(currentText);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.migratedFrom).toBeUndefined();
    expect(result.file.graph.nodes.map((n) => n.id)).toEqual(['input1', 'conv1', 'maxpool1', 'flatten1', 'dense1', 'dropout1', 'output1']);
    expect(result.file.graph.nodes[1]?.params['kernelSize']).toEqual([3, 3]);
    expect(result.file.training?.dataset).toBe('mnist');
    expect(result.file.runs?.[0]?.final.testAccuracy).toBe(0.945);
    expect(result.file.runs?.[0]?.checkpoint).toBe(true);
    expect(result.file.runs?.[0]?.graphHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.file.training?.keepCheckpoints).toBe(3);
  });

  it('migrates the v1 fixture to v2 without changing its data (v1 had no checkpoint fields)', () => {
    const result = loadGraphFile(v1Text);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.migratedFrom).toBe(1);
    expect(result.file).toEqual({ ...JSON.parse(v1Text), formatVersion: CURRENT_FORMAT_VERSION });
    expect(result.file.runs?.[0]?.checkpoint).toBeUndefined();
  });

  it('refuses checkpoint fields that are not what v2 says', () => {
    const badHash = errorOf(loadEdited((f) => (f.runs[0].graphHash = 'md5:abc')));
    expect(badHash.code === 'invalid' && badHash.path).toBe('runs[0].graphHash');
    const badFlag = errorOf(loadEdited((f) => (f.runs[0].checkpoint = false)));
    expect(badFlag.code === 'invalid' && badFlag.path).toBe('runs[0].checkpoint');
    const badKeep = errorOf(loadEdited((f) => (f.training.keepCheckpoints = -1)));
    expect(badKeep.code === 'invalid' && badKeep.path).toBe('training.keepCheckpoints');
  });

  it('migrates the v0 fixture: layers → nodes, targetHandle → targetPort, name → metadata', () => {
    const result = loadGraphFile(fixture('v0.nbrick'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.migratedFrom).toBe(0);
    const { graph } = result.file;
    expect(result.file.formatVersion).toBe(CURRENT_FORMAT_VERSION);
    expect(graph.metadata.name).toBe('Two-branch MLP (v0 prototype)');
    expect(graph.metadata.description).toMatch(/workshop prototype/);
    expect(graph.nodes).toHaveLength(5);
    expect(graph.groups).toEqual([]);
    expect(graph.edges.map((e) => [e.id, e.targetPort])).toEqual([['e1', 0], ['e2', 0], ['e3', 0], ['e4', 1], ['e5', 0]]);
    expect(result.file.training?.seed).toBe(7);
  });

  it('reports a v0 edge with an unreadable handle with its path', () => {
    const v0 = JSON.parse(fixture('v0.nbrick'));
    v0.graph.edges[3].targetHandle = 'left';
    const error = errorOf(loadGraphFile(JSON.stringify(v0)));
    expect(error.code).toBe('invalid');
    if (error.code === 'invalid') expect(error.path).toBe('graph.edges[3].targetHandle');
  });

  it('is canonical: serialize(load(text)) === text, and load(serialize(x)) equals x', () => {
    const result = loadGraphFile(currentText);
    if (!result.ok) throw new Error(result.error.message);
    expect(serializeGraphFile(result.file)).toBe(currentText);
    const again = loadGraphFile(serializeGraphFile(result.file));
    expect(again.ok && again.file).toEqual(result.file);
  });

  it('saves a migrated v0 file as canonical current version that loads unchanged', () => {
    const result = loadGraphFile(fixture('v0.nbrick'));
    if (!result.ok) throw new Error(result.error.message);
    const text = serializeGraphFile(result.file);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text).formatVersion).toBe(CURRENT_FORMAT_VERSION);
    const reloaded = loadGraphFile(text);
    expect(reloaded.ok && reloaded.file).toEqual(result.file);
    expect(reloaded.ok && reloaded.migratedFrom).toBeUndefined();
  });

  it('sorts keys at every depth regardless of input order', () => {
    const file = createGraphFile({ metadata: { name: 'x' }, groups: [], edges: [], nodes: [{ type: 'Dense', id: 'd', position: { y: 2, x: 1 }, params: { units: 3, activation: 'relu' } }] });
    const text = serializeGraphFile(file);
    expect(text.indexOf('"activation"')).toBeLessThan(text.indexOf('"units"'));
    expect(text.indexOf('"x"')).toBeLessThan(text.indexOf('"y"'));
    expect(text.indexOf('"id"')).toBeLessThan(text.indexOf('"type"'));
  });

  it('refuses text that is not JSON or has no envelope as not-a-graph-file', () => {
    for (const text of ['', 'hello', '{"nodes": []}', '[]', 'null', '42', '{"format": "tldraw"}', '{"format": "neural-bricks/graph"']) {
      expect(errorOf(loadGraphFile(text)).code, text).toBe('not-a-graph-file');
    }
  });

  it('loads a file that starts with a UTF-8 byte-order mark', () => {
    const result = loadGraphFile(`\uFEFF${v1Text}`);
    expect(result.ok ? result.file.graph.nodes.length : result.error.message).toBe(7);
    // Only a leading mark is allowed: one anywhere else is still not JSON.
    expect(errorOf(loadGraphFile(`\uFEFF\uFEFF${v1Text}`)).code).toBe('not-a-graph-file');
  });

  it('refuses newer files naming both versions', () => {
    const error = errorOf(loadEdited((f) => (f.formatVersion = 7)));
    expect(error.code).toBe('too-new');
    expect(error.message).toContain('version 7');
    expect(error.message).toContain(`version ${CURRENT_FORMAT_VERSION}`);
  });

  it('refuses a non-integer or negative version as invalid', () => {
    for (const v of ['1', 1.5, -1, null]) {
      const error = errorOf(loadEdited((f) => (f.formatVersion = v)));
      expect(error.code).toBe('invalid');
      if (error.code === 'invalid') expect(error.path).toBe('formatVersion');
    }
  });

  it('reports schema problems with a JSON path and reason', () => {
    const cases: [(f: any) => void, string][] = [
      [(f) => (f.graph.nodes[3].params.units = { big: true }), 'graph.nodes[3].params.units'],
      [(f) => (f.graph.nodes[4].params.units = 'NaN'), ''],
      [(f) => delete f.graph.nodes[2].type, 'graph.nodes[2].type'],
      [(f) => (f.graph.nodes[0].position.x = '10'), 'graph.nodes[0].position.x'],
      [(f) => (f.graph.edges[1].targetPort = -1), 'graph.edges[1].targetPort'],
      [(f) => (f.graph.edges[1].targetPort = 0.5), 'graph.edges[1].targetPort'],
      [(f) => (f.graph.nodes[0].colour = 'red'), 'graph.nodes[0].colour'],
      [(f) => (f.training.validationSplit = 0.9), 'training.validationSplit'],
      [(f) => (f.runs[0].status = 'running'), 'runs[0].status'],
      [(f) => (f.graph.nodes = {}), 'graph.nodes'],
    ];
    for (const [edit, path] of cases) {
      const result = loadEdited(edit);
      if (path === '') {
        // A string param is valid at load time: whether "NaN" is acceptable for units is analyzeGraph's call.
        expect(result.ok).toBe(true);
        continue;
      }
      const error = errorOf(result);
      expect(error.code, path).toBe('invalid');
      if (error.code !== 'invalid') continue;
      expect(error.path).toBe(path);
      expect(error.reason.length).toBeGreaterThan(0);
      expect(error.message).toContain(path);
    }
  });

  it('says what a wrong-type value is instead of calling it missing', () => {
    const nan = errorOf(loadEdited((f) => (f.graph.nodes[0].position.x = 'NaN')));
    expect(nan.message).toBe('invalid graph file: graph.nodes[0].position.x: expected number, found the string "NaN"');
    const nul = errorOf(loadEdited((f) => (f.graph.nodes[1].type = null)));
    expect(nul.code === 'invalid' && nul.reason).toBe('expected string, found null');
    const arr = errorOf(loadEdited((f) => (f.graph.metadata = [])));
    expect(arr.code === 'invalid' && arr.reason).toBe('expected object, found an array');
    // A field that is really absent is still reported as missing.
    const gone = errorOf(loadEdited((f) => delete f.graph.nodes[2].position));
    expect(gone.code === 'invalid' && `${gone.path}: ${gone.reason}`).toBe('graph.nodes[2].position: missing (expected object)');
  });

  it('reports a huge exponent (Infinity after parsing) as invalid', () => {
    const text = v1Text.replace('"units": 32', '"units": 1e999');
    const error = errorOf(loadGraphFile(text));
    expect(error.code === 'invalid' && error.path).toBe('graph.nodes[4].params.units');
  });

  it('reports duplicate ids and dangling references with paths', () => {
    const dupNode = errorOf(loadEdited((f) => (f.graph.nodes[2].id = 'conv1')));
    expect(dupNode.code === 'invalid' && dupNode.path).toBe('graph.nodes[2].id');
    expect(dupNode.message).toContain('conv1');

    const dupEdge = errorOf(loadEdited((f) => (f.graph.edges[2].id = 'e1')));
    expect(dupEdge.code === 'invalid' && dupEdge.path).toBe('graph.edges[2].id');

    const dangling = errorOf(loadEdited((f) => (f.graph.edges[4].target = 'ghost')));
    expect(dangling.code === 'invalid' && dangling.path).toBe('graph.edges[4].target');
    expect(dangling.message).toContain('ghost');

    const badGroup = errorOf(loadEdited((f) => f.graph.groups[0].nodeIds.push('nobody')));
    expect(badGroup.code === 'invalid' && badGroup.path).toBe('graph.groups[0].nodeIds[2]');
  });

  it('refuses __proto__ / constructor / prototype keys without polluting Object.prototype', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const text = v1Text.replace('"units": 32', `"units": 32, "${key}": { "polluted": true }`);
      const error = errorOf(loadGraphFile(text));
      expect(error.code).toBe('invalid');
      if (error.code === 'invalid') expect(error.path).toBe(`graph.nodes[4].params.${key}`);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
    const top = errorOf(loadGraphFile(v1Text.replace('"format":', '"__proto__": {"polluted": 1}, "format":')));
    expect(top.code === 'invalid' && top.path).toBe('__proto__');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses absurdly deep nesting as invalid, not a crash', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const error = errorOf(loadGraphFile(v1Text.replace('"rate": 0.25', `"rate": ${deep}`)));
    expect(error.code).toBe('invalid');
  });

  it('refuses text over the size limit before parsing', () => {
    const error = errorOf(loadGraphFile(v1Text, { maxBytes: 100 }));
    expect(error.code).toBe('too-large');
    if (error.code === 'too-large') expect(error.bytes).toBeGreaterThan(100);
    expect(error.message).toMatch(/too large/);
    // Multi-byte characters count as bytes, not characters: 62 characters, 122 bytes.
    const text = `"${'é'.repeat(60)}"`;
    const multiByte = errorOf(loadGraphFile(text, { maxBytes: 100 }));
    expect(multiByte.code === 'too-large' && multiByte.bytes).toBe(Buffer.byteLength(text));
    expect(loadGraphFile(text, { maxBytes: 122 }).ok).toBe(false); // within the limit: refused only as not a graph
    expect(errorOf(loadGraphFile(text, { maxBytes: 122 })).code).toBe('not-a-graph-file');
  });

  it('refuses graphs over the node limit', () => {
    const nodes = Array.from({ length: MAX_NODES + 1 }, (_, i) => ({ id: `n${i}`, type: 'Dense', params: {}, position: { x: 0, y: 0 } }));
    const text = serializeGraphFile(createGraphFile({ metadata: { name: 'big' }, nodes, edges: [], groups: [] }));
    const error = errorOf(loadGraphFile(text));
    expect(error.code).toBe('too-many-nodes');
    expect(error.message).toContain(String(MAX_NODES));
  });

  it('every example file loads and is already in canonical form', () => {
    const dir = path.resolve(import.meta.dirname, '../../examples');
    const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.nbrick')) : [];
    for (const name of names) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      const result = loadGraphFile(text);
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
      expect(serializeGraphFile(result.file), name).toBe(text);
    }
  });
});
