import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AttachError } from './attach-error.js';
import { isLoopback, listeningSocketsIn, listeningSocketsOf, type ListeningSocket } from './listening-sockets.js';
import { isAlive, type TargetProcessInfo } from './target-process.js';

/** Where a target's inspector listens, and whether heapsleuth opened it (and so must close it). */
export interface InspectorEndpoint {
  /** The address the inspector is bound to. */
  boundAddress: string;
  /** The address heapsleuth connects to (loopback for a wildcard binding). */
  host: string;
  port: number;
  openedByUs: boolean;
}

const OPEN_WAIT_MS = 3000;

/**
 * Opens the inspector of a Node.js process the way Chrome DevTools does, with SIGUSR1,
 * and finds the port it opened by comparing the process's listening sockets before and
 * after (the port is 9229 unless the process was started with another `--inspect-port`,
 * 0 included). When no new socket appears, the inspector was open already (`--inspect`),
 * or it could not open: the port was taken, or SIGUSR1 does not open it there.
 */
export async function openInspector(target: TargetProcessInfo): Promise<InspectorEndpoint> {
  if (!target.catchesSigusr1) {
    // Without a handler, SIGUSR1 would kill the process: never send it then.
    if (target.looksLikeNode) {
      throw new AttachError(
        'inspector-disabled',
        `pid ${target.pid} (${target.name}) does not open its inspector on SIGUSR1 (started with --disable-sigusr1, or a build without the inspector); start it with --inspect and use 'heapsleuth attach --port'`,
      );
    }
    throw new AttachError('not-node', `pid ${target.pid} (${target.name}) is not a Node.js process`);
  }
  if (!target.looksLikeNode) {
    throw new AttachError('not-node', `pid ${target.pid} (${target.name}) is not a Node.js process (a Node.js binary under another name: start it with --inspect and use 'heapsleuth attach --port')`);
  }
  const before = listeningSocketsOf(target.pid);
  try {
    process.kill(target.pid, 'SIGUSR1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new AttachError('no-such-process', `no process with pid ${target.pid}`);
    if (code === 'EPERM') throw new AttachError('permission-denied', `permission denied: cannot signal pid ${target.pid} (run heapsleuth as the same user as the process, or as root)`);
    throw error;
  }
  const known = new Set(before.map((socket) => socket.inode));
  const deadline = Date.now() + OPEN_WAIT_MS;
  while (Date.now() < deadline) {
    if (!isAlive(target.pid)) throw new AttachError('target-gone', `pid ${target.pid} exited while its inspector was opening`);
    const opened = listeningSocketsOf(target.pid).find((socket) => !known.has(socket.inode));
    if (opened) return endpointOf(opened, true);
    await sleep(50);
  }

  const existing = await findOpenInspector(before, target.inspectorPort);
  if (existing) return endpointOf(existing, false);
  if (!isAlive(target.pid)) throw new AttachError('target-gone', `pid ${target.pid} exited while its inspector was opening`);
  const holder = listeningSocketsIn(`/proc/${target.pid}/net`).find((socket) => socket.port === target.inspectorPort);
  if (holder) {
    throw new AttachError(
      'port-taken',
      `pid ${target.pid} could not open its inspector: port ${target.inspectorPort} is already taken by another process (find it with: ss -ltnp 'sport = :${target.inspectorPort}')`,
    );
  }
  throw new AttachError('inspector-disabled', `pid ${target.pid} did not open its inspector on SIGUSR1 within ${OPEN_WAIT_MS / 1000} s (disabled by policy, or a build without the inspector)`);
}

/** The inspector of a process started with `--inspect`: a socket of its own that answers /json/version as Node. */
async function findOpenInspector(sockets: ListeningSocket[], expectedPort: number): Promise<ListeningSocket | undefined> {
  const candidates = [...sockets].sort((a, b) => Number(b.port === expectedPort) - Number(a.port === expectedPort));
  for (const socket of candidates) {
    const { host } = endpointOf(socket, false);
    if (!isLoopback(host)) {
      if (socket.port === expectedPort) return socket; // not probed: we send nothing off the host's loopback
      continue;
    }
    const version = await fetchJson(host, socket.port, '/json/version', 1000).catch(() => undefined);
    if (version && typeof version === 'object' && /node/i.test(String((version as { Browser?: unknown }).Browser))) return socket;
  }
  return undefined;
}

function endpointOf(socket: ListeningSocket, openedByUs: boolean): InspectorEndpoint {
  const host = socket.address === '0.0.0.0' ? '127.0.0.1' : socket.address === '::' ? '::1' : socket.address;
  return { boundAddress: socket.address, host, port: socket.port, openedByUs };
}

/** The WebSocket URL of the Node.js target behind an inspector's HTTP endpoint (`/json/list`). */
export async function webSocketUrlOf(host: string, port: number): Promise<string> {
  let list: unknown;
  try {
    list = await fetchJson(host, port, '/json/list', 5000);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ECONNREFUSED' ? 'nothing listens there' : (error as Error).message;
    throw new AttachError('no-inspector', `no Node.js inspector at ${hostPort(host, port)}: ${why}`);
  }
  const entry = Array.isArray(list) ? (list as { webSocketDebuggerUrl?: unknown }[]).find((item) => typeof item?.webSocketDebuggerUrl === 'string') : undefined;
  if (!entry) throw new AttachError('no-inspector', `no Node.js inspector at ${hostPort(host, port)}: /json/list names no debuggee (another debugger may be attached)`);
  // The URL names the host we asked by; keep only its path, on the address we reach.
  const path = new URL(String(entry.webSocketDebuggerUrl)).pathname;
  return `ws://${hostPort(host, port)}${path}`;
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function fetchJson(host: string, port: number, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = get({ host, port, path, timeout: timeoutMs, headers: { host: hostPort(host, port) } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 1024 * 1024) request.destroy(new Error('answer too long'));
      });
      response.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`not JSON (HTTP ${response.statusCode})`));
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}
