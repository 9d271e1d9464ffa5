/** Electron main's API handlers with electron's dialog/app replaced: what the renderer may read and write. */
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDocument } from '../../shared/document/model';
import { createGraphFile } from '../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../shared/format/loadGraphFile';
import { DEFAULT_TRAINING_CONFIG } from '../../shared/format/trainingConfig';
import { serializeGraphFile } from '../../shared/format/serializeGraphFile';
import { idleTrainingService } from '../services/testing/idleTraining';

const SHAPES = path.resolve(__dirname, '../services/data/fixtures/images/shapes');
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
const exportedTo: { runId: string; target: string }[] = [];
let handlers: ReturnType<typeof createElectronHandlers>['handlers'];
const file = createGraphFile(emptyDocument('Net'));

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-electron-handlers-'));
  mkdirSync(path.join(dir, 'examples'));
  writeFileSync(path.join(dir, 'examples/xor.nbrick'), serializeGraphFile(createGraphFile(emptyDocument('XOR'))));
  writeFileSync(path.join(dir, 'elsewhere.nbrick'), serializeGraphFile(file));
  handlers = createElectronHandlers({
    window: () => undefined,
    examplesDir: path.join(dir, 'examples'),
    files: createGraphFileStore(),
    recent: createRecentFiles(path.join(dir, 'state')),
    datasets: createDatasetService(),
    training: idleTrainingService({
      exportModel: async (runId, target) => {
        exportedTo.push({ runId, target });
        return [path.join(target, 'model.json'), path.join(target, 'weights.bin')];
      },
    }),
    autosave: new Autosave(path.join(dir, 'state')),
    onDocumentState: () => {},
    dataWorkspace: path.join(dir, 'workspace'),
  }).handlers;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  delete dialogAnswers.open;
  delete dialogAnswers.save;
});

