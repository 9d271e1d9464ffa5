/** The renderer's WebSocket client against a scripted server (ws), with ws standing in for the browser WebSocket. */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_WIRE_MESSAGE_BYTES } from '../../../shared/contracts/wireLimits';
import { WsConnection } from './wsConnection';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let server: WebSocketServer;
let url: string;
const received: unknown[] = [];

beforeEach(async () => {
  received.length = 0;
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api?token=t`;
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id: number; method: string; payload?: unknown };
      received.push(message);
      if (message.method === 'echo') socket.send(JSON.stringify({ type: 'response', id: message.id, ok: true, result: message.payload }));
      if (message.method === 'fail') socket.send(JSON.stringify({ type: 'response', id: message.id, ok: false, error: 'Invalid payload for fail: x: bad' }));
      if (message.method === 'hang') {
        // never answers; the test closes the connection
      }
      if (message.method === 'emit') {
        socket.send(JSON.stringify({ type: 'event', event: 'runEvent', payload: { runId: 'r' } }));
        socket.send(JSON.stringify({ type: 'response', id: message.id, ok: true, result: null }));
      }
    });
  });
});

afterEach(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('WsConnection', () => {
  it('matches responses to requests, in any order of completion', async () => {
    const connection = new WsConnection(url);
    const [a, b] = await Promise.all([connection.request('echo', { n: 1 }), connection.request('echo', { n: 2 })]);
    expect(a).toEqual({ n: 1 });
    expect(b).toEqual({ n: 2 });
    expect(received).toHaveLength(2);
  });

  it('rejects with the host’s message', async () => {
    await expect(new WsConnection(url).request('fail')).rejects.toThrow('Invalid payload for fail: x: bad');
  });

  it('delivers events to subscribers until they unsubscribe', async () => {
    const connection = new WsConnection(url);
    const events: unknown[] = [];
    const unsubscribe = connection.on('runEvent', (payload) => events.push(payload));
    await connection.request('emit');
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]).toEqual({ runId: 'r' });
    unsubscribe();
    await connection.request('emit');
    await connection.request('echo', 1);
    expect(events).toHaveLength(1);
  });

  it('fails pending requests when the connection drops, and reconnects for the next one', async () => {
    const connection = new WsConnection(url);
    const pending = connection.request('hang');
    await expect.poll(() => received.length).toBe(1);
    for (const client of server.clients) client.terminate();
    await expect(pending).rejects.toThrow(/Lost the connection/);
    await expect(connection.request('echo', 'again')).resolves.toBe('again');
  });

  it('refuses a request over the message limit before sending it, with its size, and stays usable', async () => {
    const connection = new WsConnection(url);
    await connection.request('echo', 'first');
    const big = 'é'.repeat(Math.ceil(MAX_WIRE_MESSAGE_BYTES / 2));
    await expect(connection.request('echo', big)).rejects.toThrow(
      /^This request \(echo\) is 50\.\d MB; the lab's limit for one message is 50\.1 MB$/,
    );
    expect(received).toHaveLength(1);
    await expect(connection.request('echo', 'after')).resolves.toBe('after');
  });
});
