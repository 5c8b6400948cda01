// A feed API that caches rendered fragments in a memcached cluster of three nodes through the
// `memcached` client, which routes every command to a node with hashring (HashRing#getNode).
// hashring 0.0.6 remembered the node of every key it was ever asked about in a plain object
// that nothing pruned: with per-user keys (feed pages, profiles, item cards per locale) the
// client grows with every distinct key, long after the cache nodes themselves are full and
// evicting (3rd-Eden/node-hashring#8; fixed in 0.0.7, which keeps the lookups in an LRU of 5000
// keys).
// The three cache nodes are in-process stand-ins speaking memcached's text protocol on loopback
// (no real server); like memcached with its memory limit, each keeps at most NODE_ITEMS items and
// evicts the oldest, so the stand-ins fill during the first half minute and then hold level.
// RATE requests per second from a client over loopback HTTP for DURATION_S seconds; then the
// client, the API, the memcached client and the nodes close.
'use strict';
const http = require('node:http');
const net = require('node:net');
const Memcached = require('memcached');

const RATE = Number(process.env.RATE || 300);
const DURATION_S = Number(process.env.DURATION_S || 70);
const NODE_ITEMS = 12000;

// ---- memcached stand-ins: get / set / delete of the text protocol ----
function startCacheNode() {
  const items = new Map(); // key -> { flags, data }
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const out = [];
      for (;;) {
        const eol = buffered.indexOf('\r\n');
        if (eol < 0) break;
        const parts = buffered.subarray(0, eol).toString().split(' ');
        const command = parts[0];
        if (command === 'set') {
          const bytes = Number(parts[4]);
          if (buffered.length < eol + 2 + bytes + 2) break;
          const data = Buffer.from(buffered.subarray(eol + 2, eol + 2 + bytes));
          buffered = buffered.subarray(eol + 2 + bytes + 2);
          items.delete(parts[1]);
          items.set(parts[1], { flags: parts[2], data });
          if (items.size > NODE_ITEMS) items.delete(items.keys().next().value);
          out.push('STORED\r\n');
          continue;
        }
        buffered = buffered.subarray(eol + 2);
        if (command === 'get' || command === 'gets') {
          for (const key of parts.slice(1)) {
            const item = items.get(key);
            if (item) out.push(`VALUE ${key} ${item.flags} ${item.data.length}\r\n`, item.data, '\r\n');
          }
          out.push('END\r\n');
        } else if (command === 'delete') out.push(items.delete(parts[1]) ? 'DELETED\r\n' : 'NOT_FOUND\r\n');
        else if (command === 'version') out.push('VERSION 1.6.21\r\n');
        else out.push('ERROR\r\n');
      }
      if (out.length) socket.write(Buffer.concat(out.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- the API ----
const locales = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP'];
const stats = { requests: 0, hits: 0, misses: 0, failed: 0 };

function cacheGet(memcached, key) {
  return new Promise((resolve) => memcached.get(key, (err, data) => resolve(err ? undefined : data)));
}
function cacheSet(memcached, key, value) {
  return new Promise((resolve) => memcached.set(key, value, 60, () => resolve()));
}
async function cached(memcached, key, build) {
  const hit = await cacheGet(memcached, key);
  if (hit) {
    stats.hits++;
    return typeof hit === 'string' ? JSON.parse(hit) : hit;
  }
  stats.misses++;
  const value = build();
  await cacheSet(memcached, key, JSON.stringify(value));
  return value;
}

async function feed(memcached, userId, page, locale) {
  const profile = await cached(memcached, `profile:v2:user:${userId}:locale:${locale}`, () => ({
    id: userId, name: `User ${userId}`, locale, follows: userId % 300, badges: ['early', userId % 2 ? 'pro' : 'free'],
  }));
  const itemIds = Array.from({ length: 5 }, (_, i) => (userId * 31 + page * 7 + i * 1009) % 120000);
  const cards = await Promise.all(itemIds.map((id) => cached(memcached, `card:v5:item:${id}:locale:${locale}`, () => ({
    id, title: `Item ${id}`, price: ((id * 37) % 100000) / 100, currency: locale === 'ja-JP' ? 'JPY' : 'EUR', seller: `s-${id % 4000}`,
  }))));
  return cached(memcached, `feed:v3:user:${userId}:page:${page}:locale:${locale}`, () => ({
    user: profile.name, page, items: cards.map((c) => ({ id: c.id, title: c.title, price: c.price })), builtAt: Date.now(),
  }));
}

async function main() {
  const nodes = await Promise.all([startCacheNode(), startCacheNode(), startCacheNode()]);
  const memcached = new Memcached(nodes.map((n) => `127.0.0.1:${n.address().port}`), { poolSize: 4, timeout: 2000, retries: 0 });
  const api = http.createServer(async (req, res) => {
    const [, , userId, page] = req.url.split('/');
    const locale = locales[Number(userId) % locales.length];
    try {
      const body = await feed(memcached, Number(userId), Number(page), locale);
      stats.requests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    } catch {
      stats.failed++;
      res.statusCode = 500;
      res.end();
    }
  });
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
  const { port } = api.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      n++;
      const userId = (n * 7919) % 400000; // many users, each seen a few times
      http.get({ host: '127.0.0.1', port, path: `/feed/${userId}/${n % 3}`, agent }, (res) => res.resume()).on('error', () => {});
    }
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`requests ${stats.requests}, cache hits ${stats.hits}, misses ${stats.misses}, failed ${stats.failed}`);
      agent.destroy();
      api.close();
      memcached.end();
      for (const node of nodes) node.close();
      // memcached 0.2.x keeps reconnect timers after end(); a service exits on shutdown anyway
      setTimeout(() => process.exit(0), 1000).unref();
    }, 500);
  }, DURATION_S * 1000);
}
main();
