// A checkout API that hands every order to an in-process fulfilment worker over an EventEmitter2
// bus and waits for the worker's answer with `bus.waitFor('order.done:<id>', { timeout })`, the
// promise helper EventEmitter2 offers for request/reply over events. eventemitter2 6.4.2's
// waitFor() removed its listener only when the wait timed out or was cancelled, never when the
// awaited event came: every answered order left its listener, the wait's options and the settled
// promise with the worker's receipt on the bus for ever (EventEmitter2/EventEmitter2#262; fixed in
// 6.4.3: the listener removes itself before it resolves).
// RATE orders per second from a client over loopback HTTP for DURATION_S seconds; then the client
// and the server close.
'use strict';
const http = require('node:http');
const { EventEmitter2 } = require('eventemitter2');

const RATE = Number(process.env.RATE || 150);
const DURATION_S = Number(process.env.DURATION_S || 70);

const bus = new EventEmitter2({ maxListeners: 20 });
const stats = { orders: 0, failed: 0, timeouts: 0 };

// The fulfilment worker: reserves stock and prices the order a few milliseconds later.
const stock = new Map();
bus.on('order.submitted', (order) => {
  setTimeout(() => {
    const lines = order.items.map((item) => {
      const left = (stock.get(item.sku) ?? 1000) - item.qty;
      stock.set(item.sku, left < 0 ? 1000 : left);
      return { sku: item.sku, qty: item.qty, unit: item.price, total: Math.round(item.qty * item.price * 100) / 100 };
    });
    const total = lines.reduce((sum, line) => sum + line.total, 0);
    bus.emit(`order.done:${order.id}`, {
      orderId: order.id,
      status: 'reserved',
      lines,
      total: Math.round(total * 100) / 100,
      warehouse: `wh-${order.id % 7}`,
      reservedAt: new Date().toISOString(),
    });
  }, 2 + (order.id % 20));
});

let nextOrder = 0;
async function placeOrder(body) {
  const order = { id: ++nextOrder, customer: body.customer, items: body.items };
  const done = bus.waitFor(`order.done:${order.id}`, { timeout: 5000 });
  bus.emit('order.submitted', order);
  const [receipt] = await done;
  return receipt;
}

const server = http.createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (text += chunk));
  req.on('end', async () => {
    try {
      const receipt = await placeOrder(JSON.parse(text));
      stats.orders++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: receipt.orderId, status: receipt.status, total: receipt.total }));
    } catch (error) {
      if (/timeout/i.test(String(error && error.message))) stats.timeouts++;
      stats.failed++;
      res.statusCode = 503;
      res.end(JSON.stringify({ error: String(error && error.message) }));
    }
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function postOrder(port, n) {
  const body = JSON.stringify({
    customer: `cust-${n % 900}`,
    items: Array.from({ length: 1 + (n % 4) }, (_, i) => ({ sku: `SKU-${(n * 7 + i) % 500}`, qty: 1 + ((n + i) % 3), price: ((n * 13 + i * 7) % 9000) / 100 })),
  });
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/orders', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let reply = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (reply += chunk));
        res.on('end', () => resolve(reply));
      },
    );
    req.on('error', () => resolve(''));
    req.end(body);
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) postOrder(port, ++n);
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`orders ${stats.orders}, failed ${stats.failed}, timeouts ${stats.timeouts}`);
      agent.destroy();
      server.close();
    }, 500);
  }, DURATION_S * 1000);
});
