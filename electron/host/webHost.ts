/**
 * The browser transport: an HTTP server on 127.0.0.1 that serves the built renderer and speaks the LabApi over a
 * WebSocket. Every HTTP request and the WebSocket upgrade need the per-launch token; Host and Origin are pinned to
 * our loopback address; every request payload is validated against the contract before a handler runs.
 *
 * Nothing a client sends can stop the host: a protocol error closes that one socket (ws picks the close code:
 * 1002 protocol, 1007 bad UTF-8, 1009 too big) and is logged; a handler's failure becomes that request's error
 * answer; an answer too big to send becomes an error answer too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ApiPayloadError,
  parseRequest,
  wireRequestSchema,
  type ApiEvent,
  type ApiEventPayloads,
  type ApiHandlers,
  type ApiMethod,
  type OpenedFile,
  type WireMessage,
} from '../../shared/contracts/api';
import { findJsonTextOverrun } from '../../shared/contracts/payloadBudget';
import { formatMegabytes, MAX_WIRE_MESSAGE_BYTES, utf8BytesOver } from '../../shared/contracts/wireLimits';
import {
  BUNDLE_LEFT_OUT_HEADER,
  BUNDLE_NAME_PARAM,
  BUNDLE_PATH_PARAM,
  BUNDLE_ROUTE,
  BUNDLE_SHA256_PARAM,
  MAX_BUNDLE_BYTES,
} from '../../shared/contracts/graphBundle';
import { DATA_IMPORT_ROUTE, type DataImportKind } from '../../shared/contracts/dataImport';
import { DataImportError } from '../services/data/importData';
import { FileError } from '../services/files/fileErrors';
import { BundleError } from '../services/files/graphBundle';
import { BundleConflictError, type BundleDownload, type BundleRoutes } from './bundleRoutes';
import { UnknownImportSession, type DataImportRoutes } from './dataImportRoutes';
import {
  createToken,
  findToken,
  hostAllowed,
  originAllowed,
  securityHeaders,
  tokenCookie,
} from './webHostSecurity';

export interface WebHostOptions {
  /** Folder with the built renderer (index.html + assets), from `vite build`. */
  readonly rendererDir: string;
  readonly handlers: ApiHandlers;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Fixed token for tests; a random one otherwise. */
  readonly token?: string;
  readonly log?: (line: string) => void;
  /** Graph bundles (GET download, POST upload) on BUNDLE_ROUTE; absent: that route is not found. */
  readonly bundles?: BundleRoutes;
  /** Data uploads into workspace/data (POST on DATA_IMPORT_ROUTE); absent: that route is not found. */
  readonly dataImports?: DataImportRoutes;
}

export interface WebHost {
  /** The address the server is bound to (always the loopback 127.0.0.1). */
  readonly address: string;
  readonly port: number;
  readonly token: string;
  /** The address to open, token included. */
  readonly url: string;
  emit<E extends ApiEvent>(event: E, payload: ApiEventPayloads[E]): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? createToken();
  const log = options.log ?? (() => {});
  const rendererDir = path.resolve(options.rendererDir);
  let port = 0;

