// A small but realistic HTTP service for the overhead benchmark: a shop API that parses
// JSON order bodies, prices carts from a catalog, keeps bounded caches (rendered pages,
// recent orders) and builds a few-KB HTML or JSON response per
// request. It holds no leak: every cache is bounded.
// Listens on 127.0.0.1 at a random port and prints {"port":N} as its first stdout line.
// Run: node bench/overhead/service.mjs
import http from 'node:http';

const CATALOG_SIZE = 500;
const PAGE_CACHE_CAPACITY = 64;
const ORDER_CACHE_CAPACITY = 1000;
const MAX_BODY_BYTES = 64 * 1024;

/** Deterministic pseudo-random numbers (mulberry32), so every run serves the same catalog. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['alpine', 'basalt', 'cedar', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo', 'juniper', 'kestrel', 'lumen', 'meadow', 'nimbus', 'onyx', 'prairie', 'quartz', 'river', 'summit', 'tundra'];
const CATEGORIES = ['outdoor', 'kitchen', 'office', 'garden', 'travel', 'audio'];

function buildCatalog(size) {
  const random = seededRandom(42);
  const pick = (list) => list[Math.floor(random() * list.length)];
  return Array.from({ length: size }, (_, id) => ({
    id,
    sku: `SKU-${String(id).padStart(5, '0')}`,
    name: `${pick(WORDS)} ${pick(WORDS)} ${pick(['kettle', 'lamp', 'pack', 'chair', 'speaker', 'tent'])}`,
    category: pick(CATEGORIES),
    priceCents: 500 + Math.floor(random() * 20000),
    stock: Math.floor(random() * 300),
    description: Array.from({ length: 90 }, () => pick(WORDS)).join(' '),
    reviews: Array.from({ length: 3 + Math.floor(random() * 5) }, (_, r) => ({
      author: `${pick(WORDS)}_${r}`,
      stars: 1 + Math.floor(random() * 5),
      text: Array.from({ length: 12 }, () => pick(WORDS)).join(' '),
    })),
    related: Array.from({ length: 4 }, () => Math.floor(random() * size)),
    specs: Array.from({ length: 12 }, (_, s) => [`${pick(WORDS)} ${s}`, `${Math.floor(random() * 1000)} ${pick(['g', 'mm', 'W', 'h', 'L'])}`]),
  }));
}

/** A Map used as an LRU cache: re-inserting moves a key to the end; the oldest key goes first. */
class BoundedCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.entries = new Map();
  }
  get(key) {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key, value) {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value);
  }
}

const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const money = (cents) => `$${(cents / 100).toFixed(2)}`;

