// A price-sync worker: it pulls product records from an internal catalog service through a
// p-queue (concurrency 8) and passes the worker's shutdown AbortSignal to every task, as the
// p-queue docs suggest for cancellable work. p-queue 9.0.0 raced each task against a promise
// that listened for 'abort' on that signal and never removed the listener when the task
// completed (sindresorhus/p-queue#235), so the long-lived signal collects one listener per
// task, each keeping the task's settled result. RATE tasks per second over loopback HTTP for
// DURATION_S seconds; then the worker aborts its signal, drains the queue and closes.
import http from 'node:http';
import PQueue from 'p-queue';

const RATE = Number(process.env.RATE || 200);
const DURATION_S = Number(process.env.DURATION_S || 70);

const catalog = http.createServer((req, res) => {
  const id = Number(req.url.split('/').pop());
  const product = {
    id,
    sku: `SKU-${String(id).padStart(8, '0')}`,
    title: `Product ${id} ${'lorem ipsum '.repeat(1 + (id % 5))}`.trim(),
    prices: Array.from({ length: 12 }, (_, i) => ({ region: `r${i}`, amount: ((id * 31 + i * 7) % 9000) / 100, currency: 'EUR' })),
    stock: Array.from({ length: 6 }, (_, i) => ({ warehouse: `wh-${i}`, units: (id + i * 13) % 400 })),
    updatedAt: new Date().toISOString(),
  };
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(product));
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const shutdown = new AbortController();
const queue = new PQueue({ concurrency: 8 });

function getJson(port, path, signal) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent, signal }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

const totals = { synced: 0, failed: 0, units: 0 };

async function syncProduct(port, id) {
  const product = await getJson(port, `/products/${id}`, shutdown.signal);
  const best = product.prices.reduce((a, b) => (b.amount < a.amount ? b : a));
  return {
    sku: product.sku,
    title: product.title,
    bestPrice: best,
    regions: product.prices.map((p) => `${p.region}:${p.amount.toFixed(2)}`),
    units: product.stock.reduce((sum, s) => sum + s.units, 0),
    checkedAt: Date.now(),
  };
}

catalog.listen(0, '127.0.0.1', () => {
  const { port } = catalog.address();
  let next = 0;
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const id = ++next;
      queue
        .add(() => syncProduct(port, id), { signal: shutdown.signal })
        .then((summary) => {
          totals.synced++;
          totals.units += summary.units;
        })
        .catch(() => totals.failed++);
    }
  }, 50);
  setTimeout(async () => {
    clearInterval(ticker);
    queue.clear();
    shutdown.abort();
    await queue.onIdle();
    agent.destroy();
    catalog.close();
  }, DURATION_S * 1000);
});
