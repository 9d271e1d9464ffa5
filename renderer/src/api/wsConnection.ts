/**
 * Request/response and events over the web host's WebSocket. Requests made before the socket opens wait for it;
 * if the connection drops, pending requests fail with a readable error and the next request reconnects. A request
 * over the host's message limit fails here, before it is sent: the host would close the socket on it.
 */
import type { ApiEvent, WireMessage } from '../../../shared/contracts/api';
import { formatMegabytes, MAX_WIRE_MESSAGE_BYTES, utf8BytesOver } from '../../../shared/contracts/wireLimits';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class WsConnection {
  private socket: WebSocket | undefined;
  private opened: Promise<WebSocket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<ApiEvent, Set<(payload: unknown) => void>>();

  constructor(private readonly url: string) {}

  private connect(): Promise<WebSocket> {
    if (this.opened) return this.opened;
    this.opened = new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(this.url);
      socket.addEventListener('open', () => {
        this.socket = socket;
        resolve(socket);
      });
      socket.addEventListener('message', (event) => this.receive(String(event.data)));
      socket.addEventListener('close', () => {
        const error = new Error('Lost the connection to the Neural Bricks host. Is it still running?');
        for (const pending of this.pending.values()) pending.reject(error);
        this.pending.clear();
        this.socket = undefined;
        this.opened = undefined;
        reject(error);
      });
    });
    return this.opened;
  }

  private receive(text: string): void {
    let message: WireMessage;
    try {
      message = JSON.parse(text) as WireMessage;
    } catch {
      return;
    }
    if (message.type === 'response') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(message.error));
    } else if (message.type === 'event') {
      for (const listener of this.listeners.get(message.event) ?? []) listener(message.payload);
    }
  }

  async request(method: string, payload?: unknown): Promise<unknown> {
    const id = this.nextId++;
    const text = JSON.stringify({ type: 'request', id, method, payload } satisfies WireMessage);
    const bytes = utf8BytesOver(text, MAX_WIRE_MESSAGE_BYTES);
    if (bytes !== undefined) {
      throw new Error(
        `This request (${method}) is ${formatMegabytes(bytes)}; the lab's limit for one message is ${formatMegabytes(MAX_WIRE_MESSAGE_BYTES)}`,
      );
    }
    const socket = await this.connect();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.send(text);
    });
  }

  on(event: ApiEvent, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    // Subscribing opens the socket so events flow even before the first request.
    void this.connect().catch(() => {});
    return () => set.delete(listener);
  }
}
