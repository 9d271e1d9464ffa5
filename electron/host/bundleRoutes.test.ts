import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandlers, OpenedFile } from '../../shared/contracts/api';
import { BUNDLE_LEFT_OUT_HEADER, MAX_BUNDLE_BYTES } from '../../shared/contracts/graphBundle';
import { emptyDocument } from '../../shared/document/model';
import { createGraphFile, type GraphFile } from '../../shared/format/graphFileSchema';
import { serializeGraphFile } from '../../shared/format/serializeGraphFile';
import { sha256Hex } from '../../shared/format/sha256';
import { CheckpointService } from '../services/checkpoints/CheckpointService';
import { checkpointDirFor, readCheckpoint, writeCheckpoint } from '../services/checkpoints/checkpointStore';
import { Autosave } from './autosave';
import { createBundleRoutes } from './bundleRoutes';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';
import { startWebHost, type WebHost } from './webHost';
import { workspaceFolder } from './workspaceFolders';
import { idleTrainingService, SAMPLE_GRAPH_HASH as HASH, sampleRun } from '../services/testing/idleTraining';

const run = (id: string) => sampleRun(id);
const idleTraining = idleTrainingService();

let dir: string;
let ws: string;
let host: WebHost;
let handlers: ApiHandlers;
let file: GraphFile;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-bundles-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  const folders = { workspace: path.join(dir, 'ws'), examples: path.join(dir, 'examples') };
  ws = folders.workspace;
  mkdirSync(ws);
  mkdirSync(folders.examples);
  writeFileSync(path.join(dir, 'outside.nbrick'), serializeGraphFile(createGraphFile(emptyDocument('outside'))));
  symlinkSync(path.join(dir, 'outside.nbrick'), path.join(ws, 'link.nbrick'));
  const stateDir = path.join(ws, '.neural-bricks');
  const checkpoints = new CheckpointService({ stateDir, boundary: workspaceFolder(folders), log: () => {} });
  handlers = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(stateDir),
    datasets: createDatasetService(),
    training: idleTraining,
    autosave: new Autosave(stateDir),
    checkpoints,
    appVersion: 'test',
  });
  host = await startWebHost({ rendererDir, handlers, bundles: createBundleRoutes({ folders, checkpoints }) });

  // net.nbrick with two kept runs: run-1 whole, run-2 with its weights altered on disk.
  file = createGraphFile(emptyDocument('net'), { runs: [run('run-1'), run('run-2')] });
  writeFileSync(path.join(ws, 'net.nbrick'), serializeGraphFile(file));
  for (const runId of ['run-1', 'run-2']) {
    const files = [
      { name: 'model.json', bytes: new TextEncoder().encode(`{"run":"${runId}"}`) },
      { name: 'weights.bin', bytes: Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 256) },
    ];
    await writeCheckpoint(checkpointDirFor(path.join(ws, 'net.nbrick'), runId), { runId, graphHash: HASH, files });
  }
  writeFileSync(path.join(checkpointDirFor(path.join(ws, 'net.nbrick'), 'run-2'), 'weights.bin'), new Uint8Array(4096));
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Raw HTTP, so the test sets Host, Origin and the token exactly. */
function send(method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: host.port, method, path: pathAndQuery, headers: { host: `127.0.0.1:${host.port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const withToken = () => ({ 'x-neural-bricks-token': host.token });
const fromPage = () => ({ ...withToken(), origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/zip' });
const download = (query: string) => send('GET', `/bundle?${query}`, withToken());
const upload = (zip: Uint8Array, headers = fromPage()) => send('POST', '/bundle', headers, zip);

describe('graph bundles over the web host', () => {
  it('downloads the saved file and its whole checkpoints exactly as on disk; a damaged one is left out and named', async () => {
    const answer = await download('path=workspace/net.nbrick&name=copy.nbrick');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/zip');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="copy\.zip"/);
    expect(answer.headers['content-security-policy']).toContain("form-action 'none'");
    const leftOut = JSON.parse(decodeURIComponent(String(answer.headers[BUNDLE_LEFT_OUT_HEADER])));
    expect(leftOut).toEqual([expect.objectContaining({ runId: 'run-2', status: 'damaged' })]);
    expect(leftOut[0].reason).toContain('workspace/net.nbrick-runs/run-2');
    expect(leftOut[0].reason).not.toContain(ws);

    const entries = unzipSync(new Uint8Array(answer.body));
    const runDir = checkpointDirFor(path.join(ws, 'net.nbrick'), 'run-1');
    const expected = {
      'copy.nbrick': readFileSync(path.join(ws, 'net.nbrick')),
      ...Object.fromEntries(readdirSync(runDir).map((name) => [`copy.nbrick-runs/run-1/${name}`, readFileSync(path.join(runDir, name))])),
    };
    expect(Object.keys(entries).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, bytes] of Object.entries(expected)) expect(Buffer.from(entries[name]!)).toEqual(bytes);
  });

  it('needs the token; keeps to the workspace rules; refuses a bundle of a file the page has changed since', async () => {
    expect((await send('GET', '/bundle?path=workspace/net.nbrick')).status).toBe(401);
    expect((await download('path=workspace/../outside.nbrick')).status).toBe(400);
    const viaLink = await download('path=workspace/link.nbrick');
    expect(viaLink.status).toBe(400);
    expect(viaLink.body.toString()).toContain('outside the workspace');
    expect((await download('path=workspace/none.nbrick')).status).toBe(404);
    expect((await download('path=workspace/net.nbrick&name=..%2Fx.nbrick')).status).toBe(400);
    const saved = readFileSync(path.join(ws, 'net.nbrick'));
    expect((await download(`path=workspace/net.nbrick&sha256=${sha256Hex(saved)}`)).status).toBe(200);
    const changed = await download(`path=workspace/net.nbrick&sha256=${'0'.repeat(64)}`);
    expect(changed.status).toBe(409);
    expect(changed.body.toString()).toContain('save it first');
  });

  it('round trip: download → upload → Save As puts the run\'s checkpoint beside the new file, verified', async () => {
    const zip = new Uint8Array((await download('path=workspace/net.nbrick')).body);
    const answer = await upload(zip);
    expect(answer.status).toBe(200);
    const opened = JSON.parse(answer.body.toString()) as OpenedFile;
    expect(opened).toMatchObject({ path: null, name: 'net.nbrick', readOnly: false });
    expect(serializeGraphFile(opened.file)).toBe(serializeGraphFile(file));
    expect(opened.checkpoints).toEqual([
      { runId: 'run-1', status: 'ok' },
      expect.objectContaining({ runId: 'run-2', status: 'missing' }),
    ]);

    const saved = await handlers.saveFileAs({ file: opened.file, suggestedName: 'uploaded' });
    expect(saved?.checkpoints?.find((r) => r.runId === 'run-1')?.status).toBe('ok');
    const beside = await readCheckpoint(checkpointDirFor(path.join(ws, 'uploaded.nbrick'), 'run-1'), 'run-1');
    expect(beside.status).toBe('ok');
    const original = await readCheckpoint(checkpointDirFor(path.join(ws, 'net.nbrick'), 'run-1'), 'run-1');
    if (beside.status !== 'ok' || original.status !== 'ok') throw new Error('unreachable');
    expect(beside.files).toEqual(original.files);
  });

  it('an uploaded checkpoint whose bytes were altered is left out and reported damaged; the graph opens', async () => {
    const entries = unzipSync(new Uint8Array((await download('path=workspace/net.nbrick&name=tampered.nbrick')).body));
    entries['tampered.nbrick-runs/run-1/weights.bin']![0]! ^= 0xff;
    const answer = await upload(zipSync(entries));
    expect(answer.status).toBe(200);
    const opened = JSON.parse(answer.body.toString()) as OpenedFile;
    expect(opened.checkpoints[0]).toMatchObject({ runId: 'run-1', status: 'damaged' });
    expect(opened.checkpoints[0]?.reason).toContain('sha256');
  });

  it('refuses uploads: zip-slip, not a zip, an invalid graph, over the size limit (early), or from another origin', async () => {
    const graph = readFileSync(path.join(ws, 'net.nbrick'));
    const slip = await upload(zipSync({ 'net.nbrick': graph, 'net.nbrick-runs/run-1/../../../evil.sh': new Uint8Array([1]) }));
    expect(slip.status).toBe(400);
    expect(slip.body.toString()).toContain('Refused entry');
    expect(readdirSync(dir)).not.toContain('evil.sh');
    expect((await upload(new TextEncoder().encode('not a zip'))).status).toBe(400);
    const invalid = await upload(zipSync({ 'bad.nbrick': new TextEncoder().encode('{"format":"something else"}') }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.toString()).toContain('bad.nbrick');

    // Refused on the declared length alone: nothing is sent after the headers.
    const tooLarge = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: host.port, method: 'POST', path: '/bundle', headers: { host: `127.0.0.1:${host.port}`, ...fromPage(), 'content-length': String(MAX_BUNDLE_BYTES + 1) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.toString()).toContain('512.0 MB');

    const zip = zipSync({ 'net.nbrick': graph });
    expect((await upload(zip, { ...fromPage(), origin: 'http://evil.example' })).status).toBe(403);
    const { origin: _origin, ...noOrigin } = fromPage();
    expect((await upload(zip, noOrigin as ReturnType<typeof fromPage>)).status).toBe(403);
    expect((await upload(zip, { origin: `http://127.0.0.1:${host.port}` } as ReturnType<typeof fromPage>)).status).toBe(401);
    expect((await send('PUT', '/bundle', fromPage(), zip)).status).toBe(405);
    expect((await send('POST', '/index.html', fromPage(), zip)).status).toBe(405);
  });

  it('the page policy still allows no form posts and connects only to the host itself', async () => {
    const csp = String((await send('GET', '/', withToken())).headers['content-security-policy']);
    expect(csp).toContain("form-action 'none'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port} ws://localhost:${host.port}`);
    expect(csp).not.toMatch(/connect-src[^;]*\*/);
  });
});
