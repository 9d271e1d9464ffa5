/**
 * The web host under hostile and oversize traffic: malformed WebSocket frames written by hand, messages over the
 * limit, handlers that throw odd things, sockets that vanish mid-request. After each, the host must still serve.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiHandlers } from '../../shared/contracts/api';
import { MAX_FILE_BYTES, MAX_WIRE_MESSAGE_BYTES } from '../../shared/contracts/wireLimits';
import { emptyDocument, type GraphDocument } from '../../shared/document/model';
import { createGraphFile, type GraphFile } from '../../shared/format/graphFileSchema';
import { serializeGraphFile } from '../../shared/format/serializeGraphFile';
import { Autosave } from './autosave';
import { createDatasetService, createGraphFileStore, createRecentFiles } from './nodeServices';
import { createWebHandlers } from './webHandlers';
import { startWebHost, type WebHost } from './webHost';
import { idleTrainingService } from '../services/testing/idleTraining';

const TOKEN = 'resilience-token';

let dir: string;
let host: WebHost;
const logged: string[] = [];
/** Anything that escaped as an uncaught exception or unhandled rejection: each would end a real host process. */
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);
let resumeStarted: () => void = () => {};
let finishResume: () => void = () => {};

beforeAll(async () => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  dir = mkdtempSync(path.join(os.tmpdir(), 'nb-resilience-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  const folders = { workspace: path.join(dir, 'ws'), examples: path.join(dir, 'examples') };
  mkdirSync(folders.workspace);
  mkdirSync(folders.examples);
  const real = createWebHandlers({
    folders,
    files: createGraphFileStore(),
    recent: createRecentFiles(path.join(dir, 'state')),
    datasets: createDatasetService(),
    training: idleTrainingService({}, 'run-1'),
    autosave: new Autosave(path.join(dir, 'state')),
    appVersion: 'test',
  });
  const handlers: ApiHandlers = {
    ...real,
    // A handler that throws something that is not even convertible to a string.
    pauseTraining: async () => {
      throw Object.create(null) as unknown;
    },
    // A handler that is still working when its socket goes away.
    resumeTraining: () =>
      new Promise<void>((resolve) => {
        finishResume = resolve;
        resumeStarted();
      }),
  };
  host = await startWebHost({ rendererDir, handlers, token: TOKEN, log: (line) => logged.push(line) });
});

afterAll(async () => {
  await host?.close();
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  const found = escaped.splice(0);
  expect(found, 'an error escaped the web host (a real host process would have exited)').toEqual([]);
});

// ---- WebSocket frames by hand (RFC 6455 §5.2) ----

interface FrameOptions {
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly masked?: boolean;
  /** The length written in the header, when it should not be the payload's. */
  readonly announced?: number | bigint;
}

/** One client frame: FIN/RSV1/opcode, mask bit with a 7-, 16- or 64-bit length, masking key, masked payload. */
function frame(opcode: number, payload: Buffer = Buffer.alloc(0), options: FrameOptions = {}): Buffer {
  const { fin = true, rsv1 = false, masked = true } = options;
  const length = BigInt(options.announced ?? payload.length);
  const head = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode];
  const maskBit = masked ? 0x80 : 0;
  let lengthBytes: Buffer;
  if (length < 126n) {
    head.push(maskBit | Number(length));
    lengthBytes = Buffer.alloc(0);
  } else if (length < 65536n) {
    head.push(maskBit | 126);
    lengthBytes = Buffer.alloc(2);
    lengthBytes.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    lengthBytes = Buffer.alloc(8);
    lengthBytes.writeBigUInt64BE(length);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), lengthBytes, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ key[i % 4]!;
  return Buffer.concat([Buffer.from(head), lengthBytes, key, body]);
}

function closePayload(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return payload;
}

interface RawSocket {
  readonly socket: net.Socket;
  /** Resolves when the server's side is done: the close code it sent (if any) and whether the TCP stream ended. */
  readonly closed: Promise<{ readonly code: number | undefined }>;
}

