/**
 * The web host's file handlers over a real workspace on disk (the trainer is a stand-in that writes real model
 * files): no save leaves the workspace, no Save As replaces a file the user did not confirm, nothing is written that
 * the loader would refuse to open again.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRequest, type ApiHandlers, type GraphFile } from '../../shared/contracts/api';
import { emptyDocument } from '../../shared/document/model';
import { createGraphFile } from '../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../shared/format/serializeGraphFile';
import { writeModelFiles } from '../services/training/writeModelFiles';
import { Autosave } from './autosave';
import type { TrainingService } from './labServices';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';
import { idleTrainingService } from '../services/testing/idleTraining';

let dir: string;
let ws: string;
let outside: string;
let stateDir: string;
let handlers: ApiHandlers;
let exported: string[];

function training(): TrainingService {
  return idleTrainingService(
    {
      async exportModel(runId, target) {
        exported.push(target);
        return writeModelFiles(target, [
          { name: 'weights.bin', bytes: new Uint8Array([1, 2, 3]) },
          { name: 'model.json', bytes: new TextEncoder().encode(`{"run":"${runId}"}`) },
        ]);
      },
    },
    'run-1',
  );
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-web-handlers-'));
  ws = path.join(dir, 'ws');
  outside = path.join(dir, 'outside');
  stateDir = path.join(ws, '.neural-bricks');
  for (const folder of [ws, outside, path.join(dir, 'examples')]) mkdirSync(folder);
  writeFileSync(path.join(outside, 'x.nbrick'), 'OUTSIDE');
  exported = [];
  handlers = createWebHandlers({
    folders: { workspace: ws, examples: path.join(dir, 'examples') },
    files: createGraphFileStore(),
    recent: createRecentFiles(stateDir),
    datasets: createDatasetService(),
    training: training(),
    autosave: new Autosave(stateDir),
    appVersion: 'test',
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = createGraphFile(emptyDocument('Net'));
/** Every request goes through the same validation as on the wire. */
const saveFile = (request: unknown) => handlers.saveFile(parseRequest('saveFile', request));
const saveFileAs = (request: unknown) => handlers.saveFileAs(parseRequest('saveFileAs', request));
const outsideMessage = (pagePath: string) => `Path "${pagePath}" refused: it is a link to a place outside the workspace`;
const errorOf = async (promise: Promise<unknown>) => promise.then(() => 'no error', (e: unknown) => (e as Error).message);
/** What the workspace holds, hidden state folder aside: a refused save must leave nothing behind, not even a temp file. */
const workspaceNames = () => readdirSync(ws).filter((name) => name !== '.neural-bricks').sort();

