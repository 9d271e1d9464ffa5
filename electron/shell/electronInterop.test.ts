/**
 * File → Export… / Import… in Electron main (issue 15), electron's dialogs replaced: an export goes into the folder the
 * user chose (none when cancelled), an import reads the model chosen in the open dialog and writes the graph where the
 * save dialog says, then opens it; a request may not name a path of its own.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { parseRequest } from '../../shared/contracts/api';
import { loadGraphFile } from '../../shared/format/loadGraphFile';
import { CheckpointService } from '../services/checkpoints/CheckpointService';
import { compileGraph } from '../services/compiler/compileGraph';
import { idleTrainingService } from '../services/testing/idleTraining';
import { saveModelToDir } from '../services/training/modelFiles';

const REPO = path.resolve(__dirname, '../..');
const dialogAnswers: { open?: string[]; save?: string } = {};
vi.mock('electron', () => ({
  app: { getVersion: () => '9.9.9', getPath: () => os.tmpdir(), addRecentDocument: vi.fn() },
  dialog: {
    showOpenDialog: vi.fn(async () => ({ canceled: !dialogAnswers.open, filePaths: dialogAnswers.open ?? [] })),
    showSaveDialog: vi.fn(async () => ({ canceled: !dialogAnswers.save, filePath: dialogAnswers.save })),
  },
}));

const { createElectronHandlers } = await import('./electronHandlers');
const { Autosave } = await import('../host/autosave');
const { createDatasetService, createGraphFileStore, createRecentFiles } = await import('../host/nodeServices');

let dir: string;
let handlers: ReturnType<typeof createElectronHandlers>['handlers'];

function example(name: string) {
  const loaded = loadGraphFile(readFileSync(path.join(REPO, 'examples', name), 'utf8'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.file;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-electron-interop-'));
  mkdirSync(path.join(dir, 'examples'));
  handlers = createElectronHandlers({
    window: () => undefined,
    examplesDir: path.join(dir, 'examples'),
    files: createGraphFileStore(),
    recent: createRecentFiles(path.join(dir, 'state')),
    datasets: createDatasetService(),
    training: idleTrainingService(),
    autosave: new Autosave(path.join(dir, 'state')),
    checkpoints: new CheckpointService({ stateDir: path.join(dir, 'state'), log: () => {} }),
    onDocumentState: () => {},
  }).handlers;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  delete dialogAnswers.open;
  delete dialogAnswers.save;
});

describe('Electron File → Export…', () => {
  it('writes into the folder chosen in the dialog; a cancelled dialog writes nothing and resolves null', async () => {
    const file = example('xor.nbrick');
    expect(await handlers.exportGraph(parseRequest('exportGraph', { file, path: null, format: 'tfjs' }))).toBeNull();
    const folder = path.join(dir, 'xor-tfjs');
    mkdirSync(folder);
    dialogAnswers.open = [folder];
    const result = await handlers.exportGraph(parseRequest('exportGraph', { file, path: null, format: 'tfjs' }));
    expect(result).toMatchObject({ status: 'exported', directory: folder, files: [path.join(folder, 'model.json'), path.join(folder, 'weights.bin')] });
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('reads runs only beside a file the user opened', async () => {
    const file = example('xor.nbrick');
    await expect(handlers.exportGraph(parseRequest('exportGraph', { file, path: path.join(dir, 'never-opened.nbrick'), format: 'onnx' }))).rejects.toThrow(/Refused to read the runs of .*never-opened\.nbrick/);
  });
});

describe('Electron File → Import…', () => {
  it('imports the model chosen in the open dialog to where the save dialog says, and opens it with its weights as a kept run', async () => {
    await tf.setBackend('cpu');
    const modelDir = path.join(dir, 'web_model');
    const compiled = compileGraph(example('spirals.nbrick').graph, { seed: 2 });
    await saveModelToDir(compiled.model, modelDir);
    compiled.model.dispose();

    // Cancelled at the first dialog, then at the second: nothing imported.
    expect(await handlers.importModel(parseRequest('importModel', {}))).toBeNull();
    dialogAnswers.open = [path.join(modelDir, 'model.json')];
    expect(await handlers.importModel(parseRequest('importModel', {}))).toBeNull();

    dialogAnswers.save = path.join(dir, 'imported');
    const result = await handlers.importModel(parseRequest('importModel', {}));
    if (result?.status !== 'imported') throw new Error(`not imported: ${JSON.stringify(result)}`);
    expect(result.opened.path).toBe(path.join(dir, 'imported.nbrick'));
    expect(result.source).toBe(path.join(modelDir, 'model.json'));
    expect(result.opened.checkpoints).toEqual([{ runId: result.weights!.runId, status: 'ok' }]);
    // The file is the user's now: it saves back, and its kept run exports.
    await handlers.saveFile({ file: result.opened.file, path: result.opened.path! });
    const folder = path.join(dir, 'imported-pt');
    mkdirSync(folder);
    dialogAnswers.open = [folder];
    const exported = await handlers.exportGraph(parseRequest('exportGraph', { file: result.opened.file, path: result.opened.path, format: 'pytorch' }));
    expect(exported).toMatchObject({ status: 'exported', runId: result.weights!.runId });
  });

  it('refuses a path or an upload named by the page', async () => {
    await expect(handlers.importModel(parseRequest('importModel', { path: '/etc/passwd.json' }))).rejects.toThrow(/Choose the model with File › Import…/);
    await expect(handlers.importModel(parseRequest('importModel', { upload: { files: [{ name: 'model.json', base64: 'e30=' }] } }))).rejects.toThrow(/Choose the model with File › Import…/);
    expect(await handlers.listModelFiles(undefined)).toEqual([]);
  });
});
