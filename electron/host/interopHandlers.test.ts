/**
 * File → Export… and File → Import… through the web host's LabApi (issue 15), over a real workspace on disk: payloads
 * are validated as on the wire; exports land in new folders under workspace/exports/ whatever name the page sends;
 * uploads land in workspace/imports/<name>/ and may not name files or shards outside; an uploaded TF.js model with its
 * shards opens as a saved workspace file whose imported weights are a kept run, which then exports to PyTorch with
 * those weights; nodes or layers that cannot be converted come back listed, not as a crash.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { parseRequest, type ApiHandlers, type ApiMethod, type ApiResponses } from '../../shared/contracts/api';
import { createGraphFile, type GraphFile } from '../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../shared/format/loadGraphFile';
import { CheckpointService } from '../services/checkpoints/CheckpointService';
import { compileGraph } from '../services/compiler/compileGraph';
import { caseGraph, SEQUENCE } from '../services/export/exportTestCases';
import { idleTrainingService } from '../services/testing/idleTraining';
import { saveModelToDir } from '../services/training/modelFiles';
import { Autosave } from './autosave';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';
import { workspaceFolder } from './workspaceFolders';

const REPO = path.resolve(__dirname, '../..');

let dir: string;
let ws: string;
let outside: string;
let handlers: ApiHandlers;

function call<M extends ApiMethod>(method: M, request: unknown): Promise<ApiResponses[M]> {
  return (handlers[method] as (r: unknown) => Promise<ApiResponses[M]>)(parseRequest(method, request));
}
const errorOf = async (promise: Promise<unknown>) => promise.then(() => 'no error', (e: unknown) => (e as Error).message);

function example(name: string): GraphFile {
  const loaded = loadGraphFile(readFileSync(path.join(REPO, 'examples', name), 'utf8'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.file;
}

/** Everything under `root`, as sorted relative paths. */
function tree(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

/** A TF.js layers model (model.json + weights.bin) of the spirals graph with seeded weights, as the page would upload it. */
async function spiralsTfjs(): Promise<{ name: string; base64: string }[]> {
  await tf.setBackend('cpu');
  const compiled = compileGraph(example('spirals.nbrick').graph, { seed: 7 });
  const out = path.join(dir, 'tfjs-src');
  await saveModelToDir(compiled.model, out);
  compiled.model.dispose();
  return readdirSync(out).map((name) => ({ name, base64: readFileSync(path.join(out, name)).toString('base64') }));
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-interop-'));
  ws = path.join(dir, 'ws');
  outside = path.join(dir, 'outside');
  for (const folder of [ws, outside, path.join(dir, 'examples')]) mkdirSync(folder, { recursive: true });
  const folders = { workspace: ws, examples: path.join(dir, 'examples') };
  handlers = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(path.join(ws, '.neural-bricks')),
    datasets: createDatasetService(),
    training: idleTrainingService(),
    autosave: new Autosave(path.join(ws, '.neural-bricks')),
    checkpoints: new CheckpointService({ stateDir: path.join(ws, '.neural-bricks'), boundary: workspaceFolder(folders), log: () => {} }),
    appVersion: 'test',
  });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('exportGraph payloads', () => {
  it('are validated: the format, the file, the run id and the path are checked by name', async () => {
    const file = example('xor.nbrick');
    expect(() => parseRequest('exportGraph', { file, path: null, format: 'caffe' })).toThrow(/Invalid payload for exportGraph: format:/);
    expect(() => parseRequest('exportGraph', { file: { graph: 1 }, path: null, format: 'onnx' })).toThrow(/exportGraph: file/);
    expect(() => parseRequest('exportGraph', { file, path: null, format: 'onnx', runId: '' })).toThrow(/runId/);
    expect(() => parseRequest('exportGraph', { file, path: 'a\0b', format: 'onnx' })).toThrow(/path: path must not contain NUL/);
    expect(() => parseRequest('exportGraph', { file, path: null, format: 'onnx', extra: 1 })).toThrow(/exportGraph/);
    expect(parseRequest('exportGraph', { file, path: null, format: 'onnx' })).toMatchObject({ format: 'onnx', path: null });
  });
});

