// A product API that reads through a two-level cache with cache-manager's multiCaching (a small,
// short-lived in-process level in front of a larger shared level; both memory stores here, the
// second one stands in for the shared store a deployment puts there). Look-ups go through
// `cache.wrap(key, loader)`, promise style, and misses are not cached (isCacheableValue refuses
// null, so a product added later shows up at once). Clients also ask for products that no longer
// exist (old links, crawlers); the catalog answers null and the API answers 404.
// cache-manager 2.5.0's multi-cache wrap(), when the loader's value is not cacheable, answered
// only the caller that started the load and left the key's waiting queue in place: every later
// wrap() of that key queues behind it and is never answered, so its promise never settles and
// keeps its request and response for ever (the client gives up after a timeout). Fixed in 2.6.0
// (#106: 'fix multicaching when result is not cacheable': the queue is filled and removed).
// RATE requests per second from a client over loopback HTTP for DURATION_S seconds; then the
// client and the server close.
'use strict';
const http = require('node:http');
const cacheManager = require('cache-manager');

const RATE = Number(process.env.RATE || 200);
const DURATION_S = Number(process.env.DURATION_S || 70);

const local = cacheManager.caching({ store: 'memory', max: 500, ttl: 10 });
const shared = cacheManager.caching({ store: 'memory', max: 5000, ttl: 60 });
const cache = cacheManager.multiCaching([local, shared], { isCacheableValue: (value) => value !== null && value !== undefined });

// The catalog: a database stand-in answering after a few milliseconds.
const catalog = new Map();
for (let i = 0; i < 1500; i++) {
  catalog.set(`SKU-${i}`, {
    sku: `SKU-${i}`,
    name: `Product ${i}`,
    price: ((i * 37) % 20000) / 100,
    stock: (i * 13) % 250,
    categories: [`cat-${i % 30}`, `cat-${(i * 7) % 30}`],
    description: `Product ${i} `.repeat(8),
  });
}
let dbQueries = 0;
function findProduct(sku) {
  dbQueries++;
  return new Promise((resolve) => setTimeout(() => resolve(catalog.get(sku) || null), 1 + (dbQueries % 4)));
}

const stats = { ok: 0, notFound: 0, clientTimeouts: 0, clientOk: 0 };

const server = http.createServer(async (req, res) => {
  const sku = decodeURIComponent(req.url.split('/').pop());
  const product = await cache.wrap(`product:${sku}`, () => findProduct(sku));
  if (!product) {
    stats.notFound++;
    res.statusCode = 404;
    res.end(JSON.stringify({ error: 'not found', sku }));
    return;
  }
  stats.ok++;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ...product, servedAt: Date.now() }));
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function getProduct(port, n) {
  // 85 % of the traffic asks for live products (a hot set), 15 % for products that are gone.
  const sku = n % 20 < 17 ? `SKU-${(n * 7919) % 1500}` : `SKU-X${(n * 31) % 300}`;
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/products/${encodeURIComponent(sku)}`, agent, timeout: 1500 }, (res) => {
      res.resume();
      res.on('end', () => {
        stats.clientOk++;
        resolve();
      });
    });
    req.on('timeout', () => {
      stats.clientTimeouts++;
      req.destroy();
    });
    req.on('error', resolve);
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) getProduct(port, ++n);
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`ok ${stats.ok}, not found ${stats.notFound}, client timeouts ${stats.clientTimeouts}, db queries ${dbQueries}`);
      agent.destroy();
      server.closeAllConnections();
      server.close();
    }, 1600);
  }, DURATION_S * 1000);
});
