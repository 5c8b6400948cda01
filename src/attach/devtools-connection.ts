import WebSocket from 'ws';
import { AttachError } from './attach-error.js';

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One DevTools-protocol session over the inspector's WebSocket: numbered commands,
 * answers matched by id, a time limit per command. When the socket closes (the target
 * exited, or closed its inspector), every waiting command fails with `target-gone`.
 */
export class DevtoolsConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | undefined;
  private readonly listeners = new Map<string, (params: unknown) => void>();
  /** Settles when the socket is closed, for whatever reason. */
  readonly closed: Promise<string>;

  private constructor(private readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closedReason ??= 'the inspector closed the connection';
        for (const [id, entry] of this.pending) {
          clearTimeout(entry.timer);
          entry.reject(new AttachError('target-gone', `${this.closedReason} (while waiting for ${entry.method})`));
          this.pending.delete(id);
        }
        resolve(this.closedReason);
      });
    });
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('error', (error) => {
      this.closedReason ??= `the inspector connection failed: ${error.message}`;
    });
  }

  /** Opens the WebSocket; fails with `no-inspector` when nothing answers there. */
  static connect(url: string, timeoutMs = 10_000): Promise<DevtoolsConnection> {
    return new Promise((resolve, reject) => {
      // Profiles of big heaps are large messages; compression would only cost the target CPU.
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 ** 3, handshakeTimeout: timeoutMs });
      const fail = (error: Error) => reject(new AttachError('no-inspector', `cannot connect to the inspector at ${url}: ${error.message}`));
      socket.once('error', fail);
      socket.once('open', () => {
        socket.removeListener('error', fail);
        resolve(new DevtoolsConnection(socket));
      });
    });
  }

  get isOpen(): boolean {
    return this.closedReason === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends one command and resolves with its result; rejects with the protocol's error message. */
  send<T = unknown>(method: string, params: object = {}, timeoutMs = 60_000): Promise<T> {
    if (!this.isOpen) return Promise.reject(new AttachError('target-gone', `${this.closedReason ?? 'the connection is closed'} (before ${method})`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AttachError('protocol', `the target did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls `listener` on each event `method` (one listener per event). */
  on(method: string, listener: (params: unknown) => void): void {
    this.listeners.set(method, listener);
  }

  /** Closes the socket and waits until it is closed (at most `timeoutMs`, then it is torn down). */
  async close(timeoutMs = 2000, reason = 'heapsleuth closed the connection'): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.closedReason ??= reason;
    this.socket.close();
    const timer = setTimeout(() => this.socket.terminate(), timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  private receive(text: string): void {
    let message: { id?: number; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message.id !== 'number') {
      const event = message as { method?: string; params?: unknown };
      if (event.method) this.listeners.get(event.method)?.(event.params);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    clearTimeout(entry.timer);
    if (message.error) entry.reject(new AttachError('protocol', `${entry.method} failed: ${message.error.message ?? 'unknown error'}`));
    else entry.resolve(message.result);
  }
}