  const sockets = new Set<WebSocket>();
  // A message may carry a whole file: the limit is the file limit plus its envelope (wireLimits.ts).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE_BYTES });
  wss.on('error', (error) => log(`WebSocket server: ${describeError(error)}`));

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      log(`request failed: ${String(error)}`);
      if (!response.headersSent) send(response, 500, 'Internal error');
      else response.destroy();
    });
  });

  function send(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
    response.writeHead(status, {
      ...securityHeaders(port),
      'Content-Type': 'text/plain; charset=utf-8',
      ...headers,
    });
    response.end(text);
  }

  async function handleHttp(request: IncomingMessage, response: ServerResponse) {
    if (!hostAllowed(request, port)) return send(response, 403, 'Forbidden: unexpected Host header');
    const origin = request.headers.origin;
    if (!originAllowed(origin, port, false)) return send(response, 403, 'Forbidden: cross-origin request');
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const isBundleUpload = request.method === 'POST' && url.pathname === BUNDLE_ROUTE;
    const isDataImport = request.method === 'POST' && url.pathname === DATA_IMPORT_ROUTE && options.dataImports !== undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD' && !isBundleUpload && !isDataImport) return send(response, 405, 'Method not allowed');
    const source = findToken(request, url, token);
    if (!source) {
      return send(response, 401, 'Unauthorized: open the address printed by `npm start` (it carries the access token).');
    }
    const extraHeaders: Record<string, string> = source === 'query' ? { 'Set-Cookie': tokenCookie(token) } : {};
    if (url.pathname === BUNDLE_ROUTE && options.bundles) {
      // An upload changes the host's state: like the WebSocket, only our own page may send it (a browser always says where from).
      if (isBundleUpload && !originAllowed(origin, port, true)) return send(response, 403, 'Forbidden: an upload must come from the lab\'s page');
      return isBundleUpload ? uploadBundle(options.bundles, request, response) : downloadBundle(options.bundles, url, request, response);
    }
    if (isDataImport && options.dataImports) {
      // Writes into the workspace: like the WebSocket, only our own page may send it.
      if (!originAllowed(origin, port, true)) return send(response, 403, "Forbidden: an upload must come from the lab's page");
      return importData(options.dataImports, url, request, response);
    }
    const file = await resolveStatic(url.pathname);
    if (!file) return send(response, 404, 'Not found', extraHeaders);
    const body = await readFile(file);
    response.writeHead(200, {
      ...securityHeaders(port),
      'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(body.length),
      ...extraHeaders,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  async function downloadBundle(bundles: BundleRoutes, url: URL, request: IncomingMessage, response: ServerResponse) {
    const pagePath = url.searchParams.get(BUNDLE_PATH_PARAM);
    if (pagePath === null) return send(response, 400, `Which file? Missing the "${BUNDLE_PATH_PARAM}" parameter.`);
    const name = url.searchParams.get(BUNDLE_NAME_PARAM);
    const sha256 = url.searchParams.get(BUNDLE_SHA256_PARAM);
    let bundle: BundleDownload;
    try {
      bundle = await bundles.download({ path: pagePath, ...(name !== null ? { name } : {}), ...(sha256 !== null ? { sha256 } : {}) });
    } catch (error) {
      return refuseBundle(response, error);
    }
    response.writeHead(200, {
      ...securityHeaders(port),
      'Content-Type': 'application/zip',
      'Content-Length': String(bundle.zip.byteLength),
      'Content-Disposition': `attachment; filename="${asciiFileName(bundle.fileName)}"; filename*=UTF-8''${encodeURIComponent(bundle.fileName)}`,
      [BUNDLE_LEFT_OUT_HEADER]: encodeURIComponent(JSON.stringify(bundle.leftOut)),
    });
    response.end(request.method === 'HEAD' ? undefined : bundle.zip);
  }

  async function uploadBundle(bundles: BundleRoutes, request: IncomingMessage, response: ServerResponse) {
    const tooLarge = () => {
      // Said at once, before the rest is read; the connection then closes rather than reading what was refused.
      send(response, 413, `The upload is over the limit for a bundle (${formatMegabytes(MAX_BUNDLE_BYTES)}).`, { Connection: 'close' });
      response.once('finish', () => request.destroy());
    };
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    if (declared > MAX_BUNDLE_BYTES) return tooLarge();
    const body = await readBody(request, MAX_BUNDLE_BYTES);
    if (!body) return tooLarge();
    let opened: OpenedFile;
    try {
      opened = await bundles.upload(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    } catch (error) {
      return refuseBundle(response, error);
    }
    send(response, 200, JSON.stringify(opened), { 'Content-Type': 'application/json; charset=utf-8' });
  }

  /** One step of a data upload (shared/contracts/dataImport.ts): begin, a file's bytes (or several files'), commit or cancel. */
  async function importData(imports: DataImportRoutes, url: URL, request: IncomingMessage, response: ServerResponse) {
    const op = url.searchParams.get('op');
    const session = url.searchParams.get('session') ?? '';
    const json = (value: unknown) => send(response, 200, JSON.stringify(value ?? {}), { 'Content-Type': 'application/json; charset=utf-8' });
    // Only a file carries a body: anything sent with another step is not read, and the connection closes after it.
    const refuse = (status: number, message: string) => {
      send(response, status, message, { Connection: 'close' });
      response.once('finish', () => request.destroy());
    };
    try {
      if (op === 'begin') {
        const kind = url.searchParams.get('kind');
        if (kind !== 'table' && kind !== 'imageFolder') return refuse(400, 'Which kind of data? "kind" must be table or imageFolder.');
        return json(await imports.begin(kind satisfies DataImportKind, url.searchParams.get('name') ?? ''));
      }
      if (op === 'file') {
        const declared = Number(request.headers['content-length'] ?? Number.NaN);
        return json(await imports.file(session, url.searchParams.get('path') ?? '', bodyChunks(request), Number.isFinite(declared) ? declared : undefined));
      }
      if (op === 'files') return json(await imports.files(session, bodyChunks(request)));
      if (op === 'commit') return json(await imports.commit(session));
      if (op === 'cancel') return json(await imports.cancel(session));
      return refuse(400, 'Which step? "op" must be begin, file, files, commit or cancel.');
    } catch (error) {
      const message = describeError(error);
      const status = error instanceof UnknownImportSession ? 404 : error instanceof DataImportError || error instanceof FileError ? (/over the limit|more than [\d,]+ files/.test(message) ? 413 : 400) : 500;
      if (status === 500) log(`data import: ${message}`);
      return refuse(status, message);
    }
  }

  /** A refused bundle request answers with the reason as text: the page shows it as it is. */
  function refuseBundle(response: ServerResponse, error: unknown) {
    const message = describeError(error);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const status = error instanceof BundleConflictError ? 409 : code === 'ENOENT' ? 404 : error instanceof FileError || error instanceof BundleError ? 400 : 500;
    if (status === 500) log(`bundle: ${message}`);
    send(response, status, message);
  }

  /** Maps a URL path to a file inside rendererDir, never outside it. */
  async function resolveStatic(pathname: string): Promise<string | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const candidate = path.resolve(rendererDir, relative);
    if (candidate !== rendererDir && !candidate.startsWith(rendererDir + path.sep)) return undefined;
    try {
      const info = await stat(candidate);
      return info.isFile() ? candidate : undefined;
    } catch {
      return undefined;
    }
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the raw socket over without an error listener; a reset mid-handshake must not become a crash.
    socket.on('error', (error) => log(`WebSocket handshake: ${describeError(error)}`));
    const refuse = (status: number, reason: string) => {
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!hostAllowed(request, port)) return refuse(403, 'Forbidden');
    // Browsers always send Origin on a WebSocket handshake; a missing one is a non-browser client, which must
    // still present the token but cannot be a cross-site page.
    if (!originAllowed(request.headers.origin, port, false)) return refuse(403, 'Forbidden');
    if (!findToken(request, url, token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // ws has already answered with the right close code; without this listener the error would end the process.
      ws.on('error', (error) => log(`WebSocket closed after an error: ${describeError(error)}`));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return ws.close(1003, 'text frames only');
        handleMessage(ws, data.toString()).catch((error: unknown) => log(`WebSocket message: ${describeError(error)}`));
      });
    });
  });

  /** Sends if the socket is still open: a client may leave while its request is being handled. */
  function sendText(ws: WebSocket, text: string) {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(text, (error) => {
      if (error) log(`WebSocket send: ${describeError(error)}`);
    });
  }

  function reply(ws: WebSocket, message: WireMessage) {
    sendText(ws, JSON.stringify(message));
  }

  /**
   * A result goes out only if it fits in one message; otherwise the request fails with the size, as a client's
   * own check would. `what` names the answer, e.g. the file that was opened.
   */
  function replyResult(ws: WebSocket, id: number, what: string, result: unknown) {
    const text = JSON.stringify({ type: 'response', id, ok: true, result: result ?? null } satisfies WireMessage);
    const bytes = utf8BytesOver(text, MAX_WIRE_MESSAGE_BYTES);
    if (bytes === undefined) return sendText(ws, text);
    const error = `${what} is ${formatMegabytes(bytes)} once sent; the lab's limit for one message is ${formatMegabytes(MAX_WIRE_MESSAGE_BYTES)}`;
    log(error);
    reply(ws, { type: 'response', id, ok: false, error });
  }

  async function handleMessage(ws: WebSocket, text: string) {
    // Shape limits on the raw text first: parsing a hostile message can itself take seconds.
    const overrun = findJsonTextOverrun(text, MESSAGE_LEVELS_ABOVE_PAYLOAD);
    if (overrun) return reply(ws, { type: 'response', id: leadingRequestId(text), ok: false, error: `Invalid message: ${overrun}` });
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return reply(ws, { type: 'response', id: -1, ok: false, error: 'Invalid message: not JSON' });
    }
    const envelope = wireRequestSchema.safeParse(raw);
    if (!envelope.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      return reply(ws, { type: 'response', id, ok: false, error: 'Invalid message: expected {type:"request", id, method, payload}' });
    }
    const { id, method, payload } = envelope.data;
    try {
      const request = parseRequest(method, payload);
      const handler = options.handlers[method as ApiMethod] as (request: unknown) => Promise<unknown>;
      const result = await handler(request);
      replyResult(ws, id, answerName(method, result), result);
    } catch (error) {
      const message = describeError(error);
      if (!(error instanceof ApiPayloadError)) log(`${method} failed: ${message}`);
      reply(ws, { type: 'response', id, ok: false, error: error instanceof Error ? message : `${method} failed: ${message}` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  port = bound.port;

  return {
    address: bound.address,
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    emit(event, payload) {
      const message = JSON.stringify({ type: 'event', event, payload } satisfies WireMessage);
      const bytes = utf8BytesOver(message, MAX_WIRE_MESSAGE_BYTES);
      if (bytes !== undefined) return log(`${event} not sent: ${formatMegabytes(bytes)} is over the message limit`);
      for (const ws of sockets) sendText(ws, message);
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A readable message for anything thrown, even a value with no string form (`Object.create(null)`). */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'an error that cannot be described';
  }
}

/** How an oversize answer is named in its error: the file for openFile, the method otherwise. */
function answerName(method: string, result: unknown): string {
  const path = method === 'openFile' ? (result as { path?: unknown } | null)?.path : undefined;
  return typeof path === 'string' ? `"${path}"` : `The answer to ${method}`;
}

/** The request's body, or undefined (reading stopped) once it passes `limit` bytes. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received <= limit) return void chunks.push(chunk);
      request.off('data', onData);
      request.pause();
      chunks.length = 0;
      resolve(undefined);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, received)));
    request.once('error', reject);
  });
}

/**
 * A request's body as chunks for a reader that may stop early (an upload over its limit): stopping pauses the request
 * instead of destroying its socket, so the refusal can still be sent before the connection closes.
 */
function bodyChunks(request: IncomingMessage): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const chunks = request[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      return {
        next: () => chunks.next(),
        return: async () => {
          request.pause();
          return { done: true as const, value: undefined };
        },
      };
    },
  };
}

/** A header-safe stand-in for a file name (the exact name goes in `filename*`). */
function asciiFileName(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}

/** A request is `{"type":"request","id":…,"payload":{…}}`: its payload's containers sit one level below the message. */
const MESSAGE_LEVELS_ABOVE_PAYLOAD = 1;

/** The id of a request whose text is not parsed, so the client's call still gets its answer; clients send it first. */
function leadingRequestId(text: string): number {
  const match = /^\{"type":"request","id":(\d{1,15})[,}]/.exec(text.slice(0, 64));
  return match ? Number(match[1]) : -1;
}
