// A storefront backend that prices carts by calling an internal inventory service with axios
// over a keep-alive agent (`axios.create({ httpAgent: new http.Agent({ keepAlive: true }) })`),
// many calls in flight at once, so pooled sockets go from one request to the next.
// axios 1.15.1's http adapter added an 'error' listener to the socket for every request and
// removed it on the request's 'close'; a pooled socket handed to the next request before the
// previous request's 'close' kept the old listener, and with it the old request, for as long
// as the socket lived (axios/axios#10780, fixed in 1.15.2 by #10788: one listener per socket
// that follows the current request). RATE calls per second for DURATION_S seconds, then the
// agent and the inventory service close.
import http from 'node:http';
import axios from 'axios';

const RATE = Number(process.env.RATE || 300);
const DURATION_S = Number(process.env.DURATION_S || 70);

// The inventory service.
const inventory = http.createServer((req, res) => {
  const sku = req.url.split('/').pop();
  const n = Number(sku.replace(/\D/g, '')) || 0;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ sku, available: n % 17, warehouse: `wh-${n % 5}`, price: { amount: 499 + ((n * 37) % 9000), currency: 'EUR' }, updated: Date.now() }));
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let client;
const stats = { priced: 0, failed: 0 };
const lastPrices = new Map(); // sku -> last price seen (bounded: 5000 skus)

async function priceCart(n) {
  const skus = Array.from({ length: 1 + (n % 3) }, (_, i) => `sku-${(n * 7 + i * 131) % 5000}`);
  try {
    const items = await Promise.all(skus.map((sku) => client.get(`/inventory/${sku}`, { headers: { 'x-request-id': `cart-${n}` } })));
    let total = 0;
    for (const { data } of items) {
      lastPrices.set(data.sku, data.price.amount);
      total += data.available > 0 ? data.price.amount : 0;
    }
    if (total >= 0) stats.priced++;
  } catch {
    stats.failed++;
  }
}

inventory.listen(0, '127.0.0.1', () => {
  const { port } = inventory.address();
  client = axios.create({ baseURL: `http://127.0.0.1:${port}`, httpAgent: agent, timeout: 5000 });
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 20 / 2)); // a cart is two calls on average
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) priceCart(++n);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`priced ${stats.priced}, failed ${stats.failed}, skus ${lastPrices.size}`);
      agent.destroy();
      inventory.close();
      inventory.closeAllConnections();
    }, 500);
  }, DURATION_S * 1000);
});