/** A WebSocket handshake over plain TCP, so the test can write any bytes afterwards. */
function rawConnect(): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: host.port });
    socket.on('error', () => {}); // the server may reset us while we are still writing: that is the point
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let code: number | undefined;
    let settleClosed: (value: { code: number | undefined }) => void = () => {};
    const closed = new Promise<{ code: number | undefined }>((r) => (settleClosed = r));
    socket.on('close', () => {
      if (!upgraded) reject(new Error('the handshake failed'));
      settleClosed({ code });
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake answered ${head.split('\r\n')[0]}`));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve({ socket, closed });
      }
      // Server frames are unmasked and small here; look for the close frame (opcode 0x8).
      while (buffer.length >= 2) {
        const opcode = buffer[0]! & 0x0f;
        const length = buffer[1]! & 0x7f;
        if (length >= 126 || buffer.length < 2 + length) break;
        if (opcode === 0x8) {
          code = length >= 2 ? buffer.readUInt16BE(2) : undefined;
          socket.destroy(); // our half of the close: we have what we came for
        }
        buffer = buffer.subarray(2 + length);
      }
    });
    socket.write(
      [
        `GET /api?token=${TOKEN} HTTP/1.1`,
        `Host: 127.0.0.1:${host.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

function connect(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${TOKEN}`, { maxPayload: 2 * MAX_WIRE_MESSAGE_BYTES });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

type Reply = { ok: boolean; result?: unknown; error?: string };

function call(ws: WebSocket, method: string, payload?: unknown): Promise<Reply> {
  const id = Math.floor(Math.random() * 1e9);
  return sendRequest(ws, id, JSON.stringify({ type: 'request', id, method, payload }));
}

/** Sends an already serialized request, so a timing can leave out the client's own work. */
function sendRequest(ws: WebSocket, id: number, text: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as Reply & { type: string; id: number };
      if (message.type === 'response' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => reject(new Error(`closed with ${code} before answering ${text.slice(0, 80)}`)));
    ws.send(text);
  });
}

/** A new client connects and gets a real answer. */
async function expectHostServes(): Promise<void> {
  const ws = await connect();
  const info = await call(ws, 'getHostInfo');
  expect(info).toMatchObject({ ok: true, result: { transport: 'web' } });
  ws.close();
}

describe('web host under malformed frames', () => {
  const cases: { name: string; bytes: () => Buffer; code: number }[] = [
    { name: 'a text frame with invalid UTF-8', bytes: () => frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), code: 1007 },
    { name: 'the reserved opcode 0x3', bytes: () => frame(0x3, Buffer.from('x')), code: 1002 },
    { name: 'a ping with a 126-byte payload', bytes: () => frame(0x9, Buffer.alloc(126, 1)), code: 1002 },
    { name: 'a close frame with the reserved code 1004', bytes: () => frame(0x8, closePayload(1004)), code: 1002 },
    { name: 'a close frame with the out-of-range code 5000', bytes: () => frame(0x8, closePayload(5000)), code: 1002 },
    { name: 'an unmasked client frame', bytes: () => frame(0x1, Buffer.from('{}'), { masked: false }), code: 1002 },
    { name: 'RSV1 set without a negotiated extension', bytes: () => frame(0x1, Buffer.from('{}'), { rsv1: true }), code: 1002 },
    { name: 'a continuation with nothing to continue', bytes: () => frame(0x0, Buffer.from('{}')), code: 1002 },
    { name: 'a header announcing 50 MB over the limit', bytes: () => frame(0x1, Buffer.alloc(0), { announced: MAX_WIRE_MESSAGE_BYTES + 50 * 1024 * 1024 }), code: 1009 },
    { name: 'a header announcing 2^63 bytes', bytes: () => frame(0x1, Buffer.alloc(0), { announced: 2n ** 63n }), code: 1009 },
  ];

  for (const { name, bytes, code } of cases) {
    it(`closes only the socket that sent ${name} (code ${code}), logs it, and keeps serving`, async () => {
      const bystander = await connect();
      const before = logged.length;
      const raw = await rawConnect();
      raw.socket.write(bytes());
      expect(await raw.closed).toEqual({ code });
      await expect.poll(() => logged.slice(before).join('\n')).toMatch(/WebSocket/);
      // Another client that was connected all along is untouched, and a new one is served.
      expect(await call(bystander, 'listDatasets')).toMatchObject({ ok: true });
      bystander.close();
      await expectHostServes();
    });
  }

  it('closes a socket whose fragmented message grows over the limit (1009) and keeps serving', async () => {
    const raw = await rawConnect();
    const half = Buffer.alloc(Math.floor(MAX_WIRE_MESSAGE_BYTES / 2) + 1, 0x20);
    raw.socket.write(frame(0x1, half, { fin: false }));
    raw.socket.write(frame(0x0, half, { fin: true }));
    expect(await raw.closed).toEqual({ code: 1009 });
    await expectHostServes();
  });

  it('closes a real client that sends one message over the limit (1009) and keeps serving', async () => {
    const ws = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.on('error', () => {});
    ws.send('x'.repeat(MAX_WIRE_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
    await expectHostServes();
  });

  it('survives connections that reset during and right after the handshake', async () => {
    for (let i = 0; i < 20; i++) {
      const socket = net.connect({ host: '127.0.0.1', port: host.port });
      socket.on('error', () => {});
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        `GET /api?token=${i % 2 ? TOKEN : 'wrong'} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      socket.resetAndDestroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expectHostServes();
  });
});

