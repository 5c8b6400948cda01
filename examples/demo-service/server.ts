/**
 * heapsleuth's demo: a small shop API with a memory leak hidden among ordinary work
 * (JSON, a bounded cache, templates), driven by its own load generator on loopback.
 * Run it under heapsleuth: `npm run demo`.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { productJson, type Product } from './catalog.js';
import { renderProductPage } from './render.js';
import { activeSessions, logout, remember } from './sessions.js';

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/login' && req.method === 'POST') {
    const { user } = JSON.parse(body) as { user: string };
    const token = `${user}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    remember(user, token, url.pathname);
    logout(token);
    return send(res, 200, JSON.stringify({ token }));
  }
  if (url.pathname.startsWith('/products/')) {
    const id = Number(url.pathname.slice('/products/'.length));
    const json = productJson(id);
    if (url.searchParams.get('format') === 'html') {
      return send(res, 200, renderProductPage(JSON.parse(json) as Product, url.searchParams.get('user') ?? 'guest'), 'text/html');
    }
    return send(res, 200, json);
  }
  if (url.pathname === '/health') return send(res, 200, JSON.stringify({ ok: true, sessions: activeSessions() }));
  send(res, 404, '{"error":"not found"}');
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    try {
      handle(req, res, body);
    } catch {
      send(res, 400, '{"error":"bad request"}');
    }
  });
});

/** The load generator: a few concurrent clients, most requests browse, one in five logs in. */
function drive(port: number, clients: number): void {
  let stopping = false;
  let counter = 0;
  const once = (done: () => void) => {
    counter += 1;
    const login = counter % 5 === 0;
    const path = login ? '/login' : `/products/${counter % 2000}${counter % 3 === 0 ? '?format=html&user=ana' : ''}`;
    const payload = login ? JSON.stringify({ user: `user${counter % 300}` }) : '';
    const req = request({ host: '127.0.0.1', port, path, method: login ? 'POST' : 'GET', agent: keepAlive }, (res) => {
      res.resume();
      res.on('end', done);
    });
    req.on('error', done);
    req.end(payload);
  };
  const loop = () => {
    if (!stopping) once(() => setImmediate(loop));
  };
  for (let i = 0; i < clients; i++) loop();
  const stop = () => {
    stopping = true;
    server.close();
    keepAlive.destroy();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });

const seconds = Number(process.env['DEMO_SECONDS'] ?? 0);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`demo shop listening on http://127.0.0.1:${port}, driving load…\n`);
  drive(port, 4);
  if (seconds > 0) setTimeout(() => process.kill(process.pid, 'SIGINT'), seconds * 1000).unref();
});
