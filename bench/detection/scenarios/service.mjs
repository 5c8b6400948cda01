// The traffic every scenario serves: a small order service. Each request goes through a
// middleware chain (like Express' app.use) that parses its JSON body, authenticates, logs and
// rate-limits, then through the scenario's own middleware, and is rendered to a Buffer; each
// batch of requests stays in flight for a few milliseconds. That makes several MB of garbage
// per second, some of it alive at any moment, so a leak has to be found inside real churn.
// The chain's call site sees many functions (megamorphic), as a framework's does, so V8 does
// not inline the scenario's code into this file. The service stops itself after SCENARIO_SECONDS.

/** The scenario's length in seconds: scenarios time their phases (fill, warm-up, step) by it. */
export const scenarioSeconds = Number(process.env.SCENARIO_SECONDS ?? 30);

/** A seeded PRNG (mulberry32), so that every run serves the same traffic. */
export function seededRandom(seed = 42) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seededRandom(7);
const products = Array.from({ length: 200 }, (_, i) => ({ sku: `sku-${i}`, name: `Product ${i}`, price: 100 + i }));

function receiveRequest(id) {
  const items = Array.from({ length: 4 + Math.floor(random() * 8) }, () => {
    const product = products[Math.floor(random() * products.length)];
    return { sku: product.sku, qty: 1 + Math.floor(random() * 3), note: `gift wrap: ${random() < 0.2}` };
  });
  return { id, raw: JSON.stringify({ id, user: `user-${id % 5000}`, path: `/orders/${id}`, items }), receivedAt: Date.now() };
}

function parseBody(request) {
  Object.assign(request, JSON.parse(request.raw));
}

function authenticate(request) {
  const [scheme, token] = `Bearer ${request.user}.${request.id.toString(36)}`.split(' ');
  request.session = { scheme, token, roles: ['customer', request.id % 7 === 0 ? 'admin' : 'guest'] };
}

const requestsPerUser = new Map();
function rateLimit(request) {
  requestsPerUser.set(request.user, (requestsPerUser.get(request.user) ?? 0) + 1); // 5 000 users: bounded
}

const logLines = [];
function logRequest(request) {
  logLines.push(JSON.stringify({ level: 'info', msg: 'request', id: request.id, path: request.path, user: request.user }));
  if (logLines.length > 200) logLines.length = 0; // shipped and dropped
}

function priceOrder(request) {
  request.total = request.items.reduce((sum, item) => sum + item.qty * (100 + Number(item.sku.slice(4))), 0);
}

function render(request) {
  const rows = request.items.map((item) => `<tr><td>${item.sku}</td><td>${item.qty}</td><td>${item.note}</td></tr>`).join('');
  const html = `<html><body><h1>Order ${request.id} for ${request.user}</h1><p>${request.total}</p><table>${rows}</table></body></html>`;
  return { status: 200, headers: { 'content-type': 'text/html', 'content-length': html.length }, payload: Buffer.from(html) };
}

/**
 * Serves `perBatch` requests every `everyMs` ms. `middleware(request)` runs for each request
 * after the service's own, `onFinish(request, failed)` when its batch completes (about 1 in
 * `failureEvery` requests fails).
 */
export function serveTraffic({ perBatch = 50, everyMs = 5, failureEvery = 20, middleware = () => {}, onFinish = () => {} } = {}) {
  const chain = [parseBody, authenticate, rateLimit, logRequest, priceOrder, middleware];
  const finishHooks = [(request) => request.session && undefined, onFinish];
  let nextId = 0;
  setInterval(() => {
    const batch = [];
    for (let i = 0; i < perBatch; i++) {
      const request = receiveRequest(nextId++);
      for (const handle of chain) handle(request);
      batch.push({ request, response: render(request) });
    }
    setTimeout(() => {
      for (const { request } of batch) for (const finish of finishHooks) finish(request, request.id % failureEvery === 0);
    }, 2 + Math.floor(random() * 40));
  }, everyMs);
  setTimeout(() => process.kill(process.pid, 'SIGTERM'), scenarioSeconds * 1000);
  process.stdout.write('serving\n');
}