describe('web host handlers and sockets', () => {
  it('answers a handler that throws a value with no string form, without an unhandled rejection', async () => {
    const ws = await connect();
    const reply = await call(ws, 'pauseTraining', { runId: 'run-1' });
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(/pauseTraining/);
    ws.close();
  });

  it('finishes a request whose socket closed mid-handler without harm', async () => {
    const ws = await connect();
    const started = new Promise<void>((resolve) => (resumeStarted = resolve));
    ws.send(JSON.stringify({ type: 'request', id: 1, method: 'resumeTraining', payload: { runId: 'run-1' } }));
    await started;
    ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    finishResume();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expectHostServes();
  });

  // Speed is the bench's business, not a test's: that the refusal comes from the raw-text check (the answer names a
  // character position, which only that check knows) proves it happened before JSON.parse and the schema.
  it('refuses a million-key payload before parsing it', async () => {
    const params: Record<string, number> = {};
    for (let i = 0; i < 1_000_000; i++) params[`k${i}`] = 1;
    const graph = { ...emptyDocument('Keys'), nodes: [{ id: 'a', type: 'dense', params, position: { x: 0, y: 0 } }] };
    const ws = await connect();
    const payload = { file: createGraphFile(graph as GraphDocument), path: 'workspace/keys.nbrick' };
    const text = JSON.stringify({ type: 'request', id: 7, method: 'saveFile', payload });
    const reply = await sendRequest(ws, 7, text);
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(/^Invalid message: an object with more than 256 keys \(at character \d+\)/);
    ws.close();
  });

  it('names the field when a graph breaks the loader limits, before the schema runs', async () => {
    const ws = await connect();
    const nodes = Array.from({ length: 5001 }, () => ({}));
    const tooMany = await call(ws, 'startTraining', { graph: { ...emptyDocument('N'), nodes }, config: {} });
    expect(tooMany.error).toBe('Invalid payload for startTraining: graph.nodes: 5001 items; a graph has at most 5000 nodes');
    const params = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, 1]));
    const node = { id: 'a', type: 'dense', params, position: { x: 0, y: 0 } };
    const manyParams = await call(ws, 'saveFile', { file: createGraphFile({ ...emptyDocument('P'), nodes: [node] }), path: 'workspace/p.nbrick' });
    expect(manyParams.error).toBe('Invalid payload for saveFile: file.graph.nodes.0.params: 65 keys; a node has at most 64 params');
    ws.close();
  });

  it('refuses a million-item array before parsing it, with a short answer', async () => {
    const graph = { ...emptyDocument('Items'), nodes: Array.from({ length: 1_000_000 }, () => ({})) };
    const ws = await connect();
    const text = JSON.stringify({ type: 'request', id: 8, method: 'startTraining', payload: { graph, config: {} } });
    const reply = await sendRequest(ws, 8, text);
    expect(reply.error).toMatch(/^Invalid message: a list of more than 100000 items/);
    expect(reply.error!.length).toBeLessThan(2000);
    ws.close();
  });
});