describe('exportGraph in the web host', () => {
  it('writes a graph without runs into workspace/exports/<name>-<format>/ with freshly initialised weights, a new folder each time', async () => {
    const file = example('spirals.nbrick');
    const first = await call('exportGraph', { file, path: null, format: 'onnx', name: 'Spirals' });
    expect(first).toMatchObject({ status: 'exported', format: 'onnx', directory: 'workspace/exports/Spirals-onnx', weightsFrom: 'freshly initialised (no kept run)' });
    if (first?.status !== 'exported') throw new Error('not exported');
    expect(first.files).toEqual(['workspace/exports/Spirals-onnx/model.onnx', 'workspace/exports/Spirals-onnx/README.md']);
    expect(first.runId).toBeUndefined();
    expect(first.summary[0]).toMatch(/^ONNX opset 13: \d+ operators/);
    expect(readFileSync(path.join(ws, 'exports/Spirals-onnx/model.onnx')).byteLength).toBeGreaterThan(1000);
    const second = await call('exportGraph', { file, path: null, format: 'onnx', name: 'Spirals' });
    expect(second).toMatchObject({ directory: 'workspace/exports/Spirals-onnx-2' });
    // A graph with no name is exported under its metadata name.
    const pt = await call('exportGraph', { file, path: null, format: 'pytorch' });
    expect(pt).toMatchObject({ directory: 'workspace/exports/Spirals-pytorch' });
    expect(tree(path.join(ws, 'exports/Spirals-pytorch'))).toEqual(['README.md', 'model.py', 'weights.safetensors']);
  });

  it('a crafted name cannot leave the workspace', async () => {
    const file = example('xor.nbrick');
    for (const name of ['../../outside/x', '/etc/passwd', '..', '.hidden', 'a/../../b', '..\\..\\outside']) {
      const result = await call('exportGraph', { file, path: null, format: 'tfjs', name });
      if (result?.status !== 'exported') throw new Error(`not exported: ${name}`);
      expect(result.directory).toMatch(/^workspace\/exports\/[A-Za-z0-9_.-]+$/);
      // One folder name (dots inside a name are harmless: it is never a path segment of its own).
      expect(result.directory.split('/')).toHaveLength(3);
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['examples', 'outside', 'ws']);
    for (const folder of readdirSync(path.join(ws, 'exports'))) expect(readdirSync(path.join(ws, 'exports', folder)).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('lists the nodes a format cannot express (node, type, why) and writes nothing', async () => {
    const c = caseGraph('gelu LSTM', SEQUENCE, [['rnn', 'LSTM', { units: 2, activation: 'gelu' }]]);
    const result = await call('exportGraph', { file: createGraphFile(c.doc), path: null, format: 'onnx', name: 'rnn' });
    expect(result).toMatchObject({ status: 'unsupported', format: 'onnx' });
    if (result?.status !== 'unsupported') throw new Error('exported');
    expect(result.problems[0]).toEqual({ nodeId: 'rnn', type: 'LSTM', reason: expect.stringContaining("ONNX's LSTM/GRU cannot use activation 'gelu'") });
    expect(readdirSync(path.join(ws, 'exports', 'rnn-onnx'))).toEqual([]);
  });

  it('refuses a run the graph does not have, and a graph file outside the workspace', async () => {
    const file = example('xor.nbrick');
    expect(await errorOf(call('exportGraph', { file, path: null, format: 'pytorch', runId: 'r-none' }))).toBe('Cannot export: no run r-none in this graph (it has no runs)');
    expect(await errorOf(call('exportGraph', { file, path: '../outside/x.nbrick', format: 'pytorch' }))).toMatch(/must start with "workspace\/"/);
    expect(await errorOf(call('exportGraph', { file, path: 'workspace/../../x.nbrick', format: 'pytorch' }))).toMatch(/"\.\." segments are not allowed/);
  });
});

describe('importModel payloads', () => {
  it('are validated: a path or an upload, plain file names, at most 64 files', () => {
    expect(() => parseRequest('importModel', { path: 'workspace/a.json', upload: { files: [{ name: 'a.json', base64: '' }] } })).toThrow(/name a path or upload files, not both/);
    expect(() => parseRequest('importModel', { upload: { files: [{ name: '../model.json', base64: '' }] } })).toThrow(/upload\.files\.0\.name: a file name, without folders/);
    expect(() => parseRequest('importModel', { upload: { files: [] } })).toThrow(/upload\.files/);
    const many = Array.from({ length: 65 }, (_, i) => ({ name: `s${i}.bin`, base64: '' }));
    expect(() => parseRequest('importModel', { upload: { files: many } })).toThrow(/upload\.files/);
    expect(parseRequest('importModel', {})).toEqual({});
  });
});

describe('importModel in the web host', () => {
  it('an uploaded TF.js model with its shards opens as a workspace file whose weights are a kept run; that run exports to PyTorch', async () => {
    const files = await spiralsTfjs();
    const result = await call('importModel', { upload: { files }, name: 'My spirals' });
    if (result?.status !== 'imported') throw new Error(`not imported: ${JSON.stringify(result)}`);
    expect(result.opened.path).toBe('workspace/My spirals.nbrick');
    expect(result.source).toBe('workspace/imports/My-spirals/model.json');
    expect(tree(path.join(ws, 'imports'))).toEqual(['My-spirals', 'My-spirals/model.json', 'My-spirals/weights.bin']);
    expect(result.nodes).toBe(example('spirals.nbrick').graph.nodes.length);
    expect(result.opened.file.graph.nodes.filter((n) => n.type === 'Dense')).toHaveLength(3);
    expect(result.weights?.maxOutputDiff).toBeLessThanOrEqual(1e-4);
    const runs = result.opened.file.runs ?? [];
    expect(runs.map((r) => [r.id, r.checkpoint, r.imported?.from])).toEqual([[result.weights!.runId, true, 'model.json']]);
    expect(result.opened.checkpoints).toEqual([{ runId: result.weights!.runId, status: 'ok' }]);
    expect(existsSync(path.join(ws, 'My spirals.nbrick-runs', result.weights!.runId, 'weights.bin'))).toBe(true);

    const exported = await call('exportGraph', { file: result.opened.file, path: result.opened.path, format: 'pytorch', name: 'My spirals' });
    expect(exported).toMatchObject({ status: 'exported', runId: result.weights!.runId, weightsFrom: `trained, from run ${result.weights!.runId} (0 epochs)` });

    // The same upload again: a new folder and a new file, nothing replaced.
    const again = await call('importModel', { upload: { files }, name: 'My spirals' });
    expect(again).toMatchObject({ status: 'imported', source: 'workspace/imports/My-spirals-2/model.json', opened: { path: 'workspace/My spirals-2.nbrick' } });
  });

  it('a model in the workspace is listed and imports by path; without its shards it imports without weights and says why', async () => {
    const files = await spiralsTfjs();
    mkdirSync(path.join(ws, 'models/web'), { recursive: true });
    for (const f of files) writeFileSync(path.join(ws, 'models/web', f.name), Buffer.from(f.base64, 'base64'));
    copyFileSync(path.join(REPO, 'electron/services/import/fixtures/keras-sequential-cnn.json'), path.join(ws, 'cnn.json'));
    writeFileSync(path.join(ws, 'notes.json'), '{"hello": 1}');
    const listed = await call('listModelFiles', undefined);
    expect(listed.map((m) => [m.path, m.kind, m.shards?.present])).toEqual(
      expect.arrayContaining([
        ['workspace/models/web/model.json', 'tfjs', 1],
        ['workspace/cnn.json', 'keras', undefined],
      ]),
    );
    expect(listed.map((m) => m.path)).not.toContain('workspace/notes.json');

    const byPath = await call('importModel', { path: 'workspace/models/web/model.json' });
    expect(byPath).toMatchObject({ status: 'imported', opened: { path: 'workspace/web.nbrick' } });
    rmSync(path.join(ws, 'models/web/weights.bin'));
    const without = await call('importModel', { path: 'workspace/models/web/model.json' });
    if (without?.status !== 'imported') throw new Error('not imported');
    expect(without.opened.path).toBe('workspace/web-2.nbrick');
    expect(without.weights).toBeUndefined();
    expect(without.noWeights).toBe('weight file weights.bin not found beside model.json');
    expect(without.opened.file.runs ?? []).toEqual([]);
  });

  it('lists layers that cannot be imported by name and writes nothing', async () => {
    copyFileSync(path.join(REPO, 'electron/services/import/fixtures/keras-unsupported.json'), path.join(ws, 'odd.json'));
    const before = tree(ws);
    const result = await call('importModel', { path: 'workspace/odd.json' });
    if (result?.status !== 'unsupported') throw new Error('imported');
    expect(result.problems.length).toBeGreaterThan(0);
    for (const p of result.problems) expect(p.layer).toMatch(/\S/);
    expect(result.message).toMatch(/layers? of odd\.json cannot be imported; nothing was written/);
    expect(tree(ws)).toEqual(before);
  });

  it('refuses what would read or write outside the workspace', async () => {
    writeFileSync(path.join(outside, 'secret.bin'), 'secret');
    const files = await spiralsTfjs();
    const json = JSON.parse(Buffer.from(files.find((f) => f.name === 'model.json')!.base64, 'base64').toString('utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    json.weightsManifest[0]!.paths = ['../../../outside/secret.bin'];
    const crafted = [{ name: 'model.json', base64: Buffer.from(JSON.stringify(json)).toString('base64') }];
    expect(await errorOf(call('importModel', { upload: { files: crafted }, name: 'x' }))).toMatch(/a weight file of a model must be inside its folder/);
    expect(await errorOf(call('importModel', { upload: { files: [{ name: '.hidden.json', base64: 'e30=' }] } }))).toMatch(/is not a plain file name/);
    expect(await errorOf(call('importModel', { upload: { files: [{ name: 'a.bin', base64: '' }] } }))).toMatch(/Upload one model JSON with its weight files \(got no \.json file\)/);
    expect(await errorOf(call('importModel', { path: '../outside/model.json' }))).toMatch(/must start with "workspace\/"/);
    expect(await errorOf(call('importModel', { path: 'workspace/../../outside/model.json' }))).toMatch(/"\.\." segments are not allowed/);
    expect(await errorOf(call('importModel', { path: 'workspace/a.nbrick' }))).toMatch(/a model to import is a \.json file/);
    expect(await errorOf(call('importModel', {}))).toMatch(/The web host has no file dialog/);
    // A crafted graph name stays a file name in the workspace.
    const named = await call('importModel', { upload: { files }, name: '../../outside/evil' });
    if (named?.status !== 'imported') throw new Error('not imported');
    expect(named.opened.path).toMatch(/^workspace\/[^/]+\.nbrick$/);
    expect(readdirSync(outside)).toEqual(['secret.bin']);
  });
});
