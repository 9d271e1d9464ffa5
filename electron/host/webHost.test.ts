import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunEvent } from '../../shared/contracts/api';
import { createGraphFile } from '../../shared/format/graphFileSchema';
import { DEFAULT_TRAINING_CONFIG } from '../../shared/format/trainingConfig';
import { emptyDocument } from '../../shared/document/model';
import { Autosave } from './autosave';
import type { TrainingService } from './labServices';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { writeModelFiles } from '../services/training/writeModelFiles';
import { createWebHandlers } from './webHandlers';
import { startWebHost, type WebHost } from './webHost';

/** A trainer the test can see into: records what it was asked and emits what the test says. */
function recordingTraining() {
  const started: unknown[] = [];
  const exported: { runId: string; dir: string }[] = [];
  const listeners = new Set<(event: RunEvent) => void>();
  const service: TrainingService = {
    async start(request) {
      started.push(request);
      return `run-${started.length}`;
    },
    async pause() {},
    async resume() {},
    async stop() {},
    // The real host-side writer, with bytes standing in for what the trainer would send.
    async exportModel(runId, dir) {
      exported.push({ runId, dir });
      if (runId === 'run-busy') throw new Error(`Run ${runId} is still training; stop it or let it finish before exporting`);
      return writeModelFiles(dir, [
        { name: 'weights.bin', bytes: new Uint8Array([1, 2, 3, 4]) },
        { name: 'model.json', bytes: new TextEncoder().encode(`{"run":"${runId}"}`) },
      ]);
    },
    onRunEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {},
  };
  return { service, started, exported, emit: (event: RunEvent) => listeners.forEach((l) => l(event)) };
}

let dir: string;
let host: WebHost;
let training: ReturnType<typeof recordingTraining>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-webhost-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Neural Bricks</title>');
  writeFileSync(path.join(rendererDir, 'assets/app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  const folders = { workspace: path.join(dir, 'ws'), examples: path.join(dir, 'examples') };
  mkdirSync(folders.workspace);
  mkdirSync(folders.examples);
  writeFileSync(
    path.join(folders.examples, 'demo.nbrick'),
    JSON.stringify(createGraphFile(emptyDocument('Demo'))),
  );
  training = recordingTraining();
  const handlers = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(path.join(dir, 'state')),
    datasets: createDatasetService(),
    training: training.service,
    autosave: new Autosave(path.join(dir, 'state')),
    appVersion: 'test',
  });
  host = await startWebHost({ rendererDir, handlers });
  training.service.onRunEvent((event) => host.emit('runEvent', event));
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw HTTP so the test controls Host/Origin/Cookie exactly (fetch forbids setting some of them). */
function get(pathAndQuery: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: host.port, path: pathAndQuery, headers: { host: `127.0.0.1:${host.port}`, ...headers } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

function connect(options: { origin?: string; query?: string; headers?: Record<string, string> } = {}) {
  const query = options.query ?? `?token=${host.token}`;
  return new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, {
    headers: { ...(options.origin ? { origin: options.origin } : {}), ...options.headers },
  });
}

function handshake(ws: WebSocket): Promise<number | 'open'> {
  return new Promise((resolve) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => {});
  });
}

async function call(ws: WebSocket, method: string, payload?: unknown) {
  const id = Math.floor(Math.random() * 1e9);
  const reply = new Promise<{ ok: boolean; result?: unknown; error?: string }>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { type: string; id: number; ok: boolean };
      if (message.type === 'response' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
  });
  ws.send(JSON.stringify({ type: 'request', id, method, payload }));
  return reply;
}

describe('web host HTTP', () => {
  it('binds to 127.0.0.1 only and prints a tokened URL', async () => {
    expect(host.address).toBe('127.0.0.1');
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    // From another interface of this machine (if it has one) the port is closed.
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const reached = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: external.address, port: host.port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      expect(reached).toBe(false);
    }
  });

  it('refuses requests without the token (401) and serves with it, setting an HttpOnly SameSite=Strict cookie', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    const ok = await get(`/?token=${host.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('Neural Bricks');
    expect(String(ok.headers['set-cookie'])).toMatch(/nb_token=.+; HttpOnly; SameSite=Strict/);
    expect((await get('/assets/app.js', { cookie: `nb_token=${host.token}` })).status).toBe(200);
  });

  it('sends a strict CSP on every response', async () => {
    const csp = String((await get(`/?token=${host.token}`)).headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(String((await get('/')).headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('refuses a foreign Origin or Host even with the token', async () => {
    expect((await get(`/?token=${host.token}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`/?token=${host.token}`, { host: `evil.example:${host.port}` })).status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    const res = await get(`/..%2Fsecret.txt?token=${host.token}`);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('outside');
  });
});