/** A graph whose canonical file is exactly `bytes` long: notes full of text that JSON must escape, then padding. */
function fileOfSize(bytes: number): GraphFile {
  const chunk = 'quote " backslash \\ newline \n tab \t é ✓ 🧱 '.repeat(2000).slice(0, 90_000);
  const node = (i: number, notes: string, label = '') => ({ id: `n${i}`, type: 'dense', params: { units: 8 }, position: { x: i, y: 0 }, notes, label });
  const perNode = Buffer.byteLength(serializeGraphFile(createGraphFile({ ...emptyDocument('Big'), nodes: [node(0, chunk)] })));
  const nodes = Array.from({ length: Math.floor(bytes / perNode) }, (_, i) => node(i, chunk));
  // The last node takes the rest in its notes and label (each at most 100,000 characters).
  const make = (pad: string) =>
    createGraphFile({ ...emptyDocument('Big'), nodes: [...nodes, node(nodes.length, pad.slice(0, 90_000), pad.slice(90_000))] });
  // Padding is ASCII, one byte per character, so one measurement lands exactly on the size.
  const file = make('a'.repeat(bytes - Buffer.byteLength(serializeGraphFile(make('')))));
  expect(Buffer.byteLength(serializeGraphFile(file))).toBe(bytes);
  return file;
}

describe('web host file size limits', { timeout: 240_000 }, () => {
  it('opens and saves back a file of exactly the file limit through the socket', async () => {
    const file = fileOfSize(MAX_FILE_BYTES);
    writeFileSync(path.join(dir, 'ws', 'limit.nbrick'), serializeGraphFile(file));
    const ws = await connect();
    const opened = await call(ws, 'openFile', { path: 'workspace/limit.nbrick' });
    expect(opened.error).toBeUndefined();
    const saved = await call(ws, 'saveFile', { file: (opened.result as { file: GraphFile }).file, path: 'workspace/limit-copy.nbrick' });
    expect(saved).toMatchObject({ ok: true });
    // Buffer.equals: a deep toEqual over 50 MB would take minutes.
    const same = readFileSync(path.join(dir, 'ws', 'limit-copy.nbrick')).equals(readFileSync(path.join(dir, 'ws', 'limit.nbrick')));
    expect(same).toBe(true);
    ws.close();
  });

  it('answers an error instead of sending an openFile answer over the message limit', async () => {
    // A hand-written file under the file limit that grows when re-serialized: `1e20` is sent as 21 digits.
    const big = '[' + Array(16).fill('1e20').join(',') + ']';
    const params = '{' + Array.from({ length: 64 }, (_, i) => `"p${i}":${big}`).join(',') + '}';
    const node = (i: number) => `{"id":"n${i}","type":"dense","params":${params},"position":{"x":0,"y":0}}`;
    const nodes = Array.from({ length: 3000 }, (_, i) => node(i)).join(',');
    const text = `{"format":"neural-bricks/graph","formatVersion":1,"graph":{"metadata":{"name":"Grows"},"nodes":[${nodes}],"edges":[],"groups":[]}}`;
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    writeFileSync(path.join(dir, 'ws', 'grows.nbrick'), text);
    const ws = await connect();
    const opened = await call(ws, 'openFile', { path: 'workspace/grows.nbrick' });
    expect(opened.ok).toBe(false);
    expect(opened.error).toMatch(/grows\.nbrick.* is \d+\.\d MB once sent; the lab's limit for one message is \d+\.\d MB/);
    await expectHostServes();
    ws.close();
  });
});
