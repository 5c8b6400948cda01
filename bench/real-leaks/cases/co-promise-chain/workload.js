// Queue workers written as co coroutines, as services of the Koa 1 era were: each worker is one
// long-running generator that polls a job queue over HTTP, prices each order (a customer lookup,
// a thunk, a store write, each a yield) and acknowledges the batch. In co 4.0.x every yield
// returned `value.then(onFulfilled)` from onFulfilled, so the coroutine's promise was resolved
// with a chain holding one pending promise per step, released only when the generator returns
// (tj/co#180, fixed in 4.1.0). RATE jobs per second for DURATION_S seconds, then the workers
// leave their loops and the queue server closes.
'use strict';
const http = require('node:http');
const co = require('co');

const RATE = Number(process.env.RATE || 800);
const DURATION_S = Number(process.env.DURATION_S || 70);
const WORKERS = 4;

// The queue: hands out up to `max` orders per poll, RATE per second on average.
let nextJob = 0;
const startedAt = Date.now();
let acked = 0;
const queue = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url.startsWith('/jobs')) {
      const due = Math.floor(((Date.now() - startedAt) / 1000) * RATE) - nextJob;
      const max = Number(new URL(req.url, 'http://queue').searchParams.get('max'));
      const jobs = [];
      for (let i = 0; i < Math.min(max, due); i++) {
        const id = nextJob++;
        jobs.push({ id, customerId: id % 500, items: Array.from({ length: 1 + (id % 4) }, (_, k) => ({ sku: `sku-${(id + k) % 97}`, qty: 1 + (k % 3) })) });
      }
      res.end(JSON.stringify({ jobs }));
    } else {
      acked += JSON.parse(body).ids.length;
      res.end('{"ok":true}');
    }
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
function call(method, path, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: queue.address().port, path, method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(payload === undefined ? undefined : JSON.stringify(payload));
  });
}

const customers = new Map(); // a small cache in front of the "customer service"
function lookupCustomer(id) {
  return new Promise((resolve) => {
    setImmediate(() => {
      let customer = customers.get(id);
      if (!customer) {
        customer = { id, tier: ['basic', 'plus', 'pro'][id % 3], discount: (id % 7) / 100 };
        customers.set(id, customer);
      }
      resolve(customer);
    });
  });
}
const prices = new Map(Array.from({ length: 97 }, (_, i) => [`sku-${i}`, 5 + ((i * 37) % 200)]));
function price(job, customer) {
  return (done) => setImmediate(() => done(null, job.items.reduce((sum, item) => sum + prices.get(item.sku) * item.qty, 0) * (1 - customer.discount)));
}
const ledger = [];
function store(entry) {
  return new Promise((resolve) => setImmediate(() => {
    ledger.push(entry);
    if (ledger.length > 1000) ledger.splice(0, 500);
    resolve(ledger.length);
  }));
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let running = true;
function* worker(n) {
  let handled = 0;
  while (running) {
    const { jobs } = yield call('GET', `/jobs?max=20&worker=${n}`);
    if (jobs.length === 0) {
      yield sleep(20);
      continue;
    }
    for (const job of jobs) {
      const customer = yield lookupCustomer(job.customerId);
      const total = yield price(job, customer);
      yield store({ order: job.id, customer: customer.id, total: Math.round(total * 100) / 100, at: Date.now() });
      handled++;
    }
    yield call('POST', '/ack', { ids: jobs.map((job) => job.id) });
  }
  return handled;
}

queue.listen(0, '127.0.0.1', () => {
  const workers = Array.from({ length: WORKERS }, (_, n) => co(worker, n));
  setTimeout(() => {
    running = false;
    Promise.all(workers).then((counts) => {
      console.log(`handled ${counts.reduce((a, b) => a + b, 0)} orders, acked ${acked}`);
      agent.destroy();
      queue.close();
    });
  }, DURATION_S * 1000);
});