describe('no save leaves the workspace', () => {
  it('refuses a file link, a relative link and a directory link with the same message as open', async () => {
    symlinkSync(path.join(outside, 'x.nbrick'), path.join(ws, 'link.nbrick'));
    symlinkSync('../outside/x.nbrick', path.join(ws, 'relative.nbrick'));
    symlinkSync(outside, path.join(ws, 'dir'));
    for (const pagePath of ['workspace/link.nbrick', 'workspace/relative.nbrick', 'workspace/dir/x.nbrick', 'workspace/dir/new.nbrick']) {
      expect(await errorOf(handlers.openFile({ path: pagePath })), pagePath).toBe(outsideMessage(pagePath));
      expect(await errorOf(saveFile({ file, path: pagePath })), pagePath).toBe(outsideMessage(pagePath));
    }
    for (const name of ['link', 'relative']) {
      const pagePath = `workspace/${name}.nbrick`;
      expect(await errorOf(saveFileAs({ file, suggestedName: name, overwrite: pagePath })), name).toBe(outsideMessage(pagePath));
    }
    expect(readFileSync(path.join(outside, 'x.nbrick'), 'utf8')).toBe('OUTSIDE');
    expect(readdirSync(outside)).toEqual(['x.nbrick']);
  });

  it('refuses a dangling link to a place outside, creating nothing there', async () => {
    symlinkSync(path.join(outside, 'created.nbrick'), path.join(ws, 'dangling.nbrick'));
    expect(await errorOf(saveFile({ file, path: 'workspace/dangling.nbrick' }))).toBe(outsideMessage('workspace/dangling.nbrick'));
    expect(readdirSync(outside)).toEqual(['x.nbrick']);
  });

  it('still saves through a link that stays inside the workspace, updating the file it points to', async () => {
    writeFileSync(path.join(ws, 'real.nbrick'), serializeGraphFile(file));
    symlinkSync('real.nbrick', path.join(ws, 'alias.nbrick'));
    const changed = createGraphFile(emptyDocument('Changed'));
    await saveFile({ file: changed, path: 'workspace/alias.nbrick' });
    expect(readFileSync(path.join(ws, 'real.nbrick'), 'utf8')).toBe(serializeGraphFile(changed));
    expect(lstatSync(path.join(ws, 'alias.nbrick')).isSymbolicLink()).toBe(true);
  });

  it('refuses to export through a link planted at workspace/exports/<folder> or at a file inside it', async () => {
    mkdirSync(path.join(ws, 'exports'));
    symlinkSync(outside, path.join(ws, 'exports', 'Net-run-9'));
    expect(await errorOf(handlers.exportModel({ runId: 'run-9', name: 'Net' }))).toBe(outsideMessage('workspace/exports/Net-run-9'));
    expect(exported).toEqual([]);

    mkdirSync(path.join(ws, 'exports', 'Net-run-10'));
    symlinkSync(path.join(outside, 'x.nbrick'), path.join(ws, 'exports', 'Net-run-10', 'model.json'));
    expect(await errorOf(handlers.exportModel({ runId: 'run-10', name: 'Net' }))).toMatch(/outside/);
    expect(readFileSync(path.join(outside, 'x.nbrick'), 'utf8')).toBe('OUTSIDE');
    expect(readdirSync(outside)).toEqual(['x.nbrick']);
  });

  it('lists no recent file that leads outside, and never writes the recent list through a link', async () => {
    symlinkSync(path.join(outside, 'x.nbrick'), path.join(ws, 'link.nbrick'));
    mkdirSync(stateDir);
    writeFileSync(path.join(stateDir, 'recent-files.json'), JSON.stringify({ files: [path.join(ws, 'link.nbrick')] }));
    expect(await handlers.recentFiles(undefined)).toEqual([]);
    expect(await errorOf(handlers.openFile({ path: 'workspace/link.nbrick' }))).toBe(outsideMessage('workspace/link.nbrick'));

    // The recent list itself is a link out of its folder: the save succeeds, the list is not written through it.
    rmSync(path.join(stateDir, 'recent-files.json'));
    writeFileSync(path.join(outside, 'recent.json'), 'OUTSIDE');
    symlinkSync(path.join(outside, 'recent.json'), path.join(stateDir, 'recent-files.json'));
    expect(await saveFileAs({ file, suggestedName: 'mine' })).toEqual({ path: 'workspace/mine.nbrick', name: 'mine.nbrick' });
    expect(readFileSync(path.join(outside, 'recent.json'), 'utf8')).toBe('OUTSIDE');
  });
});

describe('Save As never replaces a file the user did not confirm', () => {
  it('keeps Unicode names apart', async () => {
    const a = createGraphFile(emptyDocument('Привет'));
    const b = createGraphFile(emptyDocument('日本語'));
    expect(await saveFileAs({ file: a, suggestedName: 'Привет' })).toEqual({ path: 'workspace/Привет.nbrick', name: 'Привет.nbrick' });
    expect(await saveFileAs({ file: b, suggestedName: '日本語' })).toEqual({ path: 'workspace/日本語.nbrick', name: '日本語.nbrick' });
    expect(readFileSync(path.join(ws, 'Привет.nbrick'), 'utf8')).toBe(serializeGraphFile(a));
    expect(readFileSync(path.join(ws, '日本語.nbrick'), 'utf8')).toBe(serializeGraphFile(b));
  });

  it('refuses a name that collides with an existing file unless that exact file was confirmed', async () => {
    const first = createGraphFile(emptyDocument('first'));
    const second = createGraphFile(emptyDocument('second'));
    expect(await saveFileAs({ file: first, suggestedName: 'my model?' })).toEqual({ path: 'workspace/my model.nbrick', name: 'my model.nbrick' });
    expect(await errorOf(saveFileAs({ file: second, suggestedName: 'my model*' }))).toBe(
      '"workspace/my model.nbrick" already exists: confirm that you want to replace it, or choose another name.',
    );
    expect(await errorOf(saveFileAs({ file: second, suggestedName: 'my model*', overwrite: 'workspace/other.nbrick' }))).toMatch(/already exists/);
    expect(readFileSync(path.join(ws, 'my model.nbrick'), 'utf8')).toBe(serializeGraphFile(first));

    expect(await saveFileAs({ file: second, suggestedName: 'my model*', overwrite: 'workspace/my model.nbrick' })).toEqual({
      path: 'workspace/my model.nbrick',
      name: 'my model.nbrick',
    });
    expect(readFileSync(path.join(ws, 'my model.nbrick'), 'utf8')).toBe(serializeGraphFile(second));
    expect(workspaceNames()).toEqual(['my model.nbrick']);
  });

  it('treats names that differ only in case as the same file', async () => {
    await saveFileAs({ file, suggestedName: 'Case' });
    expect(await errorOf(saveFileAs({ file, suggestedName: 'case' }))).toMatch(/^"workspace\/Case\.nbrick" already exists/);
    expect(workspaceNames()).toEqual(['Case.nbrick']);
  });
});

