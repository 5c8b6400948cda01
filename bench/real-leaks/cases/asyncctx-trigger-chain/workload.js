// An event-ingestion API that carries a per-request context (request id, tenant) with asyncctx's
// ContinuationLocalStorage, the async_hooks-based continuation-local storage, so its logger can
// stamp every line without passing the request around. Requests append events to an in-process
// outbox; a dispatcher runs for the life of the process, an async loop that waits for the next
// batch (or a 20 ms poll) and delivers it to a sink, under its own context.
// asyncctx 2.0.10 links every new async resource's hook info to the hook info of the resource
// that triggered it, and never cut that link once the resource ran: a loop that keeps awaiting
// (the dispatcher, any poller) builds a linked list of every promise and timer it ever made, and
// nothing frees it while the loop lives (gms1/node-async-context PR #54; fixed in 2.0.11: the
// link is dropped when the resource is activated).
// RATE events per second from a client over loopback HTTP for DURATION_S seconds; then the
// dispatcher stops and the client and the server close.
'use strict';
const http = require('node:http');
const { ContinuationLocalStorage } = require('asyncctx');

const RATE = Number(process.env.RATE || 400);
const DURATION_S = Number(process.env.DURATION_S || 70);

const cls = new ContinuationLocalStorage();
const stats = { accepted: 0, delivered: 0, batches: 0, logLines: 0 };

function log(level, message, fields) {
  const ctx = cls.getContext() || {};
  const line = JSON.stringify({ level, message, requestId: ctx.requestId, tenant: ctx.tenant, role: ctx.role, ...fields });
  if (line.length > 0) stats.logLines++;
}

// The outbox: events wait here until the dispatcher takes them.
const outbox = [];
let wake = null;
function enqueue(event) {
  outbox.push(event);
  if (wake) {
    const w = wake;
    wake = null;
    w();
  }
}
function nextBatch() {
  if (outbox.length > 0) return Promise.resolve(outbox.splice(0, 25));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      wake = null;
      resolve(outbox.splice(0, 25));
    }, 20);
    wake = () => {
      clearTimeout(timer);
      resolve(outbox.splice(0, 25));
    };
  });
}

// The sink: a downstream store that takes one event at a time and acknowledges it a moment later.
const sink = new Map();
function deliver(event) {
  return new Promise((resolve) => {
    setImmediate(() => {
      const key = `${event.tenant}:${event.type}`;
      sink.set(key, (sink.get(key) || 0) + 1);
      resolve(JSON.stringify({ ack: event.requestId, key }));
    });
  });
}

// The audit trail: every acknowledged delivery is recorded (the last 500 kept).
const trail = [];
async function audit(event, ack) {
  trail.push({ at: Date.now(), type: event.type, ack });
  if (trail.length > 500) trail.shift();
  return trail.length;
}

let running = true;
async function dispatcher() {
  cls.setContext({ role: 'dispatcher' });
  while (running) {
    const batch = await nextBatch();
    if (batch.length === 0) continue;
    for (const event of batch) {
      const ack = await deliver(event);
      await audit(event, ack);
      stats.delivered++;
    }
    stats.batches++;
    log('debug', 'batch delivered', { count: batch.length });
  }
}

const server = http.createServer((req, res) => {
  cls.setContext({ requestId: req.headers['x-request-id'], tenant: req.headers['x-tenant'], role: 'api' });
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    try {
      const event = JSON.parse(text);
      const ctx = cls.getContext();
      enqueue({ ...event, tenant: ctx.tenant, requestId: ctx.requestId, receivedAt: Date.now() });
      stats.accepted++;
      log('info', 'event accepted', { type: event.type });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, requestId: ctx.requestId }));
    } catch (error) {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: String(error && error.message) }));
    }
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const types = ['page_view', 'click', 'signup', 'purchase', 'search', 'logout'];

function postEvent(port, n) {
  const body = JSON.stringify({
    type: types[n % types.length],
    user: `user-${n % 700}`,
    path: `/products/${n % 300}`,
    props: { referrer: n % 3 === 0 ? 'search' : 'direct', amount: (n * 37) % 10000 / 100 },
  });
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1', port, method: 'POST', path: '/events', agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': `req-${n}`, 'x-tenant': `tenant-${n % 12}` },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', resolve);
    req.end(body);
  });
}

const dispatching = dispatcher();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) postEvent(port, ++n);
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(async () => {
      running = false;
      await dispatching;
      console.log(`accepted ${stats.accepted}, delivered ${stats.delivered} in ${stats.batches} batches, ${stats.logLines} log lines`);
      agent.destroy();
      server.close();
      cls.disable();
    }, 500);
  }, DURATION_S * 1000);
});