describe('web host WebSocket API', () => {
  it('refuses a handshake without the token or from another origin', async () => {
    expect(await handshake(connect({ query: '', origin: `http://127.0.0.1:${host.port}` }))).toBe(401);
    expect(await handshake(connect({ origin: 'http://evil.example' }))).toBe(403);
    const ws = connect({ origin: `http://127.0.0.1:${host.port}` });
    expect(await handshake(ws)).toBe('open');
    ws.close();
  });

  it('answers a valid request and rejects an invalid payload with the method and field named', async () => {
    const ws = connect({ origin: `http://localhost:${host.port}`, headers: { host: `localhost:${host.port}` } });
    expect(await handshake(ws)).toBe('open');
    const datasets = await call(ws, 'listDatasets');
    expect(datasets.ok).toBe(true);
    expect((datasets.result as { id: string }[]).map((d) => d.id)).toContain('spirals');

    const bad = await call(ws, 'startTraining', { graph: emptyDocument(), config: { ...DEFAULT_TRAINING_CONFIG, batchSize: 0 } });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^Invalid payload for startTraining: config\.batchSize: /);
    expect(training.started).toHaveLength(0);

    const unknown = await call(ws, 'deleteEverything', {});
    expect(unknown).toMatchObject({ ok: false, error: 'Invalid payload for deleteEverything: unknown method' });
    ws.close();
  });

  it('opens templates read-only, saves into the workspace only, and refuses escapes', async () => {
    const ws = connect();
    await handshake(ws);
    const opened = await call(ws, 'openFile', { path: 'examples/demo.nbrick' });
    expect(opened.ok).toBe(true);
    expect(opened.result).toMatchObject({ path: 'examples/demo.nbrick', readOnly: true, name: 'demo.nbrick' });
    const file = (opened.result as { file: unknown }).file;

    const overwrite = await call(ws, 'saveFile', { file, path: 'examples/demo.nbrick' });
    expect(overwrite.error).toMatch(/read-only template/);
    const escape = await call(ws, 'saveFile', { file, path: 'workspace/../../escape.nbrick' });
    expect(escape.error).toMatch(/refused/);
    const wrongType = await call(ws, 'openFile', { path: 'workspace/notes.txt' });
    expect(wrongType.error).toMatch(/only \.nbrick files/);

    const saved = await call(ws, 'saveFileAs', { file, suggestedName: 'My net/../x' });
    expect(saved.ok).toBe(true);
    const savedPath = (saved.result as { path: string }).path;
    expect(savedPath).toMatch(/^workspace\/[A-Za-z0-9 _.-]+\.nbrick$/);
    const onDisk = readFileSync(path.join(dir, 'ws', savedPath.slice('workspace/'.length)), 'utf8');
    expect(JSON.parse(onDisk)).toEqual(file);
    const recent = await call(ws, 'recentFiles');
    expect((recent.result as { path: string }[])[0]?.path).toBe(savedPath);
    ws.close();
  });

  it('starts a run with the snapshot and pushes run events to the page', async () => {
    const ws = connect();
    await handshake(ws);
    const graph = emptyDocument('Snapshot');
    const started = await call(ws, 'startTraining', { graph, config: DEFAULT_TRAINING_CONFIG });
    expect(started).toMatchObject({ ok: true, result: { runId: expect.any(String) } });
    expect(training.started.at(-1)).toEqual({ graph, config: DEFAULT_TRAINING_CONFIG, dataset: { id: 'xor' } });

    const event = new Promise<unknown>((resolve) =>
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string };
        if (message.type === 'event') resolve(message);
      }),
    );
    const runEvent: RunEvent = { runId: 'run-1', event: { type: 'resumed', runId: 'run-1' } };
    training.emit(runEvent);
    expect(await event).toEqual({ type: 'event', event: 'runEvent', payload: runEvent });
    ws.close();
  });

  it('exports a run\'s model into workspace/exports/<graph>-<run>/ and lists the page paths', async () => {
    const ws = connect();
    await handshake(ws);
    const reply = await call(ws, 'exportModel', { runId: 'run-7', name: 'My net/../x' });
    expect(reply.ok).toBe(true);
    const folder = 'workspace/exports/My-net-..-x-run-7';
    expect(reply.result).toEqual({ directory: folder, files: [`${folder}/model.json`, `${folder}/weights.bin`] });
    const absolute = path.join(dir, 'ws', 'exports', 'My-net-..-x-run-7');
    expect(training.exported.at(-1)).toEqual({ runId: 'run-7', dir: absolute });
    expect(readFileSync(path.join(absolute, 'model.json'), 'utf8')).toBe('{"run":"run-7"}');
    expect([...readFileSync(path.join(absolute, 'weights.bin'))]).toEqual([1, 2, 3, 4]);

    // Without a name the folder is still named; a run id cannot steer the path out of exports/.
    const unnamed = await call(ws, 'exportModel', { runId: '../../../etc' });
    expect((unnamed.result as { directory: string }).directory).toBe('workspace/exports/model-etc');

    const busy = await call(ws, 'exportModel', { runId: 'run-busy' });
    expect(busy).toMatchObject({ ok: false, error: expect.stringMatching(/still training/) });
    const bad = await call(ws, 'exportModel', { runId: '' });
    expect(bad.error).toMatch(/^Invalid payload for exportModel: runId: /);
    ws.close();
  });

  it('refuses to export through an exports folder that links outside the workspace', async () => {
    const ws = connect();
    await handshake(ws);
    const outside = path.join(dir, 'outside-exports');
    mkdirSync(outside);
    rmSync(path.join(dir, 'ws', 'exports'), { recursive: true, force: true });
    symlinkSync(outside, path.join(dir, 'ws', 'exports'));
    const before = training.exported.length;
    const reply = await call(ws, 'exportModel', { runId: 'run-8', name: 'Net' });
    expect(reply).toMatchObject({ ok: false, error: expect.stringMatching(/outside the workspace/) });
    expect(training.exported).toHaveLength(before);
    rmSync(path.join(dir, 'ws', 'exports'));
    ws.close();
  });
});
