// An HTTP API that creates a `debug` logger per request, named after the route (as in
// debug-js/debug#678 and loopback-next#5943), driven by a keep-alive client on loopback.
// RATE requests per second for DURATION_S seconds, then the client stops and the server closes.
'use strict';
const http = require('node:http');
const createDebug = require('debug');

const RATE = Number(process.env.RATE || 400);
const DURATION_S = Number(process.env.DURATION_S || 70);

const orders = new Map();

const server = http.createServer((req, res) => {
  const log = createDebug(`shop:${req.method.toLowerCase()}:${req.url.split('/')[1]}`);
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const order = JSON.parse(body || '{}');
    log('order %s with %d items', order.id, order.items.length);
    const total = order.items.reduce((sum, item) => sum + item.price * item.qty, 0);
    orders.set(order.id % 500, { id: order.id, total, at: new Date().toISOString() });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, id: order.id, total: Math.round(total * 100) / 100 }));
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0;

function send(port) {
  const id = ++sent;
  const payload = JSON.stringify({
    id,
    customer: `customer-${id % 977}`,
    items: Array.from({ length: 1 + (id % 5) }, (_, i) => ({ sku: `sku-${(id * 7 + i) % 3001}`, price: 3.5 + i, qty: 1 + (i % 3) })),
  });
  const req = http.request(
    { port, host: '127.0.0.1', path: `/orders/${id}`, method: 'POST', agent, headers: { 'content-type': 'application/json' } },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => JSON.parse(text));
    },
  );
  req.on('error', () => {});
  req.end(payload);
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) send(port);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      agent.destroy();
      server.close();
    }, 500);
  }, DURATION_S * 1000);
});
