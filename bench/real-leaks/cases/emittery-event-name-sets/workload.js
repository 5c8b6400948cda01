// An order-tracking API with an in-process Emittery event bus: the order pipeline emits an event
// per order and step (`order:<id>:paid`, `order:<id>:packed`, `order:<id>:shipped`), and the
// checkout page's long-poll request waits for the order's next step with `bus.once(name)`.
// emittery 0.12.1 created a listener Set for every event name it was asked about (on emit as
// well as on subscribe) and never deleted it when the last listener went away, so the bus keeps
// an entry per order and step for ever (sindresorhus/emittery#102; fixed in 0.13.0 by #103:
// empty Sets are removed, emit no longer creates them).
// RATE orders per second from a client over loopback HTTP for DURATION_S seconds; then the
// client and the server close.
'use strict';
const http = require('node:http');
const Emittery = require('emittery');

const RATE = Number(process.env.RATE || 200);
const DURATION_S = Number(process.env.DURATION_S || 70);

const bus = new Emittery();
const orders = new Map(); // id -> order, while it is in flight
const stats = { placed: 0, shipped: 0, waits: 0, timeouts: 0 };

// The pipeline: payment, packing and shipping a few milliseconds apart.
const steps = ['paid', 'packed', 'shipped'];
async function runPipeline(order) {
  for (const [i, step] of steps.entries()) {
    await new Promise((resolve) => setTimeout(resolve, 3 + ((order.id + i) % 12)));
    order.status = step;
    order.history.push({ step, at: Date.now() });
    await bus.emit(`order:${order.id}:${step}`, { id: order.id, step, total: order.total });
  }
  orders.delete(order.id);
  stats.shipped++;
}

function waitForStep(id, step, ms) {
  const wait = bus.once(`order:${id}:${step}`);
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => {
      wait.off?.();
      resolve(null);
    }, ms);
  });
  return Promise.race([wait, timeout]).finally(() => clearTimeout(timer));
}

const server = http.createServer((req, res) => {
  const [, , id, action] = req.url.split('/');
  if (req.method === 'POST') {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text);
      const order = { id: Number(id), customer: body.customer, lines: body.lines, total: body.lines.reduce((s, l) => s + l.qty * l.price, 0), status: 'new', history: [] };
      orders.set(order.id, order);
      stats.placed++;
      runPipeline(order);
      res.statusCode = 202;
      res.end(JSON.stringify({ id: order.id, status: order.status }));
    });
    return;
  }
  if (action === 'wait') {
    stats.waits++;
    const order = orders.get(Number(id));
    const next = order ? steps[steps.indexOf(order.status) + 1] ?? 'shipped' : 'shipped';
    waitForStep(Number(id), next, 2000).then((event) => {
      if (!event) stats.timeouts++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(event ?? { id: Number(id), step: order ? order.status : 'unknown' }));
    });
    return;
  }
  res.statusCode = 404;
  res.end();
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function request(port, method, path, body) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', resolve);
    req.end(body);
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const id = ++n;
      const body = JSON.stringify({ customer: `c-${id % 700}`, lines: [{ sku: `SKU-${id % 300}`, qty: 1 + (id % 3), price: (id % 5000) / 100 }] });
      request(port, 'POST', `/orders/${id}`, body).then(() => request(port, 'GET', `/orders/${id}/wait`));
    }
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`orders placed ${stats.placed}, shipped ${stats.shipped}, waits ${stats.waits}, timeouts ${stats.timeouts}`);
      agent.destroy();
      server.close();
    }, 2500);
  }, DURATION_S * 1000);
});
