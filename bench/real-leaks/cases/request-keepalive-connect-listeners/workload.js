// A backend-for-frontend that builds each account page from an internal profile service,
// called with request's keep-alive pool (`forever: true`) and a `timeout`, as request's README
// shows. request 2.76.0 armed its connect timer with `socket.once('connect', ...)` on every
// request's socket; a pooled keep-alive socket is already connected and never emits 'connect'
// again, so each request left a listener (holding the whole Request, its response and body)
// on the socket for as long as the socket lived (request/request#2438, fixed in 2.77.0 by
// #2439: listen for 'connect' only while the socket is connecting, and remove the listener).
// RATE page builds per second for DURATION_S seconds, then the pool and the service close.
'use strict';
const http = require('node:http');
const request = require('request');

const RATE = Number(process.env.RATE || 300);
const DURATION_S = Number(process.env.DURATION_S || 70);

// The profile service.
const profiles = http.createServer((req, res) => {
  const id = Number(req.url.split('/').pop()) || 0;
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      id,
      name: `customer-${id}`,
      email: `customer-${id}@example.test`,
      tier: ['free', 'plus', 'pro'][id % 3],
      addresses: Array.from({ length: 1 + (id % 3) }, (_, i) => ({ street: `${i + 1} Long Road`, city: `City ${id % 40}`, zip: String(10000 + ((id * 7 + i) % 89999)) })),
      orders: Array.from({ length: 4 + (id % 5) }, (_, i) => ({ ref: `o-${id}-${i}`, total: ((id + i) * 37) % 9000, status: i % 4 ? 'delivered' : 'open' })),
    }),
  );
});

let api;
const stats = { pages: 0, failed: 0 };
const recent = new Map(); // id -> last page summary, bounded below

function buildPage(n) {
  const id = (n * 13) % 20000;
  api.get(`/profiles/${id}`, (error, response, profile) => {
    if (error || response.statusCode !== 200) {
      stats.failed++;
      return;
    }
    const open = profile.orders.filter((o) => o.status === 'open').length;
    recent.set(id, `${profile.name} (${profile.tier}): ${open} open orders`);
    if (recent.size > 2000) recent.delete(recent.keys().next().value);
    stats.pages++;
  });
}

profiles.listen(0, '127.0.0.1', () => {
  const { port } = profiles.address();
  api = request.defaults({ baseUrl: `http://127.0.0.1:${port}`, json: true, forever: true, timeout: 5000, pool: { maxSockets: 8 } });
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 20));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) buildPage(++n);
  }, 50);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`pages ${stats.pages}, failed ${stats.failed}, recent ${recent.size}`);
      profiles.close();
      profiles.closeAllConnections();
    }, 500);
  }, DURATION_S * 1000);
});
