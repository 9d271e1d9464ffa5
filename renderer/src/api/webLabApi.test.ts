/** The web client's size rule for saves, against a scripted server: a file too big to reopen is never sent. */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_FILE_BYTES } from '../../../shared/contracts/wireLimits';
import { emptyDocument } from '../../../shared/document/model';
import { createGraphFile } from '../../../shared/format/graphFileSchema';
import { createWebLabApi } from './webLabApi';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let server: WebSocketServer;
let host: string;
const methods: string[] = [];

beforeEach(async () => {
  methods.length = 0;
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 1024 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('connection', (socket) =>
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id: number; method: string };
      methods.push(message.method);
      socket.send(JSON.stringify({ type: 'response', id: message.id, ok: true, result: { path: 'workspace/x.nbrick', name: 'x.nbrick' } }));
    }),
  );
});

afterEach(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A graph whose file (canonical, indented) is over the limit although its compact form is under it. */
function graphOverTheFileLimit() {
  const notes = 'x'.repeat(90_000);
  const nodes = Array.from({ length: Math.ceil(MAX_FILE_BYTES / 90_000) + 1 }, (_, i) => ({
    id: `n${i}`, type: 'dense', params: {}, position: { x: 0, y: 0 }, notes,
  }));
  return createGraphFile({ ...emptyDocument('Huge'), nodes });
}

describe('web LabApi saves', () => {
  it('refuses to save a graph whose file would be over the file limit, before sending, naming both sizes', async () => {
    const api = createWebLabApi({ host, search: '?token=t' });
    await expect(api.saveFile({ file: graphOverTheFileLimit(), path: 'workspace/x.nbrick' })).rejects.toThrow(
      /^This graph is 50\.\d MB as a file; the lab's limit for a file is 50\.0 MB\.$/,
    );
    expect(methods).toEqual([]);
    await expect(api.saveFile({ file: createGraphFile(emptyDocument('Small')), path: 'workspace/x.nbrick' })).resolves.toEqual({
      path: 'workspace/x.nbrick',
      name: 'x.nbrick',
    });
    expect(methods).toEqual(['saveFile']);
  });
});
