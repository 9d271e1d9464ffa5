/**
 * Importing data into the workspace (issue 14) through both hosts: the web host's upload route over real HTTP (token,
 * Origin, one file per request, refusals with the reason and nothing written), then the uploaded CSV inspected and
 * proposed through the web LabApi; and Electron's way (inspectData with importToWorkspace: its dialog's choice copied
 * into the workspace, then inspected, and readable by later requests).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequest, type ApiHandlers, type ApiMethod } from '../../shared/contracts/api';
import { DATA_IMPORT_ROUTE, framedFileHeader } from '../../shared/contracts/dataImport';
import type { DataProgress } from '../../shared/contracts/data';
import { TOKEN_HEADER } from '../../shared/contracts/graphBundle';
import { DataJobs } from '../services/data/dataJobs';
import { createDataImporter } from '../services/data/importData';
import { idleTrainingService } from '../services/testing/idleTraining';
import { Autosave } from './autosave';
import { createDataHandlers, type DataPaths } from './dataHandlers';
import { createDataImportRoutes } from './dataImportRoutes';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';
import { startWebHost, type WebHost } from './webHost';

const PENGUINS = path.resolve(__dirname, '../../examples/data/penguins.csv');
const SHAPES = path.resolve(__dirname, '../services/data/fixtures/images/shapes');
const TOKEN = 'test-token-for-data-imports';

let dir: string;
let ws: string;
let host: WebHost;
let handlers: ApiHandlers;

function call<M extends ApiMethod>(method: M, request: unknown) {
  return (handlers[method] as (r: unknown) => Promise<unknown>)(parseRequest(method, request));
}

async function post(query: Record<string, string>, body?: Uint8Array<ArrayBuffer> | string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${host.port}${DATA_IMPORT_ROUTE}?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: TOKEN, Origin: `http://127.0.0.1:${host.port}`, ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: response.status, text: await response.text() };
}

function dataFolder(): string[] {
  const folder = path.join(ws, 'data');
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-data-import-'));
  ws = path.join(dir, 'ws');
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  mkdirSync(ws);
  mkdirSync(path.join(dir, 'examples'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Neural Bricks</title>');
  const folders = { workspace: ws, examples: path.join(dir, 'examples') };
  handlers = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(path.join(ws, '.neural-bricks')),
    datasets: createDatasetService(),
    training: idleTrainingService(),
    autosave: new Autosave(path.join(ws, '.neural-bricks')),
    appVersion: 'test',
  });
  const dataImports = createDataImportRoutes({ folders, limits: { maxBytes: 64 * 1024, maxFiles: 50 } });
  host = await startWebHost({ rendererDir, handlers, dataImports, token: TOKEN });
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web host’s upload route', () => {
  it('imports an uploaded CSV into workspace/data; the page then inspects and proposes from it', async () => {
    const begun = await post({ op: 'begin', kind: 'table', name: 'penguins.csv' });
    expect(begun.status).toBe(200);
    const { session } = JSON.parse(begun.text) as { session: string };
    const bytes = new Uint8Array(readFileSync(PENGUINS));
    const sent = await post({ op: 'file', session, path: 'penguins.csv' }, bytes);
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text)).toEqual({ files: 1, bytes: bytes.byteLength });
    // Nothing is visible before the commit but the hidden temporary folder.
    expect(dataFolder().every((name) => name.startsWith('.importing-'))).toBe(true);
    const committed = await post({ op: 'commit', session });
    expect(committed.status).toBe(200);
    expect(JSON.parse(committed.text)).toEqual({ kind: 'table', path: 'workspace/data/penguins.csv', name: 'penguins.csv', files: 1, bytes: bytes.byteLength });
    expect(dataFolder()).toEqual(['penguins.csv']);
    expect(new Uint8Array(readFileSync(path.join(ws, 'data', 'penguins.csv')))).toEqual(bytes);

    const inspection = (await call('inspectData', { path: 'workspace/data/penguins.csv' })) as { kind: string; rows: number; path: string };
    expect(inspection).toMatchObject({ kind: 'table', path: 'workspace/data/penguins.csv' });
    expect(inspection.rows).toBeGreaterThan(300);
    const proposal = (await call('proposeFromData', { path: 'workspace/data/penguins.csv', target: 'Species' })) as { spec: { path: string }; shape: { classNames: string[] } };
    // Relative to the graph the page will save in the workspace.
    expect(proposal.spec.path).toBe('data/penguins.csv');
    expect(proposal.shape.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    rmSync(path.join(ws, 'data', 'penguins.csv'));
  });

  it('an image folder file by file, nested class folders kept; a cancel leaves nothing', async () => {
    const { session } = JSON.parse((await post({ op: 'begin', kind: 'imageFolder', name: 'shapes' })).text) as { session: string };
    for (const cls of ['circle', 'square']) {
      for (const file of ['01.png', '02.png']) {
        const sent = await post({ op: 'file', session, path: `${cls}/deep/${file}` }, new Uint8Array(readFileSync(path.join(SHAPES, cls, file))));
        expect(sent.status, sent.text).toBe(200);
      }
    }
    const committed = JSON.parse((await post({ op: 'commit', session })).text) as { path: string; files: number };
    expect(committed).toMatchObject({ path: 'workspace/data/shapes', files: 4 });
    expect(readFileSync(path.join(ws, 'data/shapes/square/deep/02.png'))).toEqual(readFileSync(path.join(SHAPES, 'square', '02.png')));
    rmSync(path.join(ws, 'data', 'shapes'), { recursive: true });

    // Several files to a request (op=files), as the page sends small images.
    const batched = JSON.parse((await post({ op: 'begin', kind: 'imageFolder', name: 'shapes' })).text) as { session: string };
    const parts: Buffer[] = [];
    for (const file of ['01.png', '02.png', '03.png']) {
      const bytes = readFileSync(path.join(SHAPES, 'triangle', file));
      parts.push(Buffer.from(framedFileHeader(`triangle/${file}`, bytes.byteLength)), bytes);
    }
    const sentMany = await post({ op: 'files', session: batched.session }, new Uint8Array(Buffer.concat(parts)));
    expect(sentMany.status, sentMany.text).toBe(200);
    expect(JSON.parse(sentMany.text)).toMatchObject({ files: 3 });
    expect(JSON.parse((await post({ op: 'commit', session: batched.session })).text)).toMatchObject({ path: 'workspace/data/shapes', files: 3 });
    expect(readdirSync(path.join(ws, 'data', 'shapes', 'triangle'))).toEqual(['01.png', '02.png', '03.png']);
    rmSync(path.join(ws, 'data', 'shapes'), { recursive: true });
    const cut = JSON.parse((await post({ op: 'begin', kind: 'imageFolder', name: 'shapes' })).text) as { session: string };
    const refusedCut = await post({ op: 'files', session: cut.session }, new Uint8Array(Buffer.from('10 circle/a.png\nabc')));
    expect(refusedCut.status).toBe(400);
    expect(refusedCut.text).toMatch(/ended in the middle of 'circle\/a\.png'/);
    expect(dataFolder()).toEqual([]);

    const cancelled = JSON.parse((await post({ op: 'begin', kind: 'imageFolder', name: 'shapes' })).text) as { session: string };
    expect((await post({ op: 'file', session: cancelled.session, path: 'circle/01.png' }, 'x')).status).toBe(200);
    expect((await post({ op: 'cancel', session: cancelled.session })).status).toBe(200);
    expect(dataFolder()).toEqual([]);
    // The session is gone: a late file is refused, not written.
    const late = await post({ op: 'file', session: cancelled.session, path: 'circle/02.png' }, 'x');
    expect(late.status).toBe(404);
    expect(dataFolder()).toEqual([]);
  });

  it('refuses traversal, a bad name, an upload over the limit, and requests without the token or from another page', async () => {
    const badName = await post({ op: 'begin', kind: 'imageFolder', name: '../escape' });
    expect(badName.status).toBe(400);
    expect(badName.text).toMatch(/Cannot import as '\.\.\/escape'/);

    for (const bad of ['../escape.png', 'circle/../../escape.png', '/etc/escape.png', 'circle\\..\\escape.png']) {
      const { session } = JSON.parse((await post({ op: 'begin', kind: 'imageFolder', name: 'shapes' })).text) as { session: string };
      const refused = await post({ op: 'file', session, path: bad }, 'x');
      expect(refused.status, bad).toBe(400);
      expect(refused.text).toMatch(/Refused .*Nothing was imported/);
      // The refused import is over.
      expect((await post({ op: 'commit', session })).status).toBe(404);
    }
    expect(dataFolder()).toEqual([]);
    expect(existsSync(path.join(ws, 'escape.png')) || existsSync(path.join(dir, 'escape.png'))).toBe(false);

    const { session } = JSON.parse((await post({ op: 'begin', kind: 'table', name: 'big.csv' })).text) as { session: string };
    const tooBig = await post({ op: 'file', session, path: 'big.csv' }, new Uint8Array(64 * 1024 + 1));
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toMatch(/'big\.csv' is over the limit for one import \(0\.1 MB\)/);
    expect(dataFolder()).toEqual([]);

    const noToken = await fetch(`http://127.0.0.1:${host.port}${DATA_IMPORT_ROUTE}?op=begin&kind=table&name=a.csv`, { method: 'POST', headers: { Origin: `http://127.0.0.1:${host.port}` } });
    expect(noToken.status).toBe(401);
    const elsewhere = await post({ op: 'begin', kind: 'table', name: 'a.csv' }, undefined, { Origin: 'http://evil.example' });
    expect(elsewhere.status).toBe(403);
    expect(dataFolder()).toEqual([]);
  });
});

describe('Electron’s import: inspectData with importToWorkspace', () => {
  it('copies the dialog’s choice into the workspace, inspects the copy and lets later requests name it', async () => {
    const home = path.join(dir, 'electron-home');
    const source = path.join(dir, 'elsewhere', 'fish.csv');
    mkdirSync(path.dirname(source), { recursive: true });
    copyFileSync(PENGUINS, source);
    const granted = new Set<string>();
    const paths: DataPaths = {
      async dataPath(requested) {
        if (!granted.has(path.resolve(requested))) throw new Error(`Refused to read ${requested}: choose it with the data dialog first.`);
        return path.resolve(requested);
      },
      graphPath: async (p) => p,
      graphLocation: (p) => p,
      async allowData() {},
      display: (text) => text,
      async choose() {
        granted.add(source);
        return source;
      },
      importer: createDataImporter({ workspace: home }),
      grant: (absolute) => granted.add(absolute),
    };
    const jobs = new DataJobs();
    const progress: DataProgress[] = [];
    jobs.onProgress((p) => progress.push(p));
    const data = createDataHandlers(paths, jobs);
    const inspection = await data.inspectData({ pick: 'table', importToWorkspace: true, jobId: 'import-1' });
    const copy = path.join(home, 'data', 'fish.csv');
    expect(inspection).toMatchObject({ kind: 'table', path: copy });
    expect(readFileSync(copy)).toEqual(readFileSync(source));
    expect(progress.some((p) => p.message.startsWith('Importing'))).toBe(true);
    // The copy may be named by the next request (Create graph proposes from it).
    const proposal = await data.proposeFromData({ path: copy, target: 'Species' });
    expect(proposal.spec.path).toBe(copy);

    // The web host has no dialog: an import there goes through the upload route.
    await expect(call('inspectData', { pick: 'table', importToWorkspace: true })).rejects.toThrow(/upload the data from the New from Data dialog/);
  });
});