describe('what is saved can be reopened', () => {
  const node = (id: string, params: Record<string, unknown> = { kind: 'vector', size: 2 }) => ({ id, type: 'Input', params, position: { x: 0, y: 0 } });
  const graphFile = (graph: { nodes: unknown[]; edges: unknown[] }) =>
    JSON.parse(JSON.stringify(createGraphFile({ metadata: { name: 'bad' }, groups: [], ...graph } as never))) as GraphFile;
  const unreopenable = {
    '20,000 nodes': graphFile({ nodes: Array.from({ length: 20_000 }, (_, i) => node(`n${i}`)), edges: [] }),
    'a dangling edge': graphFile({ nodes: [node('a')], edges: [{ id: 'e', source: 'a', target: 'ghost', targetPort: 0 }] }),
    'duplicate node ids': graphFile({ nodes: [node('a'), node('a')], edges: [] }),
    'a param named constructor': graphFile({ nodes: [node('a', JSON.parse('{"kind":"vector","size":2,"constructor":1}'))], edges: [] }),
  };

  for (const [what, bad] of Object.entries(unreopenable)) {
    it(`refuses a graph with ${what} with the loader's message, writing nothing`, async () => {
      // Straight to the handlers: the wire's request check may refuse some of these earlier (the node count), but
      // the handlers must refuse them on their own, whoever calls them.
      const loaded = loadGraphFile(serializeGraphFile(bad));
      expect(loaded.ok).toBe(false);
      const loaderMessage = loaded.ok ? '' : loaded.error.message;
      expect(await errorOf(handlers.saveFileAs({ file: bad, suggestedName: 'bad' }))).toBe(
        `"workspace/bad.nbrick" cannot be saved: it could not be opened again (${loaderMessage}).`,
      );
      writeFileSync(path.join(ws, 'kept.nbrick'), 'KEPT');
      expect(await errorOf(handlers.saveFile({ file: bad, path: 'workspace/kept.nbrick' }))).toContain(loaderMessage);
      expect(readFileSync(path.join(ws, 'kept.nbrick'), 'utf8')).toBe('KEPT');
      expect(workspaceNames()).toEqual(['kept.nbrick']);
    });
  }
});

describe('long names', () => {
  it('saves a 247-character name (the temporary file must not be longer)', async () => {
    const name = `${'a'.repeat(240)}.nbrick`;
    expect(name).toHaveLength(247);
    expect(await saveFile({ file, path: `workspace/${name}` })).toEqual({ path: `workspace/${name}`, name });
    expect(await saveFileAs({ file, suggestedName: 'é'.repeat(124) })).toMatchObject({ name: `${'é'.repeat(124)}.nbrick` });
    expect(workspaceNames()).toEqual([name, `${'é'.repeat(124)}.nbrick`].sort());
  });

  it('refuses a name over 255 bytes before touching the disk, saying the limit', async () => {
    const long = 'é'.repeat(150);
    const expected = `"workspace/${long}.nbrick" cannot be saved: the file name is 307 bytes long, and file names are limited to 255 bytes (UTF-8). Choose a shorter name.`;
    expect(await errorOf(saveFileAs({ file, suggestedName: long }))).toBe(expected);
    expect(await errorOf(saveFile({ file, path: `workspace/${long}.nbrick` }))).toBe(expected);
    expect(workspaceNames()).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
  });
});