describe('Electron API handlers', () => {
  it('refuses to write or read a path the user never chose', async () => {
    const target = path.join(dir, 'elsewhere.nbrick');
    await expect(handlers.saveFile({ file, path: target })).rejects.toThrow(/Refused to write .*use Save As/);
    await expect(handlers.openFile({ path: target })).rejects.toThrow(/Refused to open .*File › Open first/);
  });

  it('opens through the dialog, then may save back to that file', async () => {
    const target = path.join(dir, 'elsewhere.nbrick');
    dialogAnswers.open = [target];
    const opened = await handlers.openFile({});
    expect(opened).toMatchObject({ path: target, name: 'elsewhere.nbrick', readOnly: false });
    const changed = createGraphFile(emptyDocument('Changed'));
    await handlers.saveFile({ file: changed, path: target });
    expect(readFileSync(target, 'utf8')).toBe(serializeGraphFile(changed));
    expect((await handlers.recentFiles(undefined))[0]?.path).toBe(target);
  });

  it('Save As adds the extension, and a cancelled dialog resolves null', async () => {
    expect(await handlers.saveFileAs({ file })).toBeNull();
    dialogAnswers.save = path.join(dir, 'new-net');
    expect(await handlers.saveFileAs({ file, suggestedName: 'new-net' })).toEqual({ path: path.join(dir, 'new-net.nbrick'), name: 'new-net.nbrick' });
    expect(readFileSync(path.join(dir, 'new-net.nbrick'), 'utf8')).toBe(serializeGraphFile(file));
  });

  it('writes through the same validation as the web host: a graph the loader would refuse is not written', async () => {
    const target = path.join(dir, 'checked.nbrick');
    dialogAnswers.save = target;
    const node = { id: 'a', type: 'Input', params: { kind: 'vector', size: 2 }, position: { x: 0, y: 0 } };
    const duplicate = { ...file, graph: { ...file.graph, nodes: [node, node] } } as typeof file;
    await expect(handlers.saveFileAs({ file: duplicate })).rejects.toThrow(
      `"${target}" cannot be saved: it could not be opened again (invalid graph file: graph.nodes[1].id: duplicate node id "a").`,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('Save As replaces a file chosen in the native dialog (the dialog asked), keeping a link and updating its file', async () => {
    const real = path.join(dir, 'linked-real.nbrick');
    const link = path.join(dir, 'linked.nbrick');
    writeFileSync(real, 'OLD');
    symlinkSync(real, link);
    dialogAnswers.save = link;
    expect(await handlers.saveFileAs({ file })).toEqual({ path: link, name: 'linked.nbrick' });
    expect(readFileSync(real, 'utf8')).toBe(serializeGraphFile(file));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('templates open read-only and cannot be overwritten', async () => {
    const template = path.join(dir, 'examples/xor.nbrick');
    const opened = await handlers.openFile({ path: template });
    expect(opened?.readOnly).toBe(true);
    await expect(handlers.saveFile({ file, path: template })).rejects.toThrow(/Refused to write|read-only/);
    dialogAnswers.save = template;
    await expect(handlers.saveFileAs({ file })).rejects.toThrow(/read-only/);
    expect((await handlers.listFiles(undefined)).map((f) => f.path)).toEqual([template]);
  });

  it('exports a model into the folder chosen in the dialog; a cancelled dialog resolves null', async () => {
    expect(await handlers.exportModel({ runId: 'run-1', name: 'Net' })).toBeNull();
    expect(exportedTo).toHaveLength(0);
    const folder = path.join(dir, 'models');
    dialogAnswers.open = [folder];
    expect(await handlers.exportModel({ runId: 'run-1', name: 'Net' })).toEqual({
      directory: folder,
      files: [path.join(folder, 'model.json'), path.join(folder, 'weights.bin')],
    });
    expect(exportedTo).toEqual([{ runId: 'run-1', target: folder }]);
  });

  it('reads only data the user chose in the data dialog (issue 14); cancelling answers null', async () => {
    const csv = path.join(dir, 'fish.csv');
    writeFileSync(csv, 'length,weight,kind\n1,2,a\n2,3,b\n3,4,a\n4,5,b\n5,6,a\n6,7,b\n');
    await expect(handlers.inspectData({ path: csv })).rejects.toThrow(/Refused to read .*fish\.csv: choose it with the data dialog first/);
    await expect(handlers.proposeFromData({ path: csv })).rejects.toThrow(/choose it with the data dialog first/);
    expect(await handlers.inspectData({})).toBeNull();
    dialogAnswers.open = [csv];
    const inspection = await handlers.inspectData({ pick: 'table' });
    expect(inspection?.kind === 'table' && inspection.columns.map((c) => c.name)).toEqual(['length', 'weight', 'kind']);
    // Chosen once, the page may name it again (Electron shows absolute paths).
    delete dialogAnswers.open;
    expect((await handlers.inspectData({ path: csv }))?.path).toBe(csv);
    const proposal = await handlers.proposeFromData({ path: csv, target: 'kind' });
    expect(proposal.shape).toEqual({ inputShape: [2], task: 'classification', classNames: ['a', 'b'] });
    expect(proposal.spec.path).toBe(csv); // no graph file yet: the absolute path

    // The first save records it relative to the file (issue 14); Save As elsewhere rebases it; Save keeps it.
    const withData = createGraphFile(proposal.graph, { training: { ...DEFAULT_TRAINING_CONFIG, data: proposal.spec } });
    const first = path.join(dir, 'models', 'fish-net.nbrick');
    mkdirSync(path.dirname(first), { recursive: true });
    dialogAnswers.save = first;
    await handlers.saveFileAs({ file: withData });
    const savedPath = (target: string) => {
      const loaded = loadGraphFile(readFileSync(target, 'utf8'));
      if (!loaded.ok) throw new Error(loaded.error.message);
      return loaded.file.training?.data?.path;
    };
    expect(savedPath(first)).toBe('../fish.csv');
    const reopened = (await handlers.openFile({ path: first }))!.file;
    const second = path.join(dir, 'models', 'deeper', 'copy.nbrick');
    mkdirSync(path.dirname(second), { recursive: true });
    dialogAnswers.save = second;
    await handlers.saveFileAs({ file: reopened, source: first });
    expect(savedPath(second)).toBe('../../fish.csv');
    await handlers.saveFile({ file: reopened, path: first });
    expect(savedPath(first)).toBe('../fish.csv');
    // Still the absolute path the page holds (the page's document is not rewritten): Save writes it relative.
    await handlers.saveFile({ file: withData, path: second });
    expect(savedPath(second)).toBe('../../fish.csv');
  });

  it('New from Data → Import copies the chosen data into the workspace, then reads the copy (issue 14)', async () => {
    const folder = path.join(dir, 'photos');
    for (const cls of ['cat', 'dog']) {
      mkdirSync(path.join(folder, cls, 'nested'), { recursive: true });
      for (const n of [1, 2]) copyFileSync(path.join(SHAPES, cls === 'cat' ? 'circle' : 'square', `0${n}.png`), path.join(folder, cls, 'nested', `${n}.png`));
    }
    dialogAnswers.open = [folder];
    const inspection = await handlers.inspectData({ pick: 'imageFolder', importToWorkspace: true });
    const copy = path.join(dir, 'workspace', 'data', 'photos');
    expect(inspection).toMatchObject({ kind: 'imageFolder', path: copy, images: 4 });
    expect(readFileSync(path.join(copy, 'dog', 'nested', '2.png'))).toEqual(readFileSync(path.join(folder, 'dog', 'nested', '2.png')));
    delete dialogAnswers.open;
    // The copy is the page's to name now; the original was chosen too. A cancelled dialog imports nothing.
    expect((await handlers.inspectData({ path: copy }))?.path).toBe(copy);
    expect(await handlers.inspectData({ pick: 'imageFolder', importToWorkspace: true })).toBeNull();
    await expect(handlers.inspectData({ path: copy, importToWorkspace: true })).rejects.toThrow(/names no path of its own/);
  });

  it('reports itself as the electron transport', async () => {
    expect(await handlers.getHostInfo(undefined)).toEqual({ transport: 'electron', appVersion: '9.9.9' });
  });
});