function renderProductPage(product, catalog) {
  const stars = (n) => '★'.repeat(n) + '☆'.repeat(5 - n);
  const reviews = product.reviews
    .map((review) => `<li class="review"><span class="stars">${stars(review.stars)}</span> <b>${escapeHtml(review.author)}</b><p>${escapeHtml(review.text)}</p></li>`)
    .join('\n');
  const related = product.related
    .map((id) => catalog[id])
    .map((other) => `<li><a href="/products/${other.id}">${escapeHtml(other.name)}</a> ${money(other.priceCents)}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(product.name)} | Shop</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><header><nav><a href="/">Home</a> / <a href="/c/${product.category}">${product.category}</a></nav></header>
<main><h1>${escapeHtml(product.name)}</h1><p class="sku">${product.sku}</p>
<p class="price">${money(product.priceCents)}</p><p class="stock">${product.stock > 0 ? `${product.stock} in stock` : 'sold out'}</p>
<section class="description"><p>${escapeHtml(product.description)}</p><p>${escapeHtml(product.description.split(' ').reverse().join(' '))}</p></section>
<section><h2>Specifications</h2><table>${product.specs.map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table></section>
<section><h2>Reviews (${product.reviews.length})</h2><ul>${reviews}</ul></section>
<section><h2>Customers also bought</h2><ul>${related}</ul></section></main>
<footer><p>Prices include VAT. Rendered ${new Date().toISOString()}.</p></footer></body></html>`;
}

function priceOrder(order, catalog) {
  if (!order || !Array.isArray(order.items) || order.items.length === 0) throw new RangeError('an order needs items');
  const lines = order.items.map((item) => {
    const product = catalog[item.productId];
    if (!product) throw new RangeError(`unknown product ${item.productId}`);
    const quantity = Math.max(1, Math.min(99, Number(item.quantity) || 1));
    return { sku: product.sku, name: product.name, quantity, unitCents: product.priceCents, totalCents: product.priceCents * quantity, giftNote: item.giftNote ?? null };
  });
  const subtotalCents = lines.reduce((sum, line) => sum + line.totalCents, 0);
  const discountCents = order.coupon === 'SPRING10' ? Math.round(subtotalCents * 0.1) : 0;
  const taxCents = Math.round((subtotalCents - discountCents) * 0.2);
  const inCart = new Set(order.items.map((item) => item.productId));
  const cartCategories = new Set(order.items.map((item) => catalog[item.productId].category));
  const recommendations = catalog
    .filter((product) => cartCategories.has(product.category) && !inCart.has(product.id) && product.stock > 0)
    .sort((a, b) => b.reviews.reduce((sum, r) => sum + r.stars, 0) / b.reviews.length - a.reviews.reduce((sum, r) => sum + r.stars, 0) / a.reviews.length || a.priceCents - b.priceCents)
    .slice(0, 5)
    .map((product) => ({ sku: product.sku, name: product.name, price: money(product.priceCents), url: `/products/${product.id}` }));
  return {
    orderId: `ord_${order.idempotencyKey}`,
    customer: { id: order.customer?.id, email: order.customer?.email, shipping: order.customer?.address },
    lines,
    subtotal: money(subtotalCents),
    discount: money(discountCents),
    tax: money(taxCents),
    total: money(subtotalCents - discountCents + taxCents),
    status: 'accepted',
    recommendations,
    estimatedDelivery: new Date(Date.UTC(2026, 0, 1) + (lines.length % 7) * 86_400_000).toISOString().slice(0, 10),
  };
}

function search(query, catalog) {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = catalog.filter((product) => terms.every((term) => product.name.includes(term) || product.category === term));
  return {
    query,
    total: matches.length,
    results: matches.slice(0, 20).map(({ id, sku, name, category, priceCents, stock, description }) => ({ id, sku, name, category, price: money(priceCents), inStock: stock > 0, url: `/products/${id}`, snippet: `${description.slice(0, 120)}…` })),
  };
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new RangeError('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response, status, type, body) {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function createShop() {
  const catalog = buildCatalog(CATALOG_SIZE);
  const pages = new BoundedCache(PAGE_CACHE_CAPACITY);
  const orders = new BoundedCache(ORDER_CACHE_CAPACITY);

  return async function handle(request, response) {
    const url = new URL(request.url, 'http://localhost');
    try {
      if (request.method === 'GET' && url.pathname.startsWith('/products/')) {
        const id = Number(url.pathname.slice('/products/'.length));
        const product = catalog[id];
        if (!product) return send(response, 404, 'text/plain', 'not found');
        let page = pages.get(id);
        if (page === undefined) {
          page = renderProductPage(product, catalog);
          pages.set(id, page);
        }
        return send(response, 200, 'text/html; charset=utf-8', page);
      }
      if (request.method === 'GET' && url.pathname === '/api/search') {
        return send(response, 200, 'application/json', JSON.stringify(search(url.searchParams.get('q') ?? '', catalog)));
      }
      if (request.method === 'POST' && url.pathname === '/api/orders') {
        const order = JSON.parse(await readBody(request));
        const priced = priceOrder(order, catalog);
        orders.set(priced.orderId, priced);
        return send(response, 201, 'application/json', JSON.stringify(priced));
      }
      if (request.method === 'GET' && url.pathname.startsWith('/api/orders/')) {
        const priced = orders.get(url.pathname.slice('/api/orders/'.length));
        return priced ? send(response, 200, 'application/json', JSON.stringify(priced)) : send(response, 404, 'text/plain', 'not found');
      }
      if (url.pathname === '/healthz') return send(response, 200, 'text/plain', 'ok');
      return send(response, 404, 'text/plain', 'not found');
    } catch (error) {
      const status = error instanceof SyntaxError || error instanceof RangeError ? 400 : 500;
      return send(response, status, 'application/json', JSON.stringify({ error: error.message }));
    }
  };
}

const server = http.createServer(createShop());
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
// Exit through process.exit so 'exit' hooks (agents flushing their last data) run.
process.on('SIGTERM', () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
