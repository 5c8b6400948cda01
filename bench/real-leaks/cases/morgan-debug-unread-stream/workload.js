// A product-search API on Express that writes its access log through morgan-debug, so that the
// log shows up with the app's other `debug` namespaces (`DEBUG=shop:*`) and costs nothing when
// it is off. morgan-debug 1.0.0 hands morgan a through2 stream whose transform passes every line
// on with `this.push()` even when no destination stream was given: nothing ever reads it, so
// after 16 KiB the stream stops transforming and buffers every later access-log line as a
// pending write, for ever (Twipped/morgan-debug#2; fixed in 1.1.0: it pushes only when there is
// a destination).
// RATE requests per second from a client over loopback HTTP for DURATION_S seconds; then the
// client and the server close.
'use strict';
const http = require('node:http');
const express = require('express');
const morganDebug = require('morgan-debug');

const RATE = Number(process.env.RATE || 200);
const DURATION_S = Number(process.env.DURATION_S || 70);

const catalog = Array.from({ length: 2000 }, (_, i) => ({
  id: i,
  name: `Product ${i} ${['lamp', 'chair', 'desk', 'shelf', 'rug'][i % 5]}`,
  price: ((i * 37) % 20000) / 100,
  tags: [`cat-${i % 40}`, i % 3 ? 'instock' : 'backorder'],
}));

const app = express();
app.use(morganDebug('shop:http', 'combined'));
app.use(express.json());

app.get('/search', (req, res) => {
  const q = String(req.query.q || '').toLowerCase();
  const page = Number(req.query.page || 0);
  const hits = catalog.filter((p) => p.name.toLowerCase().includes(q));
  res.json({ q, page, total: hits.length, items: hits.slice(page * 10, page * 10 + 10) });
});

app.post('/cart', (req, res) => {
  const items = (req.body.items || []).map((id) => catalog[id % catalog.length]);
  res.status(201).json({ cart: `c-${Date.now().toString(36)}`, count: items.length, total: items.reduce((s, p) => s + p.price, 0) });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const stats = { ok: 0, failed: 0 };
const words = ['lamp', 'chair', 'desk', 'shelf', 'rug', 'product 1', 'product 42'];

function call(port, n) {
  const post = n % 5 === 0;
  const body = post ? JSON.stringify({ items: [n, n + 1, n * 3] }) : null;
  const path = post ? '/cart' : `/search?q=${encodeURIComponent(words[n % words.length])}&page=${n % 4}&session=${(n * 7919) % 100000}`;
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1', port, path, agent,
        method: post ? 'POST' : 'GET',
        headers: {
          'user-agent': `shop-web/2.${n % 9} (+https://shop.example/bot)`,
          referer: `https://shop.example/p/${n % 500}`,
          ...(post ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode < 400) stats.ok++;
          else stats.failed++;
          resolve();
        });
      },
    );
    req.on('error', () => {
      stats.failed++;
      resolve();
    });
    req.end(body);
  });
}

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  let n = 0;
  const perTick = Math.max(1, Math.round(RATE / 10));
  const ticker = setInterval(() => {
    for (let i = 0; i < perTick; i++) call(port, ++n);
  }, 100);
  setTimeout(() => {
    clearInterval(ticker);
    setTimeout(() => {
      console.log(`requests ok ${stats.ok}, failed ${stats.failed}`);
      agent.destroy();
      server.close();
    }, 500);
  }, DURATION_S * 1000);
});
